"""The command line, in process and as a real process."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from repalg.cli import main
from repalg.models.training import CHECKPOINT, CURVES, METRICS

from .models.tiny_data import TINY, datasets  # noqa: F401  (a fixture)
from .models.training.faults import SLOW_TO_FINISH, hold_elsewhere


def run(*args):
    return subprocess.run([sys.executable, "-m", "repalg", *args], capture_output=True, text=True, timeout=120)


def test_canon_prints_the_canonical_form(capsys):
    assert main(["canon", "5*V*(2+V)"]) == 0
    out = capsys.readouterr().out
    assert "canonical:  10*V+5*V**2" in out
    assert "size" not in out


def test_canon_with_a_group_prints_the_size(capsys):
    assert main(["canon", "10*T(1)+5*T(2)", "--group", "S(5)"]) == 0
    out = capsys.readouterr().out
    assert "size:       175" in out
    assert main(["canon", "T(1,0)>>T(2,1)", "-g", "O(1,3)"]) == 0
    assert "size:       256" in capsys.readouterr().out


def test_canon_without_an_expression_runs_the_default(capsys):
    assert main(["canon"]) == 0
    out = capsys.readouterr().out
    assert "(10*V+5*V**2)(S(5))" in out and "175" in out


def test_bad_text_is_a_clear_error_not_a_traceback():
    result = run("canon", "2*V>>*V")
    assert result.returncode == 2
    assert "line 1, column 6" in result.stderr and "^" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_group_is_a_clear_error(capsys):
    assert main(["canon", "V", "--group", "SO(0)"]) == 2
    assert "at least 1" in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [(["--help"], "canon"), (["canon", "--help"], "--group")])
def test_help_explains_itself(capsys, args, words):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 0 and words in capsys.readouterr().out


def test_no_command_prints_help(capsys):
    assert main([]) == 0
    assert "usage" in capsys.readouterr().out


def test_unknown_command_fails():
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == 2


def test_basis_prints_the_solve(capsys, tmp_path):
    target = tmp_path / "basis.npz"
    assert main(["basis", "T(1,0)>>T(2,1)", "--group", "O(1,3)", "--save", str(target)]) == 0
    out = capsys.readouterr().out
    for line in ["size:               256", "rank:               3", "strategy:           weights",
                 "spectral gap:", "equivariance error:", "time:"]:
        assert line in out
    error = float(out.split("equivariance error: ")[1].split()[0])
    assert error < 1e-9
    saved = np.load(target)
    assert saved["basis"].shape == (256, 3) and str(saved["representation"]) == "(V**2*V.T**2)(O(1,3))"


def test_basis_of_a_permutation_group_is_exact(capsys):
    assert main(["basis", "V>>V", "-g", "RubiksCube"]) == 0
    out = capsys.readouterr().out
    assert "rank:               6" in out and "orbit" in out and "(exact)" in out


def test_basis_refuses_what_is_too_large():
    result = run("basis", "T(30)", "--group", "SO(3)")
    assert result.returncode == 2
    assert "V**30" in result.stderr and "205891132094649" in result.stderr and "GiB" in result.stderr
    assert "Traceback" not in result.stderr


def test_decompose_prints_components_dimensions_and_multiplicities(capsys):
    assert main(["decompose", "V**4", "--group", "SO(3)", "--latex"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.startswith("Irrep")}
    assert lines == {"Irrep(SO(3),0)": ["1", "3"], "Irrep(SO(3),1)": ["3", "6"], "Irrep(SO(3),2)": ["5", "6"],
                     "Irrep(SO(3),3)": ["7", "3"], "Irrep(SO(3),4)": ["9", "1"]}
    assert "total:          81" in out and "invariants:     3" in out and "\\rho_{4}" in out


def test_decompose_of_a_group_without_labels_is_numeric(capsys):
    assert main(["decompose", "V", "-g", "RubiksCube"]) == 0
    out = capsys.readouterr().out
    assert "dim=23" in out and "total:          48" in out and "invariants" not in out


def test_basis_prints_the_predicted_rank(capsys):
    assert main(["basis", "T(4)", "--group", "SO(3)"]) == 0
    out = capsys.readouterr().out
    assert "rank:               3" in out and "predicted rank:     3 (from characters)" in out
    assert main(["basis", "T(2)", "--group", "Cube"]) == 0
    assert "predicted rank:     3 (from characters)" in capsys.readouterr().out
    assert main(["basis", "V", "--group", "RubiksCube"]) == 0  # too large to enumerate
    assert "predicted rank:     none (no character theory, and not a finite group small enough" in capsys.readouterr().out


def test_the_cli_trains_a_tiny_config(datasets, tmp_path, capsys):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    out = tmp_path / "cli-run"
    assert main(["train", str(path), "--set", "train.epochs=2", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "test MSE:" in printed and "equivariance error:" in printed
    assert "2 epochs of 3 steps, batch 24" in printed
    assert (out / CHECKPOINT).exists() and (out / CURVES).exists()
    assert main(["train", str(path), "--set", "train.epoch=2"]) == 2
    assert "train.epoch: unknown key; did you mean train.epochs?" in capsys.readouterr().err
    (out / METRICS).unlink()  # a resume says what it rebuilt, as a line of its own
    assert main(["train", str(path), "--set", "train.epochs=2", "--out", str(out)]) == 0
    assert f"warning: {out / METRICS} is missing: its 2 epochs were rebuilt from the copy in {out / CHECKPOINT}\n" \
        in capsys.readouterr().err
    fd = hold_elsewhere(out, 4242)  # another trainer there: refused before the data is made
    try:
        assert main(["train", str(path), "--set", "train.epochs=2", "--out", str(out)]) == 2
    finally:
        os.close(fd)
    assert f"repalg: error: output.dir: {out} is in use by another run (pid 4242 on elsewhere" in \
        capsys.readouterr().err


def test_sigterm_stops_a_run_as_ctrl_c_does(tmp_path):
    """``kill`` (SIGTERM) says where the run stands and how to resume, as
    Ctrl-C does, and exits with 143 (128 + 15), not silently (issue 33)."""
    config = tmp_path / "long.toml"
    config.write_text(SLOW_TO_FINISH.format(epochs=100000))
    out = tmp_path / "run"
    running = subprocess.Popen([sys.executable, "-m", "repalg", "train", str(config), "--out", str(out)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env=dict(os.environ, JAX_PLATFORMS="cpu"))
    try:
        deadline = time.monotonic() + 60
        while not (out / CHECKPOINT).exists():
            assert time.monotonic() < deadline and running.poll() is None, "the run did not start"
            time.sleep(0.2)
        running.send_signal(signal.SIGTERM)
        assert running.wait(timeout=60) == 143
        assert f"interrupted: the last finished epoch is saved in {out}; run the same command to resume" in \
            running.stderr.read()
    finally:
        running.kill()
