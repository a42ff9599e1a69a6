"""How long the network explorer's browser front end takes per move, in headless Chromium.

The explorer trains the course network again on every move (``js/mlp.js``),
in slices of about 10 ms between frames (``js/network.js``). Measured here,
offline, on a page that embeds one explorer as the book does (its widget
state and the vendored widget manager):

- **compute**: one full retrain in the page (``train`` of ``js/mlp.js``) for
  the chapter's setting and the heaviest ones the controls allow, the decision
  map (the network on the 120 x 90 grid) and the sharpness (Lanczos);
- **per move**: an arrow key on the lr slider until the figure first changes
  (the first slice, drawn in the next frame) and until the run, the map and
  the sharpness are done; and the longest main-thread task meanwhile, which
  says whether the page stayed responsive.

Nothing here is a test. Usage::

    python benchmarks/network_frontend.py [--moves 10]
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import pathlib
import shutil
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

COMPUTE_JS = """async (arg) => {
  const M = await import(arg.base + "mlp.js");
  const s = arg.spec, N = s.y.length;
  const X = Float64Array.from(s.X), y = Float64Array.from(s.y);
  const perms = M.decodePermutations(s.permutations, s.index_bytes, N, s.epochs);
  const out = {};
  for (const [label, name, lr, batch, steps] of arg.runs) {
    const net = M.network(s.sizes, "tanh");
    const t0 = performance.now();
    const r = M.train(net, M.initTheta(net, s.uniforms, 1.0), X, y, M.networkOptimizer(name, lr),
                      {steps, batchSize: batch, permutations: perms});
    const t1 = performance.now();
    const [nx, ny] = s.grid, grid = new Float64Array(2 * nx * ny);
    M.predictProba(net, r.theta, grid);
    const t2 = performance.now();
    M.sharpness(net, r.theta, X, y, {iters: 100, tol: 1e-6});
    out[label] = {train_ms: t1 - t0, map_ms: t2 - t1, sharpness_ms: performance.now() - t2};
  }
  return out;
}"""

PROBE_JS = """() => {
  window.__long = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__long.push(e.duration);
  }).observe({entryTypes: ["longtask"]});
}"""

# Armed before each key press: from the keydown (capture phase) it watches the
# loss canvas until it first changes and the front end until it is no longer busy.
ARM_JS = """() => {
  window.__result = null;
  const front = document.querySelector(".labtools-front");
  const canvas = front.querySelectorAll("canvas")[1];
  const before = canvas.toDataURL();
  document.addEventListener("keydown", () => {
    const t0 = performance.now();
    window.__long = [];
    let first = null;
    const tick = () => {
      if (first === null && canvas.toDataURL() !== before) first = performance.now() - t0;
      if (first !== null && !front.dataset.busy) {
        window.__result = {first_ms: first, done_ms: performance.now() - t0,
                           longest_task_ms: Math.max(0, ...window.__long)};
        return;
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, {capture: true, once: true});
}"""

RUNS = [
    ["gd, full batch, 300 steps (the chapter's setting)", "gd", 0.5, None, 300],
    ["sam, batches of 10, 1000 steps", "sam", 0.5, 10, 1000],
    ["adam, batches of 100, 1000 steps", "adam", 0.01, 100, 1000],
]


def page_html(widget_state, view):
    return f"""<!doctype html><html><head><meta charset="utf-8">
<script src="_static/vendor/requirejs/require.js"></script>
<script src="_static/offline/widgets-setup.js"></script>
<script src="_static/vendor/jupyter-widgets/embed-amd.js"></script>
<script type="application/vnd.jupyter.widget-state+json">{widget_state}</script>
</head><body><div><script type="application/vnd.jupyter.widget-view+json">{view}</script>
</div></body></html>"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--moves", type=int, default=10)
    args = parser.parse_args(argv)
    os.environ["LABTOOLS_BUILD"] = "1"
    from ipywidgets.embed import embed_data
    from playwright.sync_api import sync_playwright

    import labtools as lt

    w = lt.widgets.network_explorer(optimizer="gd", lr=0.5, scale=1.0, steps=300)
    data = embed_data(views=[w.widget], drop_defaults=False)
    root = pathlib.Path(tempfile.mkdtemp(prefix="network-bench-"))
    shutil.copytree(ROOT / "_vendor" / "_static", root / "_static")
    shutil.copytree(ROOT / "labtools" / "widgets" / "js", root / "js")
    (root / "index.html").write_text(page_html(json.dumps(data["manager_state"]),
                                               json.dumps(data["view_specs"][0])))

    class Quiet(SimpleHTTPRequestHandler):
        extensions_map = {**SimpleHTTPRequestHandler.extensions_map, ".js": "text/javascript"}

        def log_message(self, *a):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/*", lambda r: r.continue_()
                       if urlsplit(r.request.url).hostname in ("127.0.0.1", None)
                       else r.abort("internetdisconnected"))
            page.goto(base + "index.html")
            page.wait_for_function("() => { const f = document.querySelector('.labtools-front');"
                                   " return f && !f.dataset.busy && f.querySelector('canvas'); }",
                                   timeout=120_000)
            compute = page.evaluate(COMPUTE_JS, {"base": base + "js/", "spec": w.front.spec,
                                                 "runs": RUNS})
            page.evaluate(PROBE_JS)
            page.locator(".widget-slider [role=slider]").first.focus()
            moves = []
            for k in range(args.moves):
                page.evaluate(ARM_JS)
                page.keyboard.press("ArrowRight" if (k // 3) % 2 == 0 else "ArrowLeft")
                page.wait_for_function("() => window.__result !== null", timeout=120_000)
                moves.append(page.evaluate("() => window.__result"))
            browser.close()
    finally:
        httpd.shutdown()
        shutil.rmtree(root, ignore_errors=True)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| run | train | decision map | sharpness |\n|---|---|---|---|")
    for label, t in compute.items():
        print(f"| {label} | {t['train_ms']:.0f} ms | {t['map_ms']:.0f} ms "
              f"| {t['sharpness_ms']:.0f} ms |")
    for key, what in [("first_ms", "key to first redrawn frame"),
                      ("done_ms", "key to run, map and sharpness done"),
                      ("longest_task_ms", "longest main-thread task during a move")]:
        v = [m[key] for m in moves]
        print(f"{what}: median {np.median(v):.0f} ms, max {np.max(v):.0f} ms "
              f"({len(v)} moves of lr, gd, full batch, 300 steps)")


if __name__ == "__main__":
    main()
