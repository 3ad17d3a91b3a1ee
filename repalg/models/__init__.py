"""Equivariant models in Haiku, their datasets, training and configs.

Every model is a Haiku module built as ``Model(rep_in, rep_out, group,
**options)`` (representations and group as objects or text) and called on a
batch ``x`` of shape ``(batch, rep_in.size())`` inside ``hk.transform``;
``MODELS`` names them for config files.

>>> sorted(MODELS)
['MLP']
"""

from .mlp import MLP
from .reps import as_group, as_rep, bind

MODELS = {"MLP": MLP}
"""Model classes by the name a config file gives them."""

__all__ = ["MLP", "MODELS", "as_group", "as_rep", "bind"]
