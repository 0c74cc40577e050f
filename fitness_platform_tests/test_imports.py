"""The package's import graph: no circle, and no layer reaches up (raw < silver < warehouse <
gold < features < delivery < site; ``ingest/`` and ``resources/`` import no layer at all).
Function-level imports count too: a circle hidden inside a function is still a circle."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import fitness_platform

PACKAGE = Path(fitness_platform.__file__).parent
LAYERS = ["raw", "silver", "warehouse", "gold", "features", "delivery", "site"]
LAYER_FREE = ["ingest", "resources"]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            found |= {t for t in targets if t in modules and t != name}
        graph[name] = found
    return graph


def area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


def test_no_import_circles():
    graph = imports()
    # A package's __init__ importing nothing of its own, an edge to a package is to its __init__.
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        raise AssertionError(f"import circle: {' → '.join(exc.args[1])}") from None


def test_layers_import_only_downwards():
    wrong = []
    for module, targets in imports().items():
        here = area(module)
        for target in targets:
            there = area(target)
            if there not in LAYERS:
                continue
            if here in LAYER_FREE:
                wrong.append(f"{module} (in {here}/) imports the {there} layer ({target})")
            elif here in LAYERS and LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{module} ({here}) imports the higher layer {there} ({target})")
    assert not wrong, "\n".join(wrong)


def test_the_rules_would_catch_a_violation():
    """The checks above look at real edges (this test fails if the graph came out empty)."""
    graph = imports()
    assert "fitness_platform.silver.batches" in graph["fitness_platform.warehouse.assets"]
    assert "fitness_platform.ingest.sources" in graph["fitness_platform.ingest.athlete"]
