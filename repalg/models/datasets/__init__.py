"""emlp's datasets, drawn in numpy from an explicit seed: the regression
problems ``Inertia``, ``O5Synthetic`` and ``ParticleInteraction``, the cube
classification problems ``InvertedCube`` and ``BrokenRubiksCube``, the
trajectories of the ``DoubleSpringPendulum``; and for LieConv's point-cloud
models, ``RotatedDigits`` and LieConv's ``SpringDynamics``.
``DATASETS`` names them for config files.

>>> sorted(DATASETS)  # doctest: +NORMALIZE_WHITESPACE
['BrokenRubiksCube', 'DoubleSpringPendulum', 'Inertia', 'InvertedCube', 'O5Synthetic', 'ParticleInteraction',
 'RotatedDigits', 'SpringDynamics']
>>> ds = DATASETS["O5Synthetic"](N=8, seed=3)
>>> len(ds), ds[0][0].shape
(8, (10,))
"""

from .augment import group_augmentation, sampler
from .base import Dataset
from .cubes import BrokenRubiksCube, InvertedCube
from .pendulum import DoubleSpringPendulum
from .points import RotatedDigits, SpringDynamics
from .regression import Inertia, O5Synthetic, ParticleInteraction

DATASETS = {
    "Inertia": Inertia,
    "O5Synthetic": O5Synthetic,
    "ParticleInteraction": ParticleInteraction,
    "InvertedCube": InvertedCube,
    "BrokenRubiksCube": BrokenRubiksCube,
    "DoubleSpringPendulum": DoubleSpringPendulum,
    "RotatedDigits": RotatedDigits,
    "SpringDynamics": SpringDynamics,
}
"""Dataset classes by the name a config file gives them."""

__all__ = [
    "BrokenRubiksCube", "DATASETS", "Dataset", "DoubleSpringPendulum", "Inertia", "InvertedCube", "O5Synthetic",
    "ParticleInteraction", "RotatedDigits", "SpringDynamics", "group_augmentation", "sampler",
]
