"""Sweeps: many training runs (configs × training-set sizes × seeds), one
process each, resumable, summarised in one results table and in plots.

A sweep is described by a plan, a TOML file::

    [sweep]
    out = "runs/paper"            # the sweep directory (default: runs/<plan name>)
    seeds = [2021, 2022, 2023]    # each run's dataset.seed and train.seed
    set = ["train.epochs=100"]    # overrides for every run (optional)

    [[runs]]                      # one entry per group of configs
    configs = ["inertia-*.toml"]  # paths or globs, relative to the plan
    N = [30, 100, 300, 1000, 3000]  # training-set sizes (optional)
    seeds = [2021]                # this entry's own seeds (optional)
    set = []                      # this entry's own overrides (optional)

or by config files and options given to :func:`plan_from_configs`. Each run
lives in ``<out>/<config name>/N<N>-seed<seed>`` (``seed<seed>`` for datasets
with their own splits) as an ordinary training run (``repalg train`` could
resume it), and ``sweep.json`` there marks it finished, with its wall time.
Starting a sweep again skips finished runs and resumes interrupted ones from
their checkpoints. The table goes to ``<out>/results.md`` and
``<out>/results.json``; test error against training-set size to
``<out>/data_efficiency_<dataset>.png``.

Runs go to a local pool of processes (one per CPU core, or one per GPU,
each process given its own), or, with ``ray_address``, to a Ray cluster as
one task each (``pip install 'repalg[cluster]'``); the sweep directory must
then be on a file system every node shares.

>>> plan = plan_from_configs(["examples/configs/paper/inertia-mlp.toml"], seeds=[1, 2], N=[30, 100])
>>> [(t.name, t.N, t.seed) for t in plan.tasks][:3]
[('inertia-mlp', 30, 1), ('inertia-mlp', 30, 2), ('inertia-mlp', 100, 1)]
"""

from __future__ import annotations

import dataclasses
import glob
import json
import math
import multiprocessing
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

from ..files import atomic_write
from .config import ConfigError, Settings, load_config, model_registry

DONE = "sweep.json"
"""The file that marks a run of a sweep finished: its results and wall time."""

RESULTS_MD, RESULTS_JSON = "results.md", "results.json"

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


# -- running ------------------------------------------------------------------------------------------------------------

def finished(task: Task) -> dict | None:
    """The record of ``task`` if a sweep finished it, else ``None``; a
    :class:`ConfigError` naming the first differing key if it finished
    with other settings (the config or the overrides changed since)."""
    from .train import same_settings

    path = Path(task.run_dir) / DONE
    if not path.exists():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None  # cut short: the run's checkpoint resumes it
    same_settings(record.get("requested", {}), task.settings().to_dict(), task.run_dir)
    return record


def run_task(task: Task) -> dict:
    """Train (or resume) one run and mark it finished; its record: the
    run's identity, label, results and wall time. Raises as ``train`` does."""
    from .train import prepare, train

    start = time.perf_counter()
    requested = task.settings()
    run = prepare(requested)
    s = run.settings
    result = train(run, task.run_dir, progress=False)
    record = {"config": task.config, "name": task.name, "run_dir": task.run_dir, "dataset": s.dataset.name,
              "N": task.N, "seed": task.seed, "model": s.model.name, "group": s.model.group,
              "augment": s.model.augment, "label": label(s), **{k: v for k, v in result.results.items()
                                                                 if k != "final"},
              "wall_seconds": time.perf_counter() - start,
              "train_seconds": sum(r.get("seconds") or 0.0 for r in result.history),
              "requested": requested.to_dict()}
    text = (json.dumps(record, indent=2) + "\n").encode()
    atomic_write(Path(task.run_dir) / DONE, lambda file: file.write(text))
    return record


def _run_safely(task: Task) -> tuple:
    try:
        return task, run_task(task), None
    except Exception as error:  # noqa: BLE001 - one run's failure is reported, the sweep goes on
        return task, None, f"{type(error).__name__}: {error}"


def label(s: Settings) -> str:
    """A run's name in tables and plots: ``[output] label``, or the model and
    its group (``EMLP-O(3)``, ``Scalar-O(3)``; ``MLP``, ``MLP + augmentation``,
    ``HFC`` for a model that ignores its group)."""
    if s.output.label:
        return s.output.label
    name = s.model.name if _group_free(s) else f"{s.model.name}-{s.model.group}"
    return name + (" + augmentation" if s.model.augment else "")


def _group_free(s: Settings) -> bool:
    """Whether the model ignores its group (the MLP, LieConv's HFC and FC):
    the group then only says under what its equivariance is measured."""
    return bool(getattr(model_registry().get(s.model.name), "group_free", False))


def local_gpus() -> list:
    """The GPUs a local pool gives one process each: ``CUDA_VISIBLE_DEVICES``
    if set, else those ``nvidia-smi -L`` lists (none without a driver). JAX is
    not imported, so this process holds no GPU memory."""
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None:
        return [d for d in visible.split(",") if d.strip() and d.strip() != "-1"]
    if shutil.which("nvidia-smi") is None:
        return []
    try:
        listed = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [str(i) for i, line in enumerate(l for l in listed.splitlines() if l.startswith("GPU "))]


def _pin(devices) -> None:  # a pool worker's initializer: take one GPU, before JAX is imported
    if devices is not None:
        os.environ["CUDA_VISIBLE_DEVICES"] = devices.get()


def _local(tasks: list, workers: int | None):
    gpus = local_gpus()
    workers = max(1, min(workers or len(gpus) or os.cpu_count() or 1, len(tasks)))
    if workers == 1 and not gpus:
        for task in tasks:  # in this process: no second JAX start-up
            yield _run_safely(task)
        return
    context = multiprocessing.get_context("spawn")  # JAX does not survive fork
    devices = None
    if gpus:
        workers = min(workers, len(gpus))
        devices = context.Manager().Queue()
        for gpu in gpus[:workers]:
            devices.put(gpu)
    pool = context.Pool(workers, initializer=_pin, initargs=(devices,), maxtasksperchild=1)
    try:
        yield from pool.imap_unordered(_run_safely, tasks)
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # an interrupted sweep stops its runs; their checkpoints resume them


def _ray(tasks: list, address: str, cpus_per_run: float, gpus_per_run: float):
    try:
        import ray
    except ImportError:
        raise ImportError("repalg sweep --ray needs Ray: pip install 'repalg[cluster]'") from None
    if not ray.is_initialized():
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    remote = ray.remote(num_cpus=cpus_per_run, num_gpus=gpus_per_run, max_retries=0)(_run_safely)
    pending = [remote.remote(task) for task in tasks]
    try:
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])
    finally:
        for ref in pending:
            ray.cancel(ref, force=True)


def sweep(plan: Plan, *, workers: int | None = None, ray_address: str | None = None, cpus_per_run: float = 1,
          gpus_per_run: float = 0, on_result: Callable | None = None) -> dict:
    """Run every unfinished task of ``plan`` and write the results table and
    plots; return the summary that ``results.json`` holds.

    ``workers`` processes run at once (default: one per GPU, else one per CPU
    core; 1 runs in this process); with ``ray_address`` (``"auto"``, or a
    head's ``host:port``) each run is a Ray task of ``cpus_per_run`` CPUs and
    ``gpus_per_run`` GPUs instead. The table and plots are rewritten as each
    run finishes. ``on_result(task, record, error, skipped)``
    is called for each run as it finishes (``skipped`` for those a previous
    sweep finished); an exception from it stops the sweep, whose finished
    runs stay finished. A run that fails is reported in the summary's
    ``failed`` and run again by the next sweep; the others go on.

    >>> import tempfile
    >>> plan = plan_from_configs(["examples/configs/paper/inertia-mlp.toml"], seeds=[1, 2], N=[30],
    ...                          out=tempfile.mkdtemp(), overrides=["train.epochs=2", "dataset.test=50"])
    >>> summary = sweep(plan, workers=1)
    >>> [(row["label"], row["N"], row["runs"]) for row in summary["rows"]]
    [('MLP', 30, 2)]
    """
    records, failed, todo = {}, {}, []
    for task in plan.tasks:
        record = finished(task)
        if record is not None:
            records[task.run_dir] = record
            if on_result is not None:
                on_result(task, record, None, True)
        else:
            todo.append(task)
    runs = _ray(todo, ray_address, cpus_per_run, gpus_per_run) if ray_address else _local(todo, workers)
    try:
        for task, record, error in runs:
            if error is None:
                records[task.run_dir] = record
            else:
                failed[task.run_dir] = error
            write_results(plan, records, failed)  # the table so far, readable while the sweep goes on
            if on_result is not None:
                on_result(task, record, error, False)
    finally:
        runs.close()
        summary = write_results(plan, records, failed)
    return summary


# -- the table and the plots -----------------------------------------------------------------------------------------

def metric(record: dict) -> tuple[str, float | None]:
    """A run record's headline metric as ``(name, value)``: test accuracy for
    classification, the rollout error for dynamics, test MSE otherwise."""
    if "rollout_error" in record:
        return "rollout error", record["rollout_error"]
    if "test_accuracy" in record:
        return "test accuracy", record["test_accuracy"]
    return "test MSE", record.get("test_mse")


def _stats(values: list) -> tuple[float | None, float | None]:
    values = [v for v in values if v is not None]
    if not values:
        return None, None
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
    return mean, std


def summarize(plan: Plan, records: dict, failed: dict | None = None) -> dict:
    """The results table as a dict: one row per (dataset, N, label) in the
    plan's order, with the metric's mean and sample standard deviation over
    seeds, the mean wall time per run, and the largest equivariance error."""
    failed = failed or {}
    groups = {}
    for task in plan.tasks:
        record = records.get(task.run_dir)
        if record is None:
            continue
        groups.setdefault((record["dataset"], task.N, record["label"]), []).append(record)
    rows = []
    for (dataset, N, name), found in groups.items():
        name_of_metric, _ = metric(found[0])
        mean, std = _stats([metric(r)[1] for r in found])
        wall, _ = _stats([r["wall_seconds"] for r in found])
        errors = [r["equivariance_error"] for r in found if r.get("equivariance_error") is not None]
        rows.append({"dataset": dataset, "N": N, "label": name, "metric": name_of_metric, "mean": mean, "std": std,
                     "runs": len(found), "seeds": sorted(r["seed"] for r in found), "wall_seconds": wall,
                     "epochs": found[0].get("epochs"), "equivariance_error": max(errors) if errors else None})
    return {"out": plan.out, "planned": len(plan.tasks), "finished": len(records), "rows": rows,
            "failed": [{"run_dir": k, "error": v} for k, v in failed.items()],
            "runs": [records[t.run_dir] for t in plan.tasks if t.run_dir in records]}


def _number(value) -> str:
    if value is None:
        return "–"
    return f"{value:.3g}" if abs(value) >= 1e-3 or value == 0 else f"{value:.2e}"


def _duration(seconds) -> str:
    if seconds is None:
        return "–"
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def markdown(summary: dict) -> str:
    """The summary as markdown: one table per dataset."""
    lines = [f"# Sweep results: {summary['out']}", "",
             f"{summary['finished']} of {summary['planned']} runs finished. Mean ± sample standard deviation "
             "over seeds; wall time is the mean per run (building the model, training and testing); the "
             "equivariance error is the largest over seeds (an MLP's shows how far it is from equivariant).", ""]
    by_dataset = {}
    for row in summary["rows"]:
        by_dataset.setdefault(row["dataset"], []).append(row)
    for dataset, rows in by_dataset.items():
        heading = rows[0]["metric"]
        lines += [f"## {dataset}", "", f"| model | N | {heading} | seeds | epochs | wall time / run | "
                                       "equivariance error |", "|---|---|---|---|---|---|---|"]
        for r in rows:
            value = _number(r["mean"]) + (f" ± {_number(r['std'])}" if r["runs"] > 1 else "")
            lines.append(f"| {r['label']} | {r['N'] if r['N'] is not None else '–'} | {value} | {r['runs']} | "
                         f"{r['epochs']} | {_duration(r['wall_seconds'])} | {_number(r['equivariance_error'])} |")
        lines.append("")
    if summary["failed"]:
        lines += ["## Failed runs", ""] + [f"- `{f['run_dir']}`: {f['error']}" for f in summary["failed"]] + [""]
    return "\n".join(lines)


def plot_data_efficiency(summary: dict, out) -> list:
    """For each dataset with more than one training-set size, test error (or
    accuracy) against N on log axes, one line per label with its seeds'
    standard deviation shaded; PNG files ``data_efficiency_<dataset>.png``
    in ``out``. Returns their paths."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure


    paths = []
    by_dataset = {}
    for row in summary["rows"]:
        if row["N"] is not None and row["mean"] is not None:
            by_dataset.setdefault(row["dataset"], []).append(row)
    for dataset, rows in by_dataset.items():
        if len({r["N"] for r in rows}) < 2:
            continue
        figure = Figure(figsize=(6, 4.5), tight_layout=True)
        FigureCanvasAgg(figure)
        axes = figure.subplots()
        for name in dict.fromkeys(r["label"] for r in rows):
            points = sorted((r["N"], r["mean"], r["std"] or 0.0) for r in rows if r["label"] == name)
            Ns, means, stds = zip(*points)
            axes.plot(Ns, means, marker="o", label=name)
            low = [max(m - s, m * 1e-2) for m, s in zip(means, stds)]
            axes.fill_between(Ns, low, [m + s for m, s in zip(means, stds)], alpha=0.2)
        axes.set_xscale("log")
        axes.set_yscale("log" if rows[0]["metric"] == "test MSE" else "linear")
        axes.set_xlabel("training examples N")
        axes.set_ylabel(rows[0]["metric"])
        axes.set_title(f"{dataset}: data efficiency (mean ± std over seeds)")
        axes.legend()
        path = Path(out) / f"data_efficiency_{dataset}.png"
        atomic_write(path, lambda file: figure.savefig(file, format="png", dpi=100))
        paths.append(path)
    return paths


def write_results(plan: Plan, records: dict, failed: dict | None = None) -> dict:
    """Write ``results.md``, ``results.json`` and the plots to the sweep's directory; return the summary."""

    out = Path(plan.out)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarize(plan, records, failed)
    summary["plots"] = [p.name for p in plot_data_efficiency(summary, out)]
    text = markdown(summary).encode()
    atomic_write(out / RESULTS_MD, lambda file: file.write(text))
    data = (json.dumps(summary, indent=2) + "\n").encode()
    atomic_write(out / RESULTS_JSON, lambda file: file.write(data))
    return summary


__all__ = ["DONE", "Plan", "Task", "finished", "is_plan", "label", "load_plan", "local_gpus", "markdown", "metric", "plan_from_configs",
           "plot_data_efficiency", "run_task", "summarize", "sweep", "write_results"]
