"""Run configs: a TOML file (plus ``--set section.key=value`` overrides)
turned into validated settings, or a :class:`ConfigError` naming the bad key.

A config has four sections::

    [dataset]              # the data: a name from repalg.models.datasets.DATASETS
    name = "Inertia"
    N = 3000               # training examples (for datasets generated to a size)
    val = 1000             # validation examples carved from the training data
    test = 5000            # test examples generated beside them
    seed = 2021            # the data's seed and that of the splits

    [model]                # a name from repalg.models.MODELS and its options
    name = "EMLP"
    group = "O(3)"         # group, rep_in, rep_out default to the dataset's
    ch = 384
    num_layers = 3
    augment = false        # true: train on randomly moved inputs (the MLP baseline's augmentation)

    [train]
    epochs = 300           # default: emlp's min(int(30*30000/N), 1000)
    batch_size = 500
    lr = 3e-3
    schedule = "constant"  # or "cosine"
    seed = 2021            # initialisation, data order and model randomness
    eval_every = 3         # epochs between validations and checkpoints; default: 1% of the run
    rollouts = 100         # trajectories only: test systems rolled out after training (default: all)
    rollout_weights = "final"  # or "best"; with rollout_rtol, rollout_atol, rollout_floor and
                               # rollout_horizon, emlp's way by default (repalg.models.rollouts)

    [output]
    dir = "runs/inertia"   # default: runs/<config file name>
    plot = true
    label = "EMLP-O(3)"    # the run's name in sweep tables and plots

Every check that needs no data happens in :func:`parse_config`: the TOML,
the sections and keys (with the closest name suggested), the types, the
dataset and model names, the options each constructor accepts, and the
group and representation texts. The one check that needs the data, that a
representation's size is the data's width, happens when the trainer builds
the data, before it creates a file or compiles a step.

The pieces: :mod:`.schema` (the sections, their keys and defaults,
:class:`ConfigError`), :mod:`.settings` (:class:`Settings`, read from TOML),
:mod:`.toml_output` (written back), :mod:`.overrides`, :mod:`.validation`,
and :mod:`.names` (the names looked up in :mod:`repalg.models.registry`).

>>> s = parse_config('''
... [dataset]
... name = "Inertia"
... N = 1000
... [model]
... name = "MLP"
... ch = 32
... ''', check_names=False)
>>> s.model.options, s.train.batch_size, s.train.lr
({'ch': 32}, 500, 0.003)
>>> s.with_overrides(["train.lr=1e-3"], check_names=False).train.lr
0.001
"""

from .names import dataset_kind
from .overrides import apply_overrides, parse_override
from .schema import (ConfigError, DatasetSettings, ModelSettings, OutputSettings, TrainSettings, default_epochs,
                     default_eval_every)
from .settings import Settings, label, load_config, parse_config
from .toml_output import dumps_toml

__all__ = ["ConfigError", "DatasetSettings", "ModelSettings", "OutputSettings", "Settings", "TrainSettings",
           "apply_overrides", "dataset_kind", "default_epochs", "default_eval_every", "dumps_toml", "label",
           "load_config", "parse_config", "parse_override"]
