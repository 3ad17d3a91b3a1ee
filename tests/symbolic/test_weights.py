"""Root systems and weights (``repalg/symbolic/weights.py``): the Weyl group by
sorting agrees with reflections in simple roots."""

from hypothesis import given
from hypothesis import strategies as st

from repalg.symbolic import weights as W


@given(st.sampled_from(["A", "B", "C", "D"]), st.integers(2, 4), st.data())
def test_dominant_by_sorting_is_dominant_by_reflections(kind, rank, data):
    system = W.root_system(kind, rank)
    weight = tuple(data.draw(st.lists(st.integers(-6, 6), min_size=rank, max_size=rank)))
    fast = W.dominant(system, weight)
    x = tuple(2 * v + r for v, r in zip(weight, system.two_rho))
    sign, moved = 1, True
    while moved:  # the reflection loop, written out
        moved = False
        for alpha in system.simple:
            d = sum(a * b for a, b in zip(x, alpha))
            if d == 0:
                assert fast == (None, 0)
                return
            if d < 0:
                k = 2 * d // sum(a * a for a in alpha)
                x = tuple(a - k * b for a, b in zip(x, alpha))
                sign, moved = -sign, True
    assert fast == (tuple((a - r) // 2 for a, r in zip(x, system.two_rho)), sign)
