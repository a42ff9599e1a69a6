"""What the front ends share for a drag (``js/common.js``).

In a running notebook, a slider dragged in the page reaches the kernel once the drag
rests, in one message (``sendWhenRested`` in ``js/common.js``), while the page hears
every move at once; any other control sends what the sliders hold first, so that the
kernel hears the changes in the order they were made (issue 13: a message per move
kept the kernel busy, and JupyterLab redrew its busy/idle indicators in the drag's
frames). A table that a move changes is patched, not rebuilt (``showHTML``), and a
message line keeps the room of the longest message it has shown (``statusLine``).

The controls are stand-ins for ipywidgets models (Backbone: get, set, on, off,
save_changes), given to ``controlModels`` as a front end's view gets them.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

# Stand-in control models whose save_changes records what reaches "the kernel" and
# when; `heard` counts the moves a listener in the page hears.
SETUP = """
const { controlModels } = await mod("common.js");
const sent = [];
const t0 = performance.now();
const model = (name, state) => {
  const on = {};
  return {
    get: (k) => state[k],
    set(k, v) {
      state[k] = v;
      for (const f of [...(on["change:" + k] || [])]) f();
    },
    save_changes() { sent.push([name, state.value ?? state.index, performance.now() - t0]); },
    on(events, f) { for (const e of events.split(" ")) (on[e] ||= []).push(f); },
    off() {},
  };
};
const models = {
  x0: model("x0", { _model_name: "FloatSliderModel", value: 0, continuous_update: true }),
  steps: model("steps", { _model_name: "IntSliderModel", value: 10,
                          continuous_update: false }),
  optimizer: model("optimizer", { _model_name: "DropdownModel", index: 0 }),
};
const front = {
  get: (k) => (k === "controls" ? { x0: "IPY_MODEL_x0", steps: "IPY_MODEL_steps",
                                    optimizer: "IPY_MODEL_optimizer" } : undefined),
  widget_manager: { get_model: async (id) => models[id] },
};
const c = await controlModels(front, document.createElement("div"));
let heard = 0;
c.x0.on("change:value", () => { heard += 1; });
const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
// a learner's move in the page: the slider's view sets the value and saves
const move = (m, v) => { m.set("value", v); m.save_changes(); };
"""


def test_a_drag_reaches_the_kernel_once_it_rests(js):
    out = js.call(SETUP + """
      for (let k = 1; k <= 8; k++) { move(c.x0, k / 10); await sleep(30); }
      const during = sent.length;
      await sleep(400);
      return { during, sent, heard, follows: c.steps.get("continuous_update") };""")
    assert out["heard"] == 8, "the page must hear every move at once"
    assert out["during"] == 0, f"the drag sent {out['during']} messages before it rested"
    assert [(name, value) for name, value, _ in out["sent"]] == [("x0", 0.8)], out["sent"]
    # sent a rest after the last move (8 moves 30 ms apart end at about 240 ms)
    assert 240 + 200 <= out["sent"][0][2] <= 240 + 400, out["sent"]
    assert out["follows"] is True  # a slider Python made update on release follows drags


def test_a_choice_after_a_drag_reaches_the_kernel_after_the_drag(js):
    out = js.call(SETUP + """
      move(c.x0, 1.5); move(c.steps, 20);
      c.optimizer.set("index", 2); c.optimizer.save_changes();
      const atOnce = sent.map(([name, value]) => [name, value]);
      await sleep(400);
      return { atOnce, all: sent.length };""")
    # the dropdown is sent at once, after the sliders' moves that came before it
    assert out["atOnce"] == [["x0", 1.5], ["steps", 20], ["optimizer", 2]], out
    assert out["all"] == 3, "a slider's move was sent twice"


def test_a_second_view_of_the_same_controls_sends_once(js):
    out = js.call(SETUP + """
      await controlModels(front, document.createElement("div"));  // shown twice
      move(c.x0, 0.3);
      await sleep(400);
      return sent.length;""")
    assert out == 1


# showHTML: a table shown in a holder, then shown again with other numbers, then
# with another shape.
SHOW = """const { showHTML } = await mod("common.js");
const holder = document.createElement("div");
document.body.append(holder);
const html = (a, b, style = "color:red") =>
  `<table><caption>results</caption><tr><th>x</th><td style='${style}'>${a}</td></tr>`
  + `<tr><th>y</th><td>${b}</td></tr></table>`;
showHTML(holder, html(1, 2));
const cells = [...holder.querySelectorAll("td")];
showHTML(holder, html(1.5, "2.25"));
const kept = [...holder.querySelectorAll("td")].every((td, i) => td === cells[i]);
const patched = holder.innerHTML;
showHTML(holder, html(3, 4, "color:blue"));   // another attribute: a new table
const restyled = holder.querySelector("td") !== cells[0];
showHTML(holder, "<p>no run</p>");            // another shape
const replaced = holder.innerHTML;
holder.remove();
const ref = document.createElement("div");
ref.innerHTML = html(1.5, "2.25");
return { kept, patched, expected: ref.innerHTML, restyled, replaced };"""


def test_a_table_that_keeps_its_shape_is_patched_in_place(js):
    out = js.call(SHOW)
    assert out["kept"], "a move with the same table replaced its cells"
    assert out["patched"] == out["expected"]  # and shows exactly the new numbers
    assert out["restyled"], "a changed attribute must not be left as it was"
    assert out["replaced"] == "<p>no run</p>"


# A message line in a narrow column: a long message, a short one, a long one again.
STATUS = """
const { statusLine } = await mod("common.js");
const frames = (n) => new Promise((ok) => {
  const step = () => (n-- > 0 ? requestAnimationFrame(step) : ok());
  step();
});
const column = document.createElement("div");
column.style.width = "240px";
const line = statusLine(), below = document.createElement("p");
below.textContent = "the page below the widget";
column.append(line, below);
document.body.replaceChildren(column);
const heights = [];
for (const text of ["short", "a message long enough to take three or four lines in this column",
                    "short", "shorter"]) {
  line.textContent = text;
  await frames(2);
  heights.push([line.offsetHeight, below.offsetTop]);
}
column.remove();
return heights;"""


def test_a_message_line_does_not_shrink(js):
    """statusLine keeps the tallest height it has had: a message a line shorter would
    move the page below up, and the next long one down again, at each move."""
    (h1, top1), (h2, top2), (h3, top3), (h4, top4) = js.call(STATUS)
    assert h2 > h1 and top2 > top1, "the long message should take more lines"
    assert (h3, top3) == (h2, top2) == (h4, top4), "a shorter message moved the page below"
