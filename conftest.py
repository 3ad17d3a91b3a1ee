"""For every test and doctest: generated datasets are kept in a temporary
folder of this session, never in the user's cache."""

import os
import tempfile

os.environ["REPALG_DATA_DIR"] = tempfile.mkdtemp(prefix="repalg-test-data-")
