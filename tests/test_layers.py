"""The import rules of ARCHITECTURE.md, checked by parsing every module with ``ast``.

app.py → ui → services → storage → models → domain; services → reports, exports, importers → domain.
Nothing outside ui/ and app.py imports Qt (paths.py and settings.py may use QtCore as leaves).
Imports inside functions count too: a lazy import still reaches into the other layer.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

import zaitaku_desktop

PKG = "zaitaku_desktop"
PKG_DIR = Path(zaitaku_desktop.__file__).resolve().parent

QT_ROOTS = frozenset({"PySide6", "shiboken6", "qt_material", "PyQt5", "PyQt6", "pytestqt"})
QTCORE_ONLY = frozenset({"paths", "settings"})  # may use PySide6.QtCore and nothing else from Qt
QT_ALLOWED = frozenset({"ui", "app"})
DB_LIBRARIES = frozenset({"sqlalchemy", "sqlmodel", "alembic", "sqlite3"})
NO_DB_LIBRARIES = frozenset({"domain", "importers", "exports", "reports"})

# Which of the program's layers each layer may import (besides itself and the package root,
# which holds only constants). ``None`` means "anything except" the set in DENIED.
ALLOWED: dict[str, frozenset[str] | None] = {
    "root": frozenset(),
    "domain": frozenset(),
    "models": frozenset({"domain"}),
    "paths": frozenset(),
    "settings": frozenset({"paths", "domain"}),
    "storage": frozenset({"models", "domain", "paths"}),
    "services": frozenset({"storage", "models", "domain", "paths", "importers", "exports", "reports"}),
    "importers": frozenset({"domain"}),
    "exports": frozenset({"domain"}),
    "reports": frozenset({"domain"}),
    "ui": None,
    "app": None,
    "cli": None,
    "main": frozenset({"cli"}),
}
DENIED: dict[str, frozenset[str]] = {
    "ui": frozenset({"storage", "app", "cli", "main"}),  # the UI goes through services
    "app": frozenset({"cli", "main"}),
    "cli": frozenset({"ui", "main"}),  # the GUI is reached through app.run_gui only
}


@dataclass(frozen=True)
class ImportRef:
    target: str  # absolute dotted module name
    line: int


def all_modules() -> dict[str, Path]:
    """Dotted name → file for every .py file of the package."""
    out: dict[str, Path] = {}
    for path in sorted(PKG_DIR.rglob("*.py")):
        rel = path.relative_to(PKG_DIR.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def layer_of(module: str) -> str:
    parts = module.split(".")
    if parts[0] != PKG:
        raise ValueError(module)
    if len(parts) == 1:
        return "root"
    return {"__main__": "main"}.get(parts[1], parts[1])


def _resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    package = module if is_package else module.rpartition(".")[0]
    parts = package.split(".")
    if level > 1:
        parts = parts[: len(parts) - (level - 1)]
    base = ".".join(parts)
    return f"{base}.{name}" if name else base


def imports_of(source: str, module: str, *, is_package: bool = False,
               known: frozenset[str] | set[str] = frozenset()) -> list[ImportRef]:
    """Every module ``source`` imports, wherever the import statement sits.

    ``from pkg import name`` counts as importing ``pkg.name`` when that is a module
    (``known``) or ``pkg`` is Qt's top package (``from PySide6 import QtCore``), otherwise as
    importing ``pkg``.
    """
    refs: list[ImportRef] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            refs.extend(ImportRef(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = _resolve_relative(module, is_package, node.level, node.module)
            else:
                base = node.module or ""
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                if alias.name != "*" and (candidate in known or base in QT_ROOTS):
                    refs.append(ImportRef(candidate, node.lineno))
                else:
                    refs.append(ImportRef(base, node.lineno))
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and isinstance(node.args[0].value, str):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name in ("import_module", "__import__"):
                refs.append(ImportRef(node.args[0].value, node.lineno))
    return refs


def violations_of(module: str, refs: list[ImportRef]) -> list[str]:
    layer = layer_of(module)
    found: list[str] = []
    for ref in refs:
        top = ref.target.split(".")[0]
        where = f"{module}:{ref.line} imports {ref.target}"
        if top in QT_ROOTS and layer not in QT_ALLOWED:
            if not (layer in QTCORE_ONLY and ref.target == "PySide6.QtCore"):
                found.append(f"{where} (Qt outside ui/ and app.py)")
        if top in DB_LIBRARIES and layer in NO_DB_LIBRARIES:
            found.append(f"{where} ({layer} must stay free of database libraries)")
        if top != PKG:
            continue
        target_layer = layer_of(ref.target)
        if target_layer in ("root", layer):
            continue
        allowed = ALLOWED[layer]
        if (allowed is not None and target_layer not in allowed) or target_layer in DENIED.get(layer, frozenset()):
            found.append(f"{where} ({layer} may not import {target_layer})")
    return found


def check_source(source: str, module: str, *, is_package: bool = False,
                 known: frozenset[str] | set[str] = frozenset()) -> list[str]:
    return violations_of(module, imports_of(textwrap.dedent(source), module, is_package=is_package, known=known))


# --- the real package ------------------------------------------------------------------

MODULES = all_modules()
KNOWN = frozenset(MODULES)


def _real_imports(module: str) -> list[ImportRef]:
    path = MODULES[module]
    return imports_of(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py", known=KNOWN)


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = sorted(m for m in MODULES if layer_of(m) not in ALLOWED)
    assert unknown == [], "add the new module's layer to ALLOWED (and ARCHITECTURE.md)"


def test_package_has_the_expected_layers() -> None:
    layers = {layer_of(m) for m in MODULES}
    assert {"root", "domain", "models", "storage", "services", "ui", "app", "paths"} <= layers


def test_no_module_breaks_the_layer_rules() -> None:
    problems = [v for module in MODULES for v in violations_of(module, _real_imports(module))]
    assert problems == []


def test_checker_sees_the_real_imports() -> None:
    """Guard: the parser really finds relative, submodule and lazy imports in the package."""
    db_imports = {r.target for r in _real_imports(f"{PKG}.storage.database")}
    assert f"{PKG}.storage.migrations" in db_imports  # from . import migrations
    assert f"{PKG}.storage.engine" in db_imports  # from .engine import ...
    assert f"{PKG}.domain.errors" in db_imports
    assert f"{PKG}.paths" in {r.target for r in _real_imports(f"{PKG}.services.sample")}  # from pkg import paths
    services = {r.target for r in _real_imports(f"{PKG}.services")}
    assert f"{PKG}.services.vocab" in services  # relative import in an __init__
    resource = {r.target for r in _real_imports(f"{PKG}.domain.resource")}
    assert f"{PKG}.domain.text" in resource  # imported inside a function


def test_core_modules_do_not_load_qt_at_run_time() -> None:
    """Transitive check: importing every non-GUI module leaves Qt unloaded."""
    core = sorted(m for m in MODULES if layer_of(m) not in QT_ALLOWED | QTCORE_ONLY | {"main"})
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.split('.')[0] in {sorted(QT_ROOTS)!r})\n"
        "print(loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            cwd=PKG_DIR.parent, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# --- the checker catches violations ------------------------------------------------------

SYNTHETIC_KNOWN = frozenset({
    f"{PKG}.paths", f"{PKG}.models", f"{PKG}.storage", f"{PKG}.storage.database", f"{PKG}.services",
    f"{PKG}.ui", f"{PKG}.domain", f"{PKG}.domain.text", f"{PKG}.cli", f"{PKG}.settings", f"{PKG}.exports",
})


@pytest.mark.parametrize(("module", "source", "expected"), [
    (f"{PKG}.domain.text", "from zaitaku_desktop.storage import database", "domain may not import storage"),
    (f"{PKG}.domain.text", "from ..services import resources", "domain may not import services"),
    (f"{PKG}.domain.text", "def f():\n    import zaitaku_desktop.models\n", "domain may not import models"),
    (f"{PKG}.domain.text", "import sqlalchemy", "free of database libraries"),
    (f"{PKG}.models", "from zaitaku_desktop import paths", "models may not import paths"),
    (f"{PKG}.storage.engine", "from zaitaku_desktop.services import vocab", "storage may not import services"),
    (f"{PKG}.storage.engine", "import importlib\nimportlib.import_module('PySide6.QtGui')", "Qt outside"),
    (f"{PKG}.services.vocab", "from PySide6.QtWidgets import QMessageBox", "Qt outside"),
    (f"{PKG}.services.vocab", "import qt_material", "Qt outside"),
    (f"{PKG}.services.vocab", "from zaitaku_desktop.ui.messages import Messages", "services may not import ui"),
    (f"{PKG}.services.vocab", "from zaitaku_desktop import cli", "services may not import cli"),
    (f"{PKG}.services.vocab", "from zaitaku_desktop.settings import Settings", "services may not import settings"),
    (f"{PKG}.exports.xlsx", "from zaitaku_desktop.models import ResourceRow", "exports may not import models"),
    (f"{PKG}.importers.csv", "from zaitaku_desktop.services import Services", "importers may not import services"),
    (f"{PKG}.reports.flyer", "from zaitaku_desktop.storage.database import Database", "reports may not import storage"),
    (f"{PKG}.ui.tab", "from zaitaku_desktop.storage import resource_repo", "ui may not import storage"),
    (f"{PKG}.ui", "from ..storage.database import Database", "ui may not import storage"),
    (f"{PKG}.paths", "from PySide6 import QtWidgets", "Qt outside"),
    (f"{PKG}.paths", "import PySide6", "Qt outside"),
    (f"{PKG}.cli", "import PySide6.QtCore", "Qt outside"),
    (f"{PKG}", "from zaitaku_desktop.domain import text", "root may not import domain"),
])
def test_checker_catches_a_violation(module: str, source: str, expected: str) -> None:
    is_package = module == PKG or module.endswith(".ui")
    found = check_source(source, module, is_package=is_package, known=SYNTHETIC_KNOWN)
    assert len(found) == 1, found
    assert expected in found[0]


@pytest.mark.parametrize(("module", "source"), [
    (f"{PKG}.domain.text", "from zaitaku_desktop import APP_NAME\nfrom . import codes\nimport jaconv"),
    (f"{PKG}.models", "from zaitaku_desktop.domain.text import search_key\nfrom sqlmodel import Field"),
    (f"{PKG}.storage.engine", "from zaitaku_desktop import paths\nfrom ..models import Resource\nimport sqlite3"),
    (f"{PKG}.services.vocab", "from zaitaku_desktop.storage import vocab_repo\nfrom zaitaku_desktop.exports import x"),
    (f"{PKG}.ui.tab", "from zaitaku_desktop.models import ResourceRow\nfrom PySide6.QtWidgets import QWidget\n"
                      "from zaitaku_desktop.services import Services"),
    (f"{PKG}.paths", "from PySide6.QtCore import QStandardPaths\nfrom PySide6 import QtCore"),
    (f"{PKG}.settings", "from PySide6.QtCore import QSettings\nfrom zaitaku_desktop import paths"),
    (f"{PKG}.app", "from PySide6.QtWidgets import QApplication\nfrom zaitaku_desktop.storage import migrations"),
    (f"{PKG}.cli", "def gui():\n    from zaitaku_desktop.app import run_gui\n"),
])
def test_checker_accepts_allowed_imports(module: str, source: str) -> None:
    assert check_source(source, module, known=SYNTHETIC_KNOWN) == []


def test_relative_imports_resolve_against_the_package() -> None:
    refs = imports_of("from . import a\nfrom .b import c\nfrom .. import d\nfrom ..e.f import g\n",
                      f"{PKG}.storage.engine", known={f"{PKG}.storage.a", f"{PKG}.d"})
    assert [r.target for r in refs] == [f"{PKG}.storage.a", f"{PKG}.storage.b", f"{PKG}.d", f"{PKG}.e.f"]
    refs = imports_of("from . import x\n", f"{PKG}.storage", is_package=True, known={f"{PKG}.storage.x"})
    assert [r.target for r in refs] == [f"{PKG}.storage.x"]
