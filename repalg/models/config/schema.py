"""The settings a config holds, section by section: one frozen dataclass
per section (``[dataset]``, ``[model]``, ``[train]``, ``[output]``), the
keys each knows with their types, emlp's defaults, and :class:`ConfigError`,
which names the key at fault.

>>> TrainSettings().lr, default_epochs(3000)
(0.003, 300)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..rollouts import ERROR_FLOOR, ROLLOUT_ATOL, ROLLOUT_RTOL

DEFAULT_CONFIG = "default.toml"
"""The config ``repalg train`` runs without one, in ``repalg/models/configs/``."""


SCHEDULES = ("constant", "cosine")
"""Learning-rate schedules: emlp's regression runs use a constant rate, its
cube runs a cosine decay over the whole run."""


class ConfigError(ValueError):
    """A config that cannot run; ``key`` is the dotted name of the culprit
    (``"train.epochs"``), or the section's name, or ``None`` for the file.

    >>> from repalg.models.config import parse_config
    >>> try:
    ...     parse_config('[dataset]\\nname = "Inertia"\\n[model]\\nname = "MLP"\\n[train]\\nepoch = 3',
    ...                  check_names=False)
    ... except ConfigError as e:
    ...     print(e.key, "|", e.detail[:45])
    train.epoch | unknown key; did you mean train.epochs? (keys
    """

    def __init__(self, key: str | None, message: str):
        self.key, self.detail = key, message
        super().__init__(f"{key}: {message}" if key else message)


@dataclass(frozen=True)
class DatasetSettings:
    """``[dataset]``: ``name`` in ``DATASETS``; ``N`` training examples for a
    dataset generated to a size (it is then made with ``N + val + test``
    examples and split by a seeded permutation); ``val`` validation examples
    carved from the training data (default 1000 for generated datasets, 0 for
    those with their own train and test sets); ``test`` test examples (default
    5000; generated datasets only); ``seed`` for the data and the splits;
    ``options``: the dataset constructor's other arguments."""

    name: str
    N: int | None = None
    val: int | None = None
    test: int | None = None
    seed: int = 2021
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ModelSettings:
    """``[model]``: ``name`` in ``MODELS``; ``group``, ``rep_in``, ``rep_out``
    as text (default: the dataset's); ``standardize`` wraps the model in
    :class:`~repalg.models.standardize.Standardize` with the dataset's
    statistics, as emlp does; ``augment`` trains it on inputs moved by a
    random group element each (emlp's ``GroupAugmentation``, the "MLP with
    augmentation" baseline) and predicts without; ``options``: the model's
    own (``ch``, ``num_layers``)."""

    name: str
    group: str | None = None
    rep_in: str | None = None
    rep_out: str | None = None
    standardize: bool = True
    augment: bool = False
    options: dict = field(default_factory=dict)


@dataclass(frozen=True)
class TrainSettings:
    """``[train]``: Adam with emlp's settings by default (learning rate 3e-3,
    batch 500); ``epochs`` defaults to emlp's ``min(int(30*30000/N), 1000)``
    for generated datasets; ``eval_every`` epochs between evaluations on the
    validation split, each followed by a checkpoint (default: 1% of the run,
    as emlp's trainer logs and keeps its best weights every 2%; the best
    weights are those of the best evaluation); ``equivariance_samples``
    test inputs, each with a sampled group element, for the trained model's
    equivariance error; ``rollouts``: for a dataset of trajectories, the
    test systems rolled out over the whole horizon after training (default:
    every one), and how, emlp's way by default (``paper_figures.ipynb`` on
    the rollouts of ``hnn_trial``; :mod:`repalg.models.rollouts`):
    ``rollout_weights`` ``"final"`` (or ``"best"``, the best validation's),
    integrated at ``rollout_rtol`` 2e-6 and ``rollout_atol`` 1.4e-8, the
    errors clamped below at ``rollout_floor`` 1e-5, over ``rollout_horizon``
    seconds (default: the dataset's)."""

    epochs: int | None = None
    batch_size: int = 500
    lr: float = 3e-3
    schedule: str = "constant"
    seed: int = 2021
    eval_every: int | None = None
    equivariance_samples: int = 5
    rollouts: int | None = None
    rollout_weights: str = "final"
    rollout_rtol: float = ROLLOUT_RTOL
    rollout_atol: float = ROLLOUT_ATOL
    rollout_floor: float = ERROR_FLOOR
    rollout_horizon: float | None = None


@dataclass(frozen=True)
class OutputSettings:
    """``[output]``: the run directory, whether to draw learning curves, and
    the ``label`` that sweep tables and plots give the run (default: the
    model and its group, such as ``EMLP-O(3)``)."""

    dir: str | None = None
    plot: bool = True
    label: str | None = None


SECTIONS = {"dataset": DatasetSettings, "model": ModelSettings, "train": TrainSettings, "output": OutputSettings}


SECTION_KEYS = {
    "dataset": {"name": str, "N": int, "val": int, "test": int, "seed": int},
    "model": {"name": str, "group": str, "rep_in": str, "rep_out": str, "standardize": bool, "augment": bool},
    "train": {"epochs": int, "batch_size": int, "lr": float, "schedule": str, "seed": int, "eval_every": int,
              "equivariance_samples": int, "rollouts": int, "rollout_weights": str, "rollout_rtol": float,
              "rollout_atol": float, "rollout_floor": float, "rollout_horizon": float},
    "output": {"dir": str, "plot": bool, "label": str},
}
"""The keys each section knows, with their types; [dataset] and [model] also
take their constructor's arguments as options."""


def default_eval_every(epochs: int) -> int:
    """Epochs between validations (and checkpoints) by default: 1% of the
    run, at least 1.

    >>> default_eval_every(300), default_eval_every(1000), default_eval_every(50)
    (3, 10, 1)
    """
    return max(1, epochs // 100)


def default_epochs(N: int) -> int:
    """emlp's number of epochs for ``N`` training examples, ``min(int(30*30000/N), 1000)``.

    >>> default_epochs(3000), default_epochs(30)
    (300, 1000)
    """
    return min(int(30 * 30000 / N), 1000)


__all__ = ["DEFAULT_CONFIG", "SCHEDULES", "SECTIONS", "SECTION_KEYS", "ConfigError", "DatasetSettings", "ModelSettings",
           "OutputSettings", "TrainSettings", "default_epochs", "default_eval_every"]
