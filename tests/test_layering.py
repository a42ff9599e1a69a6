"""The layering contract of labtools, checked on the source (no import, no new dependency).

Walks every ``.py`` file under ``labtools/`` with :mod:`ast` and fails on

(a) an import that goes *up* the layer order (a lower layer importing a higher
    one), or a third-party front-end library imported outside the layer allowed
    to use it (only ``widgets`` imports ipywidgets/anywidget; Matplotlib only in
    ``plots`` and ``widgets``);
(b) an import cycle between labtools modules (imports inside functions count:
    a lazy import is still a dependency);
(c) ``from X import _name`` where ``X`` is another labtools module: a name two
    modules share is public in the module that exists to share it.

A module's layer is its top-level name under ``labtools`` (``labtools/optim/base.py``
is in layer ``optim``), so a subpackage is covered the moment it exists. A new
top-level module must be added to ``ORDER`` / ``BESIDE`` / ``ALIASES`` below, and
the test says so. The self-tests at the bottom feed the checker synthetic
packages with an upward import, a cycle and a private import and assert that
each is caught.
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "labtools"

# --------------------------------------------------------------------------
# The layer table: data flows one way, left to right. Extend it here.
# --------------------------------------------------------------------------

#: The numerical chain and the front end, lowest first; each layer may import
#: itself and every layer to its left.
ORDER = ["_checks", "landscapes", "optim", "run", "curvature", "nn", "plots", "widgets"]

#: Layers that sit beside the chain: the layers each may import (besides itself).
#: ``grading`` may use the numerics, never ``plots`` or ``widgets``; no layer of
#: ``ORDER`` may import it.
BESIDE = {"grading": ["_checks", "landscapes", "optim", "run", "curvature", "nn"]}

#: Top-level modules that belong to a layer of another name (today's flat
#: exercise modules are the ``grading`` layer; a ``grade.py`` shim kept for
#: ``python -m labtools.grade`` stays in it).
ALIASES = {"quiz": "grading", "grade": "grading", "assign": "grading"}

#: The package's front door (``labtools/__init__.py``) re-exports everything;
#: it may import any layer, and no module may import it back.
FRONT_DOOR = "__init__"

#: Third-party libraries only some layers may import.
ONLY_IN = {
    "ipywidgets": {"widgets"},
    "anywidget": {"widgets"},
    "ipyevents": {"widgets"},
    "matplotlib": {"plots", "widgets"},
}

# Known violations on this branch, fixed by other branches being merged at the
# same time (nn: labtools/nn/ without run._divergence; grading: labtools/grading/
# without the quiz <-> grade cycle). Each entry is (kind, importer, detail);
# remove this allowlist once those branches are merged.
KNOWN_VIOLATIONS: set = set()


def allowed_imports():
    """Layer -> the set of layers it may import."""
    allowed = {layer: set(ORDER[: i + 1]) for i, layer in enumerate(ORDER)}
    for layer, below in BESIDE.items():
        allowed[layer] = {layer, *below}
    allowed[FRONT_DOOR] = {*ORDER, *BESIDE, FRONT_DOOR}
    return allowed


# --------------------------------------------------------------------------
# The checker
# --------------------------------------------------------------------------


def module_names(root: Path, package: str) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file of ``package`` under ``root``."""
    out = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def layer_of(module: str, package: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return FRONT_DOOR
    top = parts[1]
    return ALIASES.get(top, top)


def _imports(module: str, path: Path, modules: dict[str, Path], package: str):
    """Yield ``(kind, target, name, lineno)`` for every import in the file.

    ``kind`` is ``"internal"`` (``target`` a labtools module; ``name`` the
    imported name when it is not itself a module, else None) or ``"external"``
    (``target`` the top-level third-party package). A private attribute read
    through an imported module (``plots._helper(...)`` after
    ``from . import plots``) is reported as an internal import of that name.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    here = module.split(".") if is_package else module.split(".")[:-1]
    bound = {}  # local name -> labtools module it is bound to
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == package or alias.name.startswith(package + "."):
                    if alias.asname:
                        bound[alias.asname] = alias.name
                    yield "internal", alias.name, None, node.lineno
                else:
                    yield "external", alias.name.split(".")[0], None, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target != package and not target.startswith(package + "."):
                yield "external", target.split(".")[0], None, node.lineno
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                if sub in modules:
                    bound[alias.asname or alias.name] = sub
                    yield "internal", sub, None, node.lineno
                else:
                    name = None if alias.name == "*" else alias.name
                    yield "internal", target, name, node.lineno
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in bound and node.attr.startswith("_")
                and f"{bound[node.value.id]}.{node.attr}" not in modules):
            yield "internal", bound[node.value.id], node.attr, node.lineno


def find_violations(root: Path, package: str = PACKAGE) -> list[tuple[str, str, str, str]]:
    """Every layering violation as ``(kind, importer, detail, where)``."""
    modules = module_names(root, package)
    allowed = allowed_imports()
    graph: dict[str, set[str]] = {m: set() for m in modules}
    found = []
    for module, path in modules.items():
        layer = layer_of(module, package)
        where = f"{path.relative_to(root)}"
        if layer not in allowed:
            found.append(("unknown-layer", module, layer,
                          f"{where}: add {layer!r} to ORDER, BESIDE or ALIASES in "
                          "tests/test_layering.py"))
            continue
        for kind, target, name, line in _imports(module, path, modules, package):
            at = f"{where}:{line}"
            if kind == "external":
                owners = ONLY_IN.get(target)
                if owners is not None and layer not in owners:
                    found.append(("third-party", module, target,
                                  f"{at}: only {sorted(owners)} may import {target}"))
                continue
            if target not in modules:
                continue  # not a file of the package (e.g. a typo Python will report)
            if target != module:
                graph[module].add(target)
            target_layer = layer_of(target, package)
            if target_layer not in allowed.get(layer, ()):
                found.append(("upward", module, f"{target}",
                              f"{at}: layer {layer!r} may not import layer {target_layer!r}"))
            if (name is not None and name.startswith("_") and not name.startswith("__")
                    and target != module):
                found.append(("private", module, f"{target}.{name}",
                              f"{at}: make {name} public in the module that shares it"))
    for cycle in _cycles(graph):
        first = min(cycle)
        i = cycle.index(first)
        ordered = cycle[i:] + cycle[:i]
        found.append(("cycle", first, f"{ordered[0]} -> {ordered[1]}",
                      "import cycle: " + " -> ".join([*ordered, first])))
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle (as a node list) per strongly connected component with a cycle."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []
    counter = [0]

    def visit(v):  # Tarjan's algorithm; the graphs here are a few dozen nodes
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                comps.append(set(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    cycles = []
    for comp in comps:  # walk inside the component from its smallest node back to it
        start = min(comp)
        path, seen, node = [start], {start}, start
        while True:
            nxt = sorted(w for w in graph[node] if w in comp)
            back = [w for w in nxt if w == start]
            if back and len(path) > 1:
                break
            fresh = [w for w in nxt if w not in seen]
            if not fresh:
                break
            node = fresh[0]
            path.append(node)
            seen.add(node)
        cycles.append(path)
    return cycles


# --------------------------------------------------------------------------
# The contract on the real package
# --------------------------------------------------------------------------


def test_labtools_follows_the_layering_contract():
    found = find_violations(ROOT)
    new = [v for v in found if v[:3] not in KNOWN_VIOLATIONS]
    assert not new, "layering violations:\n" + "\n".join(f"  {v[0]}: {v[3]}" for v in new)


#: A module this long becomes a package (CONTRIBUTING.md, the package map).
MAX_MODULE_LINES = 800


def test_no_module_is_over_800_lines():
    long = {p.relative_to(ROOT).as_posix(): n for p in sorted((ROOT / PACKAGE).rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split into a package): {long}"


def test_layer_table_is_consistent():
    allowed = allowed_imports()
    for layer, below in BESIDE.items():
        assert set(below) <= set(ORDER), layer
        # nothing in the chain may import a layer that sits beside it
        assert all(layer not in allowed[o] for o in ORDER)
    assert set(ALIASES.values()) <= set(ORDER) | set(BESIDE)


# --------------------------------------------------------------------------
# Self-tests: the checker provably fails on what it must catch
# --------------------------------------------------------------------------


def _fake_package(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in {"labtools/__init__.py": "", **files}.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text))
    return tmp_path


CLEAN = {
    "labtools/_checks.py": "import numpy\n",
    "labtools/landscapes.py": "from ._checks import show\n",
    "labtools/optim/__init__.py": "from .base import chain\nfrom . import first_order\n",
    "labtools/optim/base.py": "from .._checks import show\nfrom .. import _checks\n",
    "labtools/optim/first_order.py": "from .base import chain\n",
    "labtools/run.py": "from .optim import chain\nfrom .landscapes import window_bounds\n",
    "labtools/plots.py": "import matplotlib.pyplot as plt\nfrom .run import run\n",
    "labtools/grading/__init__.py": "from ..run import run\n",
}


def test_checker_passes_a_clean_package(tmp_path):
    assert find_violations(_fake_package(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("changed", "kind", "detail"),
    [
        # a lower layer importing a higher one
        ({"labtools/landscapes.py": "from .run import run\n"}, "upward", "labtools.run"),
        ({"labtools/optim/base.py": "def f():\n    from ..plots import show\n"},
         "upward", "labtools.plots"),
        ({"labtools/grading/__init__.py": "import labtools.plots\n"}, "upward", "labtools.plots"),
        ({"labtools/run.py": "from .grading import grade\n"}, "upward", "labtools.grading"),
        # third-party front ends outside their layer
        ({"labtools/run.py": "import ipywidgets as W\n"}, "third-party", "ipywidgets"),
        ({"labtools/landscapes.py": "from matplotlib import pyplot\n"},
         "third-party", "matplotlib"),
        # a cycle inside one layer, through a lazy import
        ({"labtools/optim/base.py": "def f():\n    from .first_order import g\n"},
         "cycle", "labtools.optim.base -> labtools.optim.first_order"),
        # another module's private name, relative and absolute
        ({"labtools/run.py": "from .landscapes import _window_bounds\n"},
         "private", "labtools.landscapes._window_bounds"),
        ({"labtools/run.py": "from labtools.optim.base import _helper\n"},
         "private", "labtools.optim.base._helper"),
        ({"labtools/plots.py": "from . import run as _run\ny = _run._divergence(1)\n"},
         "private", "labtools.run._divergence"),
        # a new top-level module nobody placed in the table
        ({"labtools/extras.py": "x = 1\n"}, "unknown-layer", "extras"),
    ],
)
def test_checker_catches(tmp_path, changed, kind, detail):
    found = find_violations(_fake_package(tmp_path, {**CLEAN, **changed}))
    assert (kind, detail) in {(v[0], v[2]) for v in found}, found


def test_known_violations_are_only_the_listed_kinds():
    # the allowlist can hide nothing but the listed entries
    found = find_violations(ROOT)
    hidden = [v for v in found if v[:3] in KNOWN_VIOLATIONS]
    assert all(v[0] in {"private", "cycle"} for v in hidden)
