"""What every dataset shares: ``ds[i] == (ds.X[i], ds.Y[i])`` and ``len(ds)``.

>>> import numpy as np
>>> class Pairs(Dataset):
...     def __init__(self):
...         self.X, self.Y = np.zeros((3, 2)), np.arange(3)
>>> len(Pairs()), int(Pairs()[2][1])
(3, 2)
"""

from __future__ import annotations

import numpy as np


class Dataset:
    """Inputs ``X`` (one example a row) and targets ``Y``, indexed together,
    as emlp's datasets are; subclasses set ``X``, ``Y``, ``rep_in``,
    ``rep_out``, ``symmetry`` and ``stats`` in ``__init__``.

    >>> class One(Dataset):
    ...     def __init__(self):
    ...         self.X, self.Y = np.ones((1, 2)), np.zeros((1, 1))
    >>> x, y = One()[0]
    >>> x.shape, y.shape
    ((2,), (1,))
    """

    X: np.ndarray
    Y: np.ndarray

    def __getitem__(self, i):
        return self.X[i], self.Y[i]

    def __len__(self) -> int:
        return self.X.shape[0]
