"""plot.js draws a run's path cheaply and the same: the points of a path closer than
half a pixel to the last one kept are left out (``thin``), and ``drawPath`` fills all
its dots at once. A run that has converged puts hundreds of steps on one pixel; without
a GPU the browser rasterizes every canvas operation on each redraw (issue 13)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def test_thin_keeps_the_ends_and_every_point_half_a_pixel_away(js):
    out = js.call("""const { thin } = await mod("plot.js");
      return [
        thin([[0, 0], [0.1, 0], [0.2, 0.1], [5, 5], [5.2, 5], [5.3, 5.1], [10, 10]]),
        thin([[0, 0], [3, 0], [0, 0.1], [0, 0]]),   // a return to an earlier place is kept
        thin([[1, 1], [1, 1], [1, 1]]),             // first and last, even on one pixel
        thin([[2, 2]]),
      ];""")
    assert out[0] == [[0, 0], [5, 5], [10, 10]]
    assert out[1] == [[0, 0], [3, 0], [0, 0.1], [0, 0]]
    assert out[2] == [[1, 1], [1, 1]]
    assert out[3] == [[2, 2]]


# A run spiralling into a point: 300 steps, most of them within a pixel of the end.
# ``drawPath`` on one canvas, counting the context's calls; the same path drawn the
# plain way (a line through every step, a dot filled at every step) on another.
DRAW = """const { drawPath } = await mod("plot.js");
const pts = Array.from({ length: 300 }, (_, k) =>
  [160 + 120 * 0.96 ** k * Math.cos(k / 4), 120 + 90 * 0.96 ** k * Math.sin(k / 4)]);
const canvas = (w = 320, h = 240) => {
  const c = document.createElement("canvas"); c.width = w; c.height = h;
  const g = c.getContext("2d"); g.fillStyle = "#fff"; g.fillRect(0, 0, w, h); return g;
};
const calls = {};
const real = canvas();
const counted = new Proxy(real, {
  get(t, k) {
    const v = t[k];
    if (typeof v !== "function") return v;
    return (...a) => { calls[k] = (calls[k] || 0) + 1; return v.apply(t, a); };
  },
  set(t, k, v) { t[k] = v; return true; },
});
drawPath(counted, pts, { color: "#D55E00" });

const ref = canvas();
ref.save();
ref.strokeStyle = "#D55E00"; ref.lineWidth = 1.5; ref.lineJoin = "round";
ref.beginPath();
pts.forEach(([x, y], i) => (i ? ref.lineTo(x, y) : ref.moveTo(x, y)));
ref.stroke();
ref.fillStyle = "#D55E00";
for (const [x, y] of pts) { ref.beginPath(); ref.arc(x, y, 1.6, 0, 2 * Math.PI); ref.fill(); }
ref.restore();
// the start circle and end star as drawPath draws them, over the reference
ref.save();
ref.fillStyle = "#fff"; ref.strokeStyle = "#000"; ref.lineWidth = 1;
ref.beginPath(); ref.arc(...pts[0], 4.5, 0, 2 * Math.PI); ref.fill(); ref.stroke();
ref.restore();
const { star } = await mod("plot.js");
star(ref, ...pts[pts.length - 1], 7.5, "#D55E00");

const a = real.getImageData(0, 0, 320, 240).data, b = ref.getImageData(0, 0, 320, 240).data;
let inked = 0, differ = 0;
for (let i = 0; i < a.length; i += 4) {
  const ink = Math.min(a[i], a[i + 1], a[i + 2]) < 250 || Math.min(b[i], b[i + 1], b[i + 2]) < 250;
  if (!ink) continue;
  inked++;
  const d = Math.max(...[0, 1, 2].map((j) => Math.abs(a[i + j] - b[i + j])));
  if (d > 64) differ++;
}
return { calls, inked, differ };"""


def test_a_converged_path_is_drawn_in_a_few_operations_and_looks_the_same(js):
    out = js.call(DRAW)
    calls = out["calls"]
    # one fill for all the dots, one for the start circle, one for the end star (not
    # one per step: 300 before), and one stroke for the line
    assert calls["fill"] <= 3, calls
    assert calls["stroke"] <= 3, calls
    # the picture: of the pixels either drawing inks, almost none differ visibly
    assert out["inked"] > 1000, out
    assert out["differ"] / out["inked"] < 0.01, out
