"""Dependencies point down: the lower apps never import the claims app (docs/architecture.md)."""

import ast
from pathlib import Path

import pytest

APPS = Path(__file__).resolve().parent.parent / "apps"


def _imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize("app", ["actors", "sources", "countries", "core"])
def test_lower_apps_never_import_claims(app):
    offenders = {
        str(path.relative_to(APPS)): sorted(m for m in _imported_modules(path) if m.startswith("apps.claims"))
        for path in (APPS / app).rglob("*.py")
    }
    assert {path: modules for path, modules in offenders.items() if modules} == {}
