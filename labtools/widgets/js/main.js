// The one ES module every course widget's front end runs (anywidget's `render`):
// labtools.widgets.front concatenates optim.js, plot.js, common.js, the views
// and this file into the widget's `_esm`; the widget's `view` names the view.
import { landscapeView } from "./landscape.js";
import { chordView } from "./chord.js";
import { explorer1dView } from "./explorer1d.js";
import { saddleView } from "./saddle.js";
import { networkView } from "./network.js";
import { hessianView } from "./hessian.js";
import { raceView } from "./race.js";
import { basinsView } from "./basins.js";
import { chainView } from "./chain.js";
import { minibatchView } from "./minibatch.js";
import { escapeView } from "./escape.js";
import { voiceSliders } from "./aria.js";
import { release } from "./common.js";

const VIEWS = {
  landscape: landscapeView, chord: chordView, explorer1d: explorer1dView, saddle: saddleView,
  network: networkView, chain: chainView, hessian: hessianView, race: raceView,
  basins: basinsView, minibatch: minibatchView, escape: escapeView,
};

export default {
  async render({ model, el }) {
    const view = VIEWS[model.get("view")];
    let unvoice = () => {};
    try {
      if (!view) throw new Error(`no front end called ${model.get("view")}`);
      // What a move changes (canvases, the message, alt text) stays inside the front
      // end's box: the browser lays out, styles and paints it alone, not the whole
      // page (a chapter page holds thousands of boxes). Set here, not in a site
      // stylesheet, so that it holds in JupyterLab too (issue 13, response time).
      // A layer of its own: a move repaints this layer, not the page's (interleaved
      // A/B runs of race, Hessian and chord: medians 2-4 ms lower).
      el.style.contain = "content";
      el.style.willChange = "transform";
      unvoice = voiceSliders(el);  // the widget's sliders are heard as their readouts (aria.js)
      await view({ model, el });
      el.dataset.view = model.get("view");  // which front end this is (make bench finds them by it)
    } catch (err) {
      // shown in the widget, never lost
      const box = document.createElement("div");
      box.setAttribute("role", "alert");
      box.style.cssText = "border-left:4px solid #D55E00; padding:2px 8px";
      box.textContent = `Problem: the interactive figure could not start (${err.message}).`;
      el.append(box);
      console.error(err);
    }
    // anywidget calls this when it removes the view (see common.js's listen)
    return () => { unvoice(); release(el); };
  },
};
