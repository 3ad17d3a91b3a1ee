"""The package's shape, enforced: no import circles between its modules
(imports inside functions counted), no module importing from its own
package's ``__init__``, an import inside a function only to defer a heavy
optional dependency, and no module over about 600 lines."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "repalg"

MAX_LINES = 600

DEFERRED = {"matplotlib", "ray", "sklearn", "diffrax", "torch", "flax", "equinox", "objax", "mlxtend", "tqdm",
            "threadpoolctl", "resource", "lark"}
"""Third-party modules that may be imported inside a function, so that
importing repalg does not pay for an optional or heavy dependency."""


def modules(root=PACKAGE) -> dict:
    """Every module of the package at ``root`` by dotted name, with its file."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _is_package(name: str, table: dict) -> bool:
    return table[name].name == "__init__.py"


def imports(name: str, table: dict):
    """``(target module, line, inside a function)`` for each import of a
    repalg module in module ``name``, relative imports resolved; ``from x
    import y`` counts ``x.y`` when that is a module."""
    tree = ast.parse(table[name].read_text())
    package = name if _is_package(name, table) else name.rpartition(".")[0]
    found = []

    def visit(node, inside):
        for child in ast.iter_child_nodes(node):
            deeper = inside or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            if isinstance(child, ast.Import):
                for alias in child.names:
                    found.append((alias.name, child.lineno, deeper))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[:len(base) - child.level + 1]
                    source = ".".join(base + ([child.module] if child.module else []))
                else:
                    source = child.module or ""
                for alias in child.names:
                    full = f"{source}.{alias.name}"
                    found.append((full if full in table else source, child.lineno, deeper))
            visit(child, deeper)

    visit(tree, False)
    return found


def graph(root=PACKAGE):
    table = modules(root)
    edges = {name: set() for name in table}
    for name in table:
        for target, _, _ in imports(name, table):
            while target and target not in table:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("repalg"):
                edges[name].add(target)
    return table, edges


def circles(root=PACKAGE) -> list:
    """The import circles among ``root``'s modules: Tarjan's strongly
    connected components of more than one module. A package's ``__init__``
    that re-exports its modules is left out (importing it runs them all:
    that is not a circle of ideas)."""
    table, edges = graph(root)
    nodes = [n for n in table if not _is_package(n, table)]
    edges = {n: {t for t in edges[n] if not _is_package(t, table)} for n in nodes}
    index, low, stack, on, found = {}, {}, [], set(), []

    def connect(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in nodes:
        if v not in index:
            connect(v)
    return found


def deferred(root=PACKAGE) -> list:
    """Imports inside functions without a comment, on their line or the
    one above, that says what they defer (``defer``, ``optional``, ``heavy``
    or ``lazy``), for anything but a known heavy optional dependency."""
    table = modules(root)
    offenders = []
    for name in table:
        lines = table[name].read_text().splitlines()
        for target, line, inside in imports(name, table):
            said = " ".join(lines[max(0, line - 2):line]).lower()
            if inside and target.partition(".")[0] not in DEFERRED and not any(
                    f"# {w}" in said or f"({w}" in said or f" {w}" in said.partition("#")[2]
                    for w in ("defer", "optional", "heavy", "lazy")):
                offenders.append(f"{table[name].relative_to(root.parent)}:{line} imports {target}")
    return sorted(set(offenders))


def test_there_are_no_import_circles():
    assert circles() == []


def test_no_module_imports_from_its_own_packages_init():
    table = modules()
    offenders = []
    for name in table:
        if _is_package(name, table):
            continue
        package = name.rpartition(".")[0]
        for target, line, _ in imports(name, table):
            if target == package:
                offenders.append(f"{table[name].relative_to(PACKAGE.parent)}:{line}")
    assert offenders == []


def test_imports_inside_functions_only_defer_heavy_optional_dependencies():
    assert deferred() == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_is_over_600_lines(name):
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines"


def test_the_checks_see_a_circle_and_a_deferred_import(tmp_path):
    """The checks themselves: a package of two modules that import each
    other, one inside a function, is one circle and one offending import."""
    package = tmp_path / "repalg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from .b import g\n\n\ndef f():\n    return g()\n")
    (package / "b.py").write_text("def g():\n    from .a import f\n    return f\n")
    (package / "c.py").write_text("def h():\n    import jax  # deferred: heavy\n    return jax\n")
    assert circles(package) == [["repalg.a", "repalg.b"]]
    assert deferred(package) == ["repalg/b.py:2 imports repalg.a"]
