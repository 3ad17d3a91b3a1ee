"""LieConv (Finzi et al., 2020): convolution over Lie groups on point
clouds. So far: the exponential and logarithm maps of its groups
(:mod:`.maps`)."""

from .maps import se2_exp, se2_log, se3_exp, se3_log, so2_exp, so2_log, so3_exp, so3_log

__all__ = ["se2_exp", "se2_log", "se3_exp", "se3_log", "so2_exp", "so2_log", "so3_exp", "so3_log"]
