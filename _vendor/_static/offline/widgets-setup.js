/* Static widgets, offline. Loaded on pages that carry widget state, between
 * RequireJS and the widget bundle (nb_ipywidgets_js in _config.yml). The course's
 * own code, not vendored: scripts/vendor_js.sh leaves this folder alone.
 */
(function () {
  "use strict";
  var here = document.currentScript && document.currentScript.src;
  if (!here) { return; }
  // .../_static/offline/widgets-setup.js -> .../_static/vendor (and its jupyter-widgets/)
  var vendor = here.replace(/offline\/[^\/?#]*([?#].*)?$/, "vendor");
  var bundle = vendor + "/jupyter-widgets";

  // 1. The bundle's modules find their assets (Font Awesome fonts for the Play
  //    widget and icon buttons) next to their own AMD module URL. Without paths,
  //    RequireJS puts those URLs beside the page (chapters/@jupyter-widgets/...),
  //    which do not exist: point them at the bundle's folder instead.
  //    The course's live widgets are anywidgets: their model module "anywidget"
  //    is not in the bundle, and the manager would fetch it from a CDN unless
  //    RequireJS already knows where it lives, so name the vendored copy.
  if (window.requirejs && window.requirejs.config) {
    window.requirejs.config({
      paths: {
        "@jupyter-widgets": bundle,
        "@jupyter-widgets/html-manager/dist": bundle,
        "anywidget": vendor + "/anywidget/index"
      }
    });
  }

  // 2. ipywidgets typesets widget descriptions with the MathJax 2 call
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); Sphinx 7 loads
  //    MathJax 3, where that throws. Bridge that one call to MathJax 3. MathJax
  //    is loaded with `defer`, so it exists by DOMContentLoaded; widgets render
  //    after it (offline/widgets-start.js, in a later task).
  function bridge() {
    var mj = window.MathJax;
    if (!mj || mj.Hub || !mj.version || String(mj.version).charAt(0) !== "3") { return; }
    mj.Hub = {
      Queue: function (command) {
        var element = command && command[2];
        if (!element || !mj.typesetPromise) { return; }
        // Labels are written with $...$, which Sphinx's MathJax does not scan for.
        var text = element.textContent || "";
        if (element.children.length === 0 && /\$[^$]+\$/.test(text)) {
          element.textContent = text
            .replace(/\$\$([^$]+)\$\$/g, "\\[$1\\]")
            .replace(/\$([^$]+)\$/g, "\\($1\\)");
        }
        var ready = (mj.startup && mj.startup.promise) || Promise.resolve();
        ready.then(function () { return mj.typesetPromise([element]); })
             .catch(function (err) { console.warn("MathJax could not typeset a widget label", err); });
      }
    };
  }
  document.addEventListener("DOMContentLoaded", bridge);
  window.addEventListener("load", bridge);
})();
