"""The numeric tests' shared fixture: a disk cache of their own."""

import pytest

import repalg
from repalg.numeric import cache


@pytest.fixture
def disk(tmp_path, monkeypatch):
    monkeypatch.setattr(repalg.numeric.solve, "STORE_FROM", 0.0)  # small solves are kept too, to test with
    repalg.set_cache_dir(tmp_path)
    repalg.clear_cache()
    cache._warned.clear()
    yield tmp_path
    repalg.set_cache_dir(None)
    repalg.clear_cache()
