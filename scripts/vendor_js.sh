#!/usr/bin/env bash
# Re-fetch the JavaScript the built site serves itself, so that pages render their
# math, static widgets and quizzes with no internet (only Binder and Thebe need it).
#
#   bash scripts/vendor_js.sh          # needs node's `npm` and the npm registry
#
# The result is committed: CI and `make book` need neither npm nor the network.
# Versions are pinned here; bump one, re-run, rebuild, run `make browser`.
#
# Why _vendor/_static/vendor/ and not _static/vendor/: Jupyter Book 1 adds EVERY
# .js and .css file found under _static/ to EVERY page (jupyter_book/config.py),
# which would load all of MathJax's extensions, RequireJS and the 3.6 MB widget
# bundle everywhere, in the wrong order. _config.yml copies _vendor/ into the
# site with `html_extra_path`, so these files land in the built site's
# _static/vendor/ and pages load only what mathjax_path / nb_ipywidgets_js name.
#
#   mathjax 3 (es5)                 -> mathjax/         (Sphinx 7's default is MathJax 3 tex-mml-chtml)
#   requirejs                       -> requirejs/       (the widget manager is an AMD bundle)
#   @jupyter-widgets/html-manager 1 -> jupyter-widgets/ (embeds ipywidgets 8 state; base, controls
#                                                        and output are inside embed-amd.js)
#   anywidget                       -> anywidget/       (the AMD module that runs the course's ES-module
#                                                        front ends; same version as requirements.txt)
#   mathjs, d3-contour (+ d3-array) -> formula/         (a learner's own f(x, y) in a page without a
#                                                        kernel: parsed and differentiated by math.js,
#                                                        its contours traced by d3-contour; UMD files
#                                                        that labtools/widgets/js/formula.js fetches
#                                                        only when a learner first types a function)
#   axe-core                        -> tests/browser/vendor/ (accessibility checks, tests only)
set -euo pipefail

MATHJAX_VERSION=3.2.2
REQUIREJS_VERSION=2.3.8
HTML_MANAGER_VERSION=1.0.15   # the 1.0.x line is the one for ipywidgets 8 (@jupyter-widgets/controls 5)
# Must equal the anywidget== pin in requirements.txt: the Python side names this
# version in the widget state, and the page loads this file for it.
ANYWIDGET_VERSION=0.11.0
AXE_VERSION=4.14.1
MATHJS_VERSION=15.2.0
D3_CONTOUR_VERSION=4.0.3
D3_ARRAY_VERSION=3.2.4        # d3-contour 4.0.3 asks for d3-array ^3.2.4

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENDOR="$ROOT/_vendor/_static/vendor"
AXE_DIR="$ROOT/tests/browser/vendor"

command -v npm >/dev/null 2>&1 || { echo "vendor_js: npm is needed to re-fetch vendored JavaScript" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

unpack() {  # unpack NAME VERSION -> prints the folder holding package/
  local spec="$1@$2" dir
  dir="$WORK/$(echo "$1" | tr '/@' '__')"
  mkdir -p "$dir"
  (cd "$dir" && npm pack --silent "$spec" >/dev/null && tar xzf ./*.tgz)
  echo "$dir/package"
}

rm -rf "$VENDOR" "$AXE_DIR"
mkdir -p "$VENDOR" "$AXE_DIR"

# --- MathJax: the one combined component pages load, the TeX extensions it may
# autoload (\boldsymbol, \cancel, \color, ...), and the CHTML fonts it requests.
src="$(unpack mathjax "$MATHJAX_VERSION")"
dst="$VENDOR/mathjax"
mkdir -p "$dst/input/tex" "$dst/output/chtml/fonts"
cp "$src/es5/tex-mml-chtml.js" "$dst/"
cp -r "$src/es5/input/tex/extensions" "$dst/input/tex/"
cp -r "$src/es5/output/chtml/fonts/woff-v2" "$dst/output/chtml/fonts/"
cp "$src/LICENSE" "$dst/LICENSE"

# --- RequireJS
src="$(unpack requirejs "$REQUIREJS_VERSION")"
dst="$VENDOR/requirejs"
mkdir -p "$dst"
cp "$src/require.js" "$dst/"
cat >"$dst/LICENSE" <<'LIC'
RequireJS, Copyright jQuery Foundation and other contributors.
Released under the MIT license: https://github.com/requirejs/requirejs/blob/master/LICENSE
LIC

# --- ipywidgets HTML manager (AMD embed bundle)
src="$(unpack @jupyter-widgets/html-manager "$HTML_MANAGER_VERSION")"
dst="$VENDOR/jupyter-widgets"
mkdir -p "$dst"
cp "$src/dist/embed-amd.js" "$dst/"
# The bundle ends with its start-up (dist/embed-amd-render.js), which renders the
# widgets on the window's `load` event: after every image and font of the page.
# Cut it; _vendor/_static/offline/widgets-start.js renders them on DOMContentLoaded.
node - "$dst/embed-amd.js" <<'JS'
const fs = require("fs"), file = process.argv[2];
const start = '\n(()=>{"use strict";window.require(["@jupyter-widgets/html-manager/dist/libembed-amd"]';
const text = fs.readFileSync(file, "utf8"), at = text.lastIndexOf(start);
if (at < 0 || !/sourceMappingURL=embed-amd-render\.js\.map\s*$/.test(text.slice(at))) {
  throw new Error(`${file}: its last statement is not the html-manager's load-event start-up; ` +
                  "check how this version starts and update widgets-start.js");
}
fs.writeFileSync(file, text.slice(0, at) + "\n");
JS
# Font Awesome 5 (icons of Play and icon buttons): the CSS inside the bundle asks
# for these by hash; browsers take the first format they support, woff2.
# _vendor/_static/offline/widgets-setup.js makes them load from this folder.
grep -o '[0-9a-f]\{20\}\.woff2' "$src/dist/embed-amd.js" | sort -u | while read -r font; do
  cp "$src/dist/$font" "$dst/"
done
cp "$src/dist/embed.js.LICENSE.txt" "$dst/THIRD-PARTY-LICENSES.txt"
cat >"$dst/LICENSE" <<'LIC'
@jupyter-widgets/html-manager: Copyright (c) Jupyter Development Team.
Distributed under the terms of the Modified BSD License (BSD-3-Clause):
https://github.com/jupyter-widgets/ipywidgets/blob/main/LICENSE
Bundled third-party code is listed in THIRD-PARTY-LICENSES.txt; the bundle also
carries Font Awesome Free 5 CSS (icons: CC BY 4.0, fonts: SIL OFL 1.1, code: MIT).
LIC

# --- anywidget's front end: dist/index.js is an AMD module (define(["@jupyter-widgets/base"], ...))
# that the html-manager loads by the name "anywidget" (offline/widgets-setup.js maps that name
# here). It turns each widget's ES module, kept in the widget state as text, into a view.
src="$(unpack anywidget "$ANYWIDGET_VERSION")"
dst="$VENDOR/anywidget"
mkdir -p "$dst"
cp "$src/dist/index.js" "$src/LICENSE" "$dst/"

# --- math.js and d3-contour for the expression box (formula.js)
dst="$VENDOR/formula"
mkdir -p "$dst"
src="$(unpack mathjs "$MATHJS_VERSION")"
cp "$src/lib/browser/math.js" "$dst/math.js"
cp "$src/lib/browser/math.js.LICENSE.txt" "$dst/math.js.THIRD-PARTY-LICENSES.txt"
cp "$src/LICENSE" "$dst/LICENSE.mathjs"
src="$(unpack d3-array "$D3_ARRAY_VERSION")"
cp "$src/dist/d3-array.min.js" "$dst/"
cp "$src/LICENSE" "$dst/LICENSE.d3-array"
src="$(unpack d3-contour "$D3_CONTOUR_VERSION")"
cp "$src/dist/d3-contour.min.js" "$dst/"
cp "$src/LICENSE" "$dst/LICENSE.d3-contour"

# --- axe-core, for the browser tests only (never served by the site)
src="$(unpack axe-core "$AXE_VERSION")"
cp "$src/axe.min.js" "$src/LICENSE" "$AXE_DIR/"

cat >"$VENDOR/VERSIONS.txt" <<TXT
Fetched by scripts/vendor_js.sh with npm pack; do not edit by hand.
mathjax@$MATHJAX_VERSION
requirejs@$REQUIREJS_VERSION
@jupyter-widgets/html-manager@$HTML_MANAGER_VERSION
anywidget@$ANYWIDGET_VERSION
mathjs@$MATHJS_VERSION
d3-array@$D3_ARRAY_VERSION
d3-contour@$D3_CONTOUR_VERSION
TXT
echo "axe-core@$AXE_VERSION (fetched by scripts/vendor_js.sh)" >"$AXE_DIR/VERSION.txt"

du -sh "$VENDOR" "$AXE_DIR"
