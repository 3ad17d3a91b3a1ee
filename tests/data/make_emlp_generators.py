"""Writes emlp_generators.json: the dense generators of emlp 1.0.3's groups,
the reference that repalg's groups are checked against. Run it with the
interpreter of an emlp virtualenv (../shared/reference/setup_emlp_venv.sh):

    ~/.venvs/emlp/bin/python tests/data/make_emlp_generators.py
"""

import json
from pathlib import Path

import numpy as np
from emlp.groups import (C, D, GL, O, O11, O13, S, SL, SO, SO11p, SO13, SO13p, SU, U, Z, Cube, DkeR3, Lorentz,
                         O2eR3, RubiksCube, Scaling, SO2eR3, Sp, Trivial, ZksZnxZn)

GROUPS = {
    "SO(2)": SO(2), "SO(3)": SO(3), "O(3)": O(3), "O(4)": O(4), "SO+(1,3)": SO13p(), "SO(1,3)": SO13(),
    "O(1,3)": O13(), "Lorentz": Lorentz(), "SO+(1,1)": SO11p(), "O(1,1)": O11(), "Sp(1)": Sp(1), "Sp(2)": Sp(2),
    "SU(2)": SU(2), "SU(3)": SU(3), "U(2)": U(2), "U(3)": U(3), "SL(3)": SL(3), "GL(2)": GL(2), "C(4)": C(4),
    "C(6)": C(6), "D(3)": D(3), "D(6)": D(6), "Z(5)": Z(5), "S(5)": S(5), "Cube": Cube(),
    "RubiksCube": RubiksCube(), "Trivial(3)": Trivial(3), "Scaling(3)": Scaling(3),
    "ZksZnxZn(2,2)": ZksZnxZn(2, 2), "ZksZnxZn(4,3)": ZksZnxZn(4, 3), "SO(2)eR3": SO2eR3(), "O(2)eR3": O2eR3(),
    "D(6)eR3": DkeR3(6), "SO(3)*S(4)": SO(3) * S(4), "Z(3)*Z(4)": Z(3) * Z(4), "O(2)*S(3)": O(2) * S(3),
}


def dense(generators, d):
    return np.array([np.asarray(g @ np.eye(d)) for g in generators]).reshape(-1, d, d)


def encode(a):
    if np.iscomplexobj(a):
        return {"re": np.real(a).round(15).tolist(), "im": np.imag(a).round(15).tolist()}
    return {"re": a.round(15).tolist()}


data = {}
for name, G in GROUPS.items():
    data[name] = {
        "d": int(G.d),
        "lie_algebra": encode(dense(G.lie_algebra, G.d)),
        "discrete_generators": encode(dense(G.discrete_generators, G.d)),
        "is_orthogonal": bool(G.is_orthogonal),
        "is_permutation": bool(G.is_permutation),
        "num_constraints": int(G.num_constraints()),
    }
(Path(__file__).parent / "emlp_generators.json").write_text(json.dumps(data))
