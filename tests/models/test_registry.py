"""The model registry: each name's traits as data, the same traits the
models had as class flags before (the MLP and LieConv's baselines ignore
their group, LieConv's networks take a LieConv group, the point models read
points), and a dynamics kind always the one its Flow integrates."""

import pytest

from repalg.models import MODELS
from repalg.models.registry import MODEL_KINDS

TRAITS = {  # name: (lieconv, points, dynamics, group_free)
    "EMLP": (False, False, None, False), "MLP": (False, False, None, True), "Scalar": (False, False, None, False),
    "EMLPH": (False, False, "hamiltonian", False), "MLPH": (False, False, "hamiltonian", True),
    "ScalarH": (False, False, "hamiltonian", False), "EMLPode": (False, False, "ode", False),
    "MLPode": (False, False, "ode", True), "Scalarode": (False, False, "ode", False),
    "LieResNet": (True, True, None, False), "HLieResNet": (True, True, "hamiltonian", False),
    "HFC": (False, True, "hamiltonian", True), "FC": (False, True, "ode", True),
}


@pytest.mark.parametrize("name", sorted(TRAITS))
def test_every_model_kind_has_its_traits(name):
    kind = MODEL_KINDS[name]
    assert (kind.lieconv, kind.points, kind.dynamics, kind.group_free) == TRAITS[name]
    assert MODELS[name] is kind.builder


def test_a_dynamics_kind_is_what_its_flow_integrates():
    for kind in MODEL_KINDS.values():
        assert getattr(kind.builder, "dynamics", None) == kind.dynamics


def test_the_registry_names_every_model():
    assert sorted(MODEL_KINDS) == sorted(TRAITS)
