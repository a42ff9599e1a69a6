// The saddle-escape explorer (labtools.widgets.saddle): steps to leave a saddle
// against the start's offset e from the stable manifold, measured with the port
// of labtools.run.saddle_escape_steps and set against the linear theory of
// labtools.run.predicted_escape_steps.
import { run, saddle_escape_steps } from "./optim.js";
import { layered, figureRow, dataToPixel, drawPath, axes, curve, niceTicks, OKABE_ITO, COLORS } from "./plot.js";
import { controlModels, onChange, compileLandscape, makeOptimizer, fmt, mountFront, valueOf } from "./common.js";

// labtools.run.predicted_escape_steps (polyak1964some, goh2017momentum): the
// gradient-descent formula for beta = 0, else the two-step recursion's rate.
export function predicted_escape_steps(e, lr, lam, beta = 0, nesterov = false) {
  const h = lr * Math.abs(lam);
  if (beta === 0) return e.map((v) => Math.log(1 / v) / Math.log1p(h));
  const [tr, det, first] = nesterov
    ? [(1 + beta) * (1 + h), beta * (1 + h), 1 + h + beta * h]
    : [1 + beta + h, beta, 1 + h];
  const r1 = 0.5 * (tr + Math.sqrt(tr * tr - 4 * det)), r2 = det / r1;
  const c = (first - r2) / (r1 - r2);
  return e.map((v) => Math.log(1 / (c * v)) / Math.log(r1));
}

const THEORY = {
  gd: (e, lr, lam) => predicted_escape_steps(e, lr, lam),
  momentum: (e, lr, lam) => predicted_escape_steps(e, lr, lam, 0.9),
  nesterov: (e, lr, lam) => predicted_escape_steps(e, lr, lam, 0.9, true),
};

const niceTop = (hi) => { const t = niceTicks(0, hi, 5), s = t[1] - t[0]; return Math.ceil(hi / s - 1e-9) * s; };

export async function saddleView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  // two figures (the map of the saddle, the escape times): side by side while
  // there is room, one under the other on a phone
  const slot = document.createElement("div");
  slot.style.cssText = `width:${Object.values(s.landscapes)[0].bg.width}px; max-width:100%;`;
  const timeLayer = layered(s.steps_bg, "");
  const status = mountFront(el, figureRow([slot, timeLayer.box]));
  let layer = null, layerKey = null;

  function draw() {
    const key = valueOf(c.landscape), entry = s.landscapes[key];
    if (layerKey !== key) { layer = layered(entry.bg, ""); slot.replaceChildren(layer.box); layerKey = key; }
    const L = compileLandscape(entry.src), geo = dataToPixel(entry.bg);
    const name = valueOf(c.optimizer), lr = c.lr.get("value"), a = c.a.get("value");
    const lamMin = Math.min(...entry.lambdas) + 0; // + 0: a zero eigenvalue reads 0, not -0
    const iu = entry.lambdas.indexOf(lamMin), is = 1 - iu;
    const vu = entry.vecs.map((row) => row[iu]), vs = entry.vecs.map((row) => row[is]);
    const r = entry.radius;
    const start = (e) => vs.map((v, i) => r * (a * v + e * vu[i]));
    const mk = () => makeOptimizer(name, s.params[name] || [], { lr, beta: 0.9, sigma: null, seed: 0 });
    const counts = s.e.map((e) => saddle_escape_steps(L, mk(), start(e), { radius: r, steps: s.max_steps, seed: 0 }));

    let predicted = null, theory;
    if (lamMin >= 0) {
      theory = `the Hessian at this saddle has no negative eigenvalue (λmin = ${fmt(lamMin)}): a degenerate saddle `
        + "with no unstable direction, so the linear theory predicts no escape time and no line is drawn";
    } else if (!(name in THEORY)) {
      theory = `no theory line for ${name}: ${s.no_theory[name]}`;
    } else {
      predicted = THEORY[name](s.e, lr, lamMin);
      const formula = name === "gd" ? "ln(1/e)/ln(1 + lr·|λmin|)" : `the linear theory of ${name} with β = 0.9`;
      theory = `the ${name} theory line, ${formula} with |λmin| = ${fmt(Math.abs(lamMin))}, goes from `
        + `${fmt(predicted[predicted.length - 1])} to ${fmt(predicted[0])} steps`;
    }

    const mctx = layer.ctx;
    mctx.clearRect(0, 0, entry.bg.width, entry.bg.height);
    const [l, t, rr, b] = entry.bg.box;
    mctx.save();
    mctx.beginPath(); mctx.rect(l, t, rr - l, b - t); mctx.clip();
    s.shown_e.forEach((e, i) => {
      const tr = run(L, mk(), start(e), { steps: Math.min(s.max_steps, 400), tol: 0, seed: 0 });
      drawPath(mctx, tr.xs.map(([x, y]) => [geo.X(x), geo.Y(y)]), { color: OKABE_ITO[i], dots: false });
    });
    mctx.restore();

    // the escape-time figure, drawn here in full (its y-axis follows the runs)
    const ctx = timeLayer.ctx;
    ctx.clearRect(0, 0, s.steps_bg.width, s.steps_bg.height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, s.steps_bg.width, s.steps_bg.height);
    const ok = counts.map((k) => k >= 0);
    const top = Math.max(1, ...counts.filter((k, i) => ok[i]), ...(predicted || []));
    const ax = axes(ctx, s.graph_box, {
      xlim: [s.e[0] / 2, s.e[s.e.length - 1] * 2], ylim: [0, niceTop(top)], xlog: true,
      title: "Escape time", xlabel: "e: distance from the stable manifold (× radius)", ylabel: "steps to escape",
    });
    if (predicted) {
      ctx.save(); ctx.setLineDash([6, 4]);
      curve(ctx, ax, s.e, predicted, { color: "#000", width: 1.5 });
      ctx.restore();
    }
    ctx.fillStyle = COLORS.blue;
    s.e.forEach((e, i) => {
      if (!ok[i]) return;
      ctx.beginPath(); ctx.arc(ax.X(e), ax.Y(counts[i]), 3.5, 0, 2 * Math.PI); ctx.fill();
    });
    const [gl, gt, gr] = s.graph_box;
    ctx.font = "10px DejaVu Sans, Verdana, sans-serif";
    ctx.textBaseline = "middle";
    const rows = [[`measured (${name})`, "dot"], ...(predicted ? [[s.theory_labels[name], "dash"]] : [])];
    const w = Math.max(...rows.map(([text]) => ctx.measureText(text).width)) + 40;
    ctx.fillStyle = "rgba(255,255,255,0.85)";
    ctx.fillRect(gr - w - 6, gt + 6, w, rows.length * 14 + 6);
    rows.forEach(([text, kind], i) => {
      const y = gt + 16 + i * 14, x = gr - w;
      if (kind === "dot") { ctx.fillStyle = COLORS.blue; ctx.beginPath(); ctx.arc(x + 10, y, 3.5, 0, 2 * Math.PI); ctx.fill(); }
      else { ctx.save(); ctx.setLineDash([6, 4]); ctx.strokeStyle = "#000"; ctx.beginPath(); ctx.moveTo(x + 2, y); ctx.lineTo(x + 20, y); ctx.stroke(); ctx.restore(); }
      ctx.fillStyle = "#000";
      ctx.fillText(text, x + 26, y);
    });
    void gl;

    const good = counts.filter((k, i) => ok[i]);
    layer.img.alt = `Contour map of ${entry.name} with paths of ${name} (lr ${fmt(lr, 2)}) from `
      + "starts at e = 1e-1, 1e-4 and 1e-8 off the stable manifold.";
    timeLayer.img.alt = `Steps of ${name} (lr ${fmt(lr, 2)}) to get farther than ${fmt(r)} from `
      + `the saddle against e on a log scale, from ${good.length ? Math.min(...good) : "none"} to `
      + `${good.length ? Math.max(...good) : "none"} steps; ${theory}.`;
    const never = counts.length - good.length;
    const extra = never ? ` ${never} of ${counts.length} starts never escaped within ${s.max_steps} steps.` : "";
    status.textContent = `${name}, lr ${fmt(lr, 2)}: ${theory}.${extra}`;
  }

  onChange(c, Object.keys(c), draw);
  draw();
}
