// The mini-batch explorer (labtools.widgets.minibatch): SGD on a finite-sum
// landscape, each step's mini-batch gradient beside the full gradient, rerun in
// the browser on every move. Python sends the base landscape as JavaScript
// (landscape_js) and the examples' shifts; the finite sum below is
// labtools.landscapes.FiniteSum for one point, sum for sum. The batches come
// from optim.js's makeRng, which labtools.widgets.minibatch.PageRng reproduces
// bit for bit, so this path and the Python widget's path are the same path.
import { makeRng } from "./optim.js";
import { layered, figureRow, dataToPixel, axes, curve, COLORS, thin } from "./plot.js";
import { controlModels, onChange, compileLandscape, fmt, mountFront } from "./common.js";

// FiniteSum: f(x) = mean_i g(x - s_i); the gradient of a batch is the mean of
// its examples' gradients, summed in the batch's order (as NumPy's mean does).
export function finiteSum(base, shifts) {
  const n = shifts.length;
  const gradOf = (x, idx) => {
    const out = x.map(() => 0);
    for (const i of idx) {
      const g = base.grad(x.map((v, j) => v - shifts[i][j]));
      for (let j = 0; j < out.length; j++) out[j] += g[j];
    }
    return out.map((v) => v / idx.length);
  };
  const all = Array.from({ length: n }, (_, i) => i);
  return {
    n, base, shifts,
    f: (x) => shifts.reduce((acc, s) => acc + base.f(x.map((v, j) => v - s[j])), 0) / n,
    grad: (x) => gradOf(x, all),
    batchGrad: gradOf,
  };
}

// page_batches: a batch is the first B entries of a partial Fisher-Yates
// shuffle of 0..n-1 (a uniformly random subset); the full batch needs no draw.
export function batchDrawer(seed, n, B) {
  const rng = makeRng(seed);
  return () => {
    const perm = Array.from({ length: n }, (_, i) => i);
    if (B === n) return perm;
    for (let j = 0; j < B; j++) {
      const r = j + Math.floor(rng.uniform() * (n - j));
      [perm[j], perm[r]] = [perm[r], perm[j]];
    }
    return perm.slice(0, B);
  };
}

// sgd_path: x <- x - lr * g_S(x) with one batch per step from `nextBatch`; also
// each step's batch and full gradients. Stops where x turns NaN or |x| > 1e6.
export function sgdPath(fs, x0, lr, steps, nextBatch) {
  let x = x0.slice();
  const xs = [x], batchGrads = [], fullGrads = [];
  for (let k = 0; k < steps; k++) {
    const g = fs.batchGrad(x, nextBatch(k));
    batchGrads.push(g);
    fullGrads.push(fs.grad(x));
    x = x.map((v, j) => v - lr * g[j]);
    xs.push(x);
    if (!x.every(Number.isFinite) || Math.max(...x.map(Math.abs)) > 1e6) break;
  }
  return { xs, batchGrads, fullGrads };
}

const mbNorm = (v) => Math.hypot(...v);

// An arrow from (x0, y0) to (x1, y1) in pixels, with a small head.
function mbArrow(ctx, x0, y0, x1, y1) {
  const len = Math.hypot(x1 - x0, y1 - y0);
  if (len < 0.5) return;
  const a = Math.atan2(y1 - y0, x1 - x0), h = Math.min(5, 0.5 * len);
  ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - h * Math.cos(a - 0.45), y1 - h * Math.sin(a - 0.45));
  ctx.lineTo(x1 - h * Math.cos(a + 0.45), y1 - h * Math.sin(a + 0.45));
  ctx.closePath(); ctx.fill();
}

// A legend box in the lower left (or upper right) of axes box `box`: rows of [text, colour].
export function mbLegend(ctx, box, rows, upperRight = false) {
  ctx.save();
  ctx.font = "10px DejaVu Sans, Verdana, sans-serif";
  ctx.textBaseline = "middle";
  const w = Math.max(...rows.map(([text]) => ctx.measureText(text).width)) + 36;
  const [bl, bt, br, bb] = box;
  const l = upperRight ? br - w - 12 : bl, top = upperRight ? bt + 6 : bb - rows.length * 14 - 10;
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.fillRect(l + 6, top, w, rows.length * 14 + 4);
  rows.forEach(([text, color], i) => {
    const y = top + 9 + i * 14;
    ctx.strokeStyle = color; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(l + 10, y); ctx.lineTo(l + 30, y); ctx.stroke();
    ctx.fillStyle = "#000";
    ctx.fillText(text, l + 36, y);
  });
  ctx.restore();
}

export async function minibatchView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const fs = finiteSum(compileLandscape(s.src), s.shifts);
  const map = layered(s.bg, ""), side = layered(s.noise_bg, "");
  const status = mountFront(el, figureRow([map.box, side.box]));
  const geo = dataToPixel(s.bg);

  function draw() {
    const B = c.batch.get("value"), lr = c.lr.get("value");
    const seed = c.seed.get("value"), steps = c.steps.get("value");
    const run = sgdPath(fs, s.start, lr, steps, batchDrawer(seed, fs.n, B));
    const full = batchDrawer(0, fs.n, fs.n);
    const gd = sgdPath(fs, s.start, lr, steps, full);
    const k = run.fullGrads.length, end = run.xs[run.xs.length - 1];
    const gdEnd = gd.xs[gd.xs.length - 1];
    const escaped = Math.abs(end[1]) > 0.5;

    // the map: full-batch path (dashed), SGD path, a full-batch arrow at each SGD point
    const ctx = map.ctx;
    ctx.clearRect(0, 0, s.bg.width, s.bg.height);
    const [l, t, r, b] = s.bg.box;
    ctx.save();
    ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = COLORS.sky;
    ctx.setLineDash([5, 3]);
    ctx.beginPath();
    gd.xs.forEach(([x, y], i) => (i ? ctx.lineTo(geo.X(x), geo.Y(y)) : ctx.moveTo(geo.X(x), geo.Y(y))));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.strokeStyle = COLORS.path; ctx.fillStyle = COLORS.path; ctx.lineWidth = 1.2;
    ctx.beginPath();
    run.xs.forEach(([x, y], i) => (i ? ctx.lineTo(geo.X(x), geo.Y(y)) : ctx.moveTo(geo.X(x), geo.Y(y))));
    ctx.stroke();
    ctx.beginPath();  // the dots in one path, filled once (see thin in plot.js)
    for (const [x, y] of thin(run.xs.map(([x, y]) => [geo.X(x), geo.Y(y)]))) {
      ctx.moveTo(x + 1.8, y); ctx.arc(x, y, 1.8, 0, 2 * Math.PI);
    }
    ctx.fill();
    ctx.strokeStyle = COLORS.blue; ctx.fillStyle = COLORS.blue; ctx.lineWidth = 1.2;
    run.fullGrads.forEach((g, i) => {
      const [x, y] = run.xs[i];
      mbArrow(ctx, geo.X(x), geo.Y(y), geo.X(x - lr * g[0]), geo.Y(y - lr * g[1]));
    });
    ctx.restore();
    mbLegend(ctx, s.bg.box, [["full-batch GD path", COLORS.sky], ["SGD path (mini-batch steps)", COLORS.path],
      ["full-batch step at each point", COLORS.blue]], true);

    // the side panel: |grad f| and the noise |g_S - grad f| along the SGD path
    const noise = run.batchGrads.map((g, i) => mbNorm(g.map((v, j) => v - run.fullGrads[i][j])));
    const sizes = run.fullGrads.map(mbNorm);
    const sctx = side.ctx;
    sctx.fillStyle = "#fff";
    sctx.fillRect(0, 0, s.noise_bg.width, s.noise_bg.height);
    // a zero (the full batch's noise) sits on the floor of the log axis, as in Python
    const ax = axes(sctx, s.noise_bg.box, {
      xlim: [-0.05 * k, 1.05 * k], ylim: [s.floor, 10], ylog: true,
      title: "Along the SGD path", xlabel: "step k", ylabel: "size (log)",
    });
    const ks = sizes.map((_, i) => i);
    curve(sctx, ax, ks, sizes.map((v) => Math.max(v, s.floor)), { color: COLORS.blue, ylog: true });
    curve(sctx, ax, ks, noise.map((v) => Math.max(v, s.floor)), { color: COLORS.path, ylog: true });
    mbLegend(sctx, s.noise_bg.box, [["full gradient |∇f|", COLORS.blue], ["noise |g_S − ∇f|", COLORS.path]]);

    const meanNoise = noise.length ? noise.reduce((a, v) => a + v, 0) / noise.length : 0;
    const where = escaped ? "has left the saddle" : "is still near the x axis";
    const pt = (x) => `(${fmt(x[0], 2)}, ${fmt(x[1], 2)})`;
    map.img.alt = "Contour map of a saddle at the origin with two paths from (1, 0): full-batch "
      + "gradient descent runs along the x axis into the saddle; the mini-batch path "
      + `(B = ${B}, lr ${fmt(lr, 2)}) ${where}. At each of its points an arrow shows the full-batch step.`;
    side.img.alt = `Full gradient size and mini-batch noise along ${k} SGD steps on log scale: `
      + "the gradient shrinks near the saddle while the noise does not.";
    status.textContent = `B = ${B}, lr ${fmt(lr, 2)}, seed ${seed}: after ${k} steps SGD is at `
      + `${pt(end)} and ${where}; full-batch GD is at ${pt(gdEnd)}. Mean noise |g_S - grad f| `
      + `${fmt(meanNoise, 2)}.`;
  }

  onChange(c, Object.keys(c), draw);
  draw();
}
