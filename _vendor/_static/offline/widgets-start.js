/* Static widgets, offline: start the widget manager as soon as the page is parsed.
 * Loaded (deferred) after the widget bundle (nb_ipywidgets_js in _config.yml).
 *
 * The html-manager's own start-up (dist/embed-amd-render.js, the bundle's last
 * statement) renders the widgets on the window's `load` event, which waits for
 * every image, font and deferred resource of the page; here seconds on a long
 * chapter. scripts/vendor_js.sh cuts that statement from the vendored bundle and
 * this file renders them once the document is parsed (DOMContentLoaded), which is
 * all renderWidgets needs: it reads the widget state and the view <script>s from
 * the DOM. Each view replaces its static image only when it is drawn, so a reader
 * without JavaScript keeps the image.
 */
(function () {
  "use strict";
  if (!window.require) { return; }
  window.require(["@jupyter-widgets/html-manager/dist/libembed-amd"], function (embed) {
    function render() { embed.renderWidgets(); }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", render);
    } else {
      render();
    }
  });
})();
