"""A sweep's plan: its runs (configs × training-set sizes × seeds), each a
:class:`Task` with its overrides and its directory, from a plan file
(:func:`load_plan`) or from config files (:func:`plan_from_configs`).
Every config is loaded and checked here, before any run starts.

>>> plan = plan_from_configs(["examples/configs/paper/inertia-mlp.toml"], seeds=[1, 2], N=[30, 100])
>>> [(t.name, t.N, t.seed) for t in plan.tasks][:3]
[('inertia-mlp', 30, 1), ('inertia-mlp', 30, 2), ('inertia-mlp', 100, 1)]
"""

from __future__ import annotations

import dataclasses
import glob
import json
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ..config.schema import ConfigError
from ..config.settings import Settings, load_config

_PLAN_KEYS = {"sweep": {"out", "seeds", "set"}, "runs": {"configs", "N", "seeds", "set"}}


@dataclasses.dataclass(frozen=True)
class Task:
    """One run of a sweep: the config file, its overrides (the sweep's, the
    size's and the seed's), and its directory."""

    config: str
    name: str
    N: int | None
    seed: int
    overrides: tuple
    run_dir: str

    def settings(self) -> Settings:
        """The run's validated settings."""
        return load_config(self.config, list(self.overrides) + [f"output.dir={json.dumps(self.run_dir)}"])


@dataclasses.dataclass(frozen=True)
class Plan:
    """A sweep: its directory and its tasks in the plan's order."""

    out: str
    tasks: tuple


def _list(value, key: str, kind, empty: bool = False) -> list:
    values = value if isinstance(value, list) else [value]
    if not values and empty:
        return []
    if not values or not all(isinstance(v, kind) and not isinstance(v, bool) for v in values):
        raise ConfigError(key, f"must be a non-empty list of {'integers' if kind is int else 'strings'}, "
                               f"got {value!r}")
    return values


def _tasks(out: Path, configs: list, N: list | None, seeds: list, overrides: list) -> list:
    tasks = []
    for config in configs:
        name = Path(config).stem
        settings = load_config(config, overrides)  # every config checked before anything runs
        sized = settings.dataset.N is not None
        if N is not None and not sized:
            raise ConfigError("runs.N", f"{config}: {settings.dataset.name} has its own train and test sets; "
                                        "it takes no training-set sizes")
        for n in (N if N is not None else [settings.dataset.N if sized else None]):
            for seed in seeds:
                size = [f"dataset.N={n}"] if N is not None else []
                run = f"N{n}-seed{seed}" if n is not None else f"seed{seed}"
                tasks.append(Task(str(config), name, n, seed,
                                  tuple(overrides + size + [f"dataset.seed={seed}", f"train.seed={seed}"]),
                                  str(out / name / run)))
    return tasks


def _unique(tasks: list) -> tuple:
    seen, kept = {}, []
    for task in tasks:
        if task.run_dir in seen:
            if seen[task.run_dir] != task:
                raise ConfigError("runs", f"two runs of the plan would share {task.run_dir} with different "
                                          "settings; give the configs different file names")
            continue
        seen[task.run_dir] = task
        kept.append(task)
    return tuple(kept)


def plan_from_configs(configs, seeds=(2021,), N=None, out="runs/sweep", overrides=()) -> Plan:
    """A sweep of the config files ``configs`` over ``seeds`` and, for
    datasets generated to a size, the training-set sizes ``N`` (default: each
    config's own), with ``overrides`` for every run.

    >>> plan_from_configs(["examples/configs/paper/inertia-mlp.toml"], out="runs/x").tasks[0].run_dir
    'runs/x/inertia-mlp/N3000-seed2021'
    """
    seeds = _list(list(seeds), "seeds", int)
    N = None if N is None else _list(list(N), "N", int)
    return Plan(str(out), _unique(_tasks(Path(out), [str(c) for c in configs], N, seeds, list(overrides))))


def is_plan(path) -> bool:
    """Whether the TOML file at ``path`` is a sweep plan (it has ``[[runs]]``)
    rather than a run's config; unreadable files are left to the loaders.

    >>> is_plan("examples/configs/paper/sweep.toml"), is_plan("examples/configs/paper/inertia-mlp.toml")
    (True, False)
    """
    try:
        return "runs" in tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False


def load_plan(path, overrides=(), out=None) -> Plan:
    """The sweep the plan file at ``path`` describes (see the module's
    docstring), with ``overrides`` added to every run and ``out`` replacing
    its directory; config paths and globs are relative to the plan's folder.
    Every config is loaded and checked here, before any run starts."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(None, f"cannot read the sweep plan {str(path)!r}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(None, f"{path} is not valid TOML: {error}") from None
    for section, value in raw.items():
        if section not in _PLAN_KEYS:
            raise ConfigError(section, f"unknown section of a sweep plan (sections: [sweep], [[runs]]) in {path}")
    head = raw.get("sweep", {})
    entries = raw.get("runs", [])
    if not isinstance(head, dict) or not isinstance(entries, list) or not entries:
        raise ConfigError("runs", f"{path} needs a [sweep] table and at least one [[runs]] entry")
    for key in head:
        if key not in _PLAN_KEYS["sweep"]:
            raise ConfigError(f"sweep.{key}", f"unknown key (keys: {', '.join(sorted(_PLAN_KEYS['sweep']))}) in {path}")
    out = Path(out if out is not None else head.get("out", f"runs/{path.stem}"))
    seeds = _list(head.get("seeds", [2021]), "sweep.seeds", int)
    common = _list(head.get("set", []), "sweep.set", str, empty=True)
    tasks = []
    for i, entry in enumerate(entries):
        where = f"runs[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(where, f"must be a [[runs]] table in {path}")
        for key in entry:
            if key not in _PLAN_KEYS["runs"]:
                raise ConfigError(f"{where}.{key}", f"unknown key (keys: {', '.join(sorted(_PLAN_KEYS['runs']))}) "
                                                    f"in {path}")
        configs = []
        for pattern in _list(entry.get("configs"), f"{where}.configs", str):
            found = sorted(glob.glob(str(path.parent / pattern)))
            if not found:
                raise ConfigError(f"{where}.configs", f"{pattern!r} matches no file in {path.parent}")
            configs.extend(found)
        N = _list(entry["N"], f"{where}.N", int) if "N" in entry else None
        own_seeds = _list(entry["seeds"], f"{where}.seeds", int) if "seeds" in entry else seeds
        own = _list(entry.get("set", []), f"{where}.set", str, empty=True)
        tasks.extend(_tasks(out, configs, N, own_seeds, common + own + list(overrides)))
    return Plan(str(out), _unique(tasks))


__all__ = ["Plan", "Task", "is_plan", "load_plan", "plan_from_configs"]
