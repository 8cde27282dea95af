"""Shared fixtures. Qt runs offscreen; every test gets its own database and home folder."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# Property tests are repeatable by default (the same examples on every machine, so CI never fails on a new
# random draw); HYPOTHESIS_PROFILE=explore draws fresh examples, many more of them, to hunt for new cases.
hypothesis_settings.register_profile("repeatable", derandomize=True)
hypothesis_settings.register_profile("explore", max_examples=1000)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("ZAITAKU_DB", None)

# No test may reach the network, in this process or in the Python processes it starts.
_NO_NETWORK = Path(__file__).resolve().parent / "no_network_site"
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(_NO_NETWORK), os.environ.get("PYTHONPATH")]))


@pytest.fixture(autouse=True, scope="session")
def _no_network():
    """Block internet sockets for the whole run; an attempt anywhere fails the run at the end."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("_no_network_guard", _NO_NETWORK / "sitecustomize.py")
    guard = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(guard)  # installs the guard
    yield guard
    assert not guard.attempts, f"tests tried to reach the network: {guard.attempts}"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every user folder at a temporary directory so no test sees real data."""
    home = tmp_path / "home"
    monkeypatch.setenv("ZAITAKU_HOME", str(home))
    monkeypatch.delenv("ZAITAKU_DB", raising=False)
    return home


def _copy_db(src: Path, dest: Path) -> None:
    source = sqlite3.connect(src)
    target = sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the seeded vocabularies, made once per run."""
    from zaitaku_desktop.services import open_services

    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    services = open_services(path, user="tester")
    services.close()
    return path


@pytest.fixture(scope="session")
def sample_template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database holding the sample region, made once per run."""
    from zaitaku_desktop.services import open_services

    path = tmp_path_factory.mktemp("sample") / "sample.sqlite3"
    services = open_services(path, user="tester")
    services.sample.load()
    services.close()
    return path


@pytest.fixture
def db_path(template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "test.sqlite3"
    _copy_db(template_db, path)
    return path


@pytest.fixture
def sample_db_path(sample_template_db: Path, tmp_path: Path) -> Path:
    path = tmp_path / "sample.sqlite3"
    _copy_db(sample_template_db, path)
    return path


# --- PostgreSQL (issue 10) -----------------------------------------------------------------------------------
# With ZAITAKU_TEST_PG_URL (a server where the user may create databases; .ci/run starts one) the storage and
# service tests that use `services` / `sample_services` run twice: on SQLite and on PostgreSQL, each test on a
# fresh database cloned from a migrated template. Tests about the file itself ask for `db_path` (or are marked
# sqlite_only) and run on SQLite alone.
PG_URL = os.environ.get("ZAITAKU_TEST_PG_URL", "")
PG_DIRS = ("services", "storage")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    names = set(metafunc.fixturenames)
    if (PG_URL and "backend" in names and {"db_path", "sample_db_path"}.isdisjoint(names)
            and metafunc.definition.path.parent.name in PG_DIRS
            and not metafunc.definition.get_closest_marker("sqlite_only")
            and not any("backend" in str(m.args[0]) for m in metafunc.definition.iter_markers("parametrize"))):
        metafunc.parametrize("backend", ["sqlite", "pg"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """'sqlite', or 'pg' for the PostgreSQL run of a parametrised test."""
    return getattr(request, "param", "sqlite")


class PgServer:
    """Creates and drops the test databases on the server of ZAITAKU_TEST_PG_URL."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.base = make_url(url).set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        self.made: list[str] = []

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
        self.made.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        from sqlalchemy import text

        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self.made.remove(name)

    def fresh(self, template: str | None = None) -> str:
        import uuid

        return self.create(f"zt_{uuid.uuid4().hex[:12]}", template)

    def close(self) -> None:
        for name in list(self.made):
            self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def pg_server():
    if not PG_URL:
        pytest.skip("ZAITAKU_TEST_PG_URL is not set (no PostgreSQL server for this run)")
    server = PgServer(PG_URL)
    yield server
    server.close()


@pytest.fixture(scope="session")
def pg_templates(pg_server: PgServer) -> dict[str, str]:
    """Template databases on the server: 'empty' (migrated and seeded) and 'sample' (the sample region)."""
    from zaitaku_desktop.services import open_services

    names = {}
    for kind in ("empty", "sample"):
        name = f"zt_template_{os.getpid()}_{kind}"
        svc = open_services(pg_server.create(name), user="tester")
        if kind == "sample":
            svc.sample.load()
        svc.close()
        names[kind] = name
    return names


@pytest.fixture
def pg_url(pg_server: PgServer):
    """A new, empty database on the server (not migrated)."""
    url = pg_server.fresh()
    yield url
    pg_server.drop(url.rsplit("/", 1)[1])


def _open(request: pytest.FixtureRequest, backend: str, kind: str):
    from zaitaku_desktop.services import open_services

    if backend == "pg":
        server = request.getfixturevalue("pg_server")
        url = server.fresh(request.getfixturevalue("pg_templates")[kind])
        request.addfinalizer(lambda: server.drop(url.rsplit("/", 1)[1]))
        return open_services(url, user="tester")
    return open_services(request.getfixturevalue("db_path" if kind == "empty" else "sample_db_path"), user="tester")


@pytest.fixture
def services(request: pytest.FixtureRequest, backend: str):
    svc = _open(request, backend, "empty")
    yield svc
    svc.close()


@pytest.fixture
def sample_services(request: pytest.FixtureRequest, backend: str):
    svc = _open(request, backend, "sample")
    yield svc
    svc.close()


# --- an encrypted copy of the sample region (issue 9) ------------------------------------------------------
# Every log-in, password change and new user runs scrypt (0.16 s at the program's cost, n = 2**15). The tests
# create and open protected databases hundreds of times, so in this process they use a cheaper cost; key files
# record their own parameters, so both kinds open alike. tests/storage/test_encryption.py checks the program's
# own cost, and the bundle and CLI subprocess tests run at it.
from zaitaku_desktop.storage import keyfile as _keyfile  # noqa: E402

PROGRAM_SCRYPT = dict(_keyfile.SCRYPT)
_keyfile.SCRYPT = {**PROGRAM_SCRYPT, "n": 2 ** 11}
STAFF_NAME, STAFF_PASSWORD = "山田", "correct horse 1"
VIEWER_NAME, VIEWER_PASSWORD = "佐藤", "viewer pass 22"


@pytest.fixture(scope="session")
def encrypted_template(tmp_path_factory: pytest.TempPathFactory, sample_template_db: Path) -> tuple[Path, str]:
    """The sample region protected by 山田 (担当者) with a 閲覧者 佐藤; (database, recovery key). Made once."""
    from zaitaku_desktop.services import open_services
    from zaitaku_desktop.services.security import ROLE_VIEWER

    path = tmp_path_factory.mktemp("encrypted") / "encrypted.sqlite3"
    _copy_db(sample_template_db, path)
    services = open_services(path, user="tester")
    services.maintenance.folder = path.parent / "backups"  # never the real data folder
    services.maintenance.folder.mkdir()
    recovery = services.security.protect(STAFF_NAME, STAFF_PASSWORD)
    services.security.add_user(VIEWER_NAME, ROLE_VIEWER, VIEWER_PASSWORD)
    services.close()
    return path, recovery


@pytest.fixture
def encrypted_db(encrypted_template: tuple[Path, str], tmp_path: Path) -> tuple[Path, str]:
    """A fresh copy (database and key file) of :func:`encrypted_template` for one test."""
    import shutil

    from zaitaku_desktop.storage.keyfile import keyfile_path

    src, recovery = encrypted_template
    path = tmp_path / "encrypted.sqlite3"
    shutil.copyfile(src, path)
    shutil.copyfile(keyfile_path(src), keyfile_path(path))
    return path, recovery


@pytest.fixture
def logged():
    """The program's own log file set up as app.py does (INFO and up for everything, DEBUG for the program);
    yields the log folder."""
    import logging

    from zaitaku_desktop import paths
    from zaitaku_desktop.app import setup_logging

    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    program = logging.getLogger("zaitaku_desktop")
    program_level = program.level
    setup_logging()
    program.setLevel(logging.DEBUG)
    yield paths.log_dir()
    for handler in [h for h in root.handlers if h not in before]:
        handler.close()
        root.removeHandler(handler)
    root.setLevel(level)
    program.setLevel(program_level)
