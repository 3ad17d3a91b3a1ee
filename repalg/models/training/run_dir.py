"""A run directory: its files (``config.toml``, ``checkpoint.npz``,
``metrics.jsonl``, ``results.json``, ``curves.png``; ``rollouts.npz`` and
``rollout.png`` for trajectories), the JSON lines of its metrics, and
whether a config may resume the run it holds (:func:`check_run_dir`).

>>> json_number(float("nan")), json_number(2.0)
(None, 2.0)
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ...files import atomic_write
from ..config.schema import ConfigError
from ..config.settings import Settings, parse_config
from .checkpoint import checkpoint_progress

CHECKPOINT, CONFIG, METRICS, RESULTS, CURVES = "checkpoint.npz", "config.toml", "metrics.jsonl", "results.json", \
    "curves.png"
"""The files of a run directory."""


ROLLOUTS, ROLLOUT_PLOT = "rollouts.npz", "rollout.png"
"""A run on trajectories also holds its rollouts and their figure."""


def json_number(value):
    """``value`` as a JSON number: a float, or ``None`` where it is not finite."""
    return float(value) if value is not None and math.isfinite(value) else None


def read_history(path: Path, last_epoch: int) -> list:
    """The epochs' records of ``metrics.jsonl`` at ``path`` up to ``last_epoch`` (a
    line cut short by an interruption skipped, the final record left out)."""
    history = []
    if path.exists():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ConfigError(None, f"{path} is not UTF-8 text (byte {error.start}: {error.reason}), so the run's "
                                    "history cannot be read back; it is left as it is: restore it, or move it "
                                    "away to resume without it") from None
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue  # a line cut short by an interruption
            if isinstance(record, dict) and not record.get("final") and record.get("epoch", 0) <= last_epoch:
                history.append(record)
    return history


def write_lines(path: Path, records: list) -> None:
    """Rewrite ``path`` atomically with one JSON line per record."""
    text = "".join(json.dumps(r) + "\n" for r in records).encode()
    atomic_write(path, lambda file: file.write(text))


def append_line(path: Path, record: dict) -> None:
    """Append ``record`` to ``path`` as a JSON line."""
    with open(path, "a", encoding="utf-8") as file:
        file.write(json.dumps(record) + "\n")


def same_settings(stored: dict, current: dict, run_dir) -> None:
    """Raise a :class:`ConfigError` naming the first key of the sections
    ``dataset``, ``model`` and ``train`` where the settings dicts ``stored``
    (of the run in ``run_dir``) and ``current`` differ."""
    for section in ("dataset", "model", "train"):
        there_section, here_section = stored.get(section, {}), current.get(section, {})
        for key in sorted(set(there_section) | set(here_section)):
            there, here = there_section.get(key), here_section.get(key)
            if there != here:
                raise ConfigError(f"{section}.{key}", f"{run_dir} holds a run of another config ({there!r} there, "
                                                      f"{here!r} here); resume it with its own config "
                                                      f"({Path(run_dir) / CONFIG}) or choose another output "
                                                      "directory")


def check_run_dir(run_dir, settings: Settings) -> dict | None:
    """The progress (``{"epoch", "step"}``) of the checkpoint in ``run_dir``
    that ``settings`` would resume, ``None`` for a fresh run; a
    :class:`ConfigError` naming the first differing key when the directory
    holds a run of another config (the ``[output]`` section may differ)."""
    run_dir = Path(run_dir)
    if not (run_dir / CHECKPOINT).exists():
        return None
    try:
        stored = parse_config((run_dir / CONFIG).read_text(encoding="utf-8"), check_names=False).to_dict()
    except (OSError, UnicodeDecodeError, ConfigError) as error:
        raise ConfigError(None, f"{run_dir} has a checkpoint but no readable {CONFIG} ({error}); "
                                "choose another output directory") from None
    same_settings(stored, settings.to_dict(), run_dir)
    try:
        return checkpoint_progress(run_dir / CHECKPOINT)
    except ValueError as error:  # a damaged checkpoint is refused, not replaced by a new run
        raise ConfigError(None, str(error)) from None


__all__ = ["CHECKPOINT", "CONFIG", "CURVES", "METRICS", "RESULTS", "ROLLOUTS", "ROLLOUT_PLOT", "append_line",
           "check_run_dir", "json_number", "read_history", "same_settings", "write_lines"]
