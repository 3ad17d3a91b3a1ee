"""``emlp.reps.bilinear``'s name, so that ``from emlp.reps import
bilinear_weights`` keeps working; the mathematics is in
:mod:`repalg.models.bilinear`."""

from ..models.bilinear import bilinear_weights

__all__ = ["bilinear_weights"]
