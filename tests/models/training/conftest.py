"""One finished tiny run, trained once for the trainer's tests that only
read it (with the tiny datasets registered meanwhile)."""

from __future__ import annotations

import pytest

from repalg.models.training import train

from ..tiny_data import register, tiny


@pytest.fixture(scope="package")
def package_datasets():
    with pytest.MonkeyPatch.context() as patch:
        yield register(patch)


@pytest.fixture(scope="package")
def finished(package_datasets, tmp_path_factory):
    """One finished tiny run, shared by the tests that only read it."""
    return train(tiny(), tmp_path_factory.mktemp("run") / "tiny", progress=False)
