"""A tiny neural network in NumPy: the course's non-convex landscape in many dimensions.

The network is a multilayer perceptron (MLP) for binary classification of 2-D
points. All its parameters live in **one flat vector** ``theta``, so the network
is just another function ``L(theta)`` that the optimizers of
:mod:`labtools.optim` and :func:`labtools.run.run` can descend, exactly like the
2-D test functions::

    model, X, y = course_network()
    landscape = model.as_landscape(X, y)
    trace = lt.run(landscape, lt.adam(lr=0.01), x0=model.init(seed=0), steps=500)

Derivatives are exact and written by hand: the gradient by backpropagation and
the Hessian-vector product by Pearlmutter's R-operator (a forward pass of
directional derivatives followed by a backward pass of the gradient's
directional derivative), so ``H v`` costs about two gradients and the Hessian
is never formed unless you ask for it (:meth:`MLP.hessian`).

The landscape tools reproduce the pictures of the deep-learning literature on
this small network: loss along a segment (Goodfellow et al. 2015), 2-D slices
along filter-normalized random directions and along the principal directions of
a training trajectory (Li et al. 2018), sharpness and the Hessian trace, a SAM
step (Foret et al. 2021), a trained quadratic Bezier path between two solutions
(Garipov et al. 2018) and hidden-unit permutation symmetry.

The package, in the order its modules build on each other:

- ``labtools.nn.data``: ``two_moons``, ``xor``, ``spirals``;
- ``labtools.nn.activations``: the hidden units and their derivatives;
- ``labtools.nn.mlp``: ``MLP``, ``NetworkLandscape``, ``course_network``;
- ``labtools.nn.training``: ``train`` and ``TrainResult``, on the run
  loop of :mod:`labtools.run`;
- ``labtools.nn.slices``: ``interpolate_loss``, filter-normalized
  ``random_directions``, ``loss_surface_2d``, ``pca_directions``;
- ``labtools.nn.flatness``: ``sharpness``, ``hessian_trace``, ``sam_step``
  (the SAM optimizer itself is :func:`labtools.optim.sam`);
- ``labtools.nn.connectivity``: ``bezier_curve_fit``, ``BezierCurve``,
  ``permute_hidden_units``;
- ``labtools.nn.gauss_newton``: the generalized Gauss-Newton matrix
  (``ggn_matrix``, ``ggn_vp``, ``output_jacobian``), K-FAC
  (``kfac_factors``, ``kfac_direction``, ``kfac``), the tangent kernel
  ``J J^T`` (``tangent_kernel``) and the PL quotient (``pl_ratio``);
- ``labtools.nn.checks``: argument checks the modules share.

References: pearlmutter1994fast, glorot2010understanding,
goodfellow2015qualitatively, li2018visualizing, foret2021sharpness,
garipov2018loss, hutchinson1989stochastic, lanczos1950iteration,
schraudolph2002fast, martens2015optimizing, jacot2018neural, liu2022loss.
"""

# modules are named after what they hold, not `train`/`sharpness`: the star
# imports would shadow such modules with the functions of the same name
from . import activations, connectivity, data, flatness, gauss_newton, mlp, slices, training
from .activations import *  # noqa: F401,F403
from .connectivity import *  # noqa: F401,F403
from .data import *  # noqa: F401,F403
from .flatness import *  # noqa: F401,F403
from .gauss_newton import *  # noqa: F401,F403
from .mlp import *  # noqa: F401,F403
from .slices import *  # noqa: F401,F403
from .training import *  # noqa: F401,F403

__all__ = [
    *data.__all__,
    *activations.__all__,
    *mlp.__all__,
    *training.__all__,
    *slices.__all__,
    *flatness.__all__,
    *connectivity.__all__,
    *gauss_newton.__all__,
]
