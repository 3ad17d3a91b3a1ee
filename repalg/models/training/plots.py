"""A run's figures: the learning curves (``curves.png``, from
``metrics.jsonl``) and, for trajectories, the rollouts (``rollout.png``).
matplotlib is imported when a figure is drawn, not with the trainer.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ...files import atomic_write
from ..config.schema import ConfigError
from ..config.settings import load_config
from .run_dir import CONFIG, CURVES, METRICS, read_history

def plot_curves(run_dir) -> Path:
    """Draw ``curves.png`` in ``run_dir`` from its ``metrics.jsonl``: the
    training loss and the validation MSE (or loss) against the epoch on a
    log scale, and the validation accuracy for classification."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib is slow to import: only to draw
    from matplotlib.figure import Figure

    run_dir = Path(run_dir)
    history, _ = read_history(run_dir / METRICS)
    epochs = [r["epoch"] for r in history]
    accuracy = any("val_accuracy" in r for r in history)
    figure = Figure(figsize=(10 if accuracy else 6, 4), tight_layout=True)
    FigureCanvasAgg(figure)
    axes = figure.subplots(1, 2 if accuracy else 1, squeeze=False)[0]
    train_label = "training cross-entropy" if accuracy else "training MSE"
    for key, label in [("train_loss", train_label), ("val_mse", "validation MSE"),
                       ("val_loss", "validation cross-entropy")]:
        points = [(r["epoch"], r[key]) for r in history if r.get(key) is not None]
        if points:
            axes[0].plot(*zip(*points), label=label)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("epoch")
    if axes[0].lines:
        axes[0].legend()
    if accuracy:
        points = [(r["epoch"], r["val_accuracy"]) for r in history if r.get("val_accuracy") is not None]
        if points:
            axes[1].plot(*zip(*points))
        axes[1].set_xlabel("epoch")
        axes[1].set_ylabel("validation accuracy")
    title = "no epochs yet" if not epochs else ""
    try:
        settings = load_config(run_dir / CONFIG, check_names=False)
        title = f"{settings.dataset.name}, {settings.model.name} on {settings.model.group}  {title}".strip()
    except ConfigError:
        pass
    figure.suptitle(title)
    path = run_dir / CURVES
    atomic_write(path, lambda file: figure.savefig(file, format="png", dpi=100))
    return path


def plot_rollouts(path, ts, predicted, true, found: dict, title: str = "", bodies: tuple = (2, 3)) -> None:
    """Draw the rollouts' figure at ``path`` (PNG): one system's bodies in the
    x-y plane and their last coordinate over time (heights, in space), true
    against predicted; the relative error over time (geometric mean over
    systems, with the 10-90% band); and the energy and ``L_z`` departures
    from their start (median over systems), predicted against true.
    ``bodies`` is ``(n, d)``: the state starts with ``n`` positions in
    ``d`` dimensions (the pendulum's two masses in space by default)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # matplotlib is slow to import: only to draw
    from matplotlib.figure import Figure

    n, d = bodies
    figure = Figure(figsize=(13, 8), tight_layout=True)
    FigureCanvasAgg(figure)
    (xy, height), (error, conserved) = figure.subplots(2, 2)
    name = "mass" if n <= 2 else "body"
    for body in range(n):
        at, colour = slice(d * body, d * body + d), f"C{body % 10}"
        xy.plot(true[0, :, at][:, 0], true[0, :, at][:, 1], color=colour, label=f"{name} {body + 1}, true")
        xy.plot(predicted[0, :, at][:, 0], predicted[0, :, at][:, 1], "--", color=colour,
                label="predicted" if body == 0 or n <= 2 else None)
        height.plot(ts, true[0, :, at][:, d - 1], color=colour)
        height.plot(ts, predicted[0, :, at][:, d - 1], "--", color=colour)
    xy.set(xlabel="x", ylabel="y", title="one test system, seen from above" if d == 3 else "one test system")
    xy.set_aspect("equal", adjustable="datalim")
    xy.legend(fontsize=8)
    height.set(xlabel="time (s)", ylabel="z" if d == 3 else "y",
               title="heights (dashed: predicted)" if d == 3 else "y over time (dashed: predicted)")
    errors = np.maximum(found["errors"], found["error_floor"])
    with np.errstate(invalid="ignore"):
        error.plot(ts, np.exp(np.mean(np.log(errors), axis=0)), label="geometric mean")
        error.fill_between(ts, *np.nanpercentile(errors, [10, 90], axis=0), alpha=0.3, label="10-90%")
    error.set(yscale="log", xlabel="time (s)", ylabel="relative error",
              title=f"rollout error (geometric mean {found['rollout_error_capped']:.3g}"
                    f"{'' if found['rollout_error'] is not None else ', stopped rollouts counted as 1'})")
    error.legend(fontsize=8)
    for name, colour in (("energy", "C2"), ("lz", "C3")):
        label = "energy" if name == "energy" else "L_z"
        for which, style in (("predicted", "--"), ("true", "-")):
            values = found[f"{name}_{which}"]
            with np.errstate(invalid="ignore"):
                conserved.plot(ts, np.nanmedian(np.abs(values - values[:, :1]), axis=0), style, color=colour,
                               label=f"{label}, {which}")
    conserved.set(yscale="log", xlabel="time (s)", ylabel="|change| (median over systems)",
                  title="conserved quantities")
    conserved.legend(fontsize=8)
    figure.suptitle(title)
    atomic_write(path, lambda file: figure.savefig(file, format="png", dpi=90))


__all__ = ["plot_curves", "plot_rollouts"]
