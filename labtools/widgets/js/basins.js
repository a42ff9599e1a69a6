// The basin map explorer (labtools.widgets.basins): which known minimizer each
// start of an n x n grid reaches, for the chosen optimizer and settings. The
// grid runs here, with the port of labtools.run (optim.js), in slices of rows
// between animation frames: the map fills in as it is computed, the progress
// bar follows, and a new move of a control starts over at once.
import { run } from "./optim.js";
import { layered, dataToPixel, star, OKABE_ITO } from "./plot.js";
import {
  controlModels, listen, onRelease, onChange, compileLandscape, makeOptimizer, fmt, point, mountFront, valueOf, inputPending,
} from "./common.js";

// labtools.plots.figures.NO_BASIN_COLOR
const NO_BASIN = "#BBBBBB";

const gridAxis = (lo, hi, n) => Array.from({ length: n }, (_, i) => (n === 1 ? lo : lo + (hi - lo) * i / (n - 1)));

// labtools.run.experiments._label for one run: the nearest known minimizer if
// the run ends within `radius` of it and did not diverge, else -1.
export function basinLabel(trace, minimizers, radius) {
  if (trace.status === "diverged") return -1;
  const x = trace.xs[trace.xs.length - 1];
  let best = -1, dBest = Infinity;
  minimizers.forEach((m, i) => {
    const d = Math.hypot(x[0] - m[0], x[1] - m[1]);
    if (d < dBest) { dBest = d; best = i; }
  });
  return dBest <= radius ? best : -1;
}

// labtools.run.basin_map's labels for the grid rows [row0, row1) (row j is
// y = ys[j], column i is x = xs[i]); `make()` gives a fresh optimizer.
export function basinRows(L, make, { window, n, steps, minimizers, radius, tol = 1e-8 }, row0 = 0, row1 = n) {
  const xs = gridAxis(...window[0], n), ys = gridAxis(...window[1], n);
  const out = [];
  for (let j = row0; j < row1; j++) {
    const row = new Int16Array(n);
    for (let i = 0; i < n; i++) {
      const t = run(L, make(), [xs[i], ys[j]], { steps, tol, seed: 0 });
      row[i] = basinLabel(t, minimizers, radius);
    }
    out.push(row);
  }
  return out;
}

// The work of one frame: a slice this short leaves the frame room to paint (60 Hz).
const SLICE_MS = 8;

const hexRGB = (h) => [1, 3, 5].map((k) => parseInt(h.slice(k, k + 2), 16));

export async function basinsView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const slot = document.createElement("div");
  slot.style.cssText = "min-width:0; max-width:100%;";
  const table = document.createElement("div");
  table.style.cssText = "max-width:100%; overflow:auto;";
  const status = mountFront(el, slot, table);
  let layer = null, layerKey = null, job = 0;
  const grid = document.createElement("canvas"); // one pixel per start, scaled onto the axes

  function paint(entry, labels, rowsDone, n, title) {
    const geo = dataToPixel(entry.bg);
    const ctx = layer.ctx, [l, t, r, b] = entry.bg.box;
    const colors = entry.minimizers.map((_, i) => hexRGB(OKABE_ITO[i % OKABE_ITO.length]));
    const none = hexRGB(NO_BASIN);
    grid.width = n; grid.height = n;
    const g = grid.getContext("2d"), img = g.createImageData(n, n), px = img.data;
    for (let j = 0; j < rowsDone; j++) {
      for (let i = 0; i < n; i++) {
        const lab = labels[j][i], rgb = lab >= 0 ? colors[lab] : none;
        const k = ((n - 1 - j) * n + i) * 4; // row 0 is the bottom (origin="lower")
        px[k] = rgb[0]; px[k + 1] = rgb[1]; px[k + 2] = rgb[2]; px[k + 3] = 255;
      }
    }
    g.putImageData(img, 0, 0);
    ctx.clearRect(0, 0, entry.bg.width, entry.bg.height);
    ctx.save();
    ctx.imageSmoothingEnabled = false; // imshow(..., interpolation="nearest")
    ctx.drawImage(grid, l, t, r - l, b - t);
    ctx.font = "12px DejaVu Sans, Verdana, sans-serif";
    ctx.fillStyle = "#000"; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
    ctx.fillText(title, (l + r) / 2, t - 5);
    ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
    for (const [mx, my] of entry.minimizers) star(ctx, geo.X(mx), geo.Y(my), 8, "#fff");
    ctx.restore();
    // the legend right of the axes, as plot_basins places it ("reaches")
    const rows = entry.minimizers.map((m, i) => [`(${m[0].toFixed(2)}, ${m[1].toFixed(2)})`, OKABE_ITO[i % OKABE_ITO.length]]);
    if (labels.slice(0, rowsDone).some((row) => row.some((v) => v < 0))) rows.push(["no minimum", NO_BASIN]);
    ctx.save();
    ctx.font = "10px DejaVu Sans, Verdana, sans-serif";
    ctx.textBaseline = "middle"; ctx.textAlign = "left";
    ctx.fillStyle = "#000";
    ctx.fillText("reaches", r + 14, t + 8);
    rows.forEach(([text, color], i) => {
      const y = t + 24 + i * 15;
      ctx.fillStyle = color; ctx.strokeStyle = "#000"; ctx.lineWidth = 0.8;
      ctx.fillRect(r + 10, y - 5, 18, 10); ctx.strokeRect(r + 10, y - 5, 18, 10);
      ctx.fillStyle = "#000"; ctx.fillText(text, r + 32, y);
    });
    ctx.restore();
  }

  function draw() {
    const key = valueOf(c.landscape), entry = model.get("spec").landscapes[key];
    if (!entry) {
      status.textContent = `The map of ${key} comes from Python: it appears once the kernel has sent it.`;
      return;
    }
    if (layerKey !== key) { layer = layered(entry.bg, ""); slot.replaceChildren(layer.box); layerKey = key; }
    const me = ++job;
    const name = valueOf(c.optimizer), params = s.params[name] || [];
    const lr = c.lr.get("value"), beta = c.beta.get("value");
    // as Python: lr and beta are greyed out for the methods that do not take them
    c.lr.set("disabled", !params.includes("lr"));
    c.beta.set("disabled", !params.includes("beta"));
    const n = c.n.get("value"), steps = c.steps.get("value");
    const make = () => makeOptimizer(name, params, { lr, beta, sigma: null, seed: 0 });
    const L = compileLandscape(entry.src);
    const setting = name + (params.includes("lr") ? `, lr ${fmt(lr, 2)}` : "");
    const title = `${entry.name}: basins of ${setting} (${steps} steps)`;
    const settings = { window: entry.window, n, steps, minimizers: entry.minimizers, radius: entry.radius };
    const labels = [];
    if (c.progress) { c.progress.set("value", 0); }
    status.textContent = `Computing the basins of ${setting} on ${entry.name} (${n} x ${n} starts)...`;

    const slice = () => {
      if (me !== job) return; // a newer move started over
      const t0 = performance.now(), row0 = labels.length;
      try {
        // a row at least per frame; a key pressed meanwhile ends the slice, so
        // that the move is answered in the next frame, not after the slice
        while (labels.length < n && performance.now() - t0 < SLICE_MS
               && (labels.length === row0 || !inputPending())) {
          labels.push(...basinRows(L, make, settings, labels.length, labels.length + 1));
        }
      } catch (err) {
        status.setAttribute("role", "alert");
        status.textContent = `Problem: ${err.message}.`;
        return;
      }
      if (c.progress) { c.progress.set("value", labels.length / n); }
      paint(entry, labels, labels.length, n, title);
      if (labels.length < n) { requestAnimationFrame(slice); return; }
      finish(entry, labels, n, steps, setting);
    };
    // this frame only says what is coming (the move is answered at once); the
    // rows follow in slices, one per frame
    requestAnimationFrame(slice);
  }

  function finish(entry, labels, n, steps, setting) {
    const m = entry.minimizers.length, counts = new Array(m).fill(0);
    let none = 0;
    for (const row of labels) for (const v of row) { if (v >= 0) counts[v] += 1; else none += 1; }
    const total = n * n, pct = (v, d) => `${(100 * v).toFixed(d)}%`;
    const parts = entry.minimizers.map((mm, i) => `${point(mm, 3)} ${pct(counts[i] / total, 0)}`).join(", ");
    layer.img.alt = `Basin map of ${entry.name} on a ${n} by ${n} grid of starts for ${entry.window_text}, `
      + `colored by the minimizer that ${setting} reaches in ${steps} steps: ${parts}; `
      + `${pct(none / total, 0)} reach none.`;
    const rows = entry.minimizers.map((mm, i) => `<tr><td><span style='color:${OKABE_ITO[i % OKABE_ITO.length]}'>■</span>`
      + ` ${point(mm)}</td><td>${pct(counts[i] / total, 1)}</td></tr>`).join("")
      + `<tr><td>no minimum</td><td>${pct(none / total, 1)}</td></tr>`;
    table.innerHTML = "<table style='font-size:90%'><caption style='text-align:left'>Share of starts in each basin"
      + "</caption><tr><th scope='col'>minimizer</th><th scope='col'>share</th></tr>" + rows + "</table>";
    status.setAttribute("role", "status");
    status.textContent = `${setting} on ${entry.name}: ${parts}; none ${pct(none / total, 0)}.`;
    el.dataset.updates = String(Number(el.dataset.updates || 0) + 1);
  }

  const names = ["landscape", "optimizer", "lr", "beta", "n", "steps"];
  // a move stops the map being computed at once (before the next frame), so the
  // frame that answers it does not first run a slice of the old map
  for (const name of names) if (c[name]) listen(c, c[name], "change:value change:index", () => { job++; });
  onRelease(c, () => { job++; }); // the map in progress stops with the view
  const redraw = onChange(c, names, draw);
  model.on("change:spec", redraw);
  draw();
}
