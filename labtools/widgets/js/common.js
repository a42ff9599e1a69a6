// What every front end shares: the controls, the landscapes Python sent, the
// optimizer a widget's controls describe, and the words of its messages.
import { fmtG, optimizer, chain, add_noise } from "./optim.js";
import { layered, dataToPixel } from "./plot.js";

// The ipywidgets models of the Python widget's controls (sliders, dropdowns),
// which the front end reads and listens to. In the static page they are the
// models the widget HTML manager restored from the stored state; in a running
// notebook they are the live ones, so Python sees the same values.
// `el` is the view's element: what the view listens to on these models goes
// with it (see `listen`).
export async function controlModels(model, el) {
  const refs = model.get("controls") || {};
  const out = {};
  for (const [name, ref] of Object.entries(refs)) {
    out[name] = await model.widget_manager.get_model(String(ref).replace("IPY_MODEL_", ""));
  }
  followDrags(Object.values(out));
  viewOf.set(out, el);
  return out;
}

// What a view leaves behind on its controls' models, undone when it is removed.
// The models outlive the view: a notebook can show a widget twice or clear an
// output, and anywidget renders a view again when its module changes. anywidget
// removes what a view listens to on the widget's own model, not on these, so a
// removed view would go on drawing into its detached element at every move, and
// its work in progress (a map computed in slices, Play) would go on too.
// `release` (main.js returns it to anywidget as the view's cleanup) undoes both.
const viewOf = new WeakMap();   // controls (from controlModels) -> the view's element
const undo = new WeakMap();     // the view's element -> what release runs
const released = new WeakSet(); // elements of views removed (maybe before they were ready)

// Run `fn` when the view of the controls `c` is removed (at once if it is already).
export function onRelease(c, fn) {
  const el = viewOf.get(c);
  if (released.has(el)) { fn(); return; }
  if (!undo.has(el)) undo.set(el, []);
  undo.get(el).push(fn);
}

// Call `fn` on `events` of the control model `m` of the controls `c`, while the view lives.
export function listen(c, m, events, fn) {
  m.on(events, fn);
  onRelease(c, () => m.off(events, fn));
}

// The view of `el` is gone: it stops listening to its controls and stops its work.
export function release(el) {
  released.add(el);
  for (const fn of undo.get(el) || []) fn();
  undo.delete(el);
}

// Every slider follows a drag, in the static page and in a running notebook.
// Python makes the sliders whose every move reruns something costly update only
// when let go (continuous_update=False): before the front ends, each move was a
// kernel round trip. Now the front end answers a move itself, so the figure can
// follow the mouse; the kernel hears the value when the drag rests
// (sendWhenRested). The setting is changed in this page only, not sent to the
// kernel: Python's slider keeps the value it was given. The slider's view reads
// it at each move.
function followDrags(models) {
  for (const m of models) {
    const slider = /SliderModel$/.test(m.get("_model_name"));
    if (slider && m.get("continuous_update") === false) {
      m.set("continuous_update", true);
      if (m._buffered_state_diff) delete m._buffered_state_diff.continuous_update;
    }
    sendWhenRested(m, slider);
  }
}

// A slider's value reaches the kernel once the drag rests (REST_MS without a
// move), in one message, rather than at every move. The page draws each move
// itself; a message per move would keep the kernel busy rerunning what the page
// has drawn, and in JupyterLab every message costs the page too (the kernel's
// busy and idle states redraw its indicators, in the frames the drag needs).
// The model's listeners in the page, this front end among them, still hear each
// move at once. Any other control (a dropdown, the formula box) sends what the
// sliders hold first, so that the kernel hears the changes in the order made.
const REST_MS = 250;
const wrapped = new WeakSet();  // models whose sending is already wrapped (a second view)
const waiting = new Map();      // slider model -> its send, waiting for the rest

function sendWhenRested(m, slider) {
  if (wrapped.has(m)) return;
  wrapped.add(m);
  const send = m.save_changes.bind(m);
  if (!slider) {
    m.save_changes = (callbacks) => {
      for (const go of [...waiting.values()]) go();
      send(callbacks);
    };
    return;
  }
  let timer = null;
  m.save_changes = (callbacks) => {
    clearTimeout(timer);
    const go = () => { clearTimeout(timer); waiting.delete(m); send(callbacks); };
    waiting.set(m, go);
    timer = setTimeout(go, REST_MS);
  };
}

// The value of a control. A dropdown's model holds the index of the choice and
// the labels (its Python value is not synced); the course's options are
// strings whose label is the value.
export function valueOf(m) {
  const labels = m.get("_options_labels");
  return labels ? labels[m.get("index")] : m.get("value");
}

// Whether the learner has pressed a key or moved the mouse since this task began
// (Chromium's navigator.scheduling; false elsewhere): work done in slices between
// frames stops its slice early, so that the move is answered in the next frame
// rather than after the slice.
export const inputPending = () => Boolean(navigator.scheduling?.isInputPending?.());

// Call `fn` once per animation frame at most, whatever moved.
export function onChange(models, names, fn) {
  let queued = false, gone = false;
  const schedule = () => {
    if (queued || gone) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; if (!gone) fn(); });
  };
  onRelease(models, () => { gone = true; });
  for (const name of names) {
    if (models[name]) listen(models, models[name], "change:value change:index", schedule);
  }
  return schedule;
}

// Show `html` (a table, say) in `holder`. When it has the shape `holder` shows
// already (the same elements with the same attributes), only the text that
// differs is changed: a table rebuilt at every move would be styled and laid out
// anew in each frame of a drag. Otherwise the new HTML replaces the old.
let parser = null;  // a <template>: what it parses is not in the page

export function showHTML(holder, html) {
  parser ||= document.createElement("template");
  parser.innerHTML = html;
  const next = parser.content;
  if (sameShape(holder, next)) patchText(holder, next); else holder.replaceChildren(next);
}

function sameShape(a, b) {
  const xs = a.childNodes, ys = b.childNodes;
  if (xs.length !== ys.length) return false;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i], y = ys[i];
    if (x.nodeName !== y.nodeName) return false;
    if (x.nodeType !== Node.ELEMENT_NODE) continue;
    if (x.attributes.length !== y.attributes.length) return false;
    for (const { name, value } of y.attributes) if (x.getAttribute(name) !== value) return false;
    if (!sameShape(x, y)) return false;
  }
  return true;
}

function patchText(a, b) {
  const xs = a.childNodes, ys = b.childNodes;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i].nodeType === Node.ELEMENT_NODE) patchText(xs[i], ys[i]);
    else if (xs[i].data !== ys[i].data) xs[i].data = ys[i].data;
  }
}

// Set a control as a learner would (the slider's view follows; in a running
// notebook Python hears of it too).
export function setControl(m, value) {
  const labels = m.get("_options_labels");
  if (labels) m.set("index", labels.indexOf(value)); else m.set("value", value);
  m.save_changes();
}

// A map of `entry` (Python's background with a canvas over it, see plot.js's
// layered) on which a click sets the point: `models` are the sliders of its
// coordinates (one for a graph of f(x), two for a contour map), and the clicked
// point is clamped to entry.window. Returns the layer and its data -> pixel maps.
export function startLayer(entry, models) {
  const layer = layered(entry.bg, "");
  const geo = dataToPixel(entry.bg);
  layer.canvas.style.cursor = "crosshair";
  layer.canvas.dataset.click = "start";  // a click moves the start point
  layer.canvas.addEventListener("click", (ev) => {
    const xy = geo.toData(ev.offsetX, ev.offsetY, layer.canvas.clientWidth);
    if (!xy) return;
    models.forEach((m, i) => {
      const [lo, hi] = entry.window[i];
      setControl(m, Math.min(Math.max(xy[i], lo), hi));
    });
  });
  return { ...layer, geo };
}

// labtools.widgets.base.retarget_sliders: the point's sliders move to the new
// window of `entry` (widened first so that neither bound rejects the other)
// and to its start.
export function retargetSliders(models, entry) {
  models.forEach((m, i) => {
    const [lo, hi] = entry.window[i];
    m.set({ min: Math.min(m.get("min"), lo), max: Math.max(m.get("max"), hi) });
    m.set("value", entry.start[i]);
    m.set({ min: lo, max: hi, step: (hi - lo) / 400 });
    m.save_changes();
  });
}

const compiled = new Map();
// The landscape that labtools.landscapes.landscape_js printed, compiled once.
export function compileLandscape(src) {
  if (!compiled.has(src)) compiled.set(src, new Function(`return ${src}`)());
  return compiled.get(src);
}

// labtools.widgets.inputs.make_optimizer: only the hyperparameters the method
// takes; a sigma > 0 for a method without noise of its own adds add_noise.
export function makeOptimizer(name, params, { lr, beta, sigma, seed }) {
  const hyper = {};
  if (params.includes("lr")) hyper.lr = lr;
  if (params.includes("beta")) hyper.beta = beta;
  if (params.includes("sigma") && sigma !== null && sigma !== undefined) hyper.sigma = sigma;
  if (params.includes("seed")) hyper.seed = seed;
  let opt = optimizer(name, hyper);
  if (sigma && !params.includes("sigma")) opt = chain(add_noise(sigma, seed), opt);
  return opt;
}

// labtools._checks.fmt and labtools.widgets.inputs.point
export const fmt = (v, digits = 3) => fmtG(v, digits);
export const point = (x, digits = 3) =>
  (x.length === 1 ? fmt(x[0], digits) : `(${x.map((v) => fmt(v, digits)).join(", ")})`);

// A message line (role=status, read out by screen readers when it changes).
// Its paint stays inside its box (contain: paint), so a new message of another length
// does not make the browser re-layerize the page: in chapter 5, Layerize 1.3 -> 0.2 ms
// for the message changed alone (issue 13). A long word wraps rather than overflow
// the box, where it would be clipped.
//
// The line keeps the tallest height it has had. A message a line shorter than the
// one before would move everything below the widget up, and the next longer one
// down again: in a drag, each such move lays out and repaints the page below. In
// JupyterLab that is the whole notebook below the widget: the saddle chain, whose
// message takes two lines at d = 6 and one at d = 5, spent 15-22 ms in those
// frames against 6-8 ms for the others.
export function statusLine() {
  const div = document.createElement("div");
  div.setAttribute("role", "status");
  div.style.cssText = "padding:2px 4px; font-size:14px; contain:paint; overflow-wrap:anywhere;";
  if (typeof ResizeObserver !== "undefined") {
    let tallest = 0;
    new ResizeObserver(([entry]) => {
      const h = entry.contentRect.height;  // the content box, as min-height sets it
      if (h > tallest) { tallest = h; div.style.minHeight = `${h}px`; }
    }).observe(div);
  }
  return div;
}

// A view's frame in el: its figures (a layer's box, or a figureRow), then its status
// line. Returns the status line.
export function mountFront(el, ...figures) {
  const root = document.createElement("div");
  root.className = "labtools-front";
  const status = statusLine();
  root.append(...figures, status);
  el.append(root);
  return status;
}

// A visible reason next to what needs a kernel.
export function kernelNote(text) {
  const p = document.createElement("p");
  p.className = "labtools-note";
  p.style.cssText = "font-size:90%; color:#444; margin:2px 0";
  p.textContent = text;
  return p;
}
