"""The trainer under faults, injected into real ``repalg train`` and
``repalg sweep`` processes (issue 33): each fault, how often it was
injected, and what came of it, as a table.

    python benchmarks/faults.py                 # about 6 minutes on 2 cores
    python benchmarks/faults.py --kills 18      # more kill -9 moments

A small config (Inertia, an MLP, 30 epochs, a checkpoint each epoch) is
trained once without a fault; that run is the reference. Every fault is
then injected into a fresh run of the same config (or into a copy of the
reference run), and the outcome checked against the reference:

- ``kill -9`` at seeded random moments of a run, and at the moment a
  checkpoint is written (synced, not renamed); SIGTERM. Each run is then
  started again and must end with the reference's arrays and results, bit
  for bit, with no temporary file left;
- two trainers at once on one directory, of the same config and of two:
  one must train, the other be refused with the holder's pid, and every
  epoch be logged once;
- a checkpoint truncated, emptied, bit-flipped or replaced by random bytes;
  one copied in from another config; a config that is not UTF-8; a
  metrics history deleted or filled with binary: refused by name with the
  directory unchanged, or rebuilt and said so;
- ``model.ch = 10**9``, ``dataset.N = 10**12``: refused with the key, within
  a second of the command's start;
- a sweep's parent killed with ``kill -9``: its workers must be gone within
  seconds, and the sweep started again must finish every run.

Prints the table as Markdown (and ``--json`` writes the rows).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

CONFIG = """
[dataset]
name = "Inertia"
N = 256
val = 64
test = 64
[model]
name = "MLP"
ch = 32
num_layers = 2
[train]
epochs = {epochs}
batch_size = 32
eval_every = 1
equivariance_samples = 2
[output]
plot = false
"""

KILLED_WRITING = """
import os, signal, sys
from repalg.cli import main
synced, real_fsync = [], os.fsync

def fsync(fd):
    synced.append(os.readlink(f"/proc/self/fd/{fd}"))
    if sum(".checkpoint.npz." in path for path in synced) == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)

os.fsync = fsync
sys.exit(main(["train", sys.argv[1], "--out", sys.argv[2]]))
"""


def env() -> dict:
    return dict(os.environ, PYTHONPATH=str(ROOT), JAX_PLATFORMS="cpu")


def repalg(*args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "repalg", *map(str, args)], env=env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def finish(process: subprocess.Popen, timeout: float = 600) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def arrays(run: Path) -> dict:
    with np.load(run / "checkpoint.npz") as file:
        return {name: file[name] for name in file.files if name != "meta"}


def same_as(run: Path, reference: Path) -> bool:
    """The run's checkpoint arrays and results are the reference's, bit for bit."""
    mine, theirs = arrays(run), arrays(reference)
    return (mine.keys() == theirs.keys() and all(np.array_equal(mine[k], theirs[k]) for k in mine)
            and json.loads((run / "results.json").read_text()) == json.loads((reference / "results.json").read_text()))


def digests(run: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(run.iterdir()) if p.is_file()}


def epochs_logged(run: Path) -> list:
    return [json.loads(line).get("epoch") for line in (run / "metrics.jsonl").read_text().splitlines()
            if line.strip() and not json.loads(line).get("final")]


class Table:
    def __init__(self):
        self.rows = []

    def add(self, fault: str, injected: int, held: int, outcome: str) -> None:
        self.rows.append({"fault": fault, "injected": injected, "held": held, "outcome": outcome})
        print(f"  {fault}: {held}/{injected} {outcome}", file=sys.stderr, flush=True)

    def markdown(self) -> str:
        lines = ["| fault | injected | as promised | outcome |", "|---|---:|---:|---|"]
        lines += [f"| {r['fault']} | {r['injected']} | {r['held']} | {r['outcome']} |" for r in self.rows]
        return "\n".join(lines)


def resumed_exactly(config: Path, run: Path, reference: Path) -> bool:
    code, _, err = finish(repalg("train", config, "--out", run))
    return code == 0 and same_as(run, reference) and not list(run.glob("*.tmp")) and \
        epochs_logged(run) == list(range(1, 31))


def kills(table: Table, config: Path, reference: Path, work: Path, count: int, seed: int, span: float) -> None:
    rng = random.Random(seed)
    held = 0
    for i in range(count):
        run = work / f"kill-{i}"
        process = repalg("train", config, "--out", run)
        time.sleep(rng.uniform(2.0, span))
        process.send_signal(signal.SIGKILL)
        process.wait()
        held += resumed_exactly(config, run, reference)
    table.add("`kill -9` at a random moment, then the same command", count, held,
              "resumed to the reference's arrays and results, bit for bit")
    held = 0
    for i, epoch in enumerate((1, 7, 19)):
        run = work / f"killed-writing-{i}"
        killed = subprocess.run([sys.executable, "-c", KILLED_WRITING, str(config), str(run), str(epoch)],
                                env=env(), capture_output=True, timeout=600)
        orphans = list(run.glob(".checkpoint.npz.*.tmp"))
        held += killed.returncode == -signal.SIGKILL and len(orphans) == 1 and \
            resumed_exactly(config, run, reference) and not orphans[0].exists()
    table.add("`kill -9` while a checkpoint is written (epochs 1, 7, 19)", 3, held,
              "temporary file removed on the next start; resumed bit for bit")
    held = 0
    for i in range(3):
        run = work / f"term-{i}"
        process = repalg("train", config, "--out", run)
        while not (run / "checkpoint.npz").exists() and process.poll() is None:
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 1.0))  # while it trains: 30 epochs take about 3 s
        process.send_signal(signal.SIGTERM)
        code, _, err = finish(process)
        held += code == 143 and "run the same command to resume" in err and resumed_exactly(config, run, reference)
    table.add("SIGTERM while it trains", 3, held, "exit 143 with Ctrl-C's message; resumed bit for bit")


def two_at_once(table: Table, configs: list, work: Path) -> None:
    held = 0
    pairs = [(configs[0], configs[0])] * 2 + [(configs[0], configs[1])] * 2
    for i, (a, b) in enumerate(pairs):
        run = work / f"two-{i}"
        started = [repalg("train", c, "--out", run) for c in (a, b)]
        outcomes = [finish(p) for p in started]
        codes = [code for code, _, _ in outcomes]
        if sorted(codes) != [0, 2]:
            continue
        winner, loser = started[codes.index(0)], outcomes[codes.index(2)]
        epochs = int(Path(winner.args[4]).read_text().split("epochs = ")[1].split()[0])
        held += f"is in use by another run (pid {winner.pid}" in loser[2] and \
            epochs_logged(run) == list(range(1, epochs + 1)) and \
            f"epochs = {epochs}" in (run / "config.toml").read_text()
    table.add("two `repalg train` on one `--out` at once (same config 2, two configs 2)", len(pairs), held,
              "one trains; the other exits 2 naming the directory and the holder's pid; each epoch logged once")


def damage(data: bytes, fault: str, rng: np.random.Generator) -> bytes:
    if fault == "truncated":
        return data[:len(data) // 2]
    if fault == "empty":
        return b""
    if fault == "random bytes":
        return rng.bytes(len(data))
    at = int(len(data) * rng.uniform(0.05, 0.95))
    return data[:at] + bytes([data[at] ^ (1 << int(rng.integers(8)))]) + data[at + 1:]


def damaged_files(table: Table, config: Path, other: Path, reference: Path, work: Path) -> None:
    rng = np.random.default_rng(0)
    faults = ["truncated", "empty", "random bytes"] + ["bit flipped"] * 6
    held = 0
    for i, fault in enumerate(faults):
        run = work / f"damaged-{i}"
        shutil.copytree(reference, run)
        checkpoint = run / "checkpoint.npz"
        checkpoint.write_bytes(damage(checkpoint.read_bytes(), fault, rng))
        before = digests(run)
        code, _, err = finish(repalg("train", config, "--out", run))
        held += code == 2 and f"{checkpoint} is not a readable repalg checkpoint" in err and digests(run) == before
    table.add("checkpoint truncated, emptied, random bytes, one bit flipped (6)", len(faults), held,
              "refused by name (exit 2); every file of the run left as it was")
    run = work / "foreign"
    shutil.copytree(reference, run)
    finish(repalg("train", other, "--out", work / "other-run"))
    shutil.copy(work / "other-run" / "checkpoint.npz", run / "checkpoint.npz")
    before = digests(run)
    code, _, err = finish(repalg("train", config, "--out", run))
    table.add("a checkpoint copied in from a run of another config, same shapes", 1,
              int(code == 2 and "was not trained on" in err and digests(run) == before),
              "refused by name (its digest is not the config's); left as it was")
    run = work / "latin1.toml"
    run.write_bytes(CONFIG.format(epochs=30).replace("[model]", "[model] # réseau").encode("latin-1"))
    code, _, err = finish(repalg("train", run, "--out", work / "latin1-run"))
    table.add("a config that is not UTF-8", 1, int(code == 2 and f"{run}' is not UTF-8 text" in err),
              "refused, naming the file and the byte")
    held = 0
    for i, fault in enumerate(("deleted", "binary")):
        run = work / f"metrics-{fault}"
        shutil.copytree(reference, run)
        metrics = run / "metrics.jsonl"
        garbage = rng.bytes(4096)
        metrics.unlink() if fault == "deleted" else metrics.write_bytes(garbage)
        code, _, err = finish(repalg("train", config, "--out", run))
        kept = fault == "deleted" or (run / "metrics.jsonl.damaged").read_bytes() == garbage
        held += code == 0 and "were rebuilt from the copy in" in err and kept and \
            epochs_logged(run) == list(range(1, 31)) and same_as(run, reference)
    table.add("metrics.jsonl deleted, or filled with binary", 2, held,
              "rebuilt from the checkpoint's copy and said so; a damaged file kept aside; results unchanged")


def sizes(table: Table, config: Path, work: Path) -> None:
    for key, value in (("model.ch", 10**9), ("dataset.N", 10**12)):
        start = time.perf_counter()
        code, _, err = finish(repalg("train", config, "--set", f"{key}={value}", "--out", work / "huge"))
        seconds = time.perf_counter() - start
        table.add(f"`{key} = {value:.0e}`", 1, int(code == 2 and err.startswith(f"repalg: error: {key}:")
                                                   and "may be used" in err),
                  f"refused with the key, size and limit; the command took {seconds:.1f} s, JAX's start included")


def sweep_parent(table: Table, work: Path) -> None:
    configs = []
    for name, model in (("mlp", "MLP"), ("scalar", "Scalar")):
        path = work / f"sweep-{name}.toml"
        path.write_text(CONFIG.format(epochs=150).replace('name = "MLP"', f'name = "{model}"\ngroup = "O(3)"'))
        configs.append(path)
    out = work / "sweep"
    process = subprocess.Popen([sys.executable, "-m", "repalg", "sweep", *map(str, configs), "--workers", "2",
                                "--out", str(out)], env=env(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    locks = []
    while len(locks) < 2 and time.monotonic() < deadline:
        locks = [p for p in out.glob("*/*/.lock") if p.read_text().strip()]
        time.sleep(0.2)
    workers = [json.loads(p.read_text())["pid"] for p in locks]
    time.sleep(3)
    process.send_signal(signal.SIGKILL)
    process.wait()
    start = time.monotonic()
    while any(Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]
              for pid in workers) and time.monotonic() - start < 30:
        time.sleep(0.02)
    gone = time.monotonic() - start
    code, _, _ = finish(subprocess.Popen([sys.executable, "-m", "repalg", "sweep", *map(str, configs), "--out",
                                          str(out)], env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True))
    finished = [json.loads(p.read_text())["epochs"] for p in out.glob("*/*/sweep.json")]
    logged = all(epochs_logged(p.parent) == list(range(1, 151)) for p in out.glob("*/*/sweep.json"))
    table.add("a sweep's parent killed with `kill -9` (2 workers)", 1,
              int(len(workers) == 2 and gone < 5 and code == 0 and finished == [150, 150] and logged),
              f"its workers gone {gone:.2f} s after; the sweep started again finished both runs, each epoch once")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=8, help="kill -9 at this many random moments (8)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="write the rows here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="repalg-faults-"))
    try:
        config, other = work / "config.toml", work / "other.toml"
        config.write_text(CONFIG.format(epochs=30))
        other.write_text(CONFIG.format(epochs=31))
        reference = work / "reference"
        start = time.perf_counter()
        code, _, err = finish(repalg("train", config, "--out", reference))
        assert code == 0, err
        span = time.perf_counter() - start
        print(f"reference run: {span:.1f} s", file=sys.stderr)
        table = Table()
        kills(table, config, reference, work, args.kills, args.seed, span)
        two_at_once(table, [config, other], work)
        damaged_files(table, config, other, reference, work)
        sizes(table, config, work)
        sweep_parent(table, work)
        print(table.markdown())
        total = sum(r["injected"] for r in table.rows)
        print(f"\n{sum(r['held'] for r in table.rows)} of {total} faults ended as promised "
              f"({time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores)")
        if args.json:
            args.json.write_text(json.dumps(table.rows, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
