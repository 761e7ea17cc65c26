"""Layer contracts: steps -> engine -> clients, state below the engine, the emulator imported only by
the local-cloud wiring. Read from the source (every import, lazy ones included), so a shortcut taken
inside a function is caught too."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# package (as a path prefix) -> packages it must never import
FORBIDDEN = {
    "state": (
        "orchestrator.engine",
        "orchestrator.commands",
        "orchestrator.azure",
        "orchestrator.kube",
        "steps",
        "emulator",
    ),
    "orchestrator/engine": (
        "steps",
        "orchestrator.commands",
        "orchestrator.cli",
        "orchestrator.app",
        "emulator",
    ),
    "orchestrator/azure": ("orchestrator.engine", "orchestrator.commands", "steps", "emulator"),
    "orchestrator/kube": ("orchestrator.engine", "orchestrator.commands", "steps", "emulator"),
    "orchestrator/config": ("orchestrator.engine", "orchestrator.commands", "steps", "emulator"),
    "orchestrator/cost": ("orchestrator.engine", "orchestrator.commands", "steps", "emulator"),
    "steps": ("orchestrator.commands", "orchestrator.cli", "orchestrator.app", "emulator"),
    "emulator": ("orchestrator", "steps", "state"),
}
EMULATOR_WIRING = {"orchestrator/clouds.py"}  # the only product module that may import the emulator


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _modules(prefix: str) -> list[Path]:
    base = ROOT / prefix
    return sorted(base.rglob("*.py")) if base.is_dir() else [base]


def _violations(prefix: str, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in _modules(prefix):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                out.append(f"{path.relative_to(ROOT)} imports {name}")
    return out


@pytest.mark.parametrize("prefix", sorted(FORBIDDEN))
def test_layer_never_imports_what_sits_above_it(prefix: str) -> None:
    assert _violations(prefix, FORBIDDEN[prefix]) == []


def test_only_the_local_cloud_wiring_imports_the_emulator() -> None:
    importers = [
        str(path.relative_to(ROOT))
        for prefix in ("orchestrator", "steps", "state")
        for path in _modules(prefix)
        if any(n == "emulator" or n.startswith("emulator.") for n in _imports(path))
    ]
    assert set(importers) <= EMULATOR_WIRING, importers


def test_the_contract_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from steps.network import VnetStep\n", encoding="utf-8")
    assert "steps.network" in _imports(bad)  # a lazy import inside a function is found
