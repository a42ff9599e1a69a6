// The Hessian inspector (labtools.widgets.hessian): gradient, Hessian, its
// eigenpairs and the kind of a point, recomputed here as the point moves.
// The numbers follow labtools.curvature: eigenvalues by the port of
// numpy.linalg.eigh in optim.js (hessian_eigs), the kind by classify's rule,
// "critical" by is_critical_point's test with the gradient scale Python sent.
import { eigh } from "./optim.js";
import { legend, COLORS } from "./plot.js";
import {
  controlModels, onChange, startLayer, retargetSliders, compileLandscape, fmt, point, statusLine,
  kernelNote, valueOf, showHTML,
} from "./common.js";

// labtools.plots.KIND_STYLES: marker and colour of each kind of critical point.
const KINDS = {
  minimum: ["o", "#009E73"], maximum: ["^", "#D55E00"], saddle: ["X", "#E69F00"], degenerate: ["s", "#CC79A7"],
};

// labtools.widgets.hessian._SHAPES
const SHAPES = {
  minimum: "positive definite: the quadratic model is a bowl",
  maximum: "negative definite: the quadratic model is a dome",
  saddle: "indefinite: the quadratic model is a saddle",
  degenerate: "singular: the quadratic model is flat along one direction",
};

// labtools.curvature.classify (its _classify_eigs rule) on eigenvalues `lam`.
export function classifyEigs(lam, tol = 1e-8) {
  const scale = Math.max(1.0, ...lam.map(Math.abs));
  const zero = lam.map((l) => Math.abs(l) <= tol * scale);
  const pos = lam.some((l, i) => l > 0 && !zero[i]);
  const neg = lam.some((l, i) => l < 0 && !zero[i]);
  const anyzero = lam.some((l, i) => zero[i] || !Number.isFinite(l));
  if (pos && neg) return "saddle";
  if (anyzero) return "degenerate";
  return pos ? "minimum" : "maximum";
}

// What HessianInspector.update computes at x: null where f or a derivative is
// not finite (Python refuses such a point). `scale` is curvature.critical_scale.
export function inspect(L, x, { scale = 1.0, tol = 1e-8 } = {}) {
  const value = L.f(x), g = L.grad(x), H = L.hess(x);
  if (![value, ...g, ...H.flat()].every(Number.isFinite)) return null;
  const [eigenvalues, eigenvectors] = eigh(H);
  const gnorm = Math.hypot(...g);
  return {
    x, value, gradient: g, hessian: H, eigenvalues, eigenvectors, gnorm,
    kind: classifyEigs(eigenvalues, tol), critical: gnorm <= tol * Math.max(1.0, scale),
  };
}

// numpy.quantile (linear) of sorted values at q.
const quantile = (sorted, q) => {
  const pos = q * (sorted.length - 1), lo = Math.floor(pos), hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
};

// Contour segments of z (rows over ys, columns over xs) at `level`: marching squares.
function contourSegments(xs, ys, z, level) {
  const out = [];
  const cut = (x0, y0, z0, x1, y1, z1) => { const t = (level - z0) / (z1 - z0); return [x0 + t * (x1 - x0), y0 + t * (y1 - y0)]; };
  for (let j = 0; j + 1 < ys.length; j++) {
    for (let i = 0; i + 1 < xs.length; i++) {
      const c = [[xs[i], ys[j], z[j][i]], [xs[i + 1], ys[j], z[j][i + 1]],
        [xs[i + 1], ys[j + 1], z[j + 1][i + 1]], [xs[i], ys[j + 1], z[j + 1][i]]];
      const pts = [];
      for (let k = 0; k < 4; k++) {
        const a = c[k], b = c[(k + 1) % 4];
        if ((a[2] < level) !== (b[2] < level)) pts.push(cut(...a, ...b));
      }
      if (pts.length === 2) out.push(pts);
      else if (pts.length === 4) out.push([pts[0], pts[1]], [pts[2], pts[3]]);
    }
  }
  return out;
}

// HessianInspector._taylor_model: the second-order model's contours at eight
// quantiles of f seen in a square of half-side r around x, and the square.
function drawTaylor(ctx, geo, L, r0, res) {
  const [px, py] = res.x, g = res.gradient, H = res.hessian;
  const s = Array.from({ length: 41 }, (_, i) => -r0 + (2 * r0 * i) / 40);
  const q = s.map((dy) => s.map((dx) => res.value + g[0] * dx + g[1] * dy
    + 0.5 * (H[0][0] * dx * dx + 2 * H[0][1] * dx * dy + H[1][1] * dy * dy)));
  const fq = s.flatMap((dy) => s.map((dx) => L.f([px + dx, py + dy]))).filter(Number.isFinite).sort((a, b) => a - b);
  const flat = q.flat(), qmin = Math.min(...flat), qmax = Math.max(...flat);
  let levels = fq.length ? Array.from({ length: 8 }, (_, k) => quantile(fq, 0.05 + (0.9 * k) / 7)) : [];
  levels = [...new Set(levels)].filter((v) => qmin < v && v < qmax);
  const xs = s.map((d) => px + d), ys = s.map((d) => py + d);
  ctx.save();
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 1.2;
  ctx.setLineDash([4, 3]);
  for (const level of levels) {
    ctx.beginPath();
    for (const [[x0, y0], [x1, y1]] of contourSegments(xs, ys, q, level)) {
      ctx.moveTo(geo.X(x0), geo.Y(y0)); ctx.lineTo(geo.X(x1), geo.Y(y1));
    }
    ctx.stroke();
  }
  ctx.setLineDash([1, 2]);
  ctx.lineWidth = 0.8;
  ctx.strokeRect(geo.X(px - r0), geo.Y(py + r0), geo.X(px + r0) - geo.X(px - r0), geo.Y(py - r0) - geo.Y(py + r0));
  ctx.restore();
}

function marker(ctx, kind, x, y, size = 5) {
  const [shape, color] = KINDS[kind];
  ctx.save();
  ctx.fillStyle = color;
  ctx.strokeStyle = "#000";
  ctx.lineWidth = 1;
  ctx.beginPath();
  if (shape === "o") ctx.arc(x, y, size, 0, 2 * Math.PI);
  else if (shape === "^") { ctx.moveTo(x, y - size); ctx.lineTo(x + size, y + size); ctx.lineTo(x - size, y + size); ctx.closePath(); }
  else if (shape === "s") ctx.rect(x - size, y - size, 2 * size, 2 * size);
  else { // a filled X
    const a = size * 0.35;
    const P = [[-size, -size + a], [-a, 0], [-size, size - a], [-size + a, size], [0, a], [size - a, size],
      [size, size - a], [a, 0], [size, -size + a], [size - a, -size], [0, -a], [-size + a, -size]];
    P.forEach(([u, v], i) => (i ? ctx.lineTo(x + u, y + v) : ctx.moveTo(x + u, y + v)));
    ctx.closePath();
  }
  ctx.fill(); ctx.stroke();
  ctx.restore();
}

// labtools.plots.curvature_color
const curvatureColor = (v) => (v > 0 ? COLORS.blue : v < 0 ? COLORS.path : "#555555");

// A double-headed arrow from x - d to x + d (plot_hessian_arrows draws v both ways).
function arrow(ctx, geo, [x, y], [u, v], color) {
  const ends = [[x + u, y + v], [x - u, y - v]].map(([a, b]) => [geo.X(a), geo.Y(b)]);
  const cx = geo.X(x), cy = geo.Y(y);
  ctx.save();
  ctx.strokeStyle = color; ctx.fillStyle = color; ctx.lineWidth = 3;
  for (const [ex, ey] of ends) {
    const len = Math.hypot(ex - cx, ey - cy);
    if (len < 1e-9) continue;
    const ux = (ex - cx) / len, uy = (ey - cy) / len, head = Math.min(9, len);
    ctx.beginPath(); ctx.moveTo(cx, cy); ctx.lineTo(ex - ux * head * 0.6, ey - uy * head * 0.6); ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(ex, ey);
    ctx.lineTo(ex - ux * head - uy * head * 0.5, ey - uy * head + ux * head * 0.5);
    ctx.lineTo(ex - ux * head + uy * head * 0.5, ey - uy * head - ux * head * 0.5);
    ctx.closePath(); ctx.fill();
  }
  ctx.restore();
}

// The legend (lower right, as Python's moving legend): kinds of the marked
// critical points, then the two eigenvalues at the point.
function hessianLegend(ctx, box, kinds, lam) {
  legend(ctx, box, [...kinds.map((k) => [k, (g, x, y) => marker(g, k, x, y, 4.5)]),
    ...lam.map((l, i) => [`λ${i + 1} = ${fmt(l)}`, (g, x, y) => {
      g.fillStyle = curvatureColor(l); g.fillRect(x - 10, y - 2, 20, 4);
    }])], "lower right");
}

const esc = (t) => String(t).replace(/[&<>"]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[ch]));

// HessianInspector._table
function table(res, verdict) {
  const num = (v) => fmt(v, 4);
  const { x, value: f, gradient: g, hessian: H, eigenvalues: lam, eigenvectors: V } = res;
  const rows = [
    ["point", `(${num(x[0])}, ${num(x[1])})`], ["f", num(f)], ["gradient", `(${num(g[0])}, ${num(g[1])})`],
    ["Hessian", `[[${num(H[0][0])}, ${num(H[0][1])}],<br>[${num(H[1][0])}, ${num(H[1][1])}]]`],
    ...[0, 1].map((i) => [`λ${i + 1}, v${i + 1}`, `${num(lam[i])}, (${num(V[0][i])}, ${num(V[1][i])})`]),
    ["verdict", esc(verdict)],
  ];
  return '<table style="font-size:90%"><caption style="text-align:left">Derivatives at the point</caption>'
    + rows.map(([k, v]) => `<tr><th scope="row" style="text-align:left; padding-right:8px">${k}</th><td>${v}</td></tr>`).join("")
    + "</table>";
}

export async function hessianView({ model, el }) {
  const c = await controlModels(model, el);
  const root = document.createElement("div");
  root.className = "labtools-front";
  const figs = document.createElement("div");
  figs.style.cssText = "display:flex; flex-wrap:wrap; gap:8px; align-items:flex-start;";
  const mapSlot = document.createElement("div");
  mapSlot.style.cssText = "min-width:0; max-width:100%;";
  const info = document.createElement("div");
  info.style.cssText = "max-width:340px; overflow:auto;";
  figs.append(mapSlot, info);
  const status = statusLine();
  root.append(figs, status);
  const spec = () => model.get("spec");
  if (spec().kernel_note) root.append(kernelNote(spec().kernel_note));
  el.append(root);
  let layer = null, layerKey = null, geo = null;

  const currentKey = () => { const s = spec(), v = valueOf(c.landscape); return v === s.custom ? s.current : v; };
  const fail = (text) => {
    status.setAttribute("role", "alert");
    status.style.borderLeft = "4px solid #D55E00";
    status.textContent = `Problem: ${text}. The figure still shows the last settings that worked; change a value to go on.`;
  };

  function draw() {
    const s = spec(), key = currentKey(), entry = s.landscapes[key];
    if (!entry) {
      status.textContent = s.kernel_note || "Type a function in the box and press Enter.";
      return;
    }
    if (layerKey !== key) {
      layer = startLayer(entry, [c.x, c.y]);  // a click moves the point
      mapSlot.replaceChildren(layer.box);
      if (layerKey !== null) retargetSliders([c.x, c.y], entry);
      layerKey = key; geo = layer.geo;
    }
    const L = compileLandscape(entry.src);
    const x = [c.x.get("value"), c.y.get("value")];
    const res = inspect(L, x, { scale: entry.scale, tol: s.tol });
    if (!res) return fail(`f or its derivatives are not finite at ${point(x)}; pick another point`);
    status.setAttribute("role", "status");
    status.style.borderLeft = "";
    const { eigenvalues: lam, eigenvectors: V, kind } = res;
    const taylor = c.taylor.get("value");

    const ctx = layer.ctx;
    ctx.clearRect(0, 0, entry.bg.width, entry.bg.height);
    const [l, t, r, b] = entry.bg.box;
    ctx.save();
    ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
    const [[xlo, xhi], [ylo, yhi]] = entry.window;
    const side = Math.min(xhi - xlo, yhi - ylo);
    if (taylor) drawTaylor(ctx, geo, L, 0.18 * side, res);
    // plots.arrow_lengths: the largest |lambda| gets a fifth of the shorter side
    const top = Math.max(...lam.map(Math.abs));
    [0, 1].forEach((i) => {
      const len = top > 0 && Number.isFinite(top) ? (0.2 * side * Math.abs(lam[i])) / top : 0;
      arrow(ctx, geo, x, [V[0][i] * len, V[1][i] * len], curvatureColor(lam[i]));
    });
    ctx.fillStyle = "#fff"; ctx.strokeStyle = "#000"; ctx.lineWidth = 1;
    ctx.beginPath(); ctx.arc(geo.X(x[0]), geo.Y(x[1]), 6, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    ctx.restore();
    hessianLegend(ctx, entry.bg.box, entry.kinds, lam);

    const where = point(x);
    let verdict;
    if (res.critical) {
      verdict = kind !== "degenerate" ? `a critical point: a ${kind}`
        : "a critical point whose Hessian is singular (second-order test is silent)";
    } else {
      verdict = `not a critical point (gradient norm ${fmt(res.gnorm)}); the Hessian is ${SHAPES[kind]}`;
    }
    layer.img.alt = `Contour map of ${entry.name} with the point ${where} marked and the Hessian's `
      + "eigenvectors drawn as arrows, lengths proportional to the eigenvalues "
      + `${fmt(lam[0])} and ${fmt(lam[1])} (blue curves up, vermillion curves down)`
      + (taylor ? "; dashed white lines are contours of the second-order Taylor model in a small "
        + "square around the point" : "") + `. The point is ${verdict}.`;
    showHTML(info, table(res, verdict));
    status.textContent = `At ${where}: ${verdict}.`;
    el.dataset.updates = String(Number(el.dataset.updates || 0) + 1);
  }

  const redraw = onChange(c, ["landscape", "x", "y", "taylor"], draw);
  model.on("change:spec", redraw);
  draw();
}
