// Drawing for the widgets' front ends: what moves, over what Python drew once.
//
// A figure is a Matplotlib PNG that Python rendered once (contours, axes,
// labels) with a canvas laid over it at the same pixel size; `dataToPixel`
// places data coordinates on it with the axes box and limits Python measured.
// Small plots whose axes change with the controls (loss curves) are drawn here
// in full, in the course's colours and with Matplotlib-like ticks.

export const COLORS = {
  path: "#D55E00", blue: "#0072B2", orange: "#E69F00", sky: "#56B4E9", green: "#009E73",
  yellow: "#F0E442", purple: "#CC79A7", black: "#000000", grid: "rgba(0,0,0,0.12)",
};
export const OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"];
const FONT = "11px DejaVu Sans, Verdana, sans-serif";

// A canvas of w x h CSS pixels, sharp on high-density screens.
export function makeCanvas(w, h, label) {
  const canvas = document.createElement("canvas");
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.round(w * dpr);
  canvas.height = Math.round(h * dpr);
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.style.maxWidth = "100%";
  canvas.setAttribute("role", "img");
  if (label) canvas.setAttribute("aria-label", label);
  const ctx = canvas.getContext("2d");
  ctx.scale(dpr, dpr);
  return [canvas, ctx];
}

// A Python-rendered background with a canvas over it (both w x h pixels);
// `bg` is what labtools.widgets.front.background() measured.
export function layered(bg, alt) {
  const box = document.createElement("div");
  box.style.cssText = `position:relative; width:${bg.width}px; max-width:100%;`;
  const img = document.createElement("img");
  img.src = bg.src;
  // never without alt text: views that draw progressively describe the figure when done
  img.alt = alt || "The figure is being drawn; its description follows when it is ready.";
  img.width = bg.width;
  img.style.cssText = "display:block; width:100%; height:auto;";
  const [canvas, ctx] = makeCanvas(bg.width, bg.height);
  canvas.style.cssText += "position:absolute; left:0; top:0; width:100%; height:auto;";
  canvas.setAttribute("aria-hidden", "true");
  box.append(img, canvas);
  return { box, img, canvas, ctx };
}

// Figures side by side while there is room, one under the other on a narrow
// page (as labtools.widgets.controls.row lays out the Python figures).
export function figureRow(boxes) {
  const row = document.createElement("div");
  row.style.cssText = "display:flex; flex-flow:row wrap; gap:4px; max-width:100%;";
  for (const box of boxes) {
    box.style.flex = "0 1 auto";
    box.style.minWidth = "0"; // may shrink below its image's width on a phone
    row.append(box);
  }
  return row;
}

// Data -> pixel of a background's axes (box: [left, top, right, bottom] pixels).
export function dataToPixel(bg) {
  const [l, t, r, b] = bg.box;
  const [x0, x1] = bg.xlim, [y0, y1] = bg.ylim;
  return {
    X: (x) => l + (x - x0) / (x1 - x0) * (r - l),
    Y: (y) => b - (y - y0) / (y1 - y0) * (b - t),
    // pixel (CSS pixels of the drawn element of width shownWidth) -> data, or null outside
    toData(px, py, shownWidth) {
      const s = bg.width / (shownWidth || bg.width);
      const u = px * s, v = py * s;
      if (u < l || u > r || v < t || v > b) return null;
      return [x0 + (u - l) / (r - l) * (x1 - x0), y0 + (b - v) / (b - t) * (y1 - y0)];
    },
  };
}

// The path of a run: a line with a dot per step, the start (white circle) and
// the end (a star), as labtools.plots.plot_trajectory draws them.
export function drawPath(ctx, pts, { color = COLORS.path, width = 1.5, dots = true } = {}) {
  if (!pts.length) return;
  const kept = thin(pts);
  ctx.save();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.lineJoin = "round";
  ctx.beginPath();
  kept.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
  ctx.stroke();
  if (dots && pts.length < 400) {
    // every dot in one path, filled once: one canvas operation, not one per step
    ctx.fillStyle = color;
    ctx.beginPath();
    for (const [x, y] of kept) { ctx.moveTo(x + 1.6, y); ctx.arc(x, y, 1.6, 0, 2 * Math.PI); }
    ctx.fill();
  }
  const [sx, sy] = pts[0];
  ctx.fillStyle = "#fff";
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.beginPath(); ctx.arc(sx, sy, 4.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
  star(ctx, ...pts[pts.length - 1], 7.5, color);
  ctx.restore();
}

// The pixel points of a path without those closer than `tol` pixels to the last
// point kept (the first and last are always kept). Drawn, they look the same; but
// a run that has converged puts hundreds of steps on one pixel, and without a GPU
// the browser rasterizes every one of them at each redraw (the race's four paths
// were about 700 dots a frame; leaving them out saves it about 1 ms a move).
export function thin(pts, tol = 0.5) {
  if (pts.length < 3) return pts;
  const out = [pts[0]], t2 = tol * tol;
  let [px, py] = pts[0];
  for (let i = 1; i < pts.length - 1; i++) {
    const [x, y] = pts[i];
    if ((x - px) ** 2 + (y - py) ** 2 >= t2) { out.push(pts[i]); px = x; py = y; }
  }
  out.push(pts[pts.length - 1]);
  return out;
}

export function star(ctx, x, y, r, color) {
  ctx.save();
  ctx.beginPath();
  for (let i = 0; i < 10; i++) {
    const a = -Math.PI / 2 + i * Math.PI / 5, rr = i % 2 ? r * 0.45 : r;
    ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a));
  }
  ctx.closePath();
  ctx.fillStyle = color;
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.fill(); ctx.stroke();
  ctx.restore();
}

// Round tick positions in [lo, hi] (about n of them), as Matplotlib's MaxNLocator.
export function niceTicks(lo, hi, n = 5) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / n, mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => span / s <= n) || 10 * mag;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + 1e-9 * step; v += step) {
    out.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  }
  return out;
}

const tickText = (v) => (Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3)
  ? v.toExponential(0).replace("e+", "e") : String(Number(v.toPrecision(6))));

// A legend box in the corner `where` ("upper left", "upper right", "lower left",
// "lower right") of `box` = [left, top, right, bottom]: rows of [label,
// draw(ctx, x, y)], where `draw` paints the row's sample centred at (x, y).
export function legend(ctx, box, rows, where = "upper right") {
  const [l, t, r, b] = box;
  ctx.save();
  ctx.font = "10px DejaVu Sans, Verdana, sans-serif";
  const w = Math.max(...rows.map(([text]) => ctx.measureText(text).width)) + 36;
  const h = rows.length * 14 + 6;
  const x = where.endsWith("left") ? l + 6 : r - w - 6, y = where.startsWith("lower") ? b - h - 6 : t + 6;
  ctx.fillStyle = "rgba(255,255,255,0.85)";
  ctx.strokeStyle = "#ccc";
  ctx.fillRect(x, y, w, h);
  ctx.strokeRect(x, y, w, h);
  ctx.textBaseline = "middle";
  rows.forEach(([text, draw], i) => {
    const yy = y + 10 + i * 14;
    ctx.save(); draw(ctx, x + 14, yy); ctx.restore();
    ctx.fillStyle = "#000";
    ctx.fillText(text, x + 28, yy);
  });
  ctx.restore();
}

// A legend sample: a short line (a curve's colour, width and dashes).
export const lineSample = (color, width = 2, dash = []) => (g, x, y) => {
  g.strokeStyle = color; g.lineWidth = width; g.setLineDash(dash);
  g.beginPath(); g.moveTo(x - 10, y); g.lineTo(x + 8, y); g.stroke();
};

// labtools.widgets.inputs.log_limits: whole decades around the positive finite values.
export function logLimits(values, floor = 1e-12, ceil = 1e12) {
  const v = values.filter((x) => Number.isFinite(x) && x > 0);
  if (!v.length) return [1e-3, 1.0];
  const lo = 10 ** Math.floor(Math.log10(Math.max(Math.min(...v), floor)));
  let hi = 10 ** Math.ceil(Math.log10(Math.min(Math.max(Math.max(...v), floor * 10), ceil)));
  if (hi <= lo) hi = lo * 10;
  return [lo, hi];
}

// Axes in `box` = [left, top, right, bottom] with linear or log scales; draws
// frame, grid, ticks and labels and returns the data -> pixel maps.
export function axes(ctx, box, { xlim, ylim, xlog = false, ylog = false, title = "", xlabel = "", ylabel = "" }) {
  const [l, t, r, b] = box;
  const fx = xlog ? Math.log10 : (v) => v, fy = ylog ? Math.log10 : (v) => v;
  const [ax0, ax1] = xlim.map(fx), [ay0, ay1] = ylim.map(fy);
  const X = (v) => l + (fx(v) - ax0) / (ax1 - ax0) * (r - l);
  const Y = (v) => b - (fy(v) - ay0) / (ay1 - ay0) * (b - t);
  ctx.save();
  ctx.font = FONT;
  ctx.fillStyle = "#000";
  ctx.strokeStyle = COLORS.grid;
  ctx.lineWidth = 1;
  const logTicks = (lo, hi) => {
    const a = Math.ceil(lo - 1e-9), z = Math.floor(hi + 1e-9);
    const every = Math.max(1, Math.ceil((z - a + 1) / 5));
    const out = [];
    for (let e = a; e <= z; e++) if ((e - a) % every === 0) out.push(e);
    return out;
  };
  const xt = xlog ? logTicks(ax0, ax1).map((e) => 10 ** e) : niceTicks(...xlim);
  const yt = ylog ? logTicks(ay0, ay1).map((e) => 10 ** e) : niceTicks(...ylim);
  ctx.textAlign = "center";
  ctx.textBaseline = "top";
  for (const v of xt) {
    const x = X(v);
    ctx.beginPath(); ctx.moveTo(x, t); ctx.lineTo(x, b); ctx.stroke();
    ctx.fillText(xlog ? `1e${Math.round(Math.log10(v))}` : tickText(v), x, b + 4);
  }
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (const v of yt) {
    const y = Y(v);
    ctx.beginPath(); ctx.moveTo(l, y); ctx.lineTo(r, y); ctx.stroke();
    ctx.fillText(ylog ? `1e${Math.round(Math.log10(v))}` : tickText(v), l - 4, y);
  }
  ctx.strokeStyle = "#000";
  ctx.strokeRect(l, t, r - l, b - t);
  ctx.textAlign = "center";
  if (title) { ctx.textBaseline = "bottom"; ctx.fillText(title, (l + r) / 2, t - 4); }
  if (xlabel) { ctx.textBaseline = "top"; ctx.fillText(xlabel, (l + r) / 2, b + 18); }
  if (ylabel) {
    ctx.translate(l - 44, (t + b) / 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textBaseline = "middle";
    ctx.fillText(ylabel, 0, 0);
  }
  ctx.restore();
  return { X, Y, box };
}

// A curve through (xs[i], ys[i]), broken where a value cannot be drawn
// (NaN, or <= 0 on a log axis), clipped to the axes box.
export function curve(ctx, ax, xs, ys, { color = COLORS.blue, width = 1.5, ylog = false } = {}) {
  const [l, t, r, b] = ax.box;
  ctx.save();
  ctx.beginPath();
  ctx.rect(l, t, r - l, b - t);
  ctx.clip();
  ctx.strokeStyle = color;
  ctx.lineWidth = width;
  ctx.beginPath();
  let pen = false;
  xs.forEach((x, i) => {
    const y = ys[i];
    if (!Number.isFinite(y) || (ylog && !(y > 0))) { pen = false; return; }
    const px = ax.X(x), py = Math.max(Math.min(ax.Y(y), b + 50), t - 50);
    if (pen) ctx.lineTo(px, py); else ctx.moveTo(px, py);
    pen = true;
  });
  ctx.stroke();
  ctx.restore();
}
