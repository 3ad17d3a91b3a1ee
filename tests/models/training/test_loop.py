"""The training loop: a short run lowers the loss and writes its files; an interrupted run resumes to
exactly the uninterrupted parameters; classification with its own test set; validation and checkpoints
every eval_every epochs."""

from __future__ import annotations

import json

import numpy as np
import pytest

from repalg.models.config import parse_config
from repalg.models.training import CONFIG, CURVES, METRICS, RESULTS, load, prepare, train

from ..tiny_data import datasets, leaves, module_datasets, tiny  # noqa: F401  (fixtures)


def test_a_short_run_lowers_the_loss_and_writes_its_files(finished):
    history = finished.history
    assert [r["epoch"] for r in history] == [1, 2, 3, 4]
    assert history[-1]["train_loss"] < history[0]["train_loss"]
    assert history[-1]["val_mse"] < history[0]["val_mse"]
    results = finished.results
    assert results["epochs"] == 4 and results["steps"] == 4 * 3 and results["weights"] == "best"
    run = prepare(tiny())
    predictions = np.asarray(load(finished.run_dir)(run.data.X_test))  # the best weights, as the report's
    assert results["test_mse"] == pytest.approx(np.mean((predictions - run.data.Y_test) ** 2), rel=1e-5)
    run_dir = finished.run_dir
    lines = [json.loads(line) for line in (run_dir / METRICS).read_text().splitlines()]
    assert [r.get("epoch") for r in lines[:4]] == [1, 2, 3, 4] and lines[-1]["final"]
    assert lines[-1]["test_mse"] == results["test_mse"]
    assert json.loads((run_dir / RESULTS).read_text()) == results
    assert (run_dir / CURVES).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = parse_config((run_dir / CONFIG).read_text(), check_names=False)
    assert (saved.model.group, saved.model.rep_in, saved.model.rep_out) == ("O(2)", "2*V", "Scalar")
    assert saved.train.epochs == 4 and saved.dataset.N == 64
    assert not [p for p in run_dir.iterdir() if p.name.endswith(".tmp")]


class Interrupt(Exception):
    pass


def test_an_interrupted_run_resumes_to_exactly_the_uninterrupted_parameters(finished, tmp_path):
    def stop_after_epoch_2(state):
        if state.epoch == 2:
            raise Interrupt

    out = tmp_path / "interrupted"
    with pytest.raises(Interrupt):
        train(tiny(), out, progress=False, hook=stop_after_epoch_2)
    assert len((out / METRICS).read_text().splitlines()) == 2
    resumed = train(tiny(), out, progress=False)
    whole = finished.state
    for name in ("params", "opt_state", "best_params", "key"):
        for a, b in zip(leaves(getattr(resumed.state, name)), leaves(getattr(whole, name)), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=name)
    assert (resumed.state.step, resumed.state.best_metric) == (whole.step, whole.best_metric)
    strip = lambda h: [{k: v for k, v in r.items() if k != "seconds"} for r in h]  # noqa: E731
    assert strip(resumed.history) == strip(finished.history)
    assert resumed.results == finished.results


def test_classification_with_its_own_test_set(datasets, tmp_path):
    config = parse_config("""
        [dataset]
        name = "TinySplit"
        val = 16
        [model]
        name = "MLP"
        ch = 16
        num_layers = 1
        [train]
        epochs = 3
        batch_size = 16
        schedule = "cosine"
        seed = 1
    """)
    result = train(config, tmp_path / "cls", progress=False)
    record = result.history[-1]
    assert {"val_accuracy", "val_loss", "train_loss", "lr"} <= set(record)
    assert record["lr"] == pytest.approx(0.0, abs=1e-9)  # the cosine decay ends at 0
    X, Y = prepare(config).data.X_test, prepare(config).data.Y_test
    logits = np.asarray(load(result.run_dir)(X), np.float64)
    assert result.results["test_accuracy"] == pytest.approx(np.mean(logits.argmax(1) == Y), abs=1e-12)
    log_likelihood = logits[np.arange(len(Y)), Y] - np.log(np.exp(logits).sum(1))
    assert result.results["test_loss"] == pytest.approx(-np.mean(log_likelihood), rel=1e-5)
    assert result.settings.dataset.val == 16
    assert len(prepare(config).data.X_test) == 32


def test_validation_and_checkpoints_come_every_eval_every_epochs_and_at_the_end(module_datasets, tmp_path):
    checkpoints = []
    result = train(tiny("train.epochs=7", "train.eval_every=3"), tmp_path / "run", progress=False,
                   hook=lambda state: checkpoints.append(state.epoch))
    assert checkpoints == [3, 6, 7]
    assert [r["epoch"] for r in result.history if "val_mse" in r] == [3, 6, 7]
    assert len(result.history) == 7 and result.results["best_epoch"] in (3, 6, 7)
    assert prepare(tiny("train.epochs=700")).settings.train.eval_every == 7  # 1% of the run by default
