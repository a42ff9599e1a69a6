// The chord explorer (labtools.widgets.chord): two points on a function (or the
// ends of a segment on a 2-D map) and the chord between them, against the graph.
// The same rule as ChordExplorer.update: 301 points from a to b, the chord is
// "above" where chord >= f - 1e-12 (1 + |f|).
import { layered, figureRow, dataToPixel, axes, curve, niceTicks, legend, lineSample, COLORS } from "./plot.js";
import { controlModels, onChange, compileLandscape, fmt, point, mountFront } from "./common.js";

const linspace = (lo, hi, n) => Array.from({ length: n }, (_, i) => lo + (hi - lo) * i / (n - 1));

export function niceLimits(lo, hi) {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [0, 1];
  if (hi - lo <= 1e-12 * (Math.abs(lo) + Math.abs(hi) + 1)) {
    const pad = 0.5 * (Math.abs(lo) + 1);
    lo -= pad; hi += pad;
  }
  const t = niceTicks(lo, hi, 5), step = t.length > 1 ? t[1] - t[0] : 1;
  return [Math.floor(lo / step + 1e-9) * step, Math.ceil(hi / step - 1e-9) * step];
}

// Fill between the graph and the chord where `mask` holds, in `color`: one
// polygon per run of consecutive points (no seams between slivers).
function fillWhere(ctx, ax, u, f, chord, mask, color) {
  ctx.save();
  ctx.globalAlpha = 0.45;
  ctx.fillStyle = color;
  let i = 0;
  while (i < u.length) {
    if (!mask[i]) { i++; continue; }
    const lo = Math.max(i - 1, 0);
    while (i < u.length && mask[i]) i++;
    const hi = Math.min(i, u.length - 1);
    ctx.beginPath();
    for (let k = lo; k <= hi; k++) ctx.lineTo(ax.X(u[k]), ax.Y(f[k]));
    for (let k = hi; k >= lo; k--) ctx.lineTo(ax.X(u[k]), ax.Y(chord[k]));
    ctx.closePath();
    ctx.fill();
  }
  ctx.restore();
}

export async function chordView({ model, el }) {
  const c = await controlModels(model, el);
  const s = model.get("spec");
  const L = compileLandscape(s.src);
  const one = s.dim === 1;
  // two figures in 2-D (the map with the segment, the slice with the chord):
  // side by side while there is room, one under the other on a phone
  const mapLayer = one ? null : layered(s.map_bg, "");
  const layer = layered(s.graph_bg, "");
  const figures = figureRow(mapLayer ? [mapLayer.box, layer.box] : [layer.box]);
  const status = mountFront(el, figures);
  const map = one ? null : dataToPixel(s.map_bg);

  function draw() {
    const a = one ? [c.a.get("value")] : [c.ax.get("value"), c.ay.get("value")];
    const b = one ? [c.b.get("value")] : [c.bx.get("value"), c.by.get("value")];
    const ctx = layer.ctx;
    const fail = (text) => {
      status.setAttribute("role", "alert");
      status.style.borderLeft = "4px solid #D55E00";
      status.textContent = `Problem: ${text}. The figure still shows the last settings that worked; change a value to go on.`;
    };
    // numpy.allclose(a, b)
    if (a.every((v, i) => Math.abs(v - b[i]) <= 1e-8 + 1e-5 * Math.abs(b[i]))) {
      return fail("a and b are the same point; move one of them to make a chord");
    }
    const t = linspace(0, 1, 301);
    const pts = t.map((ti) => a.map((ai, i) => ai + ti * (b[i] - ai)));
    const fv = pts.map((p) => L.f(p));
    const badAt = fv.findIndex((v) => !Number.isFinite(v));
    if (badAt >= 0) {
      return fail(`f is not defined (or not finite) at ${point(pts[badAt])} between a and b; `
        + "move the points to where f is defined");
    }
    status.setAttribute("role", "status");
    status.style.borderLeft = "";
    const fa = fv[0], fb = fv[fv.length - 1];
    const chord = t.map((ti) => (1 - ti) * fa + ti * fb);
    const above = chord.map((ch, i) => ch >= fv[i] - 1e-12 * (1 + Math.abs(fv[i])));

    ctx.clearRect(0, 0, s.graph_bg.width, s.graph_bg.height);
    // the graph is drawn here in full: its y-axis follows the points
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, s.graph_bg.width, s.graph_bg.height);
    let u, gx, gy, xlim, yAll;
    if (one) {
      const [[lo, hi]] = s.window;
      gx = linspace(lo, hi, 500);
      gy = gx.map((x) => L.f([x]));
      u = pts.map((p) => p[0]);
      xlim = [lo, hi];
      yAll = [...gy.filter(Number.isFinite), fa, fb];
    } else {
      gx = t; gy = fv; u = t; xlim = [0, 1];
      yAll = [...fv, fa, fb];
    }
    const ylim = niceLimits(Math.min(...yAll), Math.max(...yAll));
    const ax = axes(ctx, s.graph_box, { xlim, ylim, title: s.graph_title, xlabel: s.xlabel, ylabel: s.ylabel });
    fillWhere(ctx, ax, u, fv, chord, above, COLORS.green);
    fillWhere(ctx, ax, u, fv, chord, above.map((v) => !v), COLORS.path);
    curve(ctx, ax, gx, gy, { color: COLORS.blue, width: 2 });
    curve(ctx, ax, [u[0], u[u.length - 1]], [fa, fb], { color: "#000", width: 1.5 });
    for (const [x, y] of [[u[0], fa], [u[u.length - 1], fb]]) {
      ctx.beginPath(); ctx.arc(ax.X(x), ax.Y(y), 3.5, 0, 2 * Math.PI); ctx.fillStyle = "#000"; ctx.fill();
    }
    const shade = (color) => (g, x, y) => {
      g.globalAlpha = 0.5; g.fillStyle = color; g.fillRect(x - 9, y - 5, 18, 10);
    };
    legend(ctx, s.graph_box, [["graph of f", lineSample(COLORS.blue)], ["chord", lineSample("#000")],
      ["chord above graph", shade(COLORS.green)], ["chord below graph", shade(COLORS.path)]],
    "upper left");
    if (!one) { // the segment on the map
      const mctx = mapLayer.ctx;
      mctx.clearRect(0, 0, s.map_bg.width, s.map_bg.height);
      mctx.save();
      const [l, tp, r, bt] = s.map_bg.box;
      mctx.beginPath(); mctx.rect(l, tp, r - l, bt - tp); mctx.clip();
      const P = [a, b].map(([x, y]) => [map.X(x), map.Y(y)]);
      mctx.strokeStyle = "#fff"; mctx.lineWidth = 2.5;
      mctx.beginPath(); mctx.moveTo(...P[0]); mctx.lineTo(...P[1]); mctx.stroke();
      for (const [x, y] of P) {
        mctx.beginPath(); mctx.arc(x, y, 3.5, 0, 2 * Math.PI);
        mctx.fillStyle = "#fff"; mctx.fill(); mctx.strokeStyle = "#000"; mctx.lineWidth = 1; mctx.stroke();
      }
      mctx.restore();
      mapLayer.img.alt = `Contour map of ${s.name} with the segment from a = ${point(a)} `
        + `to b = ${point(b)}, along which the other figure shows f.`;
    }

    const below = above.filter((v) => !v).length / above.length;
    const verdict = below === 0
      ? "the chord lies on or above the graph everywhere between them, as it must for a convex function"
      : `the chord dips below the graph on ${(below * 100).toFixed(0)}% of the way, so f is not convex on this stretch`;
    const what = one ? "the graph" : "the slice of the landscape";
    layer.img.alt = `${s.name}: ${what} between a = ${point(a)} (f = ${fmt(fa)}) and b = ${point(b)} `
      + `(f = ${fmt(fb)}) with the chord joining them; ${verdict}. Green marks where the chord is `
      + "above the graph, vermillion where it is below.";
    status.textContent = `From a = ${point(a)} to b = ${point(b)}: ${verdict}.`;
  }

  onChange(c, Object.keys(c), draw);
  draw();
}
