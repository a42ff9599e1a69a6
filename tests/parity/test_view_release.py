"""A front end's view, once removed, lets go of the widget's controls.

The controls' models outlive a view: a notebook can show a widget twice or clear
an output, and anywidget renders a view again when the widget's module changes.
Each view of every widget type is rendered here through ``main.js`` (anywidget's
``render``) with stand-in models built from the Python widget's own state; a move
of a slider redraws it. Once the cleanup that ``render`` returns has run, no
listener of the view is left on any control, a move draws nothing (no canvas
operation, no change to the view's element), and the view no longer voices the
widget's sliders (aria.js).
"""

from __future__ import annotations

import pytest

import labtools as lt

pytestmark = pytest.mark.browser

W = lt.widgets

# one small widget of each type, as a running notebook makes them
WIDGETS = {
    "landscape": lambda: W.landscape_explorer("himmelblau", steps=20, n=30),
    "race": lambda: W.optimizer_race("himmelblau", ["gd", "adam"], steps=20),
    "saddle": lambda: W.saddle_escape_explorer("saddle", max_steps=100),
    "chain": lambda: W.saddle_chain_explorer(d=2, max_steps=200),
    "hessian": lambda: W.hessian_inspector("saddle", n=30),
    "basins": lambda: W.basin_map_explorer("himmelblau", n=10, steps=10),
    "explorer1d": lambda: W.explorer_1d("xcos", steps=200),  # a move changes the run's length
    "chord": lambda: W.chord_explorer("xcos"),
    "network": lambda: W.network_explorer(steps=20),
    "minibatch": lambda: W.minibatch_explorer(steps=10),
    "escape": lambda: W.escape_histogram(runs=50, max_steps=200),
}

# Stand-ins for the ipywidgets models (Backbone: get, set, on, off), a move of the
# first slider, and a count of what the view draws: canvas operations anywhere
# and changes to its element.
SETUP = """
const main = (await mod("main.js")).default;
const models = {};
const model = (state) => {
  const on = {};
  return {
    get: (k) => state[k],
    set(k, v) {  // set(key, value) or, as Backbone, set({key: value, ...})
      for (const [key, value] of Object.entries(typeof k === "object" ? k : { [k]: v })) {
        const old = state[key]; state[key] = value;
        if (old !== value) for (const f of [...(on["change:" + key] || [])]) f();
      }
    },
    save_changes() {},
    on(events, f) { for (const e of events.split(" ")) (on[e] ||= []).push(f); },
    off(events, f) {
      for (const e of events.split(" ")) on[e] = (on[e] || []).filter((g) => g !== f);
    },
    listeners: () => Object.values(on).reduce((n, fs) => n + fs.length, 0),
  };
};
const manager = { get_model: async (id) => models[id] };
const refs = {};
for (const [name, state] of Object.entries(arg.controls)) {
  models[name] = model(state); refs[name] = "IPY_MODEL_" + name;
}
const front = model({ view: arg.view, spec: arg.spec, controls: refs });
front.widget_manager = manager;

const frames = (n) => new Promise((ok) => {
  const step = () => (n-- > 0 ? requestAnimationFrame(step) : ok());
  step();
});
window.__drawn = 0;
if (!window.__counting) {
  window.__counting = true;
  const P = CanvasRenderingContext2D.prototype;
  for (const k of ["clearRect", "fillRect", "stroke", "fill", "drawImage", "fillText",
                   "putImageData"]) {
    const f = P[k];
    P[k] = function (...a) { window.__drawn += 1; return f.apply(this, a); };
  }
}
// the view inside a widget's box, beside a slider whose readout it voices (aria.js)
const box = document.createElement("div");
box.className = "widget-box";
box.innerHTML = "<div class='widget-slider'><div role='slider' aria-valuetext='-2'></div>"
  + "<div class='widget-readout'>0.01</div></div>";
const el = document.createElement("div");
box.append(el);
document.body.replaceChildren(box);
const readout = box.querySelector(".widget-readout"), handle = box.querySelector("[role=slider]");
const heard = async (text) => {
  readout.textContent = text; await frames(2); return handle.getAttribute("aria-valuetext");
};
new MutationObserver((ms) => { window.__drawn += ms.length; })
  .observe(el, { subtree: true, childList: true, characterData: true, attributes: true });
const cleanup = await main.render({ model: front, el });
const slider = Object.keys(arg.controls).find(
  (k) => /SliderModel$/.test(arg.controls[k]._model_name) && !arg.controls[k].disabled);
const move = async () => {
  const m = models[slider];
  const lo = m.get("min"), hi = m.get("max"), v = m.get("value");
  m.set("value", v === hi ? lo : hi);
  await frames(3);
};
"""

# The view rendered, moved, removed, and moved again.
RENDER = SETUP + """
await frames(3);
const problem = [...el.querySelectorAll("[role=alert]")].map((a) => a.textContent).join("");
window.__drawn = 0;
await move();
const drawnLive = window.__drawn;
const listening = Object.values(models).reduce((n, m) => n + m.listeners(), 0);
const voicedLive = await heard("0.02");
if (typeof cleanup === "function") cleanup();
window.__drawn = 0;
await move();
await frames(10);  // work in slices would go on for frames
const drawnAfter = window.__drawn;
return {
  slider, drawnLive, listening, cleanup: typeof cleanup, voicedLive,
  voicedAfter: await heard("0.03"),
  problem,
  drawnAfter,
  left: Object.values(models).reduce((n, m) => n + m.listeners(), 0),
};
"""


def _state(widget):
    """The synced state of an ipywidgets control, as the page's model holds it."""
    state = widget.get_state()
    return {k: v for k, v in state.items() if not isinstance(v, (bytes, memoryview))}


@pytest.mark.parametrize("view", list(WIDGETS))
def test_a_removed_view_lets_go_of_the_controls(js, view):
    w = WIDGETS[view]()
    assert w.front.view == view
    controls = {name: _state(c) for name, c in w.front.controls.items()}
    out = js.call(RENDER, {"view": view, "spec": w.front.spec, "controls": controls})
    assert not out["problem"], out["problem"]
    assert out["slider"], f"{view}: no slider to move"
    assert out["drawnLive"] > 0, f"{view}: a move of {out['slider']!r} drew nothing"
    assert out["listening"] > 0
    assert out["cleanup"] == "function", f"{view}: render returned no cleanup"
    assert out["left"] == 0, f"{view}: {out['left']} listeners left on the controls"
    assert out["voicedLive"] == "0.02", f"{view}: a slider was not voiced as its readout"
    assert out["voicedAfter"] == "0.02", f"{view}: the removed view still voices the sliders"
    assert out["drawnAfter"] == 0, (
        f"{view}: the removed view drew {out['drawnAfter']} times after a move")
    assert not js.errors, js.errors


# A move of the first slider, and the frames in which the view then draws: a
# frame counts when a canvas operation or a change to the view's element happens
# between two of its animation frames.
FRAMES_DRAWN = SETUP + """
await frames(3);
let framesDrawn = 0, last = window.__drawn, counting = true;
const tick = () => {
  if (window.__drawn !== last) { framesDrawn += 1; last = window.__drawn; }
  if (counting) requestAnimationFrame(tick);
};
requestAnimationFrame(tick);
await frames(2);
await move();
await frames(10);
counting = false;
if (typeof cleanup === "function") cleanup();
return { slider, framesDrawn };
"""

# the views that draw a move in slices, a frame at a time, by design
SLICED = {"basins", "network"}


@pytest.mark.parametrize("view", sorted(set(WIDGETS) - SLICED))
def test_a_move_is_drawn_in_one_frame(js, view):
    """A move draws the figure once: no second frame redraws what the first drew (the
    1-D explorer drew each rerun twice: once itself, once for the step slider it set)."""
    w = WIDGETS[view]()
    controls = {name: _state(c) for name, c in w.front.controls.items()}
    out = js.call(FRAMES_DRAWN, {"view": view, "spec": w.front.spec, "controls": controls})
    assert out["framesDrawn"] == 1, (
        f"{view}: a move of {out['slider']!r} drew in {out['framesDrawn']} frames")
    assert not js.errors, js.errors
