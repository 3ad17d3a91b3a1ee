"""emlp's dataset names, so that ``from emlp.datasets import Inertia`` becomes
``from repalg.datasets import Inertia``; the datasets live in
``repalg.models.datasets`` and take a ``seed``.

>>> from repalg.datasets import Inertia, O5Synthetic, ParticleInteraction, InvertedCube, BrokenRubiksCube
>>> Inertia(N=16).X.shape
(16, 20)
"""

from .models.datasets import BrokenRubiksCube, DoubleSpringPendulum, Inertia, InvertedCube, O5Synthetic, ParticleInteraction

__all__ = ["BrokenRubiksCube", "DoubleSpringPendulum", "Inertia", "InvertedCube", "O5Synthetic", "ParticleInteraction"]
