"""The optimizer race in the browser (labtools/widgets/js/race.js) held to the
Python widget: for every deterministic optimizer the race offers, the runs the
front end draws agree with ``OptimizerRace.result`` (``labtools.run``) to 1e-10
over 200 steps, on five landscapes. The noisy racers (noisy_gd, perturbed_gd)
share the seeded generator of optim.js, whose escape-step statistics
test_optim_parity compares with Python's; here they must run and stop as
Python's rule says (status, message) without a page error.
"""

from __future__ import annotations

import numpy as np
import pytest
from paritylib import decode
from test_optim_parity import PROBLEMS as OPTIM_PROBLEMS
from test_optim_parity import compare

import labtools as lt
from labtools.landscapes import landscape_js
from labtools.widgets.inputs import optimizer_params

pytestmark = pytest.mark.browser

STEPS = 200
PROBLEMS = [(name, x0) for name, x0 in OPTIM_PROBLEMS if len(x0) == 2]  # a race is 2-D
NOISY = {"noisy_gd", "perturbed_gd"}
DETERMINISTIC = [n for n in lt.optim.OPTIMIZERS if n not in NOISY]
# a race has at most four racers
RACES = [DETERMINISTIC[i:i + 4] for i in range(0, len(DETERMINISTIC), 4)]
LR = {"gd": 0.002, "momentum": 0.002, "nesterov": 0.002, "adagrad": 0.3, "rmsprop": 0.01,
      "adam": 0.05, "damped_newton": 0.3, "saddle_free_newton": 0.2, "noisy_gd": 0.01,
      "perturbed_gd": 0.01}

RACE_JS = """
const R = await mod("race.js");
const L = landscape(arg.src);
const out = R.raceRuns(L, arg.racers, arg.x0, arg.steps);
return Object.fromEntries(Object.entries(out).map(([k, t]) => [k,
  {xs: t.xs, values: t.values, grad_norms: t.grad_norms, lrs: t.lrs, status: t.status,
   diverged_at: t.diverged_at, steps_taken: t.steps_taken, reason: t.reason,
   message: t.message}]));
"""


def race_both(js, problem, names, x0, lr=None):
    w = lt.widgets.optimizer_race(problem, names, x0=x0, steps=STEPS,
                                  lr=lr or {n: LR[n] for n in names if n in LR})
    assert w.error is None, w.message
    racers = [{"name": n, "params": sorted(optimizer_params(n)),
               "lr": w.controls[f"lr {n}"].value if f"lr {n}" in w.controls else None}
              for n in names]
    out = decode(js.call(RACE_JS, {"src": landscape_js(w.landscape), "racers": racers,
                                   "x0": x0, "steps": STEPS}))
    return w.result, out


@pytest.mark.parametrize("problem,x0", PROBLEMS, ids=[p for p, _ in PROBLEMS])
@pytest.mark.parametrize("names", RACES, ids=["-".join(r) for r in RACES])
def test_the_race_runs_every_deterministic_racer_as_python(js, names, problem, x0):
    py, out = race_both(js, problem, names, x0)
    assert list(out) == names
    for name in names:
        compare(py[name], out[name], f"{name} in the race on {problem}")
        assert out[name]["message"] == py[name].message
    assert not js.errors


def test_the_noisy_racers_run_and_stop_by_the_same_rule(js):
    names = ["noisy_gd", "perturbed_gd", "gd"]
    # from the saddle's stable manifold, where gd converges to the saddle
    py, out = race_both(js, "escapable_saddle", names, [0.3, 0.0], lr=0.1)
    for name in names:
        assert out[name]["status"] in {"converged", "max_steps", "diverged"}
        assert len(out[name]["xs"]) == out[name]["steps_taken"] + 1
    # gd sits on the saddle; the noisy ones leave it, in both languages
    assert np.allclose(out["gd"]["xs"][-1], [0.0, 0.0], atol=1e-7)
    assert out["gd"]["status"] == py["gd"].status == "converged"
    for name in NOISY:
        assert np.linalg.norm(out[name]["xs"][-1]) > 0.5 < np.linalg.norm(py[name].xs[-1])
    assert not js.errors
