// A slider is heard as the value its readout shows.
//
// ipywidgets draws a log-scale slider (FloatLogSlider) with noUiSlider over the
// exponent, and noUiSlider writes that exponent into the handle's aria-valuetext
// on every move, so a screen reader says "-2" for a learning rate of 0.01. The
// front end runs wherever its widget is shown (JupyterLab and the static page), so
// it keeps the handles of its own widget's sliders voiced as their readouts. The
// site's _static/a11y.js does the same for every slider of a page; both write the
// readout's text, so neither undoes the other.

const WAIT_FRAMES = 600;  // a view that never enters the page: stop looking (about 10 s)

// The text the slider's readout shows ("0.01"), or "" when it has none.
function readoutText(handle) {
  const slider = handle.closest(".widget-slider");
  const readout = slider && slider.querySelector(".widget-readout");
  return readout ? (readout.value || readout.textContent || "").trim() : "";
}

function voice(root) {
  for (const handle of root.querySelectorAll("[role=slider]")) {
    const shown = readoutText(handle);
    if (shown && handle.getAttribute("aria-valuetext") !== shown) {
      handle.setAttribute("aria-valuetext", shown);
    }
  }
}

// The outermost ipywidgets box around `el`: the course widget, with its controls.
function widgetBox(el) {
  let box = null;
  for (let node = el.parentElement; node; node = node.parentElement) {
    if (node.classList.contains("widget-box")) box = node;
  }
  return box;
}

// Keep the sliders next to the front end drawn in `el` voiced as their readouts,
// until the function returned is called (the view is removed).
export function voiceSliders(el) {
  let frames = 0, observer = null, stopped = false;
  const start = () => {
    if (stopped) return;
    const box = el.isConnected ? widgetBox(el) : null;
    if (!box) {
      if (++frames < WAIT_FRAMES) requestAnimationFrame(start);
      return;
    }
    voice(box);
    // a move changes the readout's text and noUiSlider's aria-valuetext; the
    // observer runs before the next task, so the exponent is never what is read
    // the front end's own changes (its message, table, alt text) are no slider's:
    // they are skipped, so a redraw costs no look at the sliders
    const slider = (r) => !(r.target.closest ? r.target : r.target.parentElement)?.closest(".labtools-front");
    observer = new MutationObserver((records) => { if (records.some(slider)) voice(box); });
    observer.observe(box, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ["aria-valuetext"],
    });
  };
  start();
  return () => { stopped = true; if (observer) observer.disconnect(); };
}
