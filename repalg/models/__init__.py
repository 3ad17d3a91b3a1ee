"""Equivariant models in Haiku, their datasets, training and configs.

Every model is a Haiku module built as ``Model(rep_in, rep_out, group,
**options)`` (representations and group as objects or text) and called on a
batch ``x`` of shape ``(batch, rep_in.size())`` inside ``hk.transform``;
``MODELS`` names them for config files. The dynamics models (``EMLPH``,
``EMLPode``, ...) are such networks too, a Hamiltonian or a time derivative;
with a dataset of trajectories the trainer integrates them (``Flow``). The
point-cloud models (``LieResNet``, and for spring systems ``HLieResNet``,
``HFC``, ``FC``) read a dataset's points (:mod:`.lieconv`). ``MODEL_KINDS``
holds each name's traits (:mod:`.registry`).

>>> sorted(MODELS)
['EMLP', 'EMLPH', 'EMLPode', 'FC', 'HFC', 'HLieResNet', 'LieResNet', 'MLP', 'MLPH', 'MLPode', 'Scalar', 'ScalarH', 'Scalarode']
"""

from .binding import as_group, as_rep, bind
from .config import ConfigError, Settings, load_config, parse_config
from .dynamics import DYNAMICS_MODELS, EMLPH, MLPH, EMLPode, Flow, MLPode, ScalarH, Scalarode
from .emlp import EMLP, EMLPBlock, hidden_reps, uniform_rep
from .layers import BiLinear, GatedNonlinearity, Linear, gate_indices, gated
from .mlp import MLP
from .registry import MODEL_KINDS, MODELS, ModelKind
from .scalars import ScalarMLP
from .standardize import Standardize
from .training.build import prepare
from .training.inference import TrainedModel, load
from .training.loop import train
from .training.step import TrainingState, init_state, make_update

__all__ = ["BiLinear", "DYNAMICS_MODELS", "EMLP", "EMLPBlock", "EMLPH", "EMLPode", "Flow", "MLPH", "MLPode", "ScalarH",
           "Scalarode", "GatedNonlinearity", "Linear", "MLP", "MODELS", "MODEL_KINDS", "ModelKind", "as_group", "as_rep",
           "ScalarMLP", "Standardize", "ConfigError", "Settings", "TrainedModel", "TrainingState", "bind", "gate_indices",
           "gated", "hidden_reps", "init_state", "load", "load_config", "make_update", "parse_config", "prepare",
           "train", "uniform_rep"]
