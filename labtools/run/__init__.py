"""One loop for every optimizer: ``run`` returns a :class:`Trace`.

``run`` drives any :class:`~labtools.optim.Optimizer` on a landscape from one
start point and records the points, values, gradient norms and learning rates;
it stops when the gradient is small (``"converged"``), when the iterate
overflows, turns NaN or leaves the ball ``|x| <= max_norm`` (``"diverged"``,
with no floating-point warning reaching the notebook), or when the steps run
out (``"max_steps"``).

``run_batch`` runs the same optimizer from many starts at once, one vectorized
update per step; ``basin_map``, ``random_restarts`` and
``saddle_escape_steps`` are the course's experiments built on it.
"""

from .experiments import (
    BasinMap,
    RestartResult,
    basin_map,
    predicted_escape_steps,
    random_restarts,
    saddle_escape_steps,
)

# MAX_STEPS, MAX_PATH_VALUES, STATUSES, Step, descend, divergence_reason and
# try_step are shared with loops built on run (nn.train, nn.bezier_curve_fit) and
# with the widgets; lt does not re-export them.
from .loop import (
    MAX_PATH_VALUES,
    MAX_STEPS,
    STATUSES,
    BatchTrace,
    Step,
    Trace,
    descend,
    divergence_reason,
    run,
    run_batch,
    try_step,
)
from .sgd import SGDTrace, run_sgd, sgd_escape_steps

__all__ = [
    "Trace",
    "BatchTrace",
    "BasinMap",
    "RestartResult",
    "run",
    "run_batch",
    "basin_map",
    "random_restarts",
    "saddle_escape_steps",
    "predicted_escape_steps",
    "SGDTrace",
    "run_sgd",
    "sgd_escape_steps",
]
