// The optimizer race (labtools.widgets.race): several optimizers from one start,
// one map each, their losses on one plot and a results table. Every move of a
// control reruns all of them here with the port of labtools.optim and
// labtools.run (optim.js), as OptimizerRace.update does in Python.
import { run } from "./optim.js";
import { figureRow, drawPath, makeCanvas, axes, curve, logLimits, legend, lineSample } from "./plot.js";
import { niceLimits } from "./chord.js";
import {
  controlModels, onChange, startLayer, retargetSliders, compileLandscape, makeOptimizer, fmt, point,
  mountFront, showHTML,
} from "./common.js";

const RACE_LOSS_W = 520, RACE_LOSS_H = 300;

// OptimizerRace.update's runs: every racer from x0 with its lr (1.0 for a method
// without one, which make_optimizer then leaves out), seed 0.
export function raceRuns(L, racers, x0, steps) {
  const traces = {};
  for (const { name, params, lr } of racers) {
    const opt = makeOptimizer(name, params, { lr: lr === null ? 1.0 : lr, beta: 0.9, sigma: null, seed: 0 });
    traces[name] = run(L, opt, x0, { steps, seed: 0 });
  }
  return traces;
}

// A trace's final value of f.
const last = (t) => t.values[t.values.length - 1];

// The status line, as labtools.widgets.race (OptimizerRace._verdict): the lowest final
// value among the runs that did not diverge (on a landscape unbounded below, a run
// that diverged may end lowest of all, and that is no win); the ones that did, named.
function verdict(x0, names, traces) {
  const gone = names.filter((n) => traces[n].status === "diverged");
  const kept = names.filter((n) => !gone.includes(n));
  if (!kept.length) return `From ${point(x0)}: every run diverged (see the table).`;
  let best = kept[0];
  for (const n of kept) if (last(traces[n]) < last(traces[best])) best = n;
  const text = `From ${point(x0)}: lowest final value by ${best} (f = ${fmt(last(traces[best]))})`;
  return text + (gone.length ? `; ${gone.join(", ")} diverged.` : ".");
}

const OUTCOME = { converged: "converged", diverged: "diverged", max_steps: "still moving" };

// OptimizerRace._table
function raceTable(racers, traces) {
  const head = "<tr><th scope='col'>optimizer</th><th scope='col'>lr</th><th scope='col'>outcome</th>"
    + "<th scope='col'>steps</th><th scope='col'>last point</th><th scope='col'>f</th><th scope='col'>‖∇f‖</th></tr>";
  const rows = racers.map(({ name, lr }) => {
    const t = traces[name], n = t.xs.length - 1;
    return `<tr><td>${name}</td><td>${lr === null ? "–" : fmt(lr, 2)}</td><td>${OUTCOME[t.status] || t.status}</td>`
      + `<td>${t.steps_taken}</td><td>${point(t.xs[n])}</td><td>${fmt(t.values[n])}</td>`
      + `<td>${fmt(t.grad_norms[n])}</td></tr>`;
  });
  return "<table style='font-size:85%; border-collapse:collapse' cellpadding='2'>"
    + "<caption style='text-align:left'>Results of the race (f and ‖∇f‖ at the last point)</caption>"
    + head + rows.join("") + "</table>";
}

export async function raceView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const first = Object.values(s.landscapes)[0].bg;
  // one map per optimizer: two side by side on a wide page, one under the other on a phone
  const slots = s.racers.map(() => {
    const slot = document.createElement("div");
    slot.style.cssText = `width:${first.width}px; max-width:100%;`;
    return slot;
  });
  const [lossCanvas, lctx] = makeCanvas(RACE_LOSS_W, RACE_LOSS_H);
  lossCanvas.style.height = "auto";
  const table = document.createElement("div");
  table.style.cssText = "max-width:100%; overflow:auto;";
  const status = mountFront(el, figureRow(slots), lossCanvas, table);
  let layers = [], layerKey = null, geo = null;

  function draw() {
    const key = c.landscape.get("_options_labels")[c.landscape.get("index")];
    const entry = model.get("spec").landscapes[key];
    if (!entry) {
      status.textContent = `The map of ${key} comes from Python: it appears once the kernel has drawn it.`;
      return;
    }
    if (layerKey !== key) {
      layers = slots.map((slot) => {  // a click on any map moves the common start
        const layer = startLayer(entry, [c.x0, c.y0]);
        slot.replaceChildren(layer.box);
        return layer;
      });
      if (layerKey !== null) retargetSliders([c.x0, c.y0], entry);
      layerKey = key; geo = layers[0].geo;
    }
    const L = compileLandscape(entry.src);
    const x0 = [c.x0.get("value"), c.y0.get("value")];
    const steps = c.steps.get("value");
    const racers = s.racers.map(({ name, params }) => {
      const m = c[`lr ${name}`];
      return { name, params, lr: m ? m.get("value") : null };
    });
    let traces;
    try {
      traces = raceRuns(L, racers, x0, steps);
    } catch (err) { // an optimizer this page has no port of, a bad schedule...
      status.setAttribute("role", "alert");
      status.textContent = `Problem: ${err.message}.`;
      return;
    }
    status.setAttribute("role", "status");

    // the maps: each optimizer's path over the landscape
    racers.forEach(({ name }, i) => {
      const { ctx, img } = layers[i], t = traces[name];
      const [l, top, r, b] = entry.bg.box;
      ctx.clearRect(0, 0, entry.bg.width, entry.bg.height);
      ctx.save();
      ctx.font = "12px DejaVu Sans, Verdana, sans-serif";
      ctx.fillStyle = "#000"; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
      ctx.fillText(`${name} on ${entry.name}`, (l + r) / 2, top - 5);
      ctx.beginPath(); ctx.rect(l, top, r - l, b - top); ctx.clip();
      drawPath(ctx, t.xs.map(([x, y]) => [geo.X(x), geo.Y(y)]), { color: s.colors[i] });
      ctx.restore();
      const n = t.xs.length - 1;
      img.alt = `Contour map of ${entry.name} with the path of ${name} from ${point(x0)}: `
        + `${t.message}; it ends at ${point(t.xs[n])}, where f = ${fmt(t.values[n])}.`;
    });

    // the losses: f - f* on a log axis when f* is known, else f
    const fstar = entry.global_min, gap = fstar !== null;
    const series = racers.map(({ name }) => traces[name].values.map((v) => {
      if (!gap) return v;
      const d = v - fstar;
      return d > 0 ? d : NaN;
    }));
    const all = series.flat().filter(Number.isFinite);
    const ylim = gap ? logLimits(all) : all.length ? niceLimits(Math.min(...all), Math.max(...all)) : [0, 1];
    lctx.clearRect(0, 0, RACE_LOSS_W, RACE_LOSS_H);
    lctx.fillStyle = "#fff";
    lctx.fillRect(0, 0, RACE_LOSS_W, RACE_LOSS_H);
    const ax = axes(lctx, [70, 26, 510, 252], {
      xlim: [0, steps], ylim, ylog: gap, xlabel: "step k", ylabel: gap ? "f(x_k) − f*" : "f(x_k)",
      title: gap ? "Distance to the global minimum value" : "Loss along each path",
    });
    series.forEach((v, i) => curve(lctx, ax, v.map((_, k) => k), v, { color: s.colors[i], width: 1.8, ylog: gap }));
    legend(lctx, ax.box, racers.map(({ name }, i) => [name, lineSample(s.colors[i])]));
    lossCanvas.setAttribute("aria-label", "Loss against step for each optimizer: "
      + racers.map(({ name }) => `${name} ends at f = ${fmt(last(traces[name]))}`).join("; ") + ".");

    showHTML(table, raceTable(racers, traces));
    status.textContent = verdict(x0, racers.map(({ name }) => name), traces);
    el.dataset.updates = String(Number(el.dataset.updates || 0) + 1);
  }

  const redraw = onChange(c, Object.keys(c), draw);
  model.on("change:spec", redraw);
  draw();
}
