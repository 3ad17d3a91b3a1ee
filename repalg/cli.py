"""The ``repalg`` command line.

    repalg canon "5*V*(2+V)"                          the canonical form
    repalg canon "10*T(1)+5*T(2)" --group "S(5)"      ... and the size
    repalg basis "T(1,0)>>T(2,1)" --group "O(1,3)"   the equivariant basis
    repalg decompose "V**4" --group "SO(3)"           the irreducible components
    repalg train examples/configs/paper/inertia-emlp-o3.toml   train a model from a TOML config
    repalg sweep examples/configs/paper/sweep.toml    the paper's experiments, over seeds and sizes
"""

from __future__ import annotations

import argparse
import signal
import sys
import warnings
from pathlib import Path

import jax
import numpy as np
from tqdm.auto import tqdm

from .version import __version__
from .models.config.settings import load_config
from .models.sweep.plan import is_plan, load_plan, plan_from_configs
from .models.sweep.report import RESULTS_JSON, RESULTS_MD, metric
from .models.sweep.run import sweep
from .models.training.build import prepare
from .models.training.lock import hold_run
from .models.training.loop import train
from .models.training.run_dir import (CHECKPOINT, CONFIG, CURVES, METRICS, RESULTS, ROLLOUT_PLOT, ROLLOUTS,
                                      RunDirWarning, check_run_dir)
from .numeric import SolveError
from .numeric.equivariance import equivariance_error
from .symbolic import Scalar, group, parse

DENSE_SAVE_LIMIT = 50_000_000
"""Bases with more entries than this are saved in sparse (CSR) form."""

DEFAULT_EXPRESSION = "10*T(1)+5*T(2)"
DEFAULT_GROUP = "S(5)"


def _canon(args: argparse.Namespace) -> int:
    text = DEFAULT_EXPRESSION if args.expression is None else args.expression
    group_text = DEFAULT_GROUP if args.expression is None and args.group is None else args.group
    rep = parse(text)
    if group_text is not None:
        rep = rep(group(group_text))
    print(f"expression: {rep!r}")
    print(f"canonical:  {rep.canonical()!r}")
    print(f"as math:    {rep.canonical()}")
    if group_text is not None or rep.groups():
        print(f"size:       {rep.size()}")
    return 0


def _bound(args: argparse.Namespace):
    rep = parse(args.expression)
    return rep(group(args.group)) if args.group is not None else rep


def _basis(args: argparse.Namespace) -> int:
    rep = _bound(args)
    predicted = _predicted_text(rep)
    basis = rep.equivariant_basis()
    info = basis.info
    rank = basis.shape[1]
    error = equivariance_error(lambda c: basis @ c, rank * Scalar, rep, samples=args.samples) if rank else 0.0
    print(f"representation:     {rep!r}")
    print(f"size:               {info.size}")
    print(f"rank:               {rank}")
    print(f"predicted rank:     {predicted}")
    print(f"strategy:           {info.strategy}")
    print(f"time:               {info.seconds:.3g} s")
    print(f"spectral gap:       {info.gap:.3g}" + (" (exact)" if info.gap == np.inf else ""))
    print(f"equivariance error: {error:.3g} (largest over {args.samples} sampled elements, float64)")
    if args.save:
        _save(args.save, rep, basis)
        print(f"saved:              {args.save}")
    return 0


def _predicted_text(rep) -> str:
    try:
        predicted = rep.predicted_rank()
    except ValueError as error:
        return f"not computed ({error})"
    if predicted is None:
        return "none (no character theory, and not a finite group small enough to enumerate)"
    return f"{predicted} (from characters)"


def _decompose(args: argparse.Namespace) -> int:
    rep = _bound(args)
    decomposition = rep.decompose()
    rows = [(str(key), key.size(), count) for key, count in decomposition.items()]
    width = max([len("irreducible")] + [len(r[0]) for r in rows])
    print(f"representation: {rep!r}")
    print(f"size:           {rep.size()}")
    print(f"{'irreducible':<{width}}  {'dim':>6}  {'multiplicity':>12}")
    for name, dim, count in rows:
        print(f"{name:<{width}}  {dim:>6}  {count:>12}")
    print(f"total:          {decomposition.dim()} = sum of dim x multiplicity over {len(rows)} irreducibles "
          f"({decomposition.field})")
    predicted = rep.predicted_rank()
    if predicted is not None:
        print(f"invariants:     {predicted} (the predicted rank of its equivariant basis)")
    if args.latex:
        print(f"latex:          {decomposition.latex()}")
    return 0


def _train(args: argparse.Namespace) -> int:
    previous = signal.signal(signal.SIGTERM, _terminate)  # kill's SIGTERM stops a run as Ctrl-C does, from its start
    out = None
    try:
        if args.distributed or args.coordinator or args.num_processes is not None or args.process_id is not None:
            jax.distributed.initialize(coordinator_address=args.coordinator, num_processes=args.num_processes,
                                       process_id=args.process_id)
        settings = load_config(args.config, args.set)
        out = args.out if args.out is not None else settings.output.dir
        with hold_run(out), warnings.catch_warnings():  # the directory is this run's from the start
            warnings.simplefilter("always", RunDirWarning)
            warnings.showwarning = _show_run_dir_warning
            return _train_held(args, settings, out)
    except KeyboardInterrupt as stop:
        if jax.process_index() == 0:
            saved = out is not None and (Path(out) / CHECKPOINT).exists()
            print("\ninterrupted: " + (f"the last finished epoch is saved in {out}; run the same command to resume"
                                       if saved else "before the first epoch was saved; nothing is lost by running "
                                                     "the same command again"), file=sys.stderr)
        return _exit_status(stop)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _show_run_dir_warning(message, category, filename, lineno, file=None, line=None):
    if jax.process_index() == 0:
        text = (f"warning: {message}\n" if issubclass(category, RunDirWarning)
                else warnings.formatwarning(message, category, filename, lineno, line))
        print(text, file=sys.stderr, end="")


def _train_held(args: argparse.Namespace, settings, out) -> int:
    say = print if jax.process_index() == 0 else (lambda *_, **__: None)
    run = prepare(settings)
    s, data = run.settings, run.data
    parameters = sum(int(np.prod(leaf.shape)) for leaf in jax.tree_util.tree_leaves(
        jax.eval_shape(run.model.init, jax.random.PRNGKey(0), data.X_train[:1])))
    devices = jax.devices()
    done = check_run_dir(out, s)
    note = ("" if done is None else " (finished; evaluating its weights again)" if done["epoch"] >= s.train.epochs
             else f" (resuming after epoch {done['epoch']} of {s.train.epochs})")
    say(f"config:             {args.config or 'the default (repalg/models/configs/default.toml)'}")
    say(f"run directory:      {out}{note}")
    say(f"dataset:            {s.dataset.name}: {len(data.X_train)} training, {len(data.X_val)} validation, "
          f"{len(data.X_test)} test examples")
    say(f"model:              {s.model.name} {s.model.rep_in} -> {s.model.rep_out} on {s.model.group}, "
          f"{parameters} parameters")
    say(f"training:           {s.train.epochs} epochs of {run.steps_per_epoch} steps, batch {run.batch_size}, "
          f"Adam lr {s.train.lr:g} ({s.train.schedule}), seed {s.train.seed}")
    say(f"devices:            {len(devices)} x {devices[0].platform}"
          + (f" over {jax.process_count()} processes" if jax.process_count() > 1 else ""), flush=True)
    result = train(run, out, progress=True)
    r = result.results
    weights = (f"best validation weights, epoch {r['best_epoch']}" if r["weights"] == "best"
               else "last weights (no validation split)" if not len(data.X_val)
               else "last weights (no finite validation metric)")
    if "test_accuracy" in r:
        say(f"test accuracy:      {_number(r['test_accuracy'])} (cross-entropy {_number(r['test_loss'])}; {weights})")
    else:
        say(f"test MSE:           {_number(r['test_mse'])} ({weights})")
    say(f"equivariance error: {_number(r['equivariance_error'])} (largest over {r['equivariance_samples']} test "
          "inputs, each with a sampled group element)")
    files = [CONFIG, CHECKPOINT, METRICS, RESULTS] + ([CURVES] if s.output.plot else [])
    if "rollout_error" in r:
        horizon = s.train.rollout_horizon or data.system.T_long[-1] + data.system.dt
        stopped = (f"; {r['budget_systems']} reached the step budget, {r['diverged_systems']} diverged: "
                   f"{_number(r['rollout_error_capped'])} with those counted as 1"
                   if r["rollout_error"] is None else "")
        say(f"rollout error:      {_number(r['rollout_error'])} (emlp's: geometric mean of the relative error, "
            f"clamped at {r['error_floor']:g}, over {horizon:g} s and {r['rollout_systems']} test systems, "
            f"{r['rollout_weights']} weights{stopped})")
        say(f"energy drift:       {_number(r['energy_drift'])} (the true dynamics: "
            f"{_number(r['true_energy_drift'])}; largest change from the start, mean over systems)")
        say(f"L_z drift:          {_number(r['lz_drift'])} (the true dynamics: {_number(r['true_lz_drift'])})")
        files += [ROLLOUTS] + ([ROLLOUT_PLOT] if s.output.plot else [])
    say(f"files:              {', '.join(str(Path(out) / f) for f in files)}")
    return 0


def _number(value) -> str:
    return "not finite" if value is None else f"{value:.4g}"


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised where Ctrl-C raises KeyboardInterrupt, so that both
    stop a run or a sweep the same way."""


def _terminate(signum, frame):
    raise _Terminated


def _exit_status(stop: KeyboardInterrupt) -> int:
    """The shell's status for a run stopped by ``stop``: 128 + the signal's
    number (130 for Ctrl-C's SIGINT, 143 for SIGTERM)."""
    return 128 + (signal.SIGTERM if isinstance(stop, _Terminated) else signal.SIGINT)


def _sweep(args: argparse.Namespace) -> int:
    if len(args.files) == 1 and is_plan(args.files[0]):
        if args.seeds or args.N:
            raise ValueError(f"{args.files[0]} is a sweep plan: it sets its own seeds and sizes (edit it, or "
                             "give config files instead)")
        plan = load_plan(args.files[0], args.set, out=args.out)
    else:
        plan = plan_from_configs(args.files, seeds=args.seeds or [2021], N=args.N, out=args.out or "runs/sweep",
                                 overrides=args.set)
    if args.ray:
        where = f"Ray at {args.ray}"
    elif args.workers:
        where = "1 process" if args.workers == 1 else f"{args.workers} processes"
    else:
        where = "local processes"
    print(f"sweep:   {len(plan.tasks)} runs in {plan.out}, on {where}", flush=True)
    bar = tqdm(total=len(plan.tasks), unit="run", dynamic_ncols=True)

    def report(task, record, error, skipped):
        what = f"{task.name} " + (f"N={task.N} " if task.N is not None else "") + f"seed {task.seed}"
        if error is not None:
            bar.write(f"failed:  {what}: {error}")
        elif not skipped:
            name, value = metric(record)
            bar.write(f"done:    {what}: {name} {_number(value)}, {record['wall_seconds']:.0f} s")
        bar.update(1)

    # a terminated sweep stops as an interrupted one does: its pool's runs stop with it, not orphaned
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        summary = sweep(plan, workers=args.workers, ray_address=args.ray, cpus_per_run=args.cpus_per_run,
                        gpus_per_run=args.gpus_per_run, on_result=report)
    except KeyboardInterrupt as stop:
        bar.close()
        print(f"\ninterrupted: finished runs are kept in {plan.out}; run the same command to go on",
              file=sys.stderr)
        return _exit_status(stop)
    finally:
        signal.signal(signal.SIGTERM, previous)
    bar.close()
    out = Path(plan.out)
    print(f"results: {out / RESULTS_MD}, {out / RESULTS_JSON}"
          + "".join(f", {out / name}" for name in summary["plots"]))
    if summary["failed"]:
        print(f"repalg: error: {len(summary['failed'])} runs failed (listed in {out / RESULTS_MD}); run the "
              "same command to retry them", file=sys.stderr)
        return 1
    return 0


def _save(path: str, rep, basis) -> None:
    meta = {"representation": np.array(repr(rep)), "strategy": np.array(basis.info.strategy),
            "gap": np.array(basis.info.gap)}
    if basis.shape[0] * basis.shape[1] <= DENSE_SAVE_LIMIT:
        np.savez(path, basis=basis.dense(), **meta)
    else:
        m = basis.sparse()
        np.savez(path, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape), **meta)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repalg",
        description="Exact equivariant bases for group representations written as text.",
        epilog='Example: repalg canon "5*V*(2+V)" --group "S(5)"',
    )
    parser.add_argument("--version", action="version", version=f"repalg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    canon = commands.add_parser(
        "canon", help="print the canonical form of a representation",
        description="Print the canonical form of a representation expression: a sum of "
                    "monomials with multiplicities, sorted by content. With --group, bind the "
                    "group and print the dimension too. Without an expression, runs the example "
                    f"{DEFAULT_EXPRESSION!r} on {DEFAULT_GROUP}.",
    )
    canon.add_argument("expression", nargs="?", help='a representation, e.g. "5*V*(2+V)" or "T(1,0)>>T(2,1)"')
    canon.add_argument("--group", "-g", help='a group to bind, e.g. "SO(3)", "O(1,3)", "S(5)", "SO(3) x S(4)"')
    canon.set_defaults(run=_canon)
    basis = commands.add_parser(
        "basis", help="solve for the equivariant basis of a representation",
        description="Solve for an orthonormal basis of the equivariant subspace of a representation "
                    "(for A>>B, the equivariant linear maps from A to B) and print its size, rank, the "
                    "strategy and time of the solve, the spectral gap that certifies the rank, and the "
                    "equivariance error on sampled group elements.",
    )
    basis.add_argument("expression", help='a representation, e.g. "T(1,0)>>T(2,1)"')
    basis.add_argument("--group", "-g", help='the group to bind, e.g. "O(1,3)" (unless the expression binds its own)')
    basis.add_argument("--save", metavar="FILE.npz",
                       help="write the basis to an npz file: 'basis' (dense), or 'data', 'indices', 'indptr', "
                            "'shape' (CSR) when it has more than 5e7 entries; with 'representation' and 'strategy'")
    basis.add_argument("--samples", type=int, default=5, help="group elements for the equivariance check (5)")
    basis.set_defaults(run=_basis)
    decompose = commands.add_parser(
        "decompose", help="split a representation into irreducibles",
        description="Print the isotypic decomposition of a representation: each irreducible with its "
                    "dimension and multiplicity (exact, from characters, for the built-in groups; "
                    "numeric, through the commutant, for the others), and the predicted number of invariants.",
    )
    decompose.add_argument("expression", help='a representation, e.g. "V**4"')
    decompose.add_argument("--group", "-g", help='the group to bind, e.g. "SO(3)"')
    decompose.add_argument("--latex", action="store_true", help="also print the decomposition in LaTeX")
    decompose.set_defaults(run=_decompose)
    train = commands.add_parser(
        "train", help="train a model from a TOML config",
        description="Train the model a TOML config names on its dataset: Adam on mini-batches with a progress "
                    "bar, the validation split's best weights kept, metrics.jsonl, curves.png and a checkpoint "
                    "at each validation (every 1%% of the run) in the run directory (run the same command again to resume an interrupted "
                    "run), then the test MSE (or accuracy) and the equivariance error. Without a config, runs "
                    "the packaged default: EMLP on Inertia with O(3), a few minutes on two CPU cores.",
        epilog="Example: repalg train examples/configs/paper/inertia-mlp.toml --set train.epochs=10 --out runs/try",
    )
    train.add_argument("config", nargs="?", help="a TOML config (see examples/configs/paper/); default: the packaged one")
    train.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="override a config value, typed as TOML (train.epochs=10, train.lr=1e-3, "
                            "model.group=SO(3)); repeatable")
    train.add_argument("--out", metavar="DIR", help="the run directory (default: [output] dir, or runs/<config name>)")
    hosts = train.add_argument_group(
        "several hosts", "Start the same command on every host; the batch is split across all their devices "
                         "and process 0 writes the run directory (see the README, Several hosts).")
    hosts.add_argument("--distributed", action="store_true",
                       help="call jax.distributed.initialize() first, detecting the cluster (SLURM, Open MPI, "
                            "Cloud TPU, Kubernetes)")
    hosts.add_argument("--coordinator", metavar="HOST:PORT", help="the coordinator's address (process 0's host)")
    hosts.add_argument("--num-processes", type=int, metavar="N", help="the number of processes")
    hosts.add_argument("--process-id", type=int, metavar="I", help="this process's index, 0 to N-1")
    train.set_defaults(run=_train)
    sweep = commands.add_parser(
        "sweep", help="train many runs (configs x sizes x seeds) and tabulate them",
        description="Train every run of a sweep plan (a TOML file with [sweep] and [[runs]] tables; see "
                    "examples/configs/paper/sweep.toml), or of config files over --seeds and --N, one process "
                    "per CPU core or GPU (or one Ray task each), then write results.md, results.json and "
                    "data-efficiency plots to the sweep's directory. Finished runs are kept: run the same "
                    "command again to finish an interrupted sweep.",
        epilog="Example: repalg sweep examples/configs/paper/inertia-mlp.toml examples/configs/paper/inertia-emlp-o3.toml "
               "--seeds 1 2 3 --N 100 1000 --out runs/mine",
    )
    sweep.add_argument("files", nargs="+", metavar="PLAN_OR_CONFIG", help="a sweep plan, or config files")
    sweep.add_argument("--seeds", type=int, nargs="+", metavar="SEED", help="seeds for config files (default 2021)")
    sweep.add_argument("--N", type=int, nargs="+", metavar="N", help="training-set sizes for config files "
                                                                     "(default: each config's own)")
    sweep.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                       help="override a value in every run (train.epochs=10); repeatable")
    sweep.add_argument("--out", metavar="DIR", help="the sweep directory (default: the plan's, or runs/sweep)")
    sweep.add_argument("--workers", type=int, metavar="K", help="runs at once (default: one per GPU, else per "
                                                                "CPU core; 1 runs them in this process)")
    sweep.add_argument("--ray", metavar="ADDRESS", help="run each run as a task on the Ray cluster at ADDRESS "
                                                        "('auto', or the head's host:port); needs repalg[cluster]")
    sweep.add_argument("--cpus-per-run", type=float, default=1, metavar="C", help="Ray: CPUs per run (1)")
    sweep.add_argument("--gpus-per-run", type=float, default=0, metavar="G", help="Ray: GPUs per run (0)")
    sweep.set_defaults(run=_sweep)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["canon", "5*V*(2+V)"])
    expression: 5*V*(2+V)
    canonical:  10*V+5*V**2
    as math:    10V+5V²
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except (ValueError, SolveError, OSError) as error:
        print(f"repalg: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
