"""LieConv (Finzi et al., 2020): convolution over Lie groups on point
clouds. The groups with their lifts, exponential and logarithm maps
(:mod:`.lie_groups`, on the maps of :mod:`.maps`), the layers and the residual
network in Haiku (:mod:`.nn`), and the models a config names (:mod:`.models`).

>>> as_lie_group("SE(2)").lie_dim
3
"""

from .lie_groups import LIE_GROUPS, LieGroup, as_lie_group
from .maps import se2_exp, se2_log, se3_exp, se3_log, so2_exp, so2_log, so3_exp, so3_log
from .nn import BottleBlock, GlobalPool, LieConv, LieResNet, farthest_point_indices, subsample

__all__ = ["BottleBlock", "GlobalPool", "LIE_GROUPS", "LieConv", "LieGroup", "LieResNet", "as_lie_group",
           "farthest_point_indices", "se2_exp", "se2_log", "se3_exp", "se3_log", "so2_exp", "so2_log", "so3_exp",
           "so3_log", "subsample"]
