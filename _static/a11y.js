/* Accessibility repairs made in the reader's browser. Jupyter Book 1 loads every
 * .js file in _static/ on every page. Each repair answers an axe-core finding
 * (tests/browser) that the theme or ipywidgets' static rendering leaves behind:
 *
 *  - widget sliders: the handle (role="slider") gets the widget's description as
 *    its accessible name (ipywidgets draws the description as an unattached label),
 *    and the readout's text as its aria-valuetext, kept in step as the slider moves:
 *    a log-scale slider's handle moves over the exponent, so without this a screen
 *    reader says "-2" for a learning rate of 0.01;
 *  - icon-only widget buttons (Play: play / pause / stop / repeat) get a name;
 *  - the theme's search button and colour-mode button, and the "Show code cell
 *    source" toggles of hidden cells (sphinx-togglebutton names them "Toggle
 *    hidden content"), get a name that contains the text they show (WCAG 2.5.3,
 *    "label in name");
 *  - the bibliography's citation list loses role="list" (docutils gives it one,
 *    but its children are citations and anchors, not list items);
 *  - before the theme's script runs, an empty colour mode (a first visit: nothing
 *    in localStorage, no default_mode set) becomes "auto", the theme's own
 *    fallback, instead of a console error on every first page view.
 */
(function () {
  "use strict";

  // Runs in <head>, before pydata-sphinx-theme's deferred script reads it.
  var mode = document.documentElement.dataset.mode;
  if (mode !== "light" && mode !== "dark" && mode !== "auto") {
    document.documentElement.dataset.mode = "auto";
  }

  var ICON_NAMES = {
    "fa-play": "Play", "fa-pause": "Pause", "fa-stop": "Stop", "fa-retweet": "Repeat",
    "fa-repeat": "Repeat", "fa-sync": "Repeat", "fa-step-forward": "Step forward",
    "fa-step-backward": "Step back", "fa-plus": "Add", "fa-minus": "Remove",
    "fa-check": "Check", "fa-times": "Close", "fa-refresh": "Refresh", "fa-redo": "Redo"
  };

  function text(el) {
    return (el && el.textContent || "").replace(/\s+/g, " ").trim();
  }

  function readout(handle) {
    var widget = handle.closest(".widget-slider, .jupyter-widgets");
    var box = widget && widget.querySelector(".widget-readout");
    return box ? (box.value || box.textContent || "").trim() : "";
  }

  // The value a reader hears is the one the readout shows (noUiSlider writes its own
  // aria-valuetext, the exponent of a log slider, on every move: this undoes it).
  function valueSliders(root) {
    root.querySelectorAll("[role=slider]").forEach(function (handle) {
      var shown = readout(handle);
      if (shown && handle.getAttribute("aria-valuetext") !== shown) {
        handle.setAttribute("aria-valuetext", shown);
      }
    });
  }

  function nameWidgets(root) {
    root.querySelectorAll("[role=slider]:not([aria-label]):not([aria-labelledby])").forEach(function (handle) {
      var widget = handle.closest(".widget-slider, .jupyter-widgets, .widget-inline-hbox, .widget-inline-vbox");
      var label = widget && widget.querySelector("label.widget-label");
      var name = text(label) || "value";
      handle.setAttribute("aria-label", name);
    });
    root.querySelectorAll(".jupyter-widgets button:not([aria-label]), button.jupyter-button:not([aria-label])").forEach(function (button) {
      if (text(button)) { return; }
      var icon = button.querySelector("i, .fa, .fas, .far");
      var name = button.getAttribute("title") || "";
      if (!name && icon) {
        icon.classList.forEach(function (cls) { if (!name && ICON_NAMES[cls]) { name = ICON_NAMES[cls]; } });
      }
      button.setAttribute("aria-label", name || "Button");
    });
  }

  function nameTheme() {
    document.querySelectorAll(".search-button__button[aria-label]").forEach(function (button) {
      var shown = text(button);  // "Search this book... Ctrl + K"
      if (shown && button.getAttribute("aria-label") !== shown) {
        button.setAttribute("aria-label", shown);
      }
    });
    document.querySelectorAll("details > summary[aria-label]").forEach(function (summary) {
      var shown = text(summary);
      if (shown && shown.toLowerCase().indexOf(summary.getAttribute("aria-label").toLowerCase()) === -1) {
        summary.removeAttribute("aria-label");  // its text names it
      }
    });
    document.querySelectorAll(".citation-list[role=list]").forEach(function (list) {
      list.removeAttribute("role");
    });
    // The colour-mode button is named "Color mode"; its icons are decorative but
    // carry <title>s ("Light", "Dark", ...) that count as its text.
    document.querySelectorAll(".theme-switch-button .theme-switch").forEach(function (icon) {
      icon.setAttribute("aria-hidden", "true");
      icon.removeAttribute("aria-labelledby");
      icon.querySelectorAll("title").forEach(function (title) { title.remove(); });
    });
  }

  var pending = false;
  function repairSoon() {
    if (pending) { return; }
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      nameWidgets(document);
      valueSliders(document);
      nameTheme();
    });
  }

  // A course widget's front end (labtools/widgets/js) redraws its own box on every
  // move (message, table, alt text) and never adds a slider, button or icon there;
  // a slider's readout only changes its text. Such changes need no repair of the
  // page, and skipping them keeps a move from rescanning the whole page (issue 13,
  // response time). True if some change is outside the elements of `selector`.
  function outside(records, selector) {
    return records.some(function (r) {
      var node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      return !(node && node.closest(selector));
    });
  }

  function start() {
    repairSoon();
    // Widgets render after `load`, the theme redraws its icons: repair what appears.
    new MutationObserver(function (records) {
      if (outside(records, ".labtools-front, .widget-readout")) { repairSoon(); }
    }).observe(document.body, { childList: true, subtree: true });
    // A moved slider: its readout's text and the handle's aria-valuetext change;
    // put the readout back at once, in the same task, not a frame later, in the
    // widgets that changed only (a page holds dozens of sliders: rescanning them
    // all on every move cost a move about 1 ms, issue 13).
    new MutationObserver(function (records) {
      var boxes = [];
      records.forEach(function (r) {
        var node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        if (!node || node.closest(".labtools-front")) { return; }
        var box = node.closest(".widget-slider, .jupyter-widgets") || document;
        if (boxes.indexOf(box) === -1) { boxes.push(box); }
      });
      boxes.forEach(valueSliders);
    }).observe(document.body, {
      subtree: true, childList: true, characterData: true,
      attributes: true, attributeFilter: ["aria-valuetext"]
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
