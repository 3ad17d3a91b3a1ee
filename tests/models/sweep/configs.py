"""Tiny configs for the sweep's tests, written as files."""

from __future__ import annotations

from pathlib import Path

TINY = """
[dataset]
name = "Inertia"
N = 24
val = 8
test = 16
seed = 0

[model]
name = "{model}"
group = "{group}"
ch = 8
num_layers = 1

[train]
epochs = 2
batch_size = 12
seed = 0
equivariance_samples = 2

[output]
plot = false
"""


def write_configs(folder: Path, models=(("MLP", "O(3)"), ("Scalar", "O(3)"))) -> list:
    paths = []
    for model, group in models:
        path = folder / f"tiny-{model.lower()}-{group.lower().replace('(', '').replace(')', '')}.toml"
        path.write_text(TINY.format(model=model, group=group))
        paths.append(path)
    return paths
