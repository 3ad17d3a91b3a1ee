"""The reference cases of ranks.jsonl (a copy of ../shared/reference/ranks.jsonl)."""

import json
from pathlib import Path

DATA = Path(__file__).parent / "data"


def reference_cases():
    """The cases of ranks.jsonl (a copy of ../shared/reference/ranks.jsonl)."""
    with open(DATA / "ranks.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def case_text(case):
    return case["rep"] if case["group"] is None else f"({case['rep']})({case['group']})"
