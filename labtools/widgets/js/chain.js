// The saddle-chain explorer (labtools.widgets.chain): plain and perturbed
// gradient descent on labtools.landscapes.saddle_chain, rerun in the browser on
// every move of a control. Python sends the chain's parameters (gamma, L, a and
// the gate); the formulas below are SaddleChain.f and SaddleChain.grad for one
// point, term for term, and the two loops are gd_chain_run and pgd_chain_run of
// labtools/widgets/chain.py. Perturbed gradient descent is optim.js's port of
// labtools.optim.perturbed_gd (jin2017escape) with its seeded generator, so its
// kicks are not NumPy's: the parity tests compare its arrival times in
// distribution, and plain gradient descent step by step.
import { perturbed_gd, fmtG } from "./optim.js";
import { layered, axes, curve, OKABE_ITO } from "./plot.js";
import { controlModels, onChange, fmt, mountFront } from "./common.js";

// SaddleChain: f(x) = sum_i [b(x_i) + w_i (h(x_i) - b(x_i))] with the double
// well h, the bowl b and the gates w_1 = 1, w_i = s((x_{i-1} / a)^2), where s is
// labtools.landscapes.chain._smoothstep, the quintic gate on [lo, hi].
// A run calls f and grad at every step: the gates go into two arrays made once
// (a new array per gate and call left most of a run's time to the garbage
// collector), and f and grad at the same point compute them once.
export function chainLandscape({ d, gamma, L, a, gate }) {
  const g = gamma;
  const [lo, hi] = gate, width = hi - lo;
  // h - b, what a gate switches on
  const wellMinusBowl = (x) => {
    const xx = x * x;
    return g / (4 * a * a) * (xx - a * a) ** 2 - g * a * a / 4 - 0.5 * L * xx;
  };
  const S = new Float64Array(d), DS = new Float64Array(d);  // s and its derivative in u
  const at = new Float64Array(d).fill(NaN);  // the point S and DS hold
  const gates = (x) => {
    let same = true;
    for (let i = 0; i < d && same; i++) same = at[i] === x[i];
    if (same) return;
    for (let i = 0; i < d; i++) {
      at[i] = x[i];
      const u = (x[i] / a) ** 2;
      const t = Math.min(Math.max((u - lo) / width, 0.0), 1.0);
      S[i] = t * t * t * (10.0 - 15.0 * t + 6.0 * t * t);
      const tt = t * (1.0 - t); // zero outside the gate
      DS[i] = 30.0 * tt * tt / width;
    }
  };
  const f = (x) => {
    gates(x);
    let total = 0;
    for (let i = 0; i < d; i++) {
      const w = i === 0 ? 1.0 : S[i - 1];
      const bowl = g * a ** 2 / 4 + 0.5 * L * x[i] * x[i];
      total += bowl + w * wellMinusBowl(x[i]);
    }
    return total;
  };
  const grad = (x) => {
    gates(x);
    const out = new Array(d);
    for (let i = 0; i < d; i++) {
      const v = x[i], w = i === 0 ? 1.0 : S[i - 1];
      out[i] = L * v + w * (g / (a * a) * v * (v * v - a * a) - L * v);
    }
    // x_j also moves the gate of coordinate j + 1
    for (let j = 0; j < d - 1; j++) out[j] += (DS[j] * 2 * x[j] / a ** 2) * wellMinusBowl(x[j + 1]);
    return out;
  };
  return { dim: d, f, grad };
}

// gd_chain_run: the values of plain gradient descent until f < target
// ("arrived"), until the last offset is at most the smallest double, from where
// no step can move it ("stuck"), or after maxSteps steps ("max_steps").
export function chainGdRun(chain, x0, lr, maxSteps, target) {
  let x = x0.slice();
  const values = [], xs = [];
  for (let k = 0; k <= maxSteps; k++) {
    const value = chain.f(x);
    values.push(value);
    xs.push(x);
    if (value < target) return { values, xs, reason: "arrived" };
    if (Math.abs(x[x.length - 1]) <= Number.MIN_VALUE) return { values, xs, reason: "stuck" };
    const g = chain.grad(x);
    x = x.map((v, i) => v - lr * g[i]);
  }
  return { values, xs, reason: "max_steps" };
}

// pgd_chain_run: the values of `opt` (stepped through init/update as
// labtools.run.run steps it) until f < target; steps is null if it never
// arrives within maxSteps.
export function chainPgdRun(chain, opt, x0, maxSteps, target) {
  let x = x0.slice();
  let state = opt.init(x);
  const values = [];
  for (let k = 0; k <= maxSteps; k++) {
    const value = chain.f(x);
    values.push(value);
    if (value < target) return { values, steps: k };
    const [step, next] = opt.update(chain.grad(x), state, x, chain);
    state = next;
    x = x.map((v, i) => v + step[i]);
  }
  return { values, steps: null };
}

// Both runs for one setting of the controls, as SaddleChainExplorer.update.
export function chainRuns(s, d, lr, radius) {
  const chain = chainLandscape({ d, gamma: s.gamma, L: s.L, a: s.a, gate: s.gate });
  const x0 = Array.from({ length: d }, () => s.start);
  const gd = chainGdRun(chain, x0, lr, s.max_steps, s.target);
  const opt = perturbed_gd(lr, radius, s.g_thresh, s.t_thresh, s.seed);
  const pgd = chainPgdRun(chain, opt, x0, s.max_steps, s.target);
  const gdSteps = gd.reason === "arrived" ? gd.values.length - 1 : null;
  return { gd, pgd, gdSteps };
}

// The decades a log axis needs to hold every positive value.
function chainDecades(lists) {
  const pos = lists.flat().filter((v) => v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(Math.min(...pos)));
  const hi = Math.ceil(Math.log10(Math.max(...pos)));
  return [10 ** lo, 10 ** Math.max(hi, lo + 1)];
}

export async function chainView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const layer = layered(s.bg, "");
  const status = mountFront(el, layer.box);

  function draw() {
    const d = c.d.get("value"), lr = c.lr.get("value"), radius = c.radius.get("value");
    const { gd, pgd, gdSteps } = chainRuns(s, d, lr, radius);

    // the whole figure, drawn here (its axes follow the runs)
    const ctx = layer.ctx;
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, s.bg.width, s.bg.height);
    const n = Math.max(gd.values.length, pgd.values.length) - 1;
    const ylim = chainDecades([gd.values, pgd.values, [s.target]]);
    const ax = axes(ctx, s.box, {
      xlim: [-0.05 * n, 1.05 * n], ylim, ylog: true,
      title: `A chain of ${d} saddles, lr = ${fmt(lr, 2)}`, xlabel: "step", ylabel: "f (log scale)",
    });
    const steps = (vals) => vals.map((_, k) => k);
    const [l, , r] = s.box;
    ctx.save();
    ctx.setLineDash([1.5, 2.5]);
    ctx.strokeStyle = "gray";
    ctx.beginPath(); ctx.moveTo(l, ax.Y(s.target)); ctx.lineTo(r, ax.Y(s.target)); ctx.stroke();
    ctx.restore();
    curve(ctx, ax, steps(gd.values), gd.values, { color: OKABE_ITO[0], ylog: true });
    curve(ctx, ax, steps(pgd.values), pgd.values, { color: OKABE_ITO[1], ylog: true });
    // the legend, lower left as in the Python figure
    const rows = [["gradient descent", OKABE_ITO[0], []],
      [`perturbed GD (r = ${fmtG(radius, 2)})`, OKABE_ITO[1], []],
      [`arrived: f < ${fmtG(s.target, 3)}`, "gray", [1.5, 2.5]]];
    ctx.font = "10px DejaVu Sans, Verdana, sans-serif";
    ctx.textBaseline = "middle";
    const w = Math.max(...rows.map(([text]) => ctx.measureText(text).width)) + 36;
    const b = s.box[3], top = b - rows.length * 14 - 10;
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(l + 6, top, w, rows.length * 14 + 4);
    rows.forEach(([text, color, dash], i) => {
      const y = top + 9 + i * 14;
      ctx.save(); ctx.setLineDash(dash); ctx.strokeStyle = color; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(l + 10, y); ctx.lineTo(l + 30, y); ctx.stroke(); ctx.restore();
      ctx.fillStyle = "#000";
      ctx.fillText(text, l + 36, y);
    });

    const words = (k, why) => {
      if (k !== null) return `arrives after ${k} steps`;
      if (why === "stuck") {
        return `is stuck at saddle ${d} after ${gd.values.length - 1} steps (its last `
          + "offset underflowed to the smallest double)";
      }
      return `has not arrived after ${s.max_steps} steps`;
    };
    const gdText = words(gdSteps, gd.reason), pgdText = words(pgd.steps, "max_steps");
    layer.img.alt = `f on a log scale against step on a chain of ${d} saddles with lr `
      + `${fmt(lr, 2)}: gradient descent ${gdText}, showing one plateau per saddle; perturbed `
      + `gradient descent with kick radius ${fmt(radius, 2)} ${pgdText}.`;
    status.textContent = `d = ${d}, lr ${fmt(lr, 2)}: gradient descent ${gdText}; perturbed `
      + `gradient descent ${pgdText}.`;
  }

  onChange(c, Object.keys(c), draw);
  draw();
}
