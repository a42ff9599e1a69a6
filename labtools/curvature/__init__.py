"""Curvature: critical points, Hessian spectra and random-matrix experiments.

Two kinds of tools live here. For the 1-D and 2-D landscapes of the course,
:func:`critical_points` finds every point in the window where the gradient
vanishes and :func:`classify` names it from the Hessian's eigenvalues. For
high-dimensional problems (the course network), where the Hessian is never
formed, :func:`lanczos`, :func:`spectral_density` and :func:`hutchinson_trace`
work from a Hessian-vector product ``v -> H v`` alone. Finally
:func:`goe_all_positive_fraction` runs the random-Hessian experiment: how
often is a random symmetric matrix positive definite?

Examples
--------
>>> import labtools as lt
>>> points = lt.critical_points(lt.landscape("himmelblau"))
>>> sorted({p.kind for p in points})
['maximum', 'minimum', 'saddle']
>>> lt.classify([[2.0, 0.0], [0.0, -2.0]])
'saddle'
"""

from .points import (
    CRITICAL_TOL,
    CriticalPoint,
    classify,
    critical_points,
    critical_scale,
    find_critical_points,
    gradient_scale,
    hessian_eigs,
    is_critical_point,
    taylor_model,
)
from .random_matrices import (
    GOE_THETA,
    goe_all_positive_asymptotic,
    goe_all_positive_exact,
    goe_all_positive_fraction,
)
from .spectra import hutchinson_trace, lanczos, spectral_density

__all__ = [
    "CriticalPoint",
    "classify",
    "critical_points",
    "hessian_eigs",
    "lanczos",
    "spectral_density",
    "hutchinson_trace",
    "is_critical_point",
    "find_critical_points",
    "gradient_scale",
    "taylor_model",
    "CRITICAL_TOL",
    "goe_all_positive_fraction",
    "goe_all_positive_exact",
    "goe_all_positive_asymptotic",
    "GOE_THETA",
]
