// The 1-D explorer (labtools.widgets.explorer1d): an optimizer stepping along
// the graph Python drew, the step k chosen by a slider or played; the tangent
// at step k shows the slope the next step follows.
import { run } from "./optim.js";
import { pageFormulas, formulaEntry1d } from "./formula.js";
import { COLORS } from "./plot.js";
import {
  controlModels, onChange, onRelease, startLayer, retargetSliders, compileLandscape, makeOptimizer, fmt,
  statusLine, kernelNote, valueOf,
} from "./common.js";

export async function explorer1dView({ model, el }) {
  const c = await controlModels(model, el);
  const spec = () => model.get("spec");
  const root = document.createElement("div");
  root.className = "labtools-front";
  const play = document.createElement("button");
  play.type = "button";
  play.textContent = "Play the steps";
  play.style.cssText = "margin:4px 0; padding:2px 10px; font-size:14px;";
  const slot = document.createElement("div");
  const status = statusLine();
  root.append(play, slot, status);
  if (spec().kernel_note) root.append(kernelNote(spec().kernel_note));
  el.append(root);

  let layer = null, layerKey = null, geo = null, trace = null, L = null, entry = null;
  let drawn = null;  // the run, step and layer drawn last (redraw)

  // Without a kernel (spec.formula) the learner's own function is read here (formula.js)
  let lastKey = null;
  const formulas = pageFormulas({ c, spec, root, status, make: formulaEntry1d, valueOf,
                                  redraw: () => rerun() });

  // A new run: the optimizer from the current controls, every step shown.
  function rerun() {
    const s = spec();
    const found = formulas.resolve(s, lastKey);
    if (!found) return;  // reading the learner's function; rerun() follows
    const key = found[0];
    entry = found[1];
    if (!entry) {
      status.textContent = s.kernel_note || "Type a function in the box and press Enter.";
      return;
    }
    if (layerKey !== key) {
      layer = startLayer(entry, [c.x0]);  // a click on the graph moves the start
      slot.replaceChildren(layer.box);
      if (layerKey !== null) retargetSliders([c.x0], entry);
      layerKey = key; geo = layer.geo;
    }
    lastKey = key;
    L = entry.L || compileLandscape(entry.src);
    const name = valueOf(c.optimizer);
    const opt = makeOptimizer(name, s.params[name] || [], { lr: c.lr.get("value"), beta: 0.9, sigma: null, seed: 0 });
    trace = run(L, opt, [c.x0.get("value")], { steps: c.steps.get("value") });
    const n = trace.steps_taken;
    c.k.set({ max: Math.max(n, 1), value: n });
    c.k.save_changes();
    redraw();
  }

  // Draw the path up to step k. A new run sets k itself and draws at once; the
  // change of k it makes asks for a redraw in the next frame too, which has
  // nothing new to show: `drawn` (the run and step drawn last) skips it.
  function redraw() {
    if (!trace || !layer) return;
    const n = trace.steps_taken, k = Math.min(c.k.get("value"), n);
    if (drawn && drawn.trace === trace && drawn.k === k && drawn.layer === layer) return;
    drawn = { trace, k, layer };
    const xs = trace.xs.map((p) => p[0]), vs = trace.values;
    const P = (x, y) => [geo.X(x), geo.Y(y)];
    const ctx = layer.ctx;
    ctx.clearRect(0, 0, entry.bg.width, entry.bg.height);
    const [l, t, r, b] = entry.bg.box;
    ctx.save();
    ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
    const line = (pts, color, width, alpha = 1, dash = []) => {
      ctx.save();
      ctx.globalAlpha = alpha; ctx.strokeStyle = color; ctx.lineWidth = width; ctx.setLineDash(dash);
      ctx.beginPath(); pts.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y))); ctx.stroke();
      ctx.restore();
    };
    const dots = (pts, radius, alpha = 1) => {
      ctx.save(); ctx.globalAlpha = alpha; ctx.fillStyle = COLORS.path;
      for (const [x, y] of pts) { ctx.beginPath(); ctx.arc(x, y, radius, 0, 2 * Math.PI); ctx.fill(); }
      ctx.restore();
    };
    const all = xs.map((x, i) => P(x, vs[i]));
    line(all, COLORS.path, 1, 0.25);
    dots(all, 1.5, 0.25);
    const shown = all.slice(0, k + 1);
    line(shown, COLORS.path, 1.5);
    dots(shown, 2.5);
    const slope = L.grad([xs[k]])[0];
    const [[lo, hi]] = entry.window, half = 0.12 * (hi - lo);
    line([P(xs[k] - half, vs[k] - slope * half), P(xs[k] + half, vs[k] + slope * half)], "#000", 1, 1, [5, 3]);
    const [px, py] = P(xs[k], vs[k]);
    ctx.beginPath(); ctx.arc(px, py, 5, 0, 2 * Math.PI);
    ctx.fillStyle = COLORS.path; ctx.fill(); ctx.strokeStyle = "#000"; ctx.lineWidth = 1; ctx.stroke();
    ctx.restore();
    const label = `step ${k} of ${n}: x = ${fmt(xs[k], 4)}, f(x) = ${fmt(vs[k], 4)}, f'(x) = ${fmt(slope, 3)}`;
    ctx.font = "9pt DejaVu Sans, Verdana, sans-serif";
    ctx.fillStyle = "rgba(255,255,255,0.8)";
    ctx.fillRect(l + 6, t + 4, ctx.measureText(label).width + 8, 17);
    ctx.fillStyle = "#000";
    ctx.textBaseline = "top";
    ctx.fillText(label, l + 10, t + 7);
    const name = valueOf(c.optimizer);
    layer.img.alt = `Graph of ${entry.name} for ${entry.window_text}, with the first ${k} steps of `
      + `${name} (lr ${fmt(c.lr.get("value"), 2)}) from x = ${fmt(xs[0])}; step ${k} is at `
      + `x = ${fmt(xs[k])}, where the dashed tangent has slope ${fmt(slope)}. The whole run ${trace.message}.`;
    // so the steps slider visibly counts even when the run ends before it
    const budget = c.steps.get("value");
    const early = n < budget ? ` The run stopped before the ${budget} steps allowed.` : "";
    status.textContent = `${name} from x = ${fmt(xs[0])}: ${trace.message}. Showing step ${k}.${early}`;
    el.dataset.updates = String(Number(el.dataset.updates || 0) + 1);
  }

  // Play: step k forward every 400 ms (from 0 when it is at the end).
  let timer = null;
  const stop = () => { clearInterval(timer); timer = null; play.textContent = "Play the steps"; };
  play.addEventListener("click", () => {
    if (timer) return stop();
    if (c.k.get("value") >= c.k.get("max")) { c.k.set("value", 0); c.k.save_changes(); }
    play.textContent = "Pause";
    timer = setInterval(() => {
      const k = c.k.get("value");
      if (k >= c.k.get("max")) return stop();
      c.k.set("value", k + 1);
      c.k.save_changes();
    }, 400);
  });

  onRelease(c, () => clearInterval(timer)); // Play stops with the view
  onChange(c, ["landscape", "expression", "optimizer", "lr", "x0", "steps"], rerun);
  onChange(c, ["k"], redraw);
  model.on("change:spec", rerun);
  rerun();
}
