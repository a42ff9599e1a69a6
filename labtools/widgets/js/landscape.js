// The landscape explorer (labtools.widgets.landscape): an optimizer's path on
// the contour map Python drew, and its loss and gradient-norm curves. Every
// move of a control reruns the optimizer here, with the port of labtools.run.
import { run } from "./optim.js";
import { pageFormulas, formulaEntry2d } from "./formula.js";
import { drawPath, makeCanvas, axes, curve, COLORS } from "./plot.js";
import {
  controlModels, onChange, startLayer, retargetSliders, compileLandscape, makeOptimizer, fmt,
  point, statusLine, kernelNote, valueOf,
} from "./common.js";

const LOSS_W = 360, LOSS_H = 390;

export async function landscapeView({ model, el }) {
  const c = await controlModels(model, el);
  const root = document.createElement("div");
  root.className = "labtools-front";
  const figs = document.createElement("div");
  figs.style.cssText = "display:flex; flex-wrap:wrap; gap:4px; align-items:flex-start;";
  const mapSlot = document.createElement("div");
  // a flex item may shrink below its image's width: the map fits a phone's column
  mapSlot.style.cssText = "min-width:0; max-width:100%;";
  const [lossCanvas, lctx] = makeCanvas(LOSS_W, LOSS_H);
  lossCanvas.style.minWidth = "0";
  lossCanvas.style.height = "auto"; // keeps its aspect when a phone narrows it
  figs.append(mapSlot, lossCanvas);
  const status = statusLine();
  root.append(figs, status);
  const spec = () => model.get("spec");
  if (spec().kernel_note) root.append(kernelNote(spec().kernel_note));
  el.append(root);

  let layer = null, layerKey = null, geometry = null;

  // Without a kernel (spec.formula) the learner's own function is read here (formula.js)
  let lastKey = null;
  const formulas = pageFormulas({ c, spec, root, status, make: formulaEntry2d, valueOf,
                                  redraw: () => draw() });

  function draw() {
    const s = spec();
    const found = formulas.resolve(s, lastKey);
    if (!found) return;  // reading the learner's function; draw() follows
    const [key, entry] = found;
    if (!entry) {
      status.textContent = key === undefined || key === null || key === s.custom
        ? s.kernel_note || "Type a function in the box and press Enter."
        : `The map of ${key} comes from Python: it appears once the kernel has drawn it.`;
      return;
    }
    if (layerKey !== key) {
      layer = startLayer(entry, [c.x0, c.y0]);
      mapSlot.replaceChildren(layer.box);
      if (layerKey !== null) retargetSliders([c.x0, c.y0], entry);
      layerKey = key; geometry = layer.geo;
    }
    lastKey = key;
    const L = entry.L || compileLandscape(entry.src);
    const name = valueOf(c.optimizer);
    const params = s.params[name] || [];
    const lr = c.lr.get("value"), beta = c.beta.get("value"), sigma = c.sigma.get("value");
    // as Python: lr and beta are greyed out for the methods that do not take them
    c.lr.set("disabled", !params.includes("lr"));
    c.beta.set("disabled", !params.includes("beta"));
    const opt = makeOptimizer(name, params, { lr, beta, sigma, seed: s.seed });
    const x0 = [c.x0.get("value"), c.y0.get("value")];
    const steps = c.steps.get("value");
    const t = run(L, opt, x0, { steps, seed: s.seed });

    const hyper = [];
    if (params.includes("lr")) hyper.push(`lr ${fmt(lr, 2)}`);
    if (params.includes("beta")) hyper.push(`beta ${beta.toFixed(2)}`);
    if (sigma > 0) hyper.push(`noise sigma ${sigma.toFixed(2)}`);
    const setting = hyper.length ? `${name} (${hyper.join(", ")})` : name;
    const end = t.xs[t.xs.length - 1], fEnd = t.values[t.values.length - 1];

    // the map: the path over the background
    const ctx = layer.ctx;
    ctx.clearRect(0, 0, entry.bg.width, entry.bg.height);
    const [l, top, r, b] = entry.bg.box;
    ctx.save();
    ctx.beginPath(); ctx.rect(l, top, r - l, b - top); ctx.clip();
    drawPath(ctx, t.xs.map(([x, y]) => [geometry.X(x), geometry.Y(y)]));
    ctx.restore();
    layer.img.alt = `Contour map of ${entry.name} for ${entry.window_text}, with the path of `
      + `${setting} from ${point(x0)}: ${t.message}; the last point is ${point(end)} where f = ${fmt(fEnd)}.`;

    // the loss curves, on the axes Python chose for this landscape
    const [fMin, label, lossLim, gradLim] = entry.scales;
    lctx.clearRect(0, 0, LOSS_W, LOSS_H);
    lctx.fillStyle = "#fff";
    lctx.fillRect(0, 0, LOSS_W, LOSS_H);
    const k = t.values.map((_, i) => i);
    const xlim = [0, Math.max(steps, 1)];
    const top1 = axes(lctx, [64, 26, 350, 178], { xlim, ylim: lossLim, ylog: true, title: "Loss and gradient norm", ylabel: label });
    curve(lctx, top1, k, t.values.map((v) => v - fMin), { color: COLORS.blue, ylog: true });
    const bot = axes(lctx, [64, 200, 350, 352], { xlim, ylim: gradLim, ylog: true, xlabel: "step k", ylabel: "‖∇f(x_k)‖" });
    curve(lctx, bot, k, t.grad_norms, { color: COLORS.path, ylog: true });
    lossCanvas.setAttribute("aria-label", `Two curves against step k for the same run: f(x_k) goes from `
      + `${fmt(t.values[0])} to ${fmt(fEnd)}, and the gradient norm (log scale) from `
      + `${fmt(t.grad_norms[0])} to ${fmt(t.grad_norms[t.grad_norms.length - 1])}.`);

    status.textContent = `${setting} from ${point(x0)}: ${t.message}. `
      + `Last point ${point(end)}, f = ${fmt(fEnd)}.`;
    el.dataset.updates = String(Number(el.dataset.updates || 0) + 1);
  }

  const redraw = onChange(c, ["landscape", "expression", "optimizer", "lr", "beta", "sigma", "steps", "x0", "y0"], draw);
  model.on("change:spec", redraw);
  draw();
}
