"""emlp's own documentation notebooks and test suite, run against repalg with
only the imports changed (``emlp`` -> ``repalg``).

Needs a checkout of emlp's public repository (its notebooks and tests are
not part of repalg), e.g. ``git clone`` of mfinzi/equivariant-MLP:

    python benchmarks/emlp_compat.py --emlp PATH/TO/equivariant-MLP

Notebooks: every code cell of ``docs/notebooks/1quickstart`` to
``6multilinear_maps`` and ``haiku_support`` runs in order in one namespace per
notebook; cells that train with objax or load data with torch are counted
apart.
``%timeit`` lines are timed once. The shapes a cell prints are compared with
the outputs recorded in the notebook. Tests: ``equivariance_tests.py``,
``product_groups_tests.py`` and ``model_tests.py`` under pytest, with
stand-ins for the two things they import that repalg does not depend on:
torch's ``DataLoader`` (batches of a dataset's first items) and oil's
``FixedNumpySeed`` / ``FixedPytorchSeed`` (numpy's global seed, restored).
emlp's flax and PyTorch model tests are deselected: repalg's models are
Haiku's.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

NOTEBOOKS = ["1quickstart", "2building_a_model", "3new_groups", "4new_representations",
             "5mixed_tensors", "6multilinear_maps", "haiku_support"]
OTHER_FRAMEWORK_WORDS = ("objax", "torch", "trainloader", "testloader", "train_losses")
"""Cells that train with objax or load data with torch: not repalg's (it trains with optax)."""
MODEL_TESTS = ("test_large_representations", "test_bilinear_layer")
OTHER_FRAMEWORKS = ("test_flax_emlp", "test_pytorch_emlp")

STAND_INS = {
    "torch/__init__.py": "",
    "torch/utils/__init__.py": "",
    "torch/utils/data.py": (
        "import numpy as np\n\n\n"
        "class _Tensor:\n"
        "    def __init__(self, array):\n"
        "        self.array = np.asarray(array)\n\n"
        "    def numpy(self):\n"
        "        return self.array\n\n\n"
        "class DataLoader:\n"
        "    \"\"\"Batches of a dataset's items in order (stand-in for torch's).\"\"\"\n\n"
        "    def __init__(self, dataset, batch_size=1, **ignored):\n"
        "        self.dataset, self.batch_size = dataset, batch_size\n\n"
        "    def __iter__(self):\n"
        "        for start in range(0, len(self.dataset), self.batch_size):\n"
        "            items = [self.dataset[i] for i in range(start, min(start + self.batch_size, len(self.dataset)))]\n"
        "            yield tuple(_Tensor(np.stack(column)) for column in zip(*items))\n"),
    "oil/__init__.py": "",
    "oil/utils/__init__.py": "",
    "oil/utils/utils.py": (
        "import contextlib\n\nimport numpy as np\n\n\n"
        "@contextlib.contextmanager\n"
        "def FixedNumpySeed(seed):\n"
        "    state = np.random.get_state()\n"
        "    np.random.seed(seed)\n"
        "    try:\n"
        "        yield\n"
        "    finally:\n"
        "        np.random.set_state(state)\n\n\n"
        "@contextlib.contextmanager\n"
        "def FixedPytorchSeed(seed):\n"
        "    yield\n"),
}
SHAPE = re.compile(r"\(\d+, ?\d+\)")


def rewrite(source: str) -> str:
    """emlp's imports as repalg's; ``%timeit`` timed once; other magics dropped."""
    out = []
    for line in source.splitlines():
        stripped = line.strip()
        if re.fullmatch(r"import emlp", stripped):  # code below says emlp.nn...: keep the name
            line = line.replace("import emlp", "import repalg as emlp")
        elif stripped.startswith(("from emlp", "import emlp")):
            line = re.sub(r"\bemlp\b", "repalg", line)
        elif stripped.startswith("%timeit"):
            statement = re.sub(r"^%timeit(\s+-[nr]\s*\d+)*\s*", "", stripped)
            line = (f"_t = __import__('time').perf_counter(); {statement}; "
                    f"print(f'timed once: {{__import__(\"time\").perf_counter() - _t:.3f}} s')")
        elif stripped.startswith("%"):
            continue
        out.append(line)
    return "\n".join(out)


def recorded(cell: dict) -> str:
    text = []
    for output in cell.get("outputs", []):
        if "text" in output:
            text.append("".join(output["text"]))
        elif "text/plain" in output.get("data", {}):
            text.append("".join(output["data"]["text/plain"]))
    return "".join(text)


def run_cell(source: str, namespace: dict) -> tuple[str, str, float]:
    """(status, printed text, seconds); the value of a last expression is printed too."""
    import matplotlib.pyplot as plt

    stdout = io.StringIO()
    start = time.perf_counter()
    try:
        tree = ast.parse(source)
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        with contextlib.redirect_stdout(stdout):
            exec(compile(tree, "<cell>", "exec"), namespace)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)
                if value is not None:
                    print(repr(value))
        status = "ok"
    except Exception:  # a failing cell is reported, and the notebook goes on
        status = "FAIL " + traceback.format_exc(limit=-2).strip().splitlines()[-1]
    plt.close("all")
    return status, stdout.getvalue(), time.perf_counter() - start


def notebooks(root: Path) -> tuple[int, int]:
    import matplotlib

    matplotlib.use("Agg")
    passed = total = 0
    for name in NOTEBOOKS:
        cells = [c for c in json.loads((root / "docs/notebooks" / f"{name}.ipynb").read_text())["cells"]
                 if c["cell_type"] == "code"]
        namespace: dict = {"__name__": "__main__"}
        print(f"\n## {name}: {len(cells)} code cells")
        for i, cell in enumerate(cells):
            source = "".join(cell["source"])
            if any(word in source for word in OTHER_FRAMEWORK_WORDS):
                print(f"[{i:2d}] other   (objax training or torch data: not repalg's frameworks)")
                continue
            total += 1
            status, printed, seconds = run_cell(rewrite(source), namespace)
            passed += status == "ok"
            ours, theirs = SHAPE.findall(printed), SHAPE.findall(recorded(cell))
            same = "" if not theirs else ("  shapes as emlp" if ours == theirs else f"  shapes {ours} vs emlp {theirs}")
            first = printed.strip().splitlines()[0][:70] if printed.strip() else ""
            print(f"[{i:2d}] {status:7s} {seconds:7.3f} s{same}  {first}")
    return passed, total


def tests(root: Path) -> int:
    try:
        import repalg.nn  # noqa: F401
        has_models = True
    except ImportError:
        has_models = False
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        for name in ("equivariance_tests.py", "product_groups_tests.py"):
            text = rewrite((root / "tests" / name).read_text())
            if not has_models:
                text = text.replace("from repalg.nn import uniform_rep", "uniform_rep = None  # models issue")
            (work / name).write_text(text)
        if has_models:
            (work / "model_tests.py").write_text(rewrite((root / "tests" / "model_tests.py").read_text()))
            for name, text in STAND_INS.items():
                (work / name).parent.mkdir(parents=True, exist_ok=True)
                (work / name).write_text(text)
        else:
            model_tests = ast.parse((root / "tests" / "model_tests.py").read_text())
            utilities = next(f for f in model_tests.body
                             if isinstance(f, ast.FunctionDef) and f.name == "test_utilities")
            (work / "utilities_tests.py").write_text("import numpy as np\nfrom repalg.reps import *\n"
                                                     "from repalg.groups import *\n\n" + ast.unparse(utilities) + "\n")
        (work / "pytest.ini").write_text("[pytest]\npython_files = *_tests.py\n")
        left_out = OTHER_FRAMEWORKS + (() if has_models else MODEL_TESTS)
        deselect = ["-k", " and ".join(f"not {t}" for t in left_out)]
        env = dict(os.environ, MPLBACKEND="Agg")
        command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *deselect, str(work)]
        print("\n## emlp's tests:", " ".join(command[3:]))
        return subprocess.run(command, cwd=work, env=env).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emlp", required=True, type=Path, help="a checkout of emlp's repository")
    parser.add_argument("--skip-notebooks", action="store_true")
    parser.add_argument("--skip-tests", action="store_true")
    args = parser.parse_args(argv)
    code = 0
    if not args.skip_notebooks:
        passed, total = notebooks(args.emlp)
        print(f"\n{passed} of {total} notebook cells ran (cells of objax training and torch data apart)")
        code |= passed != total
    if not args.skip_tests:
        code |= tests(args.emlp) != 0
    return code


if __name__ == "__main__":
    sys.exit(main())
