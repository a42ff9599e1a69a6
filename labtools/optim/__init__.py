"""Pure, composable optimizers in the style of optax.

An :class:`Optimizer` is a pair of pure functions::

    state = opt.init(x)                       # x has shape (d,) or (n, d)
    step, state = opt.update(g, state, x, oracle)
    x = x + step

``g`` is the gradient at ``x`` and ``oracle`` is the landscape being
optimized; second-order methods ask it for ``oracle.hess(x)`` (and the trust
region for ``oracle.f``) through that same door, so one loop (``labtools.run``)
drives every method. States are NamedTuples; nothing is mutated in place, and
randomness comes from a ``numpy.random.Generator`` carried in the state, so a
run started from the same seed is repeated exactly.

Named optimizers are compositions of small pieces (``chain``), so an exercise
can swap one piece: ``adam(lr)`` is ``chain(scale_by_adam(...),
scale_by_lr(lr))``. Pieces transform the *update direction* (which starts as
the gradient); ``scale_by_lr`` comes last and turns the direction into a step
``-lr * direction``.

Every ``lr`` is a positive number or a schedule, a callable ``step -> lr``
such as ``cosine_decay(0.1, steps=200)``.

The package, in the order its modules build on each other:

- ``labtools.optim.base``: ``Optimizer``, ``chain``, ``scale_by_lr``,
  ``current_lr``, the states and the helpers the other modules share;
- ``labtools.optim.schedules``: learning-rate schedules;
- ``labtools.optim.first_order``: momentum, Adagrad, RMSProp, Adam,
  clipping, and the named first-order optimizers;
- ``labtools.optim.perturbed``: gradient noise and perturbed GD;
- ``labtools.optim.second_order``: Newton and its safeguarded variants;
- ``labtools.optim.sharpness_aware``: sharpness-aware minimization (Foret et
  al. 2021);
- ``labtools.optim.line_search``: Armijo backtracking, the strong Wolfe
  search, and gradient descent with either (Nocedal & Wright 2006, ch. 3);
- ``labtools.optim.quasi_newton``: L-BFGS with the Wolfe search (ch. 7);
- ``labtools.optim.negative_curvature``: Neon-style negative-curvature
  descent with Lanczos (Xu et al. 2018; Allen-Zhu & Li 2018);
- ``labtools.optim.registry``: ``optimizer(name, **hyper)`` and
  ``OPTIMIZERS`` (ported to the browser) and ``KERNEL_OPTIMIZERS`` (Python only).
"""

# The states and Schedule are not in __all__: reachable as lt.optim.<Name> (an
# exercise that writes its own piece reuses them) without crowding the front door.
from . import (
    base,
    first_order,
    line_search,
    negative_curvature,
    perturbed,
    quasi_newton,
    registry,
    schedules,
    second_order,
    sharpness_aware,
)
from .base import (
    AdagradState,
    AdamState,
    ChainState,
    CubicNewtonState,
    EmptyState,
    NewtonState,
    NoiseState,
    Optimizer,
    PerturbedGDState,
    RmsState,
    ScaleByLrState,
    TraceState,
    TrustRegionState,
    chain,
    current_lr,
    scale_by_lr,
)
from .first_order import (
    adagrad,
    adam,
    clip_by_norm,
    gd,
    momentum,
    nesterov,
    rmsprop,
    scale_by_adagrad,
    scale_by_adam,
    scale_by_rms,
    trace,
)
from .line_search import (
    LineSearchGDState,
    LineSearchResult,
    armijo_backtracking,
    line_search_gd,
    wolfe_line_search,
)
from .negative_curvature import NeonState, lanczos_min_eig, neon_gd
from .perturbed import add_noise, noisy_gd, perturbed_gd
from .quasi_newton import LBFGSState, lbfgs, two_loop_recursion
from .registry import KERNEL_OPTIMIZERS, OPTIMIZERS, optimizer
from .schedules import (
    Schedule,
    constant,
    cosine_decay,
    exponential_decay,
    one_cycle,
    step_decay,
    warm_restarts,
    warmup,
)
from .second_order import (
    cubic_newton,
    damped_newton,
    newton,
    saddle_free_newton,
    scale_by_newton,
    scale_by_saddle_free_newton,
    trust_region,
)
from .sharpness_aware import sam, scale_by_sam

# The front door: every public name of the modules above but the states,
# Schedule and LineSearchResult (reachable as lt.optim.<Name>).
_HIDDEN = {"Schedule", "LineSearchResult"}
__all__ = [name for module in (base, registry, first_order, perturbed, second_order,
                               sharpness_aware, line_search, quasi_newton,
                               negative_curvature, schedules)
           for name in module.__all__ if not name.endswith("State") and name not in _HIDDEN]
