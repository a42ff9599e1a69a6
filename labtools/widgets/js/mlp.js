// The course network in the browser: a port of labtools.nn (mlp.py, training.py).
//
// Python is the source of truth. The network, its parameter layout, its
// activations, its loss and its gradient mirror labtools.nn.MLP; `trainer`
// steps as labtools.nn.train does (the loop of labtools.run.descend, the
// stepping rule of labtools.run.try_step), with the optimizers of optim.js.
// Python sends what needs its random generator: the uniform draws behind
// MLP.init (so `initTheta` gives the same bits for any scale) and the
// mini-batch order (the permutations train draws, one per epoch).
// tests/parity/test_mlp_parity.py holds this file to labtools.nn in Chromium.
//
// Layout (labtools.nn.MLP): theta stacks W_1 (row-major, n_0 x n_1), b_1, W_2,
// b_2, ...; layer l computes z_l = a_{l-1} W_l + b_l and a_l = sigma(z_l), the
// last layer has one unit and no activation. Points are rows of a flat
// Float64Array X (n x sizes[0]).
import { chain, scale_by_lr, trace, scale_by_adam, current_lr, fmtG } from "./optim.js";

const mlpNorm = (u) => { let s = 0; for (const v of u) s += v * v; return Math.sqrt(s); };

// labtools.nn.activations: (sigma, d sigma, d2 sigma); the derivatives take
// (z, a) with a = sigma(z) already computed.
const MLP_ACTIVATIONS = {
  tanh: [Math.tanh, (z, a) => 1.0 - a * a, (z, a) => -2.0 * a * (1.0 - a * a)],
  // 0.5 (1 + tanh(z/2)) is the logistic function without overflow
  sigmoid: [(z) => 0.5 * (1.0 + Math.tanh(0.5 * z)), (z, a) => a * (1.0 - a),
    (z, a) => a * (1.0 - a) * (1.0 - 2.0 * a)],
  linear: [(z) => z, () => 1.0, () => 0.0],
};
const mlpSigmoid = MLP_ACTIVATIONS.sigmoid[0];

// numpy's logaddexp(0, z): log(1 + exp(z)) without overflow
function logAddExp0(z) {
  if (z === 0) return Math.LN2;
  return z < 0 ? Math.log1p(Math.exp(z)) : z + Math.log1p(Math.exp(-z));
}

// numpy's pairwise summation (what np.mean of the per-point losses adds with)
function pairwiseSum(a, lo, n) {
  if (n < 8) { let s = 0; for (let i = lo; i < lo + n; i++) s += a[i]; return s; }
  if (n <= 128) {
    const r = Array.from({ length: 8 }, (_, j) => a[lo + j]);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) s += a[lo + i];
    return s;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, lo, n2) + pairwiseSum(a, lo + n2, n - n2);
}
const npMean = (a) => (a[0] + pairwiseSum(a, 1, a.length - 1)) / a.length;

// labtools.nn.MLP(sizes, activation, loss): the offsets of each layer in theta.
export function network(sizes, activation = "tanh", loss = "bce") {
  if (!(activation in MLP_ACTIVATIONS)) {
    throw new Error(`activation must be one of ${Object.keys(MLP_ACTIVATIONS).join(", ")}, got ${activation}`);
  }
  if (loss !== "bce" && loss !== "mse") throw new Error(`loss must be bce or mse, got ${loss}`);
  const layers = [];
  let offset = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    const nIn = sizes[l], nOut = sizes[l + 1];
    layers.push({ nIn, nOut, w: offset, b: offset + nIn * nOut });
    offset += nIn * nOut + nOut;
  }
  const [sigma, dsigma, d2sigma] = MLP_ACTIVATIONS[activation];
  return { sizes, activation, loss, layers, nParams: offset, sigma, dsigma, d2sigma };
}

// MLP.init(seed, scale) from the uniforms u the seed's generator draws for the
// weights: W = -a + 2a u with a = scale sqrt(6 / (n_in + n_out)) (glorot2010understanding),
// as numpy's uniform(-a, a) computes it; biases zero.
export function initTheta(net, uniforms, scale) {
  const theta = new Float64Array(net.nParams);
  let k = 0;
  for (const { nIn, nOut, w } of net.layers) {
    const bound = scale * Math.sqrt(6.0 / (nIn + nOut));
    for (let i = 0; i < nIn * nOut; i++) theta[w + i] = -bound + (2 * bound) * uniforms[k++];
  }
  return theta;
}

// Pre-activations zs and activations acts (acts[0] = X) of n points.
function mlpForwardPass(net, theta, X, n) {
  const acts = [X], zs = [], last = net.layers.length - 1, sigma = net.sigma;
  let a = X;
  for (let l = 0; l <= last; l++) {
    const { nIn, nOut, w, b } = net.layers[l];
    const z = new Float64Array(n * nOut);
    for (let r = 0; r < n; r++) {
      const row = r * nOut;
      for (let k = 0; k < nIn; k++) {
        const ak = a[r * nIn + k], wk = w + k * nOut;
        for (let j = 0; j < nOut; j++) z[row + j] += ak * theta[wk + j];
      }
      for (let j = 0; j < nOut; j++) z[row + j] += theta[b + j];
    }
    zs.push(z);
    if (l < last) {
      a = new Float64Array(n * nOut);
      for (let i = 0; i < a.length; i++) a[i] = sigma(z[i]);
      acts.push(a);
    }
  }
  return { zs, acts };
}

// Per-point loss and its first derivative w.r.t. the output (MLP._loss_value, MLP._loss_slopes).
function mlpLossTerms(net, out, y) {
  if (net.loss === "bce") {
    const s = mlpSigmoid(out);
    return [logAddExp0(out) - y * out, s - y, s * (1.0 - s)];
  }
  const r = out - y;
  return [r * r, 2.0 * r, 2.0];
}

// MLP.forward: the network's output (the logit for bce) at n points.
export function forward(net, theta, X, n = X.length / net.sizes[0]) {
  const { zs } = mlpForwardPass(net, theta, X, n);
  return zs[zs.length - 1];
}

// MLP.predict_proba for bce: sigmoid of the logit.
export const predictProba = (net, theta, X) => forward(net, theta, X).map(mlpSigmoid);

// MLP.loss_and_grad: the mean loss over the n points and its gradient, by
// backpropagation (delta_L = loss'/N; delta_{l-1} = (delta_l W_l^T) * sigma'(z_{l-1})).
export function lossAndGrad(net, theta, X, y) {
  const N = y.length;
  const { zs, acts } = mlpForwardPass(net, theta, X, N);
  const out = zs[zs.length - 1];
  const ell = new Float64Array(N);
  let delta = new Float64Array(N);
  const bce = net.loss === "bce";
  for (let r = 0; r < N; r++) {  // MLP._loss_value and _loss_slopes, inlined: this loop runs on every step
    const o = out[r];
    if (bce) {
      ell[r] = logAddExp0(o) - y[r] * o;
      delta[r] = (mlpSigmoid(o) - y[r]) / N;
    } else {
      ell[r] = (o - y[r]) * (o - y[r]);
      delta[r] = (2.0 * (o - y[r])) / N;
    }
  }
  const g = new Float64Array(net.nParams);
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const { nIn, nOut, w, b } = net.layers[l], a = acts[l];
    for (let r = 0; r < N; r++) {
      for (let k = 0; k < nIn; k++) {
        const ak = a[r * nIn + k], wk = w + k * nOut;
        for (let j = 0; j < nOut; j++) g[wk + j] += ak * delta[r * nOut + j];
      }
      for (let j = 0; j < nOut; j++) g[b + j] += delta[r * nOut + j];
    }
    if (l > 0) {
      const next = new Float64Array(N * nIn), z = zs[l - 1];
      for (let r = 0; r < N; r++) {
        for (let k = 0; k < nIn; k++) {
          let s = 0;
          for (let j = 0; j < nOut; j++) s += delta[r * nOut + j] * theta[w + k * nOut + j];
          const i = r * nIn + k;
          next[i] = s * net.dsigma(z[i], a[i]);
        }
      }
      delta = next;
    }
  }
  return [npMean(ell), g];
}

// MLP.hvp: the exact Hessian-vector product H v by Pearlmutter's R-operator
// (pearlmutter1994fast): the forward pass's directional derivatives R{z}, then
// the backward pass and its R-twin.
export function hvp(net, theta, v, X, y) {
  const N = y.length, L = net.layers.length;
  const { zs, acts } = mlpForwardPass(net, theta, X, N);
  const Rzs = [];
  let Ra = null;
  net.layers.forEach(({ nIn, nOut, w, b }, l) => {
    const a = acts[l], Rz = new Float64Array(N * nOut);
    for (let r = 0; r < N; r++) {
      for (let j = 0; j < nOut; j++) {
        let s = v[b + j];
        for (let k = 0; k < nIn; k++) {
          s += a[r * nIn + k] * v[w + k * nOut + j];
          if (Ra) s += Ra[r * nIn + k] * theta[w + k * nOut + j];
        }
        Rz[r * nOut + j] = s;
      }
    }
    Rzs.push(Rz);
    if (l < L - 1) Ra = Rz.map((rz, i) => net.dsigma(zs[l][i], acts[l + 1][i]) * rz);
  });
  const out = zs[L - 1], Rout = Rzs[L - 1];
  let delta = new Float64Array(N), Rdelta = new Float64Array(N);
  for (let r = 0; r < N; r++) {
    const [, d1, d2] = mlpLossTerms(net, out[r], y[r]);
    delta[r] = d1 / N;
    Rdelta[r] = (d2 / N) * Rout[r];
  }
  const Hv = new Float64Array(net.nParams);
  for (let l = L - 1; l >= 0; l--) {
    const { nIn, nOut, w, b } = net.layers[l], a = acts[l];
    const Ra_prev = l > 0 ? Rzs[l - 1].map((rz, i) => net.dsigma(zs[l - 1][i], a[i]) * rz) : null;
    for (let r = 0; r < N; r++) {
      for (let k = 0; k < nIn; k++) {
        for (let j = 0; j < nOut; j++) {
          let s = a[r * nIn + k] * Rdelta[r * nOut + j];
          if (Ra_prev) s += Ra_prev[r * nIn + k] * delta[r * nOut + j];
          Hv[w + k * nOut + j] += s;
        }
      }
      for (let j = 0; j < nOut; j++) Hv[b + j] += Rdelta[r * nOut + j];
    }
    if (l > 0) {
      const next = new Float64Array(N * nIn), Rnext = new Float64Array(N * nIn), z = zs[l - 1];
      for (let r = 0; r < N; r++) {
        for (let k = 0; k < nIn; k++) {
          let pre = 0, Rpre = 0;
          for (let j = 0; j < nOut; j++) {
            const W = theta[w + k * nOut + j], V = v[w + k * nOut + j];
            pre += delta[r * nOut + j] * W;
            Rpre += Rdelta[r * nOut + j] * W + delta[r * nOut + j] * V;
          }
          const i = r * nIn + k, ds = net.dsigma(z[i], a[i]), d2s = net.d2sigma(z[i], a[i]);
          next[i] = pre * ds;
          Rnext[i] = Rpre * ds + pre * d2s * Rzs[l - 1][i];
        }
      }
      delta = next;
      Rdelta = Rnext;
    }
  }
  return Hv;
}

// labtools.nn.sharpness: the largest eigenvalue of the Hessian, by Lanczos
// with full reorthogonalization (lanczos1950iteration) on exact products H v.
// It stops once the top Ritz value moves by less than tol max(1, |lambda|)
// between iterations (Python stops on the Ritz residual; both settle on the
// same eigenvalue well within the 3 digits the widget shows). A generator: it
// yields the current estimate after each product, so a widget can spread the
// work over frames; `sharpness` runs it to the end. The first Lanczos vector
// is a fixed one (any vector not orthogonal to the top eigenvector will do).
export function* sharpnessSteps(net, theta, X, y, { iters = 100, tol = 1e-6 } = {}) {
  const P = net.nParams, Q = [], alpha = [], beta = [];
  const dot = (u, w) => { let s = 0; for (let i = 0; i < P; i++) s += u[i] * w[i]; return s; };
  let q = Float64Array.from({ length: P }, (_, i) => 1 + 0.5 * Math.sin(i + 1));
  const qn = mlpNorm(q);
  q = q.map((v) => v / qn);
  let lam = NaN;
  for (let m = 0; m < Math.min(iters, P); m++) {
    Q.push(q);
    const w = hvp(net, theta, q, X, y);
    alpha.push(dot(q, w));
    for (let pass = 0; pass < 2; pass++) {  // Gram-Schmidt twice against every vector so far
      for (const u of Q) {
        const c = dot(u, w);
        for (let i = 0; i < P; i++) w[i] -= c * u[i];
      }
    }
    const previous = lam;
    lam = tridiagTopEigen(alpha, beta);
    yield lam;
    const b = mlpNorm(w);
    if (!Number.isFinite(lam) || Math.abs(lam - previous) <= tol * Math.max(1, Math.abs(lam))
        || !(b > 1e-14)) return;
    beta.push(b);
    q = w.map((v) => v / b);
  }
}

export function sharpness(net, theta, X, y, options = {}) {
  let lam = NaN;
  for (const value of sharpnessSteps(net, theta, X, y, options)) lam = value;
  return lam;
}

// Largest eigenvalue of the symmetric tridiagonal matrix with diagonal a and
// off-diagonal b, by Sturm-sequence bisection inside the Gershgorin bounds.
function tridiagTopEigen(a, b) {
  const m = a.length;
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < m; i++) {
    const r = (i > 0 ? Math.abs(b[i - 1]) : 0) + (i < m - 1 ? Math.abs(b[i]) : 0);
    lo = Math.min(lo, a[i] - r);
    hi = Math.max(hi, a[i] + r);
  }
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return NaN;
  const anyAbove = (x) => {  // the number of negative pivots of T - x I is the count below x
    let below = 0, d = 1;
    for (let i = 0; i < m; i++) {
      d = a[i] - x - (i > 0 ? (b[i - 1] * b[i - 1]) / d : 0);
      if (d === 0) d = -1e-300;
      if (d < 0) below++;
    }
    return below < m;
  };
  for (let it = 0; it < 200 && hi - lo > 4e-16 * Math.max(1, Math.abs(hi)); it++) {
    const mid = 0.5 * (lo + hi);
    if (anyAbove(mid)) lo = mid; else hi = mid;
  }
  return 0.5 * (lo + hi);
}

// labtools.optim.scale_by_sam (foret2021sharpness): the gradient at the SAM
// point x + rho u / |u| of the oracle (the mini-batch's loss in training).
export function scale_by_sam(rho = 0.05) {
  return {
    init: () => ({ type: "EmptyState" }),
    update(u, state, x, oracle) {
      const n = mlpNorm(u);
      const point = n > 0 ? x.map((v, i) => v + rho * u[i] / n) : Float64Array.from(x);
      return [oracle.grad(point), state];
    },
  };
}

// labtools.optim.sam(lr, rho, beta)
export const sam = (lr, rho = 0.05, beta = 0.0) =>
  chain(...[scale_by_sam(rho), ...(beta > 0 ? [trace(beta)] : []), scale_by_lr(lr)]);

// The optimizers the network explorer offers (labtools.widgets.network._optimizer).
export function networkOptimizer(name, lr) {
  if (name === "gd") return chain(scale_by_lr(lr));
  if (name === "momentum") return chain(trace(0.9), scale_by_lr(lr));            // polyak1964some
  if (name === "adam") return chain(scale_by_adam(0.9, 0.999, 1e-8), scale_by_lr(lr));  // kingma2015adam
  if (name === "sam") return sam(lr, 0.05);
  throw new Error(`optimizer must be one of gd, momentum, adam, sam; got ${name}`);
}

// The rows idx of X (width d) and of y.
function takeRows(X, y, d, idx) {
  const Xb = new Float64Array(idx.length * d), yb = new Float64Array(idx.length);
  idx.forEach((r, i) => {
    for (let k = 0; k < d; k++) Xb[i * d + k] = X[r * d + k];
    yb[i] = y[r];
  });
  return [Xb, yb];
}

// labtools.nn.TrainResult.message
export function trainMessage(t) {
  if (t.status === "diverged") return `diverged at step ${t.diverged_at} (${t.reason})`;
  const last = fmtG(t.losses[t.losses.length - 1], 4);
  if (t.status === "converged") return `converged after ${t.steps_taken} steps (loss ${last})`;
  return `ran ${t.steps_taken} steps (loss ${last})`;
}

// labtools.nn.train as a resumable loop: `advance(k)` takes up to k more steps
// and returns true once the run has ended (so a widget can train in slices
// between frames); `result()` is what TrainResult records. Mini-batches run
// through `permutations` (one array of N indices per epoch, as Python's
// generator drew them); incomplete last batches are dropped, as in Python.
export function trainer(net, theta0, X, y, opt, {
  steps = 500, batchSize = null, permutations = null, tol = 0, maxNorm = 1e6,
} = {}) {
  const N = y.length, d = net.sizes[0];
  const full = { grad: (th) => lossAndGrad(net, th, X, y)[1] };
  let theta = Float64Array.from(theta0), state = opt.init(theta, null);
  const losses = [], batch_losses = [], grad_norms = [], lrs = [];
  let status = "max_steps", diverged_at = null, reason = "", k = 0, done = false;
  let order = null, pos = N, epoch = 0;

  let [f, g] = lossAndGrad(net, theta, X, y);
  let gn = mlpNorm(g);
  losses.push(f);
  grad_norms.push(gn);
  if (!(Number.isFinite(f) && Number.isFinite(gn))) {
    status = "diverged"; diverged_at = 0; reason = "f or its gradient is not finite at theta0"; done = true;
  } else if (gn < tol) {
    status = "converged"; done = true;
  }

  // the gradient step k descends and the oracle the optimizer is handed
  function stepGradient() {
    if (batchSize === null) { batch_losses.push(f); return [g, full]; }
    if (pos + batchSize > N) {
      if (!permutations || epoch >= permutations.length) {
        throw new Error(`the batch order Python sent covers ${epoch} epochs; step ${k} needs more`);
      }
      order = permutations[epoch++]; pos = 0;
    }
    const [Xb, yb] = takeRows(X, y, d, order.subarray(pos, pos + batchSize));
    pos += batchSize;
    const [value, gb] = lossAndGrad(net, theta, Xb, yb);
    batch_losses.push(value);
    return [gb, { grad: (th) => lossAndGrad(net, th, Xb, yb)[1] }];
  }

  function advance(most = Infinity) {
    for (let i = 0; i < most && !done; i++) {
      if (k >= steps) { done = true; break; }
      k += 1;
      const [gStep, oracle] = stepGradient();
      // labtools.run.try_step: accept a finite point within max_norm whose loss
      // and gradient are finite
      const [step, newState] = opt.update(gStep, state, theta, oracle);
      const xNew = theta.map((v, j) => v + step[j]);
      let problem = "";
      if (!xNew.every(Number.isFinite)) problem = "the step produced NaN or inf";
      else if (mlpNorm(xNew) > maxNorm) {
        problem = `|theta| = ${fmtG(mlpNorm(xNew))} exceeded max_norm = ${fmtG(maxNorm)}`;
      }
      let fNew, gNew;
      if (!problem) {
        [fNew, gNew] = lossAndGrad(net, xNew, X, y);
        gn = mlpNorm(gNew);
        if (!(Number.isFinite(fNew) && Number.isFinite(gn))) problem = "f or its gradient is NaN or inf there";
      }
      if (problem) {
        const hint = Number.isNaN(current_lr(newState)) ? "" : "; try a smaller lr";
        status = "diverged"; diverged_at = k; reason = problem + hint; done = true;
        k -= 1;
        break;
      }
      state = newState; theta = xNew; f = fNew; g = gNew;
      losses.push(f);
      grad_norms.push(gn);
      lrs.push(current_lr(state));
      if (gn < tol) { status = "converged"; done = true; }
    }
    if (k >= steps) done = true;
    return done;
  }

  function result() {
    const t = {
      theta, losses, batch_losses: batch_losses.slice(0, k), grad_norms, lrs, status,
      diverged_at, steps_taken: k, reason, done,
    };
    t.message = trainMessage(t);
    return t;
  }
  return { advance, result, get step() { return k; } };
}

// The mini-batch order Python sent (labtools.widgets.network): base64 of the
// indices, `indexBytes` bytes each, one permutation of 0..N-1 per epoch.
export function decodePermutations(b64, indexBytes, N, epochs) {
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  const indices = indexBytes === 1 ? bytes : new Uint16Array(bytes.buffer);
  if (indices.length !== N * epochs) {
    throw new Error(`the batch order holds ${indices.length} indices, expected ${N} x ${epochs}`);
  }
  return Array.from({ length: epochs }, (_, e) => indices.subarray(e * N, (e + 1) * N));
}

// labtools.nn.train in one go.
export function train(net, theta0, X, y, opt, settings = {}) {
  const t = trainer(net, theta0, X, y, opt, settings);
  t.advance();
  return t.result();
}
