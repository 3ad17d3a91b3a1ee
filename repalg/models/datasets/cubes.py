"""emlp's cube classification problems: tell a cube coloured as it should be
(label 1) from its mirror image, the colours of opposite faces exchanged
(label 0), which no element of the group reaches.

A state is six one-hot colour vectors, one per colour, over the cube's
positions (``rep_in = 6*Vector``, flattened colour by colour); ``rep_out =
2*Scalar`` holds the two class scores, ``Y`` the integer labels. The training
sets hold the unscrambled states only; a test set repeats them and moves each
copy by its own group element, from ``G.samples(n, key=seed,
rounds=scramble_rounds)``, in an order shuffled by
``np.random.default_rng(seed)``; ``scrambles`` holds the elements as
permutations of the positions (a copy's colour vectors are ``v[p]``).

emlp's test sets (3 rounds of generator powers) are barely scrambled: a
scrambled Rubik's cube still shares about 37% of its facets' colours with
its source, and :func:`template_accuracy`, which knows nothing of the group,
scores about 99% on them. ``scramble_rounds = 30`` gives the harder variant,
whose test states share 1 facet in 6 with their source (chance; 17.2%
measured over 200 elements).

Why an EMLP learns nothing on ``BrokenRubiksCube``: emlp's Rubik's cube
generators (which repalg keeps, ``RubiksCube()``) generate a group of order
1.9e47, not the real cube's 4.3e19, and it holds the permutation that moves
each face's facets onto the opposite face (:data:`FACE_EXCHANGE`). The
inverted cube is then the solved cube moved by a group element, and every
invariant model, emlp's EMLP included, gives both the same output: its
training loss stays at ln 2 whatever its weights (a test checks both facts).

>>> train, test = InvertedCube(), InvertedCube(train=False)
>>> train.Y.tolist(), test.X.shape, test.num_classes
([1, 0], (100, 36), 2)
"""

from __future__ import annotations

import numpy as np

from ...symbolic.group_descriptors import Cube, RubiksCube, integer
from ...symbolic.nodes import Scalar, Vector
from .base import Dataset

OPPOSITE_FACES = np.array([5, 3, 4, 1, 2, 0])
"""emlp's parity permutation: each face's colour goes to the opposite face."""


class CubeClassification(Dataset):
    """Two classes of states of a cube-like puzzle: ``solved`` (label 1, repeated
    ``copies`` times) and ``inverted`` (label 0, the same), each of shape (6, d);
    for the test set, ``repeats`` scrambled copies of every one, the
    permutation that scrambled each in ``scrambles`` (``None`` for a
    training set)."""

    num_classes = 2

    def __init__(self, group, solved, inverted, copies: int, repeats: int, train, seed, scramble_rounds: int = 3):
        if not isinstance(train, (bool, np.bool_, int, np.integer)):  # emlp's tests pass a size, 100: truthy
            raise ValueError(f"train is True (the training set) or False (the test set), got {train!r}")
        train = bool(train)
        seed = integer(seed, "seed", minimum=0)
        states = np.stack([solved] * copies + [inverted] * copies)
        labels = np.repeat([1, 0], copies)
        self.scrambles = None
        if not train:
            states, labels = np.repeat(states, repeats, axis=0), np.repeat(labels, repeats)
            g = group.samples(len(states), key=seed, rounds=integer(scramble_rounds, "scramble_rounds", minimum=1))
            scrambles = g.argmax(-1)  # g v = v[p]: a permutation matrix has one 1 a row
            if not np.array_equal(g, np.eye(g.shape[-1])[scrambles]):
                raise ValueError(f"{group} gave elements that are not permutations of the cube's positions")
            states = np.take_along_axis(states, scrambles[:, None, :], axis=2)  # each colour vector moved by g
            order = np.random.default_rng(seed).permutation(len(states))
            states, labels, self.scrambles = states[order], labels[order], scrambles[order]
        self.X = states.reshape(len(states), -1)
        self.Y = labels
        self.symmetry = group
        self.rep_in = 6 * Vector
        self.rep_out = 2 * Scalar
        self.stats = (0, 1)


class InvertedCube(CubeClassification):
    """The six faces of a cube, coloured one colour each (label 1), against the
    colouring with opposite faces exchanged (label 0), which no rotation
    reaches; the group is ``Cube()``, its 24 rotations permuting the 6 faces.
    Training: the 2 states; test (``train=False``): 50 rotated copies of each.

    >>> ds = InvertedCube()
    >>> x, y = ds[1]
    >>> x.reshape(6, 6).argmax(1).tolist(), int(y)
    ([5, 3, 4, 1, 2, 0], 0)
    """

    def __init__(self, train: bool = True, seed: int = 0, scramble_rounds: int = 3):
        solved = np.eye(6)
        super().__init__(Cube(), solved, solved[:, OPPOSITE_FACES], copies=1, repeats=50, train=train, seed=seed,
                         scramble_rounds=scramble_rounds)


class BrokenRubiksCube(CubeClassification):
    """A solved Rubik's cube (label 1) against one with the colours of opposite
    faces exchanged (label 0), which no sequence of moves reaches; the group is
    ``RubiksCube()``, permuting the 48 movable facets (8 a face, in face order).
    Training: 11 copies of each state; test (``train=False``): 20 scrambled
    copies of each of the 22.

    emlp's docstring speaks of broken cubes made by twisting a corner, flipping
    an edge or swapping two pieces, and it has helpers for these, but its code
    builds the broken class from the face-exchanged state only; this class
    follows the code.

    >>> ds = BrokenRubiksCube()
    >>> ds.X.shape, ds.Y.tolist().count(1), ds.Y.tolist().count(0)
    ((22, 288), 11, 11)
    """

    def __init__(self, train: bool = True, seed: int = 0, scramble_rounds: int = 3):
        solved = np.kron(np.eye(6), np.ones(8))  # colour i on the facets 8i, ..., 8i + 7
        inverted = solved.reshape(6, 6, 8)[:, OPPOSITE_FACES].reshape(6, 48)
        super().__init__(RubiksCube(), solved, inverted, copies=11, repeats=20, train=train, seed=seed,
                         scramble_rounds=scramble_rounds)


FACE_EXCHANGE = (8 * OPPOSITE_FACES[:, None] + np.arange(8)).reshape(-1)
"""The permutation of the 48 facets that moves each face's facets, in order,
onto the opposite face: an element of emlp's ``RubiksCube()`` (not of the
real cube's group), which takes the solved cube to the inverted one."""


def template_accuracy(train: CubeClassification, test: CubeClassification) -> float:
    """The accuracy on ``test`` of a classifier that knows nothing of the
    group: label 1 where ``x · (m₁ − m₀) > 0``, with ``m₁`` and ``m₀`` the
    means of the training states of each label (the solved and the
    inverted cube): it counts the facets a state shares with each.

    >>> round(template_accuracy(BrokenRubiksCube(), BrokenRubiksCube(train=False)), 3)
    0.973
    """
    template = train.X[train.Y == 1].mean(0) - train.X[train.Y == 0].mean(0)
    return float(np.mean((test.X @ template > 0) == (test.Y == 1)))
