"""The package's modules import one another without circles, and none hides an import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "assess"
# Where an import inside a function is refused: a circle among services or views hidden that way would
# pass the circle check while still tying the modules together.
FLAT = ("services", "web")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in ROOT.rglob("*.py")}


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it sits inside a function, leaving out TYPE_CHECKING blocks."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                for other in child.orelse:
                    visit(other, in_function)
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, in_function))
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return found


def _targets(name: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The modules of assess an import statement in module name loads."""
    if isinstance(node, ast.Import):
        wanted = [alias.name for alias in node.names]
    else:
        if node.level:
            base = name.split(".") if _is_package(name) else name.split(".")[:-1]
            base = base[: len(base) - node.level + 1]
            source = ".".join(base + ([node.module] if node.module else []))
        else:
            source = node.module or ""
        # "from package import module" loads the module; "from module import name" loads the module.
        wanted = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                  for alias in node.names]
    return {target for target in wanted if target in MODULES}


def _graph() -> dict[str, set[str]]:
    """Module -> the modules it imports, anywhere in its body.

    A module's own enclosing packages are left out: Python runs them before the module in any case, and a
    blueprint package that defines its blueprint and then imports its routes, which attach to it, is how
    Flask spreads a blueprint over modules.
    """
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        enclosing = {".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)}
        graph[name] = {target for node, _ in _imports(tree) for target in _targets(name, node)
                       if target != name and target not in enclosing}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each strongly connected group of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_no_module_of_assess_is_part_of_an_import_circle() -> None:
    assert _circles(_graph()) == []


@pytest.mark.parametrize("layer", FLAT)
def test_no_import_is_hidden_inside_a_function(layer: str) -> None:
    hidden = []
    for name, path in MODULES.items():
        if name.split(".")[1:2] == [layer]:
            tree = ast.parse(path.read_text(), str(path))
            hidden += [f"{name}:{node.lineno}" for node, in_function in _imports(tree) if in_function]
    assert hidden == []


def test_the_circle_check_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_an_import_inside_a_function_is_seen_but_not_one_for_type_checking() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import x\n"
                     "def f():\n    import y\n")
    assert [(ast.unparse(node), inside) for node, inside in _imports(tree)] == [
        ("from typing import TYPE_CHECKING", False), ("import y", True)]
