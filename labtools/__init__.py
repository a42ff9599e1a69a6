"""labtools: the shared toolkit of the course *Optimization in non-convex landscapes*.

The public names of every module are re-exported here, so notebooks write::

    import labtools as lt
    f = lt.landscape("himmelblau")
    trace = lt.run(f, lt.adam(lr=0.05), x0=[0.0, 0.0], steps=200)

Data flows one way: ``landscapes`` -> ``optim`` -> ``run`` -> ``plots`` ->
``widgets``; ``curvature`` and ``nn`` sit beside ``run``; ``grading`` (quiz,
grader, gradebook, assign) serves the exercises. See ``CONTRIBUTING.md`` for the contract.
"""

from . import curvature, grading, landscapes, nn, optim, plots
from . import run as _run_module
from .curvature import *  # noqa: F401,F403
from .grading import *  # noqa: F401,F403
from .landscapes import *  # noqa: F401,F403
from .nn import *  # noqa: F401,F403
from .optim import *  # noqa: F401,F403
from .plots import *  # noqa: F401,F403
from .run import *  # noqa: F401,F403

__version__ = "0.1.0"

__all__ = [
    *landscapes.__all__,
    *optim.__all__,
    *_run_module.__all__,
    *curvature.__all__,
    *nn.__all__,
    *plots.__all__,
    *grading.__all__,
]


def __getattr__(name):
    # widgets import ipywidgets; load them on first use so that the grader and
    # plain scripts do not pay for (or depend on) a widget front end.
    if name == "widgets":
        import importlib

        return importlib.import_module(".widgets", __name__)
    raise AttributeError(f"module 'labtools' has no attribute {name!r}")
