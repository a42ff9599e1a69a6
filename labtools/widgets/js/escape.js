// The escape-time histogram (labtools.widgets.escape): many runs of plain SGD
// start at a saddle of a finite sum, and each records the first step at which
// it is farther than `radius` from it, as labtools.run.sgd_escape_steps does.
// The batches come from the page's seeded generator (minibatch.js), not
// NumPy's, so tests/parity compares the escape-step distributions.
import { layered, axes, COLORS } from "./plot.js";
import { controlModels, onChange, compileLandscape, fmt, mountFront } from "./common.js";
import { finiteSum } from "./minibatch.js";
import { makeRng } from "./optim.js";

// The escape step of `runs` runs from x0 (-1: still inside after maxSteps),
// the runs one after the other on one generator. The full batch draws
// nothing, so its runs are all the same run: it is computed once.
// A move reruns them all (tens of thousands of gradients), so a step allocates
// nothing but the landscape's own gradient: the sums are the ones of
// minibatch.js's finiteSum and batchDrawer, in the same order, so the steps
// are the same to the last bit (the generator is drawn the same way).
export function escapeSteps(fs, x0, lr, B, runs, maxSteps, radius, seed) {
  const n = fs.n, d = x0.length, shifts = fs.shifts, grad = fs.base.grad;
  const rng = makeRng(seed);
  const perm = new Int32Array(n), x = new Array(d), xi = new Array(d), g = new Array(d);
  const swapped = new Int32Array(B);  // the shuffle's swaps, undone after the step
  for (let i = 0; i < n; i++) perm[i] = i;
  const one = () => {
    for (let j = 0; j < d; j++) x[j] = x0[j];
    for (let k = 1; k <= maxSteps; k++) {
      if (B !== n) {  // the first B of a partial Fisher-Yates shuffle of 0..n-1
        for (let j = 0; j < B; j++) {
          const r = j + Math.floor(rng.uniform() * (n - j)), tmp = perm[j];
          perm[j] = perm[r]; perm[r] = tmp; swapped[j] = r;
        }
      }
      for (let j = 0; j < d; j++) g[j] = 0;
      for (let b = 0; b < B; b++) {
        const s = shifts[perm[b]];
        for (let j = 0; j < d; j++) xi[j] = x[j] - s[j];
        const gi = grad(xi);
        for (let j = 0; j < d; j++) g[j] += gi[j];
      }
      if (B !== n) {  // undone in reverse: perm is 0..n-1 again, as the next step needs
        for (let j = B - 1; j >= 0; j--) {
          const r = swapped[j], tmp = perm[j];
          perm[j] = perm[r]; perm[r] = tmp;
        }
      }
      let sq = 0;
      for (let j = 0; j < d; j++) {
        x[j] = x[j] - lr * (g[j] / B);
        const dx = x[j] - x0[j];
        sq += dx * dx;
      }
      // the distance as numpy.linalg.norm takes it (a root of the sum of squares;
      // Math.hypot, which guards against overflow, cost a tenth of the runs' time)
      if (!(Math.sqrt(sq) <= radius)) return k; // NaN counts as escaped, as in labtools
    }
    return -1;
  };
  if (B === n) return new Array(runs).fill(one());
  return Array.from({ length: runs }, one);
}

// labtools.widgets.escape.escape_bins: about 30 whole-number-wide bins from 0.
export function escapeBins(steps) {
  const top = steps.length ? Math.max(...steps) : 1;
  const width = Math.max(1, Math.ceil(top / 30));
  const count = Math.floor(top / width) + 2;
  return Array.from({ length: count }, (_, i) => i * width);
}

// labtools.widgets.escape.escape_words
export function escapeWords(escaped, runs, median, maxSteps, full, gdStep) {
  const left = escaped
    ? `${escaped} of ${runs} runs left within ${maxSteps} steps, median step ${median}.`
    : `no run left within ${maxSteps} steps.`;
  if (full) {
    return `${left} This is full-batch gradient descent: every run is the same run, `
      + "pushed off only by the round-off in its zero gradient.";
  }
  const gd = gdStep > 0
    ? `leaves at step ${gdStep}, pushed off only by the round-off in its zero gradient`
    : `is still at the saddle after ${maxSteps} steps`;
  return `${left} Full-batch gradient descent ${gd}.`;
}

const escapeMedian = (v) => {
  const s = [...v].sort((a, b) => a - b), m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export async function escapeView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const fs = finiteSum(compileLandscape(s.src), s.shifts);
  const layer = layered(s.bg, "");
  const status = mountFront(el, layer.box);

  function draw() {
    const lr = c.lr.get("value"), B = c.batch.get("value");
    const runs = c.runs.get("value"), seed = c.seed.get("value");
    const steps = escapeSteps(fs, s.start, lr, B, runs, s.max_steps, s.radius, seed);
    // full-batch gradient descent from the same point, for comparison
    const [gdStep] = escapeSteps(fs, s.start, lr, fs.n, 1, s.max_steps, s.radius, 0);
    const out = steps.filter((k) => k > 0);
    const med = out.length ? escapeMedian(out) : null;
    const edges = escapeBins(out);
    const counts = edges.slice(1).map(() => 0);
    const width = edges[1] - edges[0];
    for (const k of out) counts[Math.min(Math.floor(k / width), counts.length - 1)] += 1;

    const ctx = layer.ctx;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, s.bg.width, s.bg.height);
    const ax = axes(ctx, s.bg.box, {
      xlim: [edges[0], edges[edges.length - 1]], ylim: [0, 1.05 * Math.max(1, ...counts)],
      title: `Steps to leave the saddle (|x| > ${s.radius}), lr = ${fmt(lr, 2)}, B = ${B}`,
      xlabel: "escape step", ylabel: "runs",
    });
    ctx.fillStyle = COLORS.blue;
    counts.forEach((n, i) => {
      if (!n) return;
      const x0 = ax.X(edges[i]), x1 = ax.X(edges[i + 1]);
      ctx.fillRect(x0, ax.Y(n), x1 - x0, ax.Y(0) - ax.Y(n));
    });
    const [, t, r, b] = s.bg.box;
    ctx.font = "11px DejaVu Sans, Verdana, sans-serif";
    const xEnd = edges[edges.length - 1];
    if (gdStep > 0 && gdStep <= xEnd && B < fs.n) {
      ctx.save();
      ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5; ctx.setLineDash([1.5, 2.5]);
      ctx.beginPath(); ctx.moveTo(ax.X(gdStep), t); ctx.lineTo(ax.X(gdStep), b); ctx.stroke();
      ctx.restore();
    }
    if (med !== null) {
      ctx.save();
      ctx.strokeStyle = COLORS.path; ctx.lineWidth = 1.5; ctx.setLineDash([5, 3]);
      ctx.beginPath(); ctx.moveTo(ax.X(med), t); ctx.lineTo(ax.X(med), b); ctx.stroke();
      ctx.restore();
      ctx.fillStyle = COLORS.path; ctx.textAlign = "right"; ctx.textBaseline = "top";
      ctx.fillText(`median ${med}`, r - 6, t + 6);
      ctx.fillStyle = "#000";
      ctx.fillText(gdStep > 0 && B < fs.n ? `full batch: step ${gdStep}${gdStep > xEnd ? " (off the axis)" : ""}`
        : "", r - 6, t + 20);
    } else {
      ctx.fillStyle = "#000"; ctx.textAlign = "center"; ctx.textBaseline = "middle";
      ctx.fillText(`no run left within ${s.max_steps} steps`, ax.X(0.5 * edges[edges.length - 1]), (t + b) / 2);
    }

    const text = escapeWords(out.length, runs, med, s.max_steps, B === fs.n, gdStep);
    layer.img.alt = `Histogram of the escape steps of ${runs} SGD runs started at the saddle, `
      + `lr ${fmt(lr, 2)}, batch size ${B}: ${text}`;
    status.textContent = `lr ${fmt(lr, 2)}, B = ${B}: ${text}`;
  }

  onChange(c, Object.keys(c), draw);
  draw();
}
