"""The package's import graph: no cycles, and the one-line dependency
direction ops ← layers ← models ← training ← experiments (datasets,
metrics, plotting beside, never importing the model side)."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "spektral_tv"

#: Level of each part of the package: a module may import only its own or lower levels.
LEVELS = {
    "hyperparameters": 0,  # plain data (the papers' tables), imports nothing of ours
    "ops": 0,
    "initializers": 1,
    "layers": 1,
    "datasets": 1,
    "metrics": 1,
    "plotting": 1,
    "sampling": 1,
    "models": 2,
    "training": 3,
    "distribute": 3,
    "experiments": 4,
    "__main__": 5,
}


def module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path, known):
    """The package modules that `path` imports, anywhere in the file."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            # `from package import submodule` depends on the submodule only.
            submodules = [f"{base}.{alias.name}" for alias in node.names]
            targets = [m for m in submodules if m in known] or [base]
        else:
            continue
        found.update(t for t in targets if t in known)
    found.discard("spektral_tv")  # the root only selects Keras 2
    found.discard(name)
    return found


def import_graph():
    paths = sorted(PACKAGE.rglob("*.py"))
    known = {module_name(p) for p in paths}
    return {module_name(p): imported_modules(p, known) for p in paths}


def part(module):
    return module.split(".")[1] if module.count(".") else None


def test_no_import_cycles():
    graph = import_graph()
    state = {}

    def visit(node, stack):
        state[node] = "open"
        for target in graph.get(node, ()):
            if state.get(target) == "open":
                cycle = stack[stack.index(target) :] + [target]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for node in graph:
        if node not in state:
            visit(node, [node])


def test_dependency_direction():
    wrong = []
    for module, targets in import_graph().items():
        if part(module) is None:
            continue
        for target in targets:
            if LEVELS[part(target)] > LEVELS[part(module)]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_every_part_has_a_level():
    assert {part(m) for m in import_graph() if part(m)} <= set(LEVELS)


def test_the_check_finds_a_cycle(tmp_path, monkeypatch):
    # The walker itself must be able to fail: a two-module cycle is reported.
    package = tmp_path / "spektral_tv"
    (package / "ops").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ops" / "__init__.py").write_text("")
    (package / "ops" / "a.py").write_text("from spektral_tv.ops import b\n")
    (package / "ops" / "b.py").write_text("def f():\n    from spektral_tv.ops.a import g\n")
    monkeypatch.setattr(__import__(__name__), "PACKAGE", package)
    with pytest.raises(pytest.fail.Exception, match="import cycle"):
        test_no_import_cycles()
