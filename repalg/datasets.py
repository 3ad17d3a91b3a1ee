"""emlp's dataset names, so that ``from emlp.datasets import Inertia`` becomes
``from repalg.datasets import Inertia``; the datasets live in
``repalg.models.datasets`` and take a ``seed``. LieConv's ``SpringDynamics``
and the ``RotatedDigits`` point clouds are here under the same short path.

>>> from repalg.datasets import Inertia, O5Synthetic, ParticleInteraction, InvertedCube, BrokenRubiksCube
>>> Inertia(N=16).X.shape
(16, 20)
"""

from .models.datasets import (
    BrokenRubiksCube,
    DoubleSpringPendulum,
    Inertia,
    InvertedCube,
    O5Synthetic,
    ParticleInteraction,
    RotatedDigits,
    SpringDynamics,
)

__all__ = ["BrokenRubiksCube", "DoubleSpringPendulum", "Inertia", "InvertedCube", "O5Synthetic", "ParticleInteraction",
           "RotatedDigits", "SpringDynamics"]
