"""A sweep's report: one row per (dataset, N, label) with the metric's
mean and standard deviation over seeds, as ``results.md`` and
``results.json``, and the data-efficiency plots.

>>> metric({"test_mse": 0.5}), metric({"test_accuracy": 0.9, "test_mse": None})
(('test MSE', 0.5), ('test accuracy', 0.9))
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ...files import atomic_write
from .plan import Plan

RESULTS_MD, RESULTS_JSON = "results.md", "results.json"
"""The files of the sweep's table, as markdown and as JSON, in its directory."""


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
    the seeds that have one (``counted``: a run whose rollouts did not all
    finish has no rollout error, and is left out as emlp's table leaves out
    such a trial), the mean wall time per run, and the largest equivariance
    error."""
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
        values = [metric(r)[1] for r in found]
        mean, std = _stats(values)
        wall, _ = _stats([r["wall_seconds"] for r in found])
        errors = [r["equivariance_error"] for r in found if r.get("equivariance_error") is not None]
        rows.append({"dataset": dataset, "N": N, "label": name, "metric": name_of_metric, "mean": mean, "std": std,
                     "runs": len(found), "counted": sum(v is not None for v in values),
                     "seeds": sorted(r["seed"] for r in found), "wall_seconds": wall,
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
            value = _number(r["mean"]) + (f" ± {_number(r['std'])}" if r["counted"] > 1 else "")
            if r["counted"] < r["runs"]:  # emlp's table drops a trial whose rollouts did not all finish
                value += f" ({r['counted']} of {r['runs']} counted)"
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
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib is slow to import: only to draw
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


__all__ = ["RESULTS_JSON", "RESULTS_MD", "markdown", "metric", "plot_data_efficiency", "summarize", "write_results"]
