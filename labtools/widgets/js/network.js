// The network explorer (labtools.widgets.network): the course network trained
// again in the browser on every move (the port of labtools.nn in mlp.js), its
// decision map drawn over the axes Python drew, its loss curve drawn here in
// full (its axes follow the run).
//
// A long run (up to 1000 steps, two or three gradients per step) takes longer
// than a frame, so training goes in slices of about 10 ms between frames:
// the loss curve grows as it trains, the map and the sharpness follow when the
// run ends, and a new move cancels the run in progress.
import { layered, figureRow, axes, curve, logLimits, legend, lineSample, OKABE_ITO } from "./plot.js";
import { controlModels, listen, onRelease, onChange, fmt, mountFront, valueOf, inputPending } from "./common.js";
import {
  network, initTheta, networkOptimizer, trainer, predictProba, sharpnessSteps, decodePermutations,
} from "./mlp.js";

const NET_SLICE_MS = 10;
// The frame that answers a move does less: its own rendering must fit in the frame
// too (issue 13: a 10 ms first slice made the answering frame take about 30 ms).
const NET_FIRST_SLICE_MS = 3;
const NET_MAP_ROWS = 6;  // rows of the decision map's grid computed per piece of work

// Python's format(v, ".0%"): the percentage rounded half to even.
function netPercent(v) {
  const p = v * 100, r = Math.round(p);
  return `${p - Math.floor(p) === 0.5 && r % 2 ? r - 1 : r}%`;
}

// Segments of the level-1/2 line of P (nx x ny, row 0 at the bottom) by marching squares.
function netBoundary(P, nx, ny, X, Y) {
  const segs = [];
  const at = (i, j) => P[j * nx + i] - 0.5;
  const cut = (i0, j0, i1, j1) => {  // where the level crosses the edge between two nodes
    const a = at(i0, j0), b = at(i1, j1), t = a / (a - b);
    return [X(i0 + t * (i1 - i0)), Y(j0 + t * (j1 - j0))];
  };
  for (let j = 0; j + 1 < ny; j++) {
    for (let i = 0; i + 1 < nx; i++) {
      const corners = [[i, j], [i + 1, j], [i + 1, j + 1], [i, j + 1]];
      const pts = [];
      for (let e = 0; e < 4; e++) {
        const [p, q] = [corners[e], corners[(e + 1) % 4]];
        if ((at(...p) > 0) !== (at(...q) > 0)) pts.push(cut(...p, ...q));
      }
      if (pts.length === 2) segs.push(pts);
      else if (pts.length === 4) segs.push([pts[0], pts[1]], [pts[2], pts[3]]);
    }
  }
  return segs;
}

function netMarker(ctx, x, y, square, color) {
  ctx.fillStyle = color;
  ctx.beginPath();
  if (square) ctx.rect(x - 2.5, y - 2.5, 5, 5); else ctx.arc(x, y, 2.8, 0, 2 * Math.PI);
  ctx.fill();
  ctx.stroke();
}

export async function networkView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const N = s.y.length, X = Float64Array.from(s.X), y = Float64Array.from(s.y);
  const permutations = decodePermutations(s.permutations, s.index_bytes, N, s.epochs);
  const cividis = Array.from({ length: 256 }, (_, i) =>
    [0, 1, 2].map((k) => parseInt(s.cividis.slice(6 * i + 2 * k, 6 * i + 2 * k + 2), 16)));
  const [nx, ny] = s.grid, [x0, x1, y0, y1] = s.extent;
  const grid = new Float64Array(nx * ny * 2);  // the grid of the Python figure, row 0 at the bottom
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      grid[2 * (j * nx + i)] = x0 + (x1 - x0) * i / (nx - 1);
      grid[2 * (j * nx + i) + 1] = y0 + (y1 - y0) * j / (ny - 1);
    }
  }

  const mapLayer = layered(s.map_bg, ""), lossLayer = layered(s.loss_bg, "");
  const status = mountFront(el, figureRow([mapLayer.box, lossLayer.box]));
  const root = status.parentElement;  // data-busy marks a run in progress
  const nets = {};

  const settings = () => {
    const batchLabel = valueOf(c.batch_size);
    return {
      name: valueOf(c.optimizer), lr: c.lr.get("value"), batch: s.batch_sizes[batchLabel],
      scale: c.scale.get("value"), activation: valueOf(c.activation), steps: c.steps.get("value"),
    };
  };
  const describe = (o) => `${o.name} (lr ${fmt(o.lr, 2)}), `
    + (o.batch === "full" ? "full batch" : `batches of ${o.batch}`)
    + `, ${o.activation} units, init scale ${fmt(o.scale, 2)}`;

  function drawLoss(o, r) {
    const { width, height } = s.loss_bg, ctx = lossLayer.ctx;
    ctx.clearRect(0, 0, width, height);
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, width, height);
    const mini = o.batch !== "full" && r.batch_losses.length > 0;
    const shown = [...r.losses, 1e-2, 1.0, ...(mini ? r.batch_losses : [])];
    const ax = axes(ctx, s.loss_box, {
      xlim: [0, Math.max(o.steps, 1)], ylim: logLimits(shown, 1e-8), ylog: true,
      title: "Training loss", xlabel: "step", ylabel: "loss (log scale)",
    });
    const ks = (n) => Array.from({ length: n }, (_, k) => k);
    if (mini) {
      ctx.save(); ctx.globalAlpha = 0.7;
      curve(ctx, ax, ks(r.batch_losses.length), r.batch_losses, { color: "#56B4E9", width: 0.8, ylog: true });
      ctx.restore();
    }
    curve(ctx, ax, ks(r.losses.length), r.losses, { color: "#0072B2", width: 1.8, ylog: true });
    const diverged = r.status === "diverged";
    if (diverged) {
      const [, t, , b] = s.loss_box, x = ax.X(r.diverged_at);
      ctx.save(); ctx.setLineDash([6, 3]); ctx.strokeStyle = "#D55E00"; ctx.lineWidth = 1.5;
      ctx.beginPath(); ctx.moveTo(x, t); ctx.lineTo(x, b); ctx.stroke(); ctx.restore();
    }
    legend(ctx, s.loss_box, [
      ["training loss", lineSample("#0072B2", 1.8)],
      ...(mini ? [["mini-batch loss", lineSample("#56B4E9", 0.8)]] : []),
      ...(diverged ? [["diverged", lineSample("#D55E00", 1.5, [6, 3])]] : []),
    ], "upper right");
  }

  // The decision map: P(class 1) on the grid (cividis, alpha 0.85 over white),
  // the boundary P = 1/2, the data on top. Returns whether a boundary shows.
  function drawMap(P) {
    const { width, height, box } = s.map_bg, ctx = mapLayer.ctx;
    const [l, t, r, b] = box;
    ctx.clearRect(0, 0, width, height);
    const off = document.createElement("canvas");
    off.width = nx; off.height = ny;
    const octx = off.getContext("2d"), img = octx.createImageData(nx, ny);
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++) {
        const rgb = cividis[Math.min(255, Math.max(0, Math.round(P[j * nx + i] * 255)))];
        const at = 4 * ((ny - 1 - j) * nx + i);
        for (let k = 0; k < 3; k++) img.data[at + k] = Math.round(0.85 * rgb[k] + 0.15 * 255);
        img.data[at + 3] = 255;
      }
    }
    octx.putImageData(img, 0, 0);
    ctx.save();
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(off, l, t, r - l, b - t);
    ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
    const GX = (i) => l + (i / (nx - 1)) * (r - l), GY = (j) => b - (j / (ny - 1)) * (b - t);
    const segs = Math.min(...P) < 0.5 && Math.max(...P) > 0.5 ? netBoundary(P, nx, ny, GX, GY) : [];
    ctx.strokeStyle = "#000"; ctx.lineWidth = 1.8; ctx.lineCap = "round";
    ctx.beginPath();
    for (const [[ax, ay], [bx, by]] of segs) { ctx.moveTo(ax, ay); ctx.lineTo(bx, by); }
    ctx.stroke();
    const DX = (v) => l + (v - x0) / (x1 - x0) * (r - l), DY = (v) => b - (v - y0) / (y1 - y0) * (b - t);
    ctx.strokeStyle = "#000"; ctx.lineWidth = 0.4;
    for (let p = 0; p < N; p++) netMarker(ctx, DX(X[2 * p]), DY(X[2 * p + 1]), y[p] === 1, OKABE_ITO[y[p] === 1 ? 1 : 0]);
    ctx.restore();
    legend(ctx, box, [
      ["class 0", (g, x, yy) => { g.strokeStyle = "#000"; g.lineWidth = 0.4; netMarker(g, x, yy, false, OKABE_ITO[0]); }],
      ["class 1", (g, x, yy) => { g.strokeStyle = "#000"; g.lineWidth = 0.4; netMarker(g, x, yy, true, OKABE_ITO[1]); }],
      ...(segs.length ? [["boundary", lineSample("#000", 1.8)]] : []),
    ], "lower left");
    return segs.length > 0;
  }

  // One retrain as a generator: it yields between pieces of work, so that the
  // driver below can stop at the end of each slice and go on next frame.
  function* retrain(o) {
    const net = (nets[o.activation] ||= network(s.sizes, o.activation));
    const theta0 = initTheta(net, s.uniforms, o.scale);
    const t = trainer(net, theta0, X, y, networkOptimizer(o.name, o.lr), {
      steps: o.steps, batchSize: o.batch === "full" ? null : o.batch, permutations, maxNorm: s.max_norm,
    });
    const setting = describe(o);
    // until the run ends, the map shows the last run (and keeps its alt text)
    if (!mapLayer.img.alt) {
      mapLayer.img.alt = `Axes of the decision map over the two-moons data; the map is drawn once the network has trained with ${setting}.`;
    }
    while (!t.advance(1)) {
      progress = () => {  // drawn once per slice, not once per step
        drawLoss(o, t.result());
        status.textContent = `${setting}: training, step ${t.step} of ${o.steps}…`;
        lossLayer.img.alt = `Training loss on a log scale against step for ${setting}, while it trains: step ${t.step} of ${o.steps}.`;
      };
      yield;
    }
    progress = null;
    const r = t.result();
    drawLoss(o, r);
    yield;
    // the network on the map's grid, a few rows per piece (it is 54 times the data)
    const P = new Float64Array(nx * ny);
    for (let j0 = 0; j0 < ny; j0 += NET_MAP_ROWS) {
      const part = grid.subarray(2 * j0 * nx, 2 * Math.min(ny, j0 + NET_MAP_ROWS) * nx);
      P.set(predictProba(net, r.theta, part).map((p) => (Number.isNaN(p) ? 0.5 : p)), j0 * nx);
      yield;
    }
    const hasBoundary = drawMap(P);
    const proba = predictProba(net, r.theta, X);
    const accuracy = proba.reduce((acc, p, i) => acc + ((p > 0.5 ? 1 : 0) === Math.round(y[i]) ? 1 : 0), 0) / N;
    const diverged = r.status === "diverged";
    const end = diverged
      ? `diverged at step ${r.diverged_at}; the map shows the last finite parameters`
      : `the loss went from ${fmt(r.losses[0])} to ${fmt(r.losses[r.losses.length - 1])}`;
    const where = hasBoundary ? "the boundary (probability 1/2, black line) separates the two classes"
      : "the network predicts one class everywhere";
    mapLayer.img.alt = "The two-moons training points, class 0 as orange circles and class 1 as "
      + "sky-blue squares, over the probability of class 1 predicted by the network after "
      + `${r.steps_taken} steps of ${setting}, shaded with the cividis colormap; ${where}, and `
      + `${netPercent(accuracy)} of the points are classified correctly.`;
    lossLayer.img.alt = `Training loss on a log scale against step for ${setting}: ${end}.`
      + (o.batch !== "full" && r.batch_losses.length ? " A lighter line shows the loss of each mini-batch." : "");
    if (diverged) {
      status.textContent = `${setting}: ${r.message}. Training accuracy ${netPercent(accuracy)}.`;
      return;
    }
    const head = `${setting}: ${r.message}, no divergence. Training accuracy ${netPercent(accuracy)}`;
    status.textContent = `${head}, sharpness being computed…`;
    yield;
    // labtools.widgets.network: sharpness by Lanczos, 100 Hessian-vector products at most
    let lam = NaN;
    for (const value of sharpnessSteps(net, r.theta, X, y, { iters: 100, tol: 1e-6 })) { lam = value; yield; }
    let curvature = Number.isFinite(lam) ? `sharpness ${fmt(lam)}` : "sharpness n/a";
    if (o.name === "gd" && Number.isFinite(lam)) curvature += ` (gd's stability limit 2/lr is ${fmt(2 / o.lr)})`;
    status.textContent = `${head}, ${curvature}.`;
  }

  // The driver: work in slices of NET_SLICE_MS, one per frame; a move starts
  // over. At the end of a slice it draws the run's progress, if any.
  let job = null, progress = null;
  function start() {
    progress = null;
    job = retrain(settings());
    root.dataset.busy = "true";
    const mine = job;
    const slice = (budget = NET_SLICE_MS) => {
      if (job !== mine) return;
      const until = performance.now() + budget;
      try {
        while (performance.now() < until) {
          if (mine.next().done) { delete root.dataset.busy; return; }
          if (inputPending()) break; // a piece at least per frame, then the move first
        }
        if (progress) progress();
      } catch (err) {
        delete root.dataset.busy;
        status.textContent = `Problem: ${err.message}`;
        console.error(err);
        return;
      }
      requestAnimationFrame(() => slice());
    };
    slice(NET_FIRST_SLICE_MS);
  }
  // a move stops the old run at once: the frame that answers it runs no slice of it
  for (const m of Object.values(c)) listen(c, m, "change:value change:index", () => { job = null; });
  onRelease(c, () => { job = null; }); // the run in progress stops with the view
  onChange(c, Object.keys(c), start);
  start();
}
