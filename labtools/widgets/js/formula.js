// A learner's own function typed into the expression box, in a page without a
// kernel. The grammar and its bounds are those of labtools.landscapes.formulas
// (Python's tokenizer, ALLOWED_FUNCTIONS, MAX_EXPRESSION_*, SymPy's implicit
// multiplication and application): the text is checked token by token here, then
// parsed into a fully parenthesised formula that math.js (vendored, pinned in
// scripts/vendor_js.sh) differentiates symbolically for the gradient and the
// Hessian. The background contours of a new landscape are traced by d3-contour.
// Both libraries are loaded from the site's own _static/vendor/formula/ only
// when a learner first types a function, so no other page pays for them.

import { fmtG } from "./optim.js";
import { niceTicks } from "./plot.js";

export const MAX_EXPRESSION_CHARS = 1000;
export const MAX_EXPRESSION_DEPTH = 30;
export const MAX_POWER_NESTING = 12;
export const MAX_SIGNS_IN_A_ROW = 10;

// ALLOWED_FUNCTIONS: the learner's name -> math.js's
const FUNCTIONS = {
  sin: "sin", cos: "cos", tan: "tan", asin: "asin", acos: "acos", atan: "atan",
  arcsin: "asin", arccos: "acos", arctan: "atan", sinh: "sinh", cosh: "cosh", tanh: "tanh",
  exp: "exp", log: "log", ln: "log", sqrt: "sqrt", abs: "abs", Abs: "abs", sign: "sign",
};
const CONSTANTS = { pi: "pi", E: "e", e: "e" };
const OPERATORS = new Set(["+", "-", "*", "/", "**", "^", "(", ")"]);
// Python's operator tokens, longest first (all but OPERATORS are refused by name)
const PY_OPS = ["**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=",
  "==", "!=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", "+", "-", "*", "/", "%", "@",
  "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "="];

const fail = (text, reason) =>
  new Error(`could not understand the expression ${pyRepr(text)}: ${reason}`);

// Python's repr of a string (the messages quote the learner's text as Python does)
export function pyRepr(s) {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += "\\" + q;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  return q + out + q;
}

// Python's tokenize, as far as a one-line formula needs it.
const NUMBER = /^(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:\d(?:_?\d)*)?(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|\d(?:_?\d)*)[jJ]?/;
const NAME = /^[A-Za-z_\u00C0-\uFFFF][A-Za-z0-9_\u00C0-\uFFFF]*/;

function tokenize(text) {
  const tokens = [];
  let i = 0, depth = 0;
  while (i < text.length) {
    const rest = text.slice(i);
    const ws = /^[ \t\f]+/.exec(rest);
    if (ws) { i += ws[0].length; continue; }
    if (rest[0] === "\n" || rest[0] === "\r") {
      if (depth === 0 && rest.slice(1).trim()) throw fail(text, "unbalanced parentheses or an unfinished line");
      i += 1; continue;
    }
    let m = NUMBER.exec(rest);
    if (m) { tokens.push({ type: "NUMBER", s: m[0] }); i += m[0].length; continue; }
    m = NAME.exec(rest);
    if (m) { tokens.push({ type: "NAME", s: m[0] }); i += m[0].length; continue; }
    if (rest[0] === "'" || rest[0] === '"') {
      const end = rest.indexOf(rest[0], 1);
      if (end < 0) throw fail(text, "unbalanced parentheses or an unfinished line");
      tokens.push({ type: "OTHER", s: rest.slice(0, end + 1) }); i += end + 1; continue;
    }
    const op = PY_OPS.find((o) => rest.startsWith(o));
    if (op) {
      if ("([{".includes(op)) depth += 1;
      if (")]}".includes(op)) depth -= 1;
      tokens.push({ type: "OP", s: op }); i += op.length; continue;
    }
    tokens.push({ type: "OTHER", s: rest[0] }); i += 1;
  }
  if (depth > 0) throw fail(text, "unbalanced parentheses or an unfinished line");
  return tokens;
}

// labtools.landscapes.formulas._parse_expression's checks, in the same order.
function checkTokens(text, tokens) {
  let depth = 0, signs = 0, previous = null;
  const chains = [0];
  const allowed = (s) => s === "x" || s === "y" || s in FUNCTIONS || s in CONSTANTS;
  for (const { type, s } of tokens) {
    signs = s === "+" || s === "-" ? signs + 1 : 0;
    if (s === "(") chains.push(0);
    else if (s === ")" && chains.length > 1) chains.pop();
    else if (s === "**" || s === "^") chains[chains.length - 1] += 1;
    else if (["+", "-", "*", "/"].includes(s) && !(previous !== ")" && OPERATORS.has(previous))) {
      chains[chains.length - 1] = 0;
    }
    previous = s;
    if (chains.length - 1 > MAX_EXPRESSION_DEPTH || chains.reduce((a, b) => a + b, 0) > MAX_POWER_NESTING
        || signs > MAX_SIGNS_IN_A_ROW) {
      throw new Error(`name_or_expression is nested too deeply to parse safely: at most `
        + `${MAX_EXPRESSION_DEPTH} levels of parentheses, ${MAX_POWER_NESTING} powers inside powers `
        + `and ${MAX_SIGNS_IN_A_ROW} signs in a row, in ${pyRepr(text.slice(0, 40))}...`);
    }
    if (type === "NAME") {
      if (!allowed(s) && /^[xy]+$/.test(s)) {
        throw new Error(`unknown name ${pyRepr(s)} in expression ${pyRepr(text)}: use x and y; `
          + `for a product write ${s.split("").join("*")}`);
      }
      if (!allowed(s)) {
        const funcs = Object.keys({ ...FUNCTIONS, ...CONSTANTS }).filter((k) => k === k.toLowerCase()).sort().join(", ");
        throw new Error(`unknown name ${pyRepr(s)} in expression ${pyRepr(text)}: use x and y `
          + `(x alone for 1-D), numbers, + - * / ** ^ and the names ${funcs}`);
      }
    } else if (type === "NUMBER") {
      if (/[jJ]$/.test(s)) throw fail(text, `complex number ${pyRepr(s)}; landscapes are real-valued`);
    } else if (type === "OP") {
      if (!OPERATORS.has(s)) {
        throw fail(text, `the symbol ${pyRepr(s)} is not allowed; use numbers, x, y, `
          + "+ - * / ** ^ ( ) and function calls like sin(x)");
      }
      depth += s === "(" ? 1 : s === ")" ? -1 : 0;
      if (depth < 0) throw fail(text, "a ')' has no matching '('");
    } else {
      throw fail(text, `${pyRepr(s)} is not allowed; use numbers, x, y, + - * / ** ^ `
        + "( ) and function calls like sin(x)");
    }
  }
  // _check_number_sizes: a run of numbers joined by powers, estimated in floating point
  const sig = tokens.map((t) => t.s);
  const isNum = (s) => /^[\d.]/.test(s);
  for (let i = 0; i < sig.length;) {
    if (!isNum(sig[i])) { i += 1; continue; }
    const run = [sig[i]];
    let j = i + 1;
    while (j + 1 < sig.length && (sig[j] === "**" || sig[j] === "^") && isNum(sig[j + 1])) {
      run.push(sig[j + 1]); j += 2;
    }
    let value = pyFloat(run[run.length - 1]);
    for (const base of run.slice(0, -1).reverse()) value = pyFloat(base) ** value;
    if (!(value < 1e300)) throw fail(text, `the number ${run.join("^")} is too large to compute with`);
    i = j;
  }
}

function pyFloat(s) {
  const v = Number(s.replace(/_/g, ""));
  if (/^0[xXoObB]/.test(s)) throw new Error(`could not convert string to float: ${pyRepr(s)}`);
  return v;
}

// SymPy's parse with standard_transformations + implicit_multiplication_application
// + convert_xor, for the tokens that passed: returns math.js text, every operation
// in parentheses, so math.js reads exactly the formula SymPy reads.
function parse(text, tokens) {
  let i = 0;
  const peek = () => tokens[i];
  const incomplete = () => fail(text, "it is incomplete or has an operator in the wrong place; "
    + "check for a missing number, variable or parenthesis");
  const startsAtom = (t) => t && (t.type === "NUMBER" || t.type === "NAME" || t.s === "(");
  const take = (s) => { if (peek() && peek().s === s) { i += 1; return true; } return false; };

  function number(s) {
    const v = pyFloat(s);
    const integral = /^[\d_]+$/.test(s);
    return integral ? String(BigInt(s.replace(/_/g, ""))) : `(${v.toPrecision(17)})`;
  }

  // an atom: a number, x, y, a constant, (expr), f(expr) or f <implicit argument>
  function atom() {
    const t = peek();
    if (!t) throw incomplete();
    if (t.type === "NUMBER") { i += 1; return number(t.s); }
    if (t.s === "(") {
      i += 1;
      if (peek() && peek().s === ")") throw incomplete();
      const inner = expr();
      if (!take(")")) throw incomplete();
      return `(${inner})`;
    }
    if (t.type === "NAME") {
      i += 1;
      if (t.s in FUNCTIONS) {
        const fn = FUNCTIONS[t.s];
        if (take("(")) {
          if (peek() && peek().s === ")") {
            throw fail(text, `TypeError: ${t.s === "Abs" || t.s === "abs" ? "Abs" : fn} takes exactly 1 argument (0 given)`);
          }
          const inner = expr();
          if (!take(")")) throw incomplete();
          return `${fn}(${inner})`;
        }
        // implicit application: sin 2x -> sin(2*x), stopped by any operator
        if (!startsAtom(peek())) {
          if (!peek()) throw fail(text, "it is not a formula with a number value");
          throw fail(text, "TypeError: a function name needs its argument in parentheses here, as sin(x)");
        }
        const parts = [atom()];
        while (startsAtom(peek())) parts.push(atom());
        if (peek() && (peek().s === "**" || peek().s === "^")) throw incomplete();
        return `${fn}(${parts.join(" * ")})`;
      }
      return t.s in CONSTANTS ? CONSTANTS[t.s] : t.s;
    }
    throw incomplete();
  }
  // power: atom (** factor)?, right-associative, exponent may carry a sign
  function power() {
    const base = atom();
    if (peek() && (peek().s === "**" || peek().s === "^")) {
      i += 1;
      return `(${base} ^ ${factor()})`;
    }
    return base;
  }
  function factor() {
    const t = peek();
    if (t && (t.s === "+" || t.s === "-")) { i += 1; return `(${t.s}${factor()})`; }
    return power();
  }
  function term() {
    let left = factor();
    for (;;) {
      const t = peek();
      if (t && (t.s === "*" || t.s === "/")) { i += 1; left = `(${left} ${t.s} ${factor()})`; }
      else if (startsAtom(t)) left = `(${left} * ${factor()})`;  // implicit multiplication
      else return left;
    }
  }
  function expr() {
    let left = term();
    while (peek() && (peek().s === "+" || peek().s === "-")) {
      const op = peek().s; i += 1;
      left = `(${left} ${op} ${term()})`;
    }
    return left;
  }
  if (tokens.length === 1 && tokens[0].s in FUNCTIONS) {
    throw fail(text, "it is not a formula with a number value");
  }
  const out = expr();
  if (i < tokens.length) throw incomplete();
  return out;
}

// The formula as math.js text, or an Error with the words Python would use.
export function checkFormula(text) {
  if (typeof text !== "string" || !text.trim()) {
    throw fail(text || "", "it is empty; write a formula in x and y such as 'x**2 + y**2'");
  }
  if (text.length > MAX_EXPRESSION_CHARS) {
    throw new Error(`name_or_expression must be at most ${MAX_EXPRESSION_CHARS} characters long, `
      + `got ${text.length} (${pyRepr(text.slice(0, 40))}...)`);
  }
  const tokens = tokenize(text);
  checkTokens(text, tokens);
  return parse(text, tokens);
}

// ---------------------------------------------------------------- the libraries

let libraries = null;

// Where the site keeps its vendored JavaScript: beside the widget manager's bundle.
export function vendorBase() {
  const s = document.querySelector('script[src*="vendor/jupyter-widgets/"]');
  return s ? new URL("../", s.src).href : null;
}

// A UMD file run as CommonJS (so RequireJS on the page sees no anonymous define)
async function loadUMD(url, deps = {}) {
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`could not load ${url} (HTTP ${resp.status})`);
  const module = { exports: {} };
  new Function("module", "exports", "require", "define", await resp.text())(
    module, module.exports, (name) => deps[name], undefined);
  return module.exports;
}

// math.js (real arithmetic only: sqrt(-1) is NaN, as in NumPy) and d3-contour, once.
export function loadLibraries(base = vendorBase()) {
  if (!libraries) {
    if (!base) return Promise.reject(new Error("the page does not say where its JavaScript libraries are"));
    libraries = (async () => {
      const mathjs = await loadUMD(`${base}formula/math.js`);
      const d3array = await loadUMD(`${base}formula/d3-array.min.js`);
      const d3contour = await loadUMD(`${base}formula/d3-contour.min.js`, { "d3-array": d3array });
      const math = mathjs.create(mathjs.all, { predictable: true, number: "number" });
      return { math, contours: d3contour.contours };
    })();
    libraries.catch(() => { libraries = null; });
  }
  return libraries;
}

// ---------------------------------------------------------------- the landscape

// Constant parts that SymPy would evaluate to infinity, 0/0 or i are refused as it does.
function checkFinite(math, node, text) {
  let bad = false;
  node.traverse((n) => {
    if (bad || n.type === "SymbolNode" || n.type === "ConstantNode") return;
    const names = n.filter((m) => m.type === "SymbolNode" && (m.name === "x" || m.name === "y"));
    if (names.length) return;
    const fn = n.fn && (n.fn.name || n.fn);
    const op = n.op;
    let v;
    try { v = n.compile().evaluate({}); } catch (err) { return; }
    const real = typeof v === "number";
    if (real && !Number.isFinite(v) && !Number.isNaN(v)) bad = true;  // zoo, oo
    const notReal = !real || Number.isNaN(v);  // a math.js Complex, or NaN
    if (notReal && (op === "/" || ["log", "sqrt"].includes(fn))) bad = true;
    if (notReal && op === "^" && n.args[1].compile().evaluate({}) === 0.5) bad = true;
  });
  // x/0: SymPy makes it zoo*x
  node.traverse((n) => {
    if (bad || n.type !== "OperatorNode" || n.op !== "/") return;
    const den = n.args[1];
    if (den.filter((m) => m.type === "SymbolNode" && (m.name === "x" || m.name === "y")).length) return;
    try { if (den.compile().evaluate({}) === 0) bad = true; } catch (err) { /* not a number */ }
  });
  if (bad) throw fail(text, "it is not real and finite (it contains i, infinity or 0/0)");
}

// A landscape {name, dim, f, grad, hess, window} from the learner's text.
// `dim` is what the widget needs (1 or 2; null: inferred); the window is the formula default.
export function formulaLandscape(math, text, dim, window, catalog = []) {
  const name = text.trim();
  // labtools.landscapes.landscape: a bare name that is not x, y or a function is
  // taken for a catalog name
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !["x", "y"].includes(name) && !(name in FUNCTIONS)
      && !(name in CONSTANTS)) {
    throw new Error(`unknown landscape ${pyRepr(name)}: use one of `
      + `${catalog.map(pyRepr).join(", ")}, or a formula in x and y such as 'x**2 + y**2'`);
  }
  const node = math.parse(checkFormula(text));
  checkFinite(math, node, text);
  const used = new Set();
  let simple = node;
  try { simple = math.simplify(node); } catch (err) { simple = node; }
  simple.traverse((n) => { if (n.type === "SymbolNode" && (n.name === "x" || n.name === "y")) used.add(n.name); });
  const got = used.has("y") ? 2 : 1;
  if (dim === null) dim = got;  // as landscape(): inferred from the variables used
  if (got !== dim) {
    const want = dim === 1 ? "x alone" : "x and y";
    throw new Error(`this widget needs a function of ${want}; ${pyRepr(name)} is ${got}-D`);
  }
  const vars = dim === 1 ? ["x"] : ["x", "y"];
  const compile = (n) => n.compile();
  const fc = compile(node);
  const d1 = vars.map((v) => math.derivative(node, v, { simplify: false }));
  const d2 = d1.map((g) => vars.map((v) => math.derivative(g, v, { simplify: false })));
  const gc = d1.map(compile), hc = d2.map((row) => row.map(compile));
  // (y - y + x is 1-D for SymPy, which cancels y; here y stays in the tree, as 0)
  const scope = (p) => (dim === 1 ? { x: p[0], y: 0 } : { x: p[0], y: p[1] });
  const num = (v) => (typeof v === "number" ? v : NaN);
  return {
    name, dim, window,
    f: (p) => num(fc.evaluate(scope(p))),
    grad: (p) => { const s = scope(p); return gc.map((c) => num(c.evaluate(s))); },
    hess: (p) => { const s = scope(p); return hc.map((row) => row.map((c) => num(c.evaluate(s)))); },
    derivatives: { grad: d1.map(String), hess: d2.map((row) => row.map(String)) },
  };
}

// ---------------------------------------------------------------- the background

// labtools.plots.contour_plot for a new landscape: 30 levels at quantiles of the
// values, one colour of the colormap per band (BoundaryNorm over 256 colours).
export function contourLevels(values, levels = 30) {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!finite.length) throw new Error("the landscape has no finite values in its window");
  const q = (p) => {  // NumPy's linear quantile
    const h = (finite.length - 1) * p, lo = Math.floor(h);
    return lo + 1 < finite.length ? finite[lo] + (h - lo) * (finite[lo + 1] - finite[lo]) : finite[lo];
  };
  const lv = [...new Set(Array.from({ length: levels }, (_, i) => q(i / (levels - 1))))];
  return lv.length < 2 ? [finite[0] - 0.5, finite[0] + 0.5] : lv;
}

// The values of L on an n x n grid of its window, row by row from the bottom (y up).
export function gridValues(L, n) {
  const [[x0, x1], [y0, y1]] = L.window;
  const values = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const y = y0 + (y1 - y0) * j / (n - 1);
    for (let i = 0; i < n; i++) values[j * n + i] = L.f([x0 + (x1 - x0) * i / (n - 1), y]);
  }
  return values;
}

// Filled contour bands of `values` (an n x n grid of L's window) drawn on ctx
// inside the axes box of `frame` (what labtools.widgets.front.background measured).
export function drawContours(ctx, contours, values, n, lv, frame, colors) {
  const [l, t, r, b] = frame.box;
  const [x0, x1] = frame.xlim, [y0, y1] = frame.ylim;
  // grid corner coordinates of d3-contour (value i sits at i + 0.5) -> pixels
  const px = (u) => l + (u - 0.5) / (n - 1) * (r - l);
  const py = (v) => b - (v - 0.5) / (n - 1) * (b - t);
  const data = Array.from(values, (v) => (Number.isFinite(v) ? v : -Infinity));
  const bands = lv.length - 1;
  const gen = contours().size([n, n]).smooth(true);
  ctx.save();
  ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
  for (let k = 0; k < bands; k++) {
    const shape = gen.contour(data, lv[k]);
    const idx = bands > 1 ? Math.trunc((colors.length - 1) / (bands - 1) * k) : (colors.length - 1) >> 1;
    ctx.fillStyle = colors[idx];
    ctx.beginPath();
    for (const polygon of shape.coordinates) {
      for (const ring of polygon) {
        ring.forEach(([u, v], m) => (m ? ctx.lineTo(px(u), py(v)) : ctx.moveTo(px(u), py(v))));
        ctx.closePath();
      }
    }
    ctx.fill("evenodd");
  }
  ctx.restore();
  return { x0, x1, y0, y1 };
}

// ---------------------------------------------------------------- a 2-D entry

const g = (v) => fmtG(v, 3);

async function imageOf(src) {
  const img = new Image();
  img.src = src;
  await img.decode();
  return img;
}

// What labtools.widgets.landscape's _front_entry gives for a catalog landscape,
// made here for the learner's `text`: the landscape, its contour map over the
// frame Python drew (axes for the formula window, no contours, no title), the
// start and the loss axes (LandscapeExplorer._scales).
export async function formulaEntry2d(lib, text, formula) {
  const { math, contours } = lib;
  const L = formulaLandscape(math, text, 2, formula.window, formula.catalog);
  const n = formula.n;
  const values = gridValues(L, n);
  const lv = contourLevels(Array.from(values));
  const frame = formula.frame;
  const canvas = document.createElement("canvas");
  canvas.width = frame.width; canvas.height = frame.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(await imageOf(frame.src), 0, 0);
  drawContours(ctx, contours, values, n, lv, frame, formula.colors);
  const [l, t, r] = frame.box;
  ctx.font = "16.7px DejaVu Sans, Verdana, sans-serif";
  ctx.fillStyle = "#000"; ctx.textAlign = "center"; ctx.textBaseline = "bottom";
  ctx.fillText(L.name, (l + r) / 2, t - 6, r - l + 60);

  let fMin = Infinity, fMax = -Infinity;
  for (const v of values) if (Number.isFinite(v)) { fMin = Math.min(fMin, v); fMax = Math.max(fMax, v); }
  const [[x0, x1], [y0, y1]] = L.window;
  let gHi = -Infinity;
  for (let j = 0; j < n; j += 5) {
    for (let i = 0; i < n; i += 5) {
      const gr = L.grad([x0 + (x1 - x0) * i / (n - 1), y0 + (y1 - y0) * j / (n - 1)]);
      const norm = Math.hypot(...gr);
      if (Number.isFinite(norm)) gHi = Math.max(gHi, norm);
    }
  }
  if (!Number.isFinite(gHi)) gHi = 1;
  const span = fMax - fMin;
  return {
    L, name: L.name, window: L.window,
    window_text: `x from ${g(x0)} to ${g(x1)} and y from ${g(y0)} to ${g(y1)}`,
    start: formula.start,
    bg: { ...frame, src: canvas.toDataURL("image/png") },
    scales: [fMin, "f(x_k) − min f on map", [1e-10, 10 ** Math.ceil(Math.log10(Math.max(span, 1e-9)))],
      [1e-8, 10 ** Math.ceil(Math.log10(Math.max(gHi, 1e-7)))]],
  };
}

// ---------------------------------------------------------------- a 1-D entry

// The 1-D explorer's graph for the learner's `text` (Explorer1D._draw_background):
// the curve over the frame Python drew (x axis for the formula window, no curve,
// no y ticks, no title), y ticks and grid from the curve's range.
export async function formulaEntry1d(lib, text, formula) {
  const L = formulaLandscape(lib.math, text, 1, formula.window, formula.catalog);
  const [[lo, hi]] = L.window;
  const xs = Array.from({ length: 600 }, (_, i) => lo + (hi - lo) * i / 599);
  const ys = xs.map((x) => L.f([x]));
  const finite = ys.filter(Number.isFinite);
  if (!finite.length) throw new Error(`${pyRepr(L.name)} has no finite value for x from ${g(lo)} to ${g(hi)}`);
  const yMin = Math.min(...finite), yMax = Math.max(...finite);
  const pad = 0.08 * (yMax - yMin + 1e-12);
  const ylim = [yMin - pad, yMax + pad];
  const frame = formula.frame;
  const canvas = document.createElement("canvas");
  canvas.width = frame.width; canvas.height = frame.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(await imageOf(frame.src), 0, 0);
  const [l, t, r, b] = frame.box;
  const X = (x) => l + (x - lo) / (hi - lo) * (r - l);
  const Y = (y) => b - (y - ylim[0]) / (ylim[1] - ylim[0]) * (b - t);
  ctx.font = "13.9px DejaVu Sans, Verdana, sans-serif";
  ctx.textAlign = "right"; ctx.textBaseline = "middle";
  for (const v of niceTicks(ylim[0], ylim[1], 6)) {
    ctx.strokeStyle = "rgba(176,176,176,0.3)"; ctx.lineWidth = 0.8;
    ctx.beginPath(); ctx.moveTo(l, Y(v)); ctx.lineTo(r, Y(v)); ctx.stroke();
    ctx.strokeStyle = "#000";
    ctx.beginPath(); ctx.moveTo(l - 3.5, Y(v)); ctx.lineTo(l, Y(v)); ctx.stroke();
    ctx.fillStyle = "#000";
    ctx.fillText(String(Number(v.toPrecision(4))), l - 6, Y(v));
  }
  ctx.save();
  ctx.beginPath(); ctx.rect(l, t, r - l, b - t); ctx.clip();
  ctx.strokeStyle = "#0072B2"; ctx.lineWidth = 2; ctx.lineJoin = "round";
  ctx.beginPath();
  let pen = false;
  xs.forEach((x, i) => {
    if (!Number.isFinite(ys[i])) { pen = false; return; }
    if (pen) ctx.lineTo(X(x), Y(ys[i])); else ctx.moveTo(X(x), Y(ys[i]));
    pen = true;
  });
  ctx.stroke();
  ctx.restore();
  ctx.font = "16.7px DejaVu Sans, Verdana, sans-serif";
  ctx.textAlign = "center"; ctx.textBaseline = "bottom";
  ctx.fillText(`${L.name}: the path on the graph`, (l + r) / 2, t - 6, r - l + 60);
  return {
    L, name: L.name, window: L.window, window_text: `x from ${g(lo)} to ${g(hi)}`,
    start: formula.start, bg: { ...frame, ylim, src: canvas.toDataURL("image/png") },
  };
}

// ---------------------------------------------------------------- in a view

// The expression box of a view without a kernel (spec.formula): the landscapes
// read from the box (`local`), the words of those refused (`failed`, shown as
// Python shows a problem), and the key of the last landscape drawn, which the
// figure keeps after a refusal. `make(lib, text, formula)` builds an entry;
// `redraw()` is called once it is ready. Returns {resolve}: resolve(spec) ->
// [key, entry] to draw, or null while nothing can be drawn (status says why).
export function pageFormulas({ c, spec, root, status, make, redraw, valueOf }) {
  const local = {}, failed = {};
  let pending = null;
  const problem = document.createElement("div");
  problem.setAttribute("role", "alert");
  problem.style.cssText = "border-left:4px solid #D55E00; padding:2px 8px; display:none";
  root.insertBefore(problem, status);
  const show = (text) => {
    problem.textContent = "";
    if (!text) { problem.style.display = "none"; return; }
    const b = document.createElement("b");
    b.textContent = "Problem:";
    problem.append(b, ` ${text}. The figure still shows the last settings that worked; `
      + "change a value to go on.");
    problem.style.display = "";
  };
  function read(text, s) {
    if (!text) {
      status.textContent = `Type a function of ${s.formula.window.length === 2 ? "x and y" : "x"} `
        + `in the box ${c.expression.get("description")} and press Enter.`;
      return;
    }
    if (pending === text) return;
    pending = text;
    status.textContent = `Reading ${text} ...`;
    loadLibraries()
      .then((lib) => make(lib, text, s.formula))
      .then((entry) => { local[text] = entry; })
      .catch((err) => { failed[text] = err.message; console.warn(err); })
      .finally(() => { pending = null; redraw(); });
  }
  return {
    key(s) {
      const choice = valueOf(c.landscape);
      if (choice !== s.custom) return choice;
      return s.formula ? String(c.expression.get("value") || "").trim() : s.current;
    },
    resolve(s, lastKey) {
      const key = this.key(s);
      const entry = s.landscapes[key] || local[key];
      if (!s.formula) return entry ? [key, entry] : [key, null];
      const custom = valueOf(c.landscape) === s.custom;
      if (c.expression.get("disabled") === custom) {
        c.expression.set("disabled", !custom);
        c.expression.save_changes();
      }
      if (!entry && key in failed && lastKey !== null) {
        show(failed[key]);
        return [lastKey, s.landscapes[lastKey] || local[lastKey]];
      }
      if (!entry && custom) { read(key, s); return null; }
      show("");
      return [key, entry];
    },
  };
}
