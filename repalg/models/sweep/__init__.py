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

One module each: :mod:`.plan` (the runs), :mod:`.run` (the local pool and
Ray) and :mod:`.report` (the table and the plots).

>>> plan = plan_from_configs(["examples/configs/paper/inertia-mlp.toml"], seeds=[1, 2], N=[30, 100])
>>> [(t.name, t.N, t.seed) for t in plan.tasks][:3]
[('inertia-mlp', 30, 1), ('inertia-mlp', 30, 2), ('inertia-mlp', 100, 1)]
"""

from ..config.settings import label
from .plan import Plan, Task, is_plan, load_plan, plan_from_configs
from .report import RESULTS_JSON, RESULTS_MD, markdown, metric, plot_data_efficiency, summarize, write_results
from .run import DONE, finished, local_gpus, run_task, sweep

__all__ = ["DONE", "RESULTS_JSON", "RESULTS_MD", "Plan", "Task", "finished", "is_plan", "label", "load_plan",
           "local_gpus", "markdown", "metric", "plan_from_configs", "plot_data_efficiency", "run_task", "summarize",
           "sweep", "write_results"]
