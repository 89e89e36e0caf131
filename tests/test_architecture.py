"""Layer contracts (import-linter) and a headless domain core."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_contracts_hold() -> None:
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.split("Contracts:")[-1].replace("0 broken", "")


def test_domain_loads_no_ui_or_sql_library() -> None:
    code = (
        "import importlib, pkgutil, sys, codebench.domain as d\n"
        "for mod in pkgutil.walk_packages(d.__path__, 'codebench.domain.'):\n"
        "    importlib.import_module(mod.name)\n"
        "bad = sorted(m for m in ('textual', 'rich', 'typer', 'sqlalchemy', 'alembic') if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_every_package_ships_in_the_wheel() -> None:
    """pyproject lists packages explicitly (migrations/ is mapped in): a new subpackage must be listed."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "codebench").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
