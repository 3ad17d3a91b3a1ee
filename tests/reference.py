"""The reference cases of ranks.jsonl (a copy of ../shared/reference/ranks.jsonl)."""

import functools
import json
from pathlib import Path

import numpy as np

DATA = Path(__file__).parent / "data"


def reference_cases():
    """The cases of ranks.jsonl (a copy of ../shared/reference/ranks.jsonl)."""
    with open(DATA / "ranks.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def case_text(case):
    return case["rep"] if case["group"] is None else f"({case['rep']})({case['group']})"


@functools.lru_cache(maxsize=None)
def fixture(path) -> tuple:
    """The arrays of a fixture written by ``tests/data/make_*_reference.py``
    (an npz with a JSON header in ``meta``) and its header, read once."""
    with np.load(path, allow_pickle=False) as file:
        arrays = {name: file[name] for name in file.files}
    return arrays, json.loads(str(arrays.pop("meta")))
