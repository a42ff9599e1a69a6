// The course's optimizers in the browser: one port of labtools.optim and labtools.run.
//
// Python is the source of truth. Every piece here mirrors its counterpart in
// labtools/optim.py: the same name, the same state fields, the same rule and the
// same citation; `run` stops exactly as labtools.run does, with the same messages.
// tests/parity runs both on the same landscapes, starts and settings in headless
// Chromium, so a port that drifts fails the tests.
//
// One point at a time (the widgets move one or a few points): a point is an
// array [x] or [x, y]; a landscape ("oracle") is the object that
// labtools.landscapes.landscape_js prints: {f(p), grad(p), hess(p)}.
// An optimizer is {init(x, seed), update(g, state, x, oracle) -> [step, state]}
// with x_new = x + step, as labtools.optim.Optimizer.

const EPS = Number.EPSILON; // np.finfo(float).eps

// ----------------------------------------------------------------- small helpers

const norm = (u) => Math.sqrt(u.reduce((s, v) => s + v * v, 0));
const zeros = (x) => x.map(() => 0);

// Python's format(value, ".{digits}g") (labtools._checks.fmt and the messages).
export function fmtG(value, digits = 3) {
  if (Number.isNaN(value)) return "nan";
  if (!Number.isFinite(value)) return value > 0 ? "inf" : "-inf";
  if (value === 0) return Object.is(value, -0) ? "-0" : "0";
  const [mant, expText] = value.toExponential(digits - 1).split("e");
  const exp = Number(expText);
  const strip = (s) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp >= -4 && exp < digits) return strip(value.toFixed(digits - 1 - exp));
  const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : `${Math.abs(exp)}`;
  return `${strip(mant)}e${exp < 0 ? "-" : "+"}${e}`;
}

// A seeded generator for the noisy methods (noisy_gd, perturbed_gd). NumPy's
// PCG64 stream is not reproduced: the parity tests compare statistics of the
// noisy methods (escape steps), not their paths. sfc32 (Doty-Humphrey's small
// fast counter) seeded through splitmix32; normals by Marsaglia's polar method.
export function makeRng(seed) {
  const parts = seed === null || seed === undefined
    ? [Math.floor(Math.random() * 2 ** 32)]
    : [].concat(seed);
  let h = 0x9e3779b9;
  const mix = () => {
    h = (h + 0x9e3779b9) | 0;
    let z = h;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  for (const p of parts) h = (h ^ Math.imul(p >>> 0, 0x27d4eb2d) ^ Math.floor(p / 2 ** 32)) | 0;
  let a = mix(), b = mix(), c = mix(), d = mix();
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  let spare = null;
  return {
    uniform: next,
    standard_normal() {
      if (spare !== null) { const s = spare; spare = null; return s; }
      let u, v, q;
      do { u = 2 * next() - 1; v = 2 * next() - 1; q = u * u + v * v; } while (q >= 1 || q === 0);
      const k = Math.sqrt(-2 * Math.log(q) / q);
      spare = v * k;
      return u * k;
    },
  };
}

// Symmetric eigendecomposition of a 1x1 or 2x2 Hessian, eigenvalues ascending,
// eigenvectors as the columns of V (V[i][j]: component i of vector j). The
// eigenvalues follow LAPACK's dlaev2, which numpy.linalg.eigh uses for a 2x2
// block; the signs of the vectors follow what numpy returns (the first vector's
// second component negative; a diagonal matrix keeps the coordinate axes).
// A non-finite H gives NaN eigenvalues, as labtools.optim._eigh.
export function eigh(H) {
  if (!H.flat().every(Number.isFinite)) {
    return [H.map(() => NaN), H.map((row, i) => row.map((_, j) => (i === j ? 1 : 0)))];
  }
  if (H.length === 1) return [[H[0][0]], [[1]]];
  const a = H[0][0], b = H[1][0], c = H[1][1];
  if (b === 0) return a <= c ? [[a, c], [[1, 0], [0, 1]]] : [[c, a], [[0, 1], [1, 0]]];
  const sm = a + c, df = a - c, adf = Math.abs(df), tb = b + b, ab = Math.abs(tb);
  const [acmx, acmn] = Math.abs(a) > Math.abs(c) ? [a, c] : [c, a];
  let rt;
  if (adf > ab) rt = adf * Math.sqrt(1 + (ab / adf) ** 2);
  else if (adf < ab) rt = ab * Math.sqrt(1 + (adf / ab) ** 2);
  else rt = ab * Math.SQRT2;
  let rt1, rt2, sgn1;
  if (sm < 0) { rt1 = 0.5 * (sm - rt); sgn1 = -1; rt2 = (acmx / rt1) * acmn - (b / rt1) * b; }
  else if (sm > 0) { rt1 = 0.5 * (sm + rt); sgn1 = 1; rt2 = (acmx / rt1) * acmn - (b / rt1) * b; }
  else { rt1 = 0.5 * rt; rt2 = -0.5 * rt; sgn1 = 1; }
  let cs, sgn2;
  if (df >= 0) { cs = df + rt; sgn2 = 1; } else { cs = df - rt; sgn2 = -1; }
  let cs1, sn1;
  if (Math.abs(cs) > ab) { const ct = -tb / cs; sn1 = 1 / Math.sqrt(1 + ct * ct); cs1 = ct * sn1; }
  else { const tn = -cs / tb; cs1 = 1 / Math.sqrt(1 + tn * tn); sn1 = tn * cs1; }
  if (sgn1 === sgn2) { const tn = cs1; cs1 = -sn1; sn1 = tn; }
  // (cs1, sn1) belongs to rt1, the eigenvalue of larger magnitude.
  let lam, v;
  if (rt1 < rt2) { lam = [rt1, rt2]; v = [cs1, sn1]; } else { lam = [rt2, rt1]; v = [-sn1, cs1]; }
  if (v[1] > 0) v = [-v[0], -v[1]];
  return [lam, [[v[0], v[1]], [v[1], -v[0]]]];
}

const toEig = (V, u) => u.map((_, i) => u.reduce((s, uj, j) => s + V[j][i] * uj, 0));
const fromEig = (V, c) => c.map((_, i) => c.reduce((s, cj, j) => s + V[i][j] * cj, 0));

function lrValue(lr, count) {
  if (typeof lr !== "function") return lr;
  const value = lr(count);
  if (!(Number.isFinite(value) && value >= 0)) {
    throw new Error(`lr schedule must return a finite number >= 0, got ${value} at step ${count}`);
  }
  return value;
}

// ------------------------------------------------------------------------ pieces

// chain: a seed given to init seeds piece i with [seed, i] (as labtools.optim.chain).
export function chain(...pieces) {
  return {
    init(x, seed = null) {
      const states = pieces.map((p, i) =>
        p.init(x, seed === null ? null : Array.isArray(seed) ? [...seed, i] : [seed, i]));
      return { type: "ChainState", states };
    },
    update(g, state, x, oracle) {
      let u = g;
      const states = pieces.map((p, i) => {
        const [out, s] = p.update(u, state.states[i], x, oracle);
        u = out;
        return s;
      });
      return [u, { type: "ChainState", states }];
    },
  };
}

export function scale_by_lr(lr) {
  return {
    init: () => ({ type: "ScaleByLrState", count: 0, lr: NaN }),
    update(u, state) {
      const value = lrValue(lr, state.count);
      return [u.map((v) => -value * v), { type: "ScaleByLrState", count: state.count + 1, lr: value }];
    },
  };
}

export function trace(beta, nesterov = false) {
  return {
    init: (x) => ({ type: "TraceState", velocity: zeros(x) }),
    update(u, state) {
      const v = u.map((ui, i) => beta * state.velocity[i] + ui);
      const out = nesterov ? u.map((ui, i) => ui + beta * v[i]) : v;
      return [out, { type: "TraceState", velocity: v }];
    },
  };
}

// duchi2011adaptive: the diagonal update, delta added outside the square root.
export function scale_by_adagrad(eps = 1e-8) {
  return {
    init: (x) => ({ type: "AdagradState", sum_sq: zeros(x) }),
    update(u, state) {
      const G = u.map((ui, i) => state.sum_sq[i] + ui * ui);
      return [u.map((ui, i) => ui / (eps + Math.sqrt(G[i]))), { type: "AdagradState", sum_sq: G }];
    },
  };
}

// tieleman2012rmsprop (Lecture 6.5).
export function scale_by_rms(decay = 0.9, eps = 1e-8) {
  return {
    init: (x) => ({ type: "RmsState", mean_sq: zeros(x) }),
    update(u, state) {
      const r = u.map((ui, i) => decay * state.mean_sq[i] + (1.0 - decay) * ui * ui);
      return [u.map((ui, i) => ui / (Math.sqrt(r[i]) + eps)), { type: "RmsState", mean_sq: r }];
    },
  };
}

// kingma2015adam (Algorithm 1).
export function scale_by_adam(b1 = 0.9, b2 = 0.999, eps = 1e-8) {
  return {
    init: (x) => ({ type: "AdamState", count: 0, mu: zeros(x), nu: zeros(x) }),
    update(u, state) {
      const t = state.count + 1;
      const mu = u.map((ui, i) => b1 * state.mu[i] + (1.0 - b1) * ui);
      const nu = u.map((ui, i) => b2 * state.nu[i] + (1.0 - b2) * ui * ui);
      const out = u.map((_, i) => {
        const mHat = mu[i] / (1.0 - b1 ** t);
        const vHat = nu[i] / (1.0 - b2 ** t);
        return mHat / (Math.sqrt(vHat) + eps);
      });
      return [out, { type: "AdamState", count: t, mu, nu }];
    },
  };
}

// pascanu2013difficulty (gradient norm clipping).
export function clip_by_norm(max_norm) {
  return {
    init: () => ({ type: "EmptyState" }),
    update(u, state) {
      const n = norm(u);
      const factor = n > max_norm ? max_norm / n : 1.0;
      return [u.map((v) => v * factor), state];
    },
  };
}

export function add_noise(sigma, seed = 0) {
  const defaultSeed = seed;
  return {
    init: (x, s = null) => ({ type: "NoiseState", rng: makeRng(s !== null ? s : defaultSeed) }),
    // The generator object advances in place; the Python state copies it.
    update: (u, state) => [u.map((v) => v + sigma * state.rng.standard_normal()), state],
  };
}

export function scale_by_newton(rcond = null) {
  return {
    init: () => ({ type: "NewtonState", singular: false }),
    update(u, state, x, oracle) {
      const [lam, V] = eigh(oracle.hess(x));
      const cut = rcond !== null ? rcond : lam.length * EPS;
      const scale = Math.max(...lam.map(Math.abs));
      const small = lam.map((l) => Math.abs(l) <= cut * scale);
      const c = toEig(V, u).map((ci, i) => (small[i] ? 0.0 : 1.0 / lam[i]) * ci);
      return [fromEig(V, c), { type: "NewtonState", singular: small.some(Boolean) }];
    },
  };
}

// dauphin2014identifying (the saddle-free Newton step -|H|^{-1} g).
export function scale_by_saddle_free_newton(eps = 1e-6) {
  return {
    init: () => ({ type: "EmptyState" }),
    update(u, state, x, oracle) {
      const [lam, V] = eigh(oracle.hess(x));
      const c = toEig(V, u).map((ci, i) => (1.0 / Math.max(Math.abs(lam[i]), eps)) * ci);
      return [fromEig(V, c), state];
    },
  };
}

// ------------------------------------------------------------ named optimizers

export const gd = (lr = 0.01) => chain(scale_by_lr(lr));
// polyak1964some (the heavy ball).
export const momentum = (lr = 0.01, beta = 0.9) => chain(trace(beta), scale_by_lr(lr));
// nesterov1983method, in the look-ahead form of Sutskever et al. 2013.
export const nesterov = (lr = 0.01, beta = 0.9) => chain(trace(beta, true), scale_by_lr(lr));
export const adagrad = (lr = 0.1, eps = 1e-8) => chain(scale_by_adagrad(eps), scale_by_lr(lr));
export const rmsprop = (lr = 0.01, decay = 0.9, eps = 1e-8) =>
  chain(scale_by_rms(decay, eps), scale_by_lr(lr));
export const adam = (lr = 0.001, b1 = 0.9, b2 = 0.999, eps = 1e-8) =>
  chain(scale_by_adam(b1, b2, eps), scale_by_lr(lr));
// ge2015escaping (noisy gradient descent escapes strict saddles).
export const noisy_gd = (lr = 0.01, sigma = 0.1, seed = 0) =>
  chain(add_noise(sigma, seed), scale_by_lr(lr));

// jin2017escape (Algorithm 1), with the optional stopping rule (f_thresh).
export function perturbed_gd(lr = 0.01, radius = 0.01, g_thresh = 1e-3, t_thresh = 10,
                             seed = 0, f_thresh = null) {
  const lrPiece = scale_by_lr(lr);
  const defaultSeed = seed;
  return {
    init: (x, s = null) => ({
      type: "PerturbedGDState", count: 0, t_noise: -t_thresh - 1,
      rng: makeRng(s !== null ? s : defaultSeed), perturbed: false,
      lr_state: lrPiece.init(x), x_tilde: zeros(x), f_tilde: 0, done: false,
    }),
    update(g, state, x, oracle) {
      const t = state.count;
      let { t_noise, x_tilde, f_tilde, done } = state;
      const fire = norm(g) <= g_thresh && t - t_noise > t_thresh && !done;
      let xi = zeros(x);
      if (fire) {
        // uniform in the ball: uniform direction, radius r * U**(1/d)
        const direction = x.map(() => state.rng.standard_normal());
        const n = norm(direction);
        const rad = radius * state.rng.uniform() ** (1.0 / x.length);
        xi = direction.map((v) => (v / n) * rad);
        t_noise = t;
        x_tilde = x;
        f_tilde = oracle.f(x);
        g = oracle.grad(x.map((v, i) => v + xi[i]));
      }
      let back = false;
      if (f_thresh !== null && t - t_noise === t_thresh && !done) {
        back = oracle.f(x) - f_tilde > -f_thresh;
        done = done || back;
      }
      const [step, lr_state] = lrPiece.update(g, state.lr_state, x, oracle);
      const out = back ? x_tilde.map((v, i) => v - x[i]) : step.map((v, i) => xi[i] + v);
      return [out, { ...state, count: t + 1, t_noise, perturbed: fire, lr_state, x_tilde, f_tilde, done }];
    },
  };
}

// nocedal2006numerical (Ch. 3, the Newton direction).
export const newton = (rcond = null) => chain(scale_by_newton(rcond), scale_by_lr(1.0));
// boyd2004convex (Sec. 9.5, damped Newton).
export const damped_newton = (lr = 0.5, rcond = null) => chain(scale_by_newton(rcond), scale_by_lr(lr));
// dauphin2014identifying (the saddle-free Newton method).
export const saddle_free_newton = (lr = 1.0, eps = 1e-6) =>
  chain(scale_by_saddle_free_newton(eps), scale_by_lr(lr));

// Bisection for |s(l)| = target(l) on [lo, hi], s_i(l) = -ghat_i / (lam_i + l).
function secularSolve(lam, ghat, lo, hi, target, iters = 200) {
  for (let k = 0; k < iters; k++) {
    const mid = 0.5 * (lo + hi);
    const phi = norm(ghat.map((gi, i) => gi / (lam[i] + mid))) - target(mid);
    if (!(phi <= 0)) lo = mid; else hi = mid; // NaN counts as "too small a lambda"
    if (hi - lo <= 4 * EPS * Math.max(hi, 1e-300)) break;
  }
  return hi;
}

// The step -(Lambda + l I)^{-1} ghat with |s| = target(l), hard case included
// (nesterov2006cubic; nocedal2006numerical Sec. 4.3). Returns [s, l, hard].
function regularizedStep(lam, ghat, target, lo, hi, allowInterior) {
  const scale = Math.max(Math.max(...lam.map(Math.abs)), 1.0);
  const gnorm = norm(ghat);
  const flat = lam.map((l) => l + lo <= 1e-12 * scale);
  const tiny = ghat.map((gi) => Math.abs(gi) <= 1e-14 * Math.max(gnorm, 1e-300));
  const degenerate = flat.every((f, i) => !f || tiny[i]) && flat.some(Boolean);
  const sLo = ghat.map((gi, i) => (flat[i] ? 0.0 : -gi / (lam[i] + lo)));
  const nLo = norm(sLo);
  const tLo = target(lo);
  let hard = degenerate && nLo <= tLo;
  if (allowInterior !== null) hard = hard && !allowInterior;
  let lamStar = secularSolve(lam, ghat, lo, hi, target);
  if (hard) lamStar = lo;
  let s = ghat.map((gi, i) => -gi / (lam[i] + lamStar));
  if (hard) {
    // fill the missing length along the lowest eigenvector, downhill
    const tau = lo > 0 ? Math.sqrt(Math.max(tLo ** 2 - nLo ** 2, 0.0)) : 0.0;
    const e0 = ghat.map((gi, i) => (i === 0 ? (ghat[0] > 0 ? -1.0 : 1.0) : 0.0));
    s = sLo.map((v, i) => v + tau * e0[i]);
  }
  return [s, lamStar, hard];
}

// nesterov2006cubic: the cubic-regularized Newton step, l = M|s|/2.
export function cubic_newton(M = 1.0) {
  return {
    init: () => ({ type: "CubicNewtonState", lam: 0, hard_case: false }),
    update(g, state, x, oracle) {
      const [lam, V] = eigh(oracle.hess(x));
      const ghat = toEig(V, g);
      const lo = Math.max(0.0, -lam[0]);
      const hi = lo + Math.sqrt(M * norm(ghat) / 2.0) + 1e-300;
      const [s, lamStar, hard] = regularizedStep(lam, ghat, (l) => 2.0 * l / M, lo, hi, null);
      return [fromEig(V, s), { type: "CubicNewtonState", lam: lamStar, hard_case: hard }];
    },
  };
}

// nocedal2006numerical (Algorithm 4.1; Theorem 4.1 and Sec. 4.3).
export function trust_region(radius0 = 1.0, max_radius = 10.0, eta = 0.1) {
  return {
    init: () => ({ type: "TrustRegionState", radius: radius0, rho: NaN, accepted: false }),
    update(g, state, x, oracle) {
      const [lam, V] = eigh(oracle.hess(x));
      const ghat = toEig(V, g);
      const radius = state.radius;
      const lo = Math.max(0.0, -lam[0]);
      const hi = lo + norm(ghat) / radius + 1e-300;
      // interior Newton step when H is positive definite and it fits
      const sNewton = ghat.map((gi, i) => -gi / lam[i]);
      const interior = lam[0] > 0 && norm(sNewton) <= radius;
      let [s] = regularizedStep(lam, ghat, (l) => radius + 0.0 * l, lo, hi, interior);
      if (interior) s = sNewton;
      const p = fromEig(V, s);
      const predicted = -(ghat.reduce((acc, gi, i) => acc + gi * s[i], 0)
        + 0.5 * lam.reduce((acc, li, i) => acc + li * s[i] * s[i], 0));
      // a non-finite trial point is not evaluated: its NaN step is the divergence
      const bad = !p.every(Number.isFinite);
      const fTrial = bad ? NaN : oracle.f(x.map((v, i) => v + p[i]));
      let rho = (oracle.f(x) - fTrial) / predicted;
      const zero = !(predicted > 0);
      if (zero) rho = NaN;
      const atEdge = Math.abs(norm(p) - radius) <= 1e-8 * radius;
      let newRadius = rho < 0.25 ? 0.25 * radius
        : rho > 0.75 && atEdge ? Math.min(2 * radius, max_radius) : radius;
      // NaN rho: zero predicted decrease keeps the radius; an overflow shrinks it
      newRadius = zero ? radius : Number.isNaN(rho) ? 0.25 * radius : newRadius;
      const accepted = rho > eta && !zero;
      let step = accepted ? p : zeros(p);
      if (bad) step = p.map(() => NaN);
      return [step, { type: "TrustRegionState", radius: newRadius, rho, accepted }];
    },
  };
}

// -------------------------------------------------------------------- schedules

// labtools.optim._cosine: annealing from lr (t = 0) to lr_min (t = length),
// rounded to 15 decimals as Python's round(value, 15).
const cosine = (lr, lrMin, t, length) =>
  Number((lrMin + 0.5 * (lr - lrMin) * (1 + Math.cos(Math.PI * t / length))).toFixed(15));

export const constant = (lr) => () => lr;
export const step_decay = (lr, drop = 0.5, every = 100) => (t) => lr * drop ** Math.floor(t / every);
export const exponential_decay = (lr, rate = 0.99) => (t) => lr * rate ** t;
// loshchilov2017sgdr (cosine annealing, one cycle without restart).
export const cosine_decay = (lr, steps, lr_min = 0.0) => (t) => cosine(lr, lr_min, Math.min(t, steps), steps);

// loshchilov2017sgdr (cosine annealing with warm restarts, T_0 and T_mult).
export function warm_restarts(lr, period, mult = 1, lr_min = 0.0) {
  return (t) => {
    let length, tCur;
    if (mult === 1) { length = period; tCur = t % period; } else {
      let start = 0.0;
      length = period;
      while (t >= start + length) { start += length; length *= mult; }
      tCur = t - start;
    }
    return cosine(lr, lr_min, tCur, length);
  };
}

// smith2019super (the 1cycle policy).
export function one_cycle(lr_max, steps, div = 25.0, final_div = 1e4, pct_start = 0.45) {
  const lo = lr_max / div, end = lr_max / final_div, up = pct_start * steps;
  return (t) => {
    t = Math.min(t, steps);
    if (t <= up) return lo + (lr_max - lo) * t / up;
    if (t <= 2 * up) return lr_max - (lr_max - lo) * (t - up) / up;
    const rest = steps - 2 * up;
    return rest > 0 ? lo + (end - lo) * (t - 2 * up) / rest : end;
  };
}

export const SCHEDULES = { constant, step_decay, exponential_decay, cosine_decay, warm_restarts, one_cycle };

// ------------------------------------------------------------------ by name

// Keyword arguments in the order of each Python signature, so that
// optimizer("adam", {lr: 0.1}) is labtools.optimizer("adam", lr=0.1).
const SIGNATURES = {
  gd: [gd, ["lr"]],
  momentum: [momentum, ["lr", "beta"]],
  nesterov: [nesterov, ["lr", "beta"]],
  adagrad: [adagrad, ["lr", "eps"]],
  rmsprop: [rmsprop, ["lr", "decay", "eps"]],
  adam: [adam, ["lr", "b1", "b2", "eps"]],
  noisy_gd: [noisy_gd, ["lr", "sigma", "seed"]],
  perturbed_gd: [perturbed_gd, ["lr", "radius", "g_thresh", "t_thresh", "seed", "f_thresh"]],
  newton: [newton, ["rcond"]],
  damped_newton: [damped_newton, ["lr", "rcond"]],
  saddle_free_newton: [saddle_free_newton, ["lr", "eps"]],
  cubic_newton: [cubic_newton, ["M"]],
  trust_region: [trust_region, ["radius0", "max_radius", "eta"]],
};

export const OPTIMIZERS = Object.keys(SIGNATURES);

export function optimizer(name, hyper = {}) {
  if (!(name in SIGNATURES)) throw new Error(`name must be one of ${OPTIMIZERS.join(", ")}; got ${name}`);
  const [factory, params] = SIGNATURES[name];
  const unknown = Object.keys(hyper).filter((k) => !params.includes(k));
  if (unknown.length) throw new Error(`${name} got unknown hyperparameter ${unknown[0]}`);
  return factory(...params.map((p) => (p in hyper ? hyper[p] : undefined)));
}

// labtools.optim.current_lr: the lr of the latest step, NaN where there is none.
export function current_lr(state) {
  if (state && state.type === "ScaleByLrState") return state.lr;
  for (const part of Object.values(state || {})) {
    const parts = Array.isArray(part) ? part : [part];
    for (const p of parts) {
      if (p && typeof p === "object" && typeof p.type === "string") {
        const value = current_lr(p);
        if (!Number.isNaN(value)) return value;
      }
    }
  }
  return NaN;
}

// --------------------------------------------------------------------- the loop

function divergence(xNew, maxNorm) {
  if (!xNew.every(Number.isFinite)) return "the step produced NaN or inf";
  const n = norm(xNew);
  if (n > maxNorm) return `|x| = ${fmtG(n)} exceeded max_norm = ${fmtG(maxNorm)}`;
  return "";
}

// labtools.run.Trace.message
export function message(trace) {
  const k = trace.steps_taken;
  const last = trace.grad_norms[trace.grad_norms.length - 1];
  if (trace.status === "converged") return `converged after ${k} step${k !== 1 ? "s" : ""} (gradient norm ${fmtG(last)})`;
  if (trace.status === "diverged") return `diverged at step ${trace.diverged_at} (${trace.reason})`;
  return `stopped after ${k} steps without converging (gradient norm still ${fmtG(last)})`;
}

// labtools.run.run: the same stopping rules (converged when the gradient norm
// is below tol, diverged on NaN/inf or |x| > max_norm, else max_steps).
export function run(landscape, opt, x0, { steps = 100, tol = 1e-8, seed = null, max_norm = 1e6 } = {}) {
  let x = x0.map(Number);
  const xs = [x], values = [], grad_norms = [], lrs = [];
  let status = "max_steps", diverged_at = null, reason = "";
  const f0 = landscape.f(x);
  let g = landscape.grad(x);
  let gn = norm(g);
  values.push(f0);
  grad_norms.push(gn);
  let state = opt.init(x, seed);
  if (!(Number.isFinite(f0) && Number.isFinite(gn))) {
    status = "diverged"; diverged_at = 0; reason = "f or its gradient is not finite at x0";
  } else if (gn < tol) {
    status = "converged";
  } else {
    for (let k = 1; k <= steps; k++) {
      const [step, newState] = opt.update(g, state, x, landscape);
      const xNew = x.map((v, i) => v + step[i]);
      let problem = divergence(xNew, max_norm);
      let fNew, gNew;
      if (!problem) {
        fNew = landscape.f(xNew);
        gNew = landscape.grad(xNew);
        gn = norm(gNew);
        if (!(Number.isFinite(fNew) && Number.isFinite(gn))) problem = "f or its gradient overflowed";
      }
      if (problem) {
        const hint = Number.isNaN(current_lr(newState)) ? "" : "; try a smaller lr";
        status = "diverged"; diverged_at = k; reason = problem + hint;
        break;
      }
      state = newState; x = xNew; g = gNew;
      xs.push(x);
      values.push(fNew);
      grad_norms.push(gn);
      lrs.push(current_lr(state));
      if (gn < tol) { status = "converged"; break; }
    }
  }
  const trace = { xs, values, grad_norms, lrs, status, diverged_at, steps_taken: xs.length - 1, reason, state };
  trace.message = message(trace);
  return trace;
}

// labtools.run.saddle_escape_steps for one start: the first k with
// |x_k - saddle| > radius (0 if x0 is already outside, -1 if never within
// `steps`), running without a convergence test, as the Python does.
export function saddle_escape_steps(landscape, opt, x0, { radius = 1.0, steps = 1000, saddle = null, seed = null, max_norm = 1e6 } = {}) {
  const center = saddle || x0.map(() => 0);
  const t = run(landscape, opt, x0, { steps, tol: 0.0, seed, max_norm });
  const k = t.xs.findIndex((x) => norm(x.map((v, i) => v - center[i])) > radius);
  return k;
}
