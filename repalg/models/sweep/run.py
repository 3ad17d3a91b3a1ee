"""Running a sweep: each unfinished task of a plan trained (or resumed) in
its own directory and marked finished there (``sweep.json``), on a local
pool of processes (one per GPU, or per CPU core) or, with a Ray address, as
Ray tasks; the table rewritten as each run finishes.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Callable

from ...files import atomic_write
from ...processes import die_with_parent
from ..config.settings import label
from ..training.build import prepare
from ..training.lock import RunDirBusy, holder
from ..training.loop import train
from ..training.run_dir import same_settings
from .plan import Plan, Task
from .report import write_results

DONE = "sweep.json"
"""The file that marks a run of a sweep finished: its results and wall time."""


def finished(task: Task) -> dict | None:
    """The record of ``task`` if a sweep finished it, else ``None``; a
    :class:`ConfigError` naming the first differing key if it finished
    with other settings (the config or the overrides changed since)."""
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


def _start_worker(parent: int, devices) -> None:
    """A pool worker's initializer: end with the sweep (``parent``), however
    it ends; take one GPU, before JAX is imported."""
    die_with_parent(parent)
    if devices is not None:
        gpu = devices.get()
        os.environ["CUDA_VISIBLE_DEVICES"] = gpu
        # a worker runs one task: its GPU goes back for the worker that replaces it
        multiprocessing.util.Finalize(None, devices.put, args=(gpu,), exitpriority=10)


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
        devices = context.Queue()  # not a Manager's: no server process to outlive the sweep
        for gpu in gpus[:workers]:
            devices.put(gpu)
    pool = context.Pool(workers, initializer=_start_worker, initargs=(os.getpid(), devices), maxtasksperchild=1)
    try:
        yield from pool.imap_unordered(_run_safely, tasks)
        pool.close()
        pool.join()
    finally:
        pool.terminate()  # an interrupted sweep stops its runs; their checkpoints resume them


def _ray(tasks: list, address: str, cpus_per_run: float, gpus_per_run: float):
    try:
        import ray  # optional and heavy: only for sweeps on a Ray cluster
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
    >>> from repalg.models.sweep import plan_from_configs
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
        elif (held := holder(task.run_dir)) is not None:  # a live process trains there (a previous sweep's worker)
            failed[task.run_dir] = f"ConfigError: {RunDirBusy(task.run_dir, held)}"
            if on_result is not None:
                on_result(task, None, failed[task.run_dir], False)
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


__all__ = ["DONE", "finished", "local_gpus", "run_task", "sweep"]
