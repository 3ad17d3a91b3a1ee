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
import os
from pathlib import Path

from ...files import atomic_write
from ..config.schema import ConfigError
from ..config.settings import Settings, config_digest, parse_config
from .checkpoint import read_header

CHECKPOINT, CONFIG, METRICS, RESULTS, CURVES = "checkpoint.npz", "config.toml", "metrics.jsonl", "results.json", \
    "curves.png"
"""The files of a run directory."""


ROLLOUTS, ROLLOUT_PLOT = "rollouts.npz", "rollout.png"
"""A run on trajectories also holds its rollouts and their figure."""


def json_number(value):
    """``value`` as a JSON number: a float, or ``None`` where it is not finite."""
    return float(value) if value is not None and math.isfinite(value) else None


class RunDirWarning(UserWarning):
    """Something in a run directory was lost or damaged, and the run goes on
    without it or with it rebuilt; the message says which."""


def read_history(path: Path, last_epoch: int | None = None) -> tuple[list, str | None]:
    """The epochs' records of ``metrics.jsonl`` at ``path`` (up to
    ``last_epoch`` when given; the final record left out, and the last line
    when an interruption cut it short), and what is wrong with the file:
    ``None``, or words such as ``"is missing"`` (with ``last_epoch``, also
    epochs 1 to ``last_epoch`` not there once each). A file that is not
    UTF-8 has no records."""
    if not path.exists():
        return [], "is missing"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as error:
        return [], f"is not UTF-8 text (byte {error.start}: {error.reason})"
    history, broken = [], []
    for number, line in enumerate(lines, 1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            if number < len(lines):  # the last line may be one an interruption cut short
                broken.append(number)
            continue
        if not isinstance(record, dict) or "epoch" not in record and not record.get("final"):
            broken.append(number)
        elif not record.get("final") and (last_epoch is None or record["epoch"] <= last_epoch):
            history.append(record)
    if broken:
        return history, f"has {len(broken)} lines that are not metrics (line {broken[0]} the first)"
    if last_epoch is None:
        return history, None
    epochs = [r["epoch"] for r in history]
    if epochs != list(range(1, last_epoch + 1)):
        missing = sorted(set(range(1, last_epoch + 1)) - set(epochs))
        return history, (f"lacks {len(missing)} of the {last_epoch} epochs saved (epochs {_spans(missing)})"
                         if missing else "holds epochs twice or out of order")
    return history, None


def _spans(numbers: list) -> str:
    spans, start = [], None
    for i, n in enumerate(numbers):
        start = n if start is None else start
        if i + 1 == len(numbers) or numbers[i + 1] != n + 1:
            spans.append(f"{start}" if start == n else f"{start}-{n}")
            start = None
    return ", ".join(spans[:4]) + (", ..." if len(spans) > 4 else "")


def resume_history(run_dir, last_epoch: int, saved: list | None, write: bool = True) -> tuple[list, str | None]:
    """The history a run resumed after ``last_epoch`` goes on from, and, when
    ``metrics.jsonl`` was missing or damaged, what was done about it.

    With ``saved`` (the checkpoint's copy of the history) a file that does
    not hold exactly those records is rebuilt from it, a damaged one first
    moved aside (``metrics.jsonl.damaged``). Without (a checkpoint from
    before it kept one), the records that can be read are kept and the
    message says which epochs are gone; a file that is not UTF-8 stops the
    run, left as it is."""
    path = Path(run_dir) / METRICS
    found, problem = read_history(path, last_epoch)
    if saved is not None:
        if found == saved:
            return saved, None
        aside = _move_aside(path) if write and path.exists() else None
        kept = f"; the file as it was is kept as {aside}" if aside else ""
        return list(saved), (f"{path} {problem or 'does not match the checkpoint'}: its {len(saved)} epochs were "
                             f"rebuilt from the copy in {Path(run_dir) / CHECKPOINT}{kept}")
    if problem is not None and problem.startswith("is not UTF-8"):
        raise ConfigError(None, f"{path} {problem}, so the run's history cannot be read back; it is left as it "
                                "is: restore it, or move it away to resume without it")
    if problem is None:
        return found, None
    return found, (f"{path} {problem}, and the checkpoint, written by an earlier repalg, keeps no copy: "
                   f"the records of {last_epoch - len(found)} epochs are gone, and the best epoch will be "
                   "reported as unknown")


def _move_aside(path: Path) -> Path:
    aside, n = path.with_name(path.name + ".damaged"), 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged.{n}")
    os.replace(path, aside)
    return aside


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
        text = (run_dir / CONFIG).read_text(encoding="utf-8")
        stored = parse_config(text, check_names=False).to_dict()
    except (OSError, UnicodeDecodeError, ConfigError) as error:
        raise ConfigError(None, f"{run_dir} has a checkpoint but no readable {CONFIG} ({error}); "
                                "choose another output directory") from None
    same_settings(stored, settings.to_dict(), run_dir)
    try:
        meta = read_header(run_dir / CHECKPOINT)
        same_config(meta, text, run_dir)
    except ValueError as error:  # a damaged or foreign checkpoint is refused, not replaced by a new run
        raise ConfigError(None, str(error)) from None
    return {"epoch": meta["epoch"], "step": meta["step"]}


def same_config(meta: dict, text: str, run_dir) -> None:
    """Refuse a checkpoint (its header ``meta``) that was not trained on the
    config ``text`` of ``run_dir``: one copied in from another run, even of
    a model with the same shapes. A checkpoint that records no digest (from
    before one was kept) is not checked."""
    digest = (meta.get("run") or {}).get("config")
    if digest is not None and digest != config_digest(text):
        raise ValueError(f"{Path(run_dir) / CHECKPOINT} was not trained on {Path(run_dir) / CONFIG} (the config it "
                         f"records has digest {digest}, the file's is {config_digest(text)}): was it copied in from "
                         "another run, or the config edited? Put back the run's own config or checkpoint")


__all__ = ["CHECKPOINT", "CONFIG", "CURVES", "METRICS", "RESULTS", "ROLLOUTS", "ROLLOUT_PLOT", "RunDirWarning",
           "append_line", "check_run_dir", "json_number", "read_history", "resume_history", "same_config",
           "same_settings", "write_lines"]
