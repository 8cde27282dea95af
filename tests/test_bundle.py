"""The PyInstaller bundle (installer.spec), built and run headless like a user's machine would run it.

Slow (the build takes minutes), so it runs only with ZAITAKU_BUNDLE_TEST=1 (a separate CI step):
    ZAITAKU_BUNDLE_TEST=1 .venv/bin/python -m pytest -q tests/test_bundle.py
The bundle is built into a temporary folder, never into the checkout. Its programs run with a bare
environment (no virtualenv, no PYTHONPATH) and ZAITAKU_HOME pointing at a temporary profile.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pdf_tools import assert_fonts_embedded, pdf_text, requires_poppler, squeeze

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("ZAITAKU_BUNDLE_TEST") != "1",
                       reason="builds the PyInstaller bundle: set ZAITAKU_BUNDLE_TEST=1 to run"),
]

ROOT = Path(__file__).resolve().parents[1]
EXE = ".exe" if sys.platform == "win32" else ""
GUI, CLI = f"zaitaku-desktop{EXE}", f"zaitaku-desktop-cli{EXE}"
STAFF_NAME, STAFF_PASSWORD = "山田", "correct horse 1"  # the encrypted_db fixture (tests/conftest.py)
SMOKE_MS = 2000


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """dist/zaitaku-desktop built from installer.spec (the one-folder bundle)."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("ZAITAKU_BUNDLE_TEST=1 needs PyInstaller: pip install '.[build]'")
    work = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    build = subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
                            "--distpath", str(work / "dist"), "--workpath", str(work / "build"), "installer.spec"],
                           cwd=ROOT, capture_output=True, text=True, timeout=1800)
    assert build.returncode == 0, build.stderr[-4000:]
    folder = work / "dist" / "zaitaku-desktop"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nbundle built in {time.monotonic() - started:.0f} s, {size / 2**20:.0f} MB")
    return folder


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "profile"


def run(bundle: Path, home: Path, *args: str, program: str = CLI, stdin: str | None = None,
        timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
    """One bundled program in a bare environment: only PATH, HOME, the locale and ZAITAKU_HOME."""
    environment = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "ZAITAKU_HOME": str(home),
                   "QT_QPA_PLATFORM": "offscreen", **env}
    if sys.platform == "win32":
        environment = {**os.environ, **environment, "PATH": os.environ["PATH"]}
    return subprocess.run([str(bundle / program), *args], input=stdin, capture_output=True, text=True,
                          encoding="utf-8", errors="replace", timeout=timeout, env=environment)


def sheet_rows(path: Path, name: str = "種別×市町村") -> list[tuple]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return list(book[name].iter_rows(values_only=True))
    finally:
        book.close()


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "Error" not in result.stderr, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_db(bundle: Path, tmp_path_factory) -> Path:
    """The sample region loaded by the bundle's own `demo` (migrations and seed data from the bundle)."""
    folder = tmp_path_factory.mktemp("demo")
    db = folder / "demo.sqlite3"
    out = ok(run(bundle, folder / "profile", "--db", str(db), "demo"))
    assert "資源 129 件" in out and "サンプルの会議・研修 44 件" in out
    return db


def test_the_bundle_holds_the_data_files_and_the_modules(bundle: Path) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    internal = bundle / "_internal"
    assert (bundle / GUI).is_file() and (bundle / CLI).is_file()
    for rel in ("resources/fonts/ipaexg.ttf", "resources/fonts/ipaexm.ttf",
                "resources/fonts/IPA_Font_License_Agreement_v1.0.txt", "resources/icons/app.svg",
                "resources/licenses/pyside6.txt", "resources/licenses/sqlcipher.txt",
                "db/migrations/env.py", "db/migrations/script.py.mako"):
        assert (internal / rel).is_file(), rel
    for folder in ("db/migrations/versions", "db/seed", "resources/licenses"):  # every file, the newest migration too
        wanted = {p.name for p in (ROOT / folder).iterdir() if p.is_file() and p.suffix != ".pyc"}
        assert wanted <= {p.name for p in (internal / folder).iterdir()}, folder
    assert list(internal.glob("PySide6/Qt/translations/qtbase_ja.qm"))
    assert list(internal.glob("qt_material/themes/*.xml"))
    for dist in ("pyside6", "sqlcipher3", "reportlab", "cryptography", "pycryptodomex", "segno"):
        assert list(internal.glob(f"{dist}-*.dist-info")), dist
    archive = CArchiveReader(str(bundle / CLI))
    modules = set(archive.open_embedded_archive(next(n for n in archive.toc if n.endswith(".pyz"))).toc)
    for name in ("sqlcipher3.dbapi2", "zaitaku_desktop.storage.crypto", "cryptography.hazmat.primitives.ciphers.aead",
                 "pyzipper", "Cryptodome.Cipher.AES", "jpholiday", "icalendar", "segno", "tzdata",
                 "zaitaku_desktop.ui.about_dialog"):
        assert name in modules, name
    assert not {"pytest", "hypothesis"} & modules


def test_version(bundle: Path, home: Path) -> None:
    from zaitaku_desktop import __version__

    assert ok(run(bundle, home, "--version")).strip() == f"zaitaku-desktop {__version__}"
    assert ok(run(bundle, home, "--version", program=GUI)).strip() == f"zaitaku-desktop {__version__}"


def test_summary_of_the_demo_database_reads_back(bundle: Path, demo_db: Path, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "集計.xlsx"
    assert "集計表を書き出しました" in ok(run(bundle, home, "--db", str(demo_db), "resources", "summary", str(out)))
    rows = sheet_rows(out)
    assert rows[0] == ("種別", "釜石市", "大槌町", "合計")
    assert ("病院", 5, 1, 6) in rows


@requires_poppler
def test_pdf_with_the_bundled_fonts_and_a_qr_code(bundle: Path, demo_db: Path, home: Path, tmp_path: Path) -> None:
    from zaitaku_desktop.services import open_services

    services = open_services(demo_db, user="tester")
    try:
        meeting = next(r.id for r in services.meetings.period(dt.date(2015, 4, 1), dt.date(2016, 3, 31))
                       if r.title == "釜石三師会学術講演会")
    finally:
        services.close()
    flyer = tmp_path / "flyer.pdf"
    ok(run(bundle, home, "--db", str(demo_db), "meetings", "flyer", meeting, str(flyer),
           "--qr", "https://www.city.kamaishi.iwate.jp/"))
    assert "釜石三師会学術講演会" in squeeze(pdf_text(flyer, layout=False))
    assert_fonts_embedded(flyer)


def test_calendar_file(bundle: Path, demo_db: Path, home: Path, tmp_path: Path) -> None:
    out = tmp_path / "meetings.ics"
    ok(run(bundle, home, "--db", str(demo_db), "meetings", "ics", str(out), "--from", "2015-04-01", "--to", "2016-03-31"))
    text = out.read_text(encoding="utf-8")
    assert text.startswith("BEGIN:VCALENDAR") and "釜石三師会学術講演会" in text.replace("\r\n ", "")


def test_an_encrypted_database_opens_in_the_bundle(bundle: Path, encrypted_db, home: Path, tmp_path: Path) -> None:
    """SQLCipher (a compiled extension loaded lazily) and cryptography work inside the bundle."""
    path, _recovery = encrypted_db
    out = tmp_path / "summary.xlsx"
    ok(run(bundle, home, "--db", str(path), "--user", STAFF_NAME, "--password-stdin", "resources", "summary", str(out),
           stdin=STAFF_PASSWORD + "\n"))
    assert ("病院", 5, 1, 6) in sheet_rows(out)
    refused = run(bundle, home, "--db", str(path), "--user", STAFF_NAME, "--password-stdin", "check", stdin="wrong\n")
    assert refused.returncode != 0 and "Traceback" not in refused.stderr and "エラー" in refused.stderr


@pytest.mark.parametrize("with_demo", [True, False], ids=["demo-database", "first-start"])
def test_the_window_starts_offscreen_and_closes_cleanly(bundle: Path, demo_db: Path, home: Path, with_demo) -> None:
    """The GUI on the demo database, and on a first start (a new database in the profile's data folder)."""
    args = ("--db", str(demo_db)) if with_demo else ()
    started = time.monotonic()
    ok(run(bundle, home, *args, program=GUI, timeout=180, ZAITAKU_SMOKE_QUIT_MS=str(SMOKE_MS)))
    print(f"\nwindow ran for {time.monotonic() - started:.1f} s")
    log = (home / "logs" / "zaitaku.log").read_text(encoding="utf-8")
    assert "window shown" in log
    for bad in ("Traceback", "Error", "ERROR", "CRITICAL", "translation not found"):
        assert bad not in log, log
    if not with_demo:
        assert (home / "data" / "zaitaku.sqlite3").stat().st_size > 0  # the user's data folder, not the bundle's
    assert (home / "config" / "settings.ini").is_file()
    leftovers = [p for p in bundle.rglob("*") if p.suffix in (".sqlite3", ".ini", ".log", ".lock")]
    assert not leftovers, leftovers
