"""The same program on a PostgreSQL server (issue 10): the migrations build the same schema, plain Japanese
messages for a server that cannot be reached / refuses the password / has no such database, the audit trail's
append-only rules in PL/pgSQL, search the same as on SQLite, a 閲覧者 cannot write, and backups are the server's.

Runs when ZAITAKU_TEST_PG_URL names a server (.ci/run starts one); skipped otherwise."""

from __future__ import annotations

import datetime as dt
import socket

import psycopg
import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from zaitaku_desktop.domain.errors import PermissionDeniedError, StorageError
from zaitaku_desktop.paths import is_server_url, resolve_db_path
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.resource_query import ResourceFilter, filter_indices
from zaitaku_desktop.storage import migrations
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.engine import display_url


def _raw(url: str) -> psycopg.Connection:
    return psycopg.connect(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False),
                           autocommit=True)


def test_urls_are_told_from_paths(monkeypatch, tmp_path) -> None:
    url = "postgresql://coord:secret@office-server:5432/zaitaku"
    assert is_server_url(url) and resolve_db_path(url) == url
    monkeypatch.setenv("ZAITAKU_DB", url)
    assert resolve_db_path(None) == url
    monkeypatch.delenv("ZAITAKU_DB")
    assert resolve_db_path(None, url) == url  # the setting
    assert resolve_db_path(str(tmp_path / "a.sqlite3")) == tmp_path / "a.sqlite3"
    assert display_url(url) == "postgresql://coord:***@office-server:5432/zaitaku"


def test_migrations_build_the_same_tables_as_on_sqlite(pg_url: str, db_path) -> None:
    db = Database.open(pg_url)
    try:
        assert db.server and db.dialect == "postgresql"
        assert migrations.current_revision(db.engine) == migrations.head_revision()
        assert "***" in str(db.path) or "@" in str(db.path)
        with db.engine.connect() as conn:
            pg_tables = set(inspect(conn).get_table_names())
    finally:
        db.close()
    sqlite = Database.open(db_path)
    with sqlite.engine.connect() as conn:
        assert pg_tables == set(inspect(conn).get_table_names())
    sqlite.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cannot_connect_and_no_such_database_are_said_plainly(pg_server) -> None:
    with pytest.raises(StorageError, match="データベースサーバーに接続できません") as caught:
        Database.open(f"postgresql://zaitaku:secret@127.0.0.1:{_free_port()}/zaitaku")
    assert "secret" not in caught.value.message  # the password never reaches a message
    with pytest.raises(StorageError, match="指定した名前のデータベースがありません"):
        Database.open(pg_server.url("zt_no_such_database"))


def test_a_wrong_password_is_said_plainly(pg_server) -> None:
    url = make_url(pg_server.url("postgres"))
    if not url.password:
        pytest.skip("the test server takes no password (trust authentication)")
    with pytest.raises(StorageError, match="ユーザー名またはパスワードが違います") as caught:
        Database.open(url.set(password="wrong-password").render_as_string(hide_password=False))
    assert "wrong-password" not in caught.value.message


@pytest.mark.parametrize("backend", ["pg"], indirect=True)
def test_the_audit_trail_is_append_only_on_the_server(services) -> None:
    for i in range(3):
        services.audit.append("view", "consultation_case", f"case-{i}", "")
    assert services.audit.verify().ok
    with _raw(services.db.url) as raw:
        for sql in ("UPDATE audit_log SET detail = 'x' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 2",
                    "TRUNCATE audit_log", "DELETE FROM audit_head",
                    "UPDATE audit_head SET seq = 1, hash = (SELECT hash FROM audit_log WHERE seq = 1)",
                    "INSERT INTO audit_log (seq, at, \"user\", role, action, entity, entity_id, detail, prev_hash, hash) "
                    "VALUES (9, now(), '', '', 'view', '', '', '', 'x', 'y')"):
            with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="append-only"):
                raw.execute(sql)
    assert services.audit.verify().ok and len(services.audit.rows()) >= 3


@pytest.mark.parametrize("backend", ["pg"], indirect=True)
def test_search_finds_the_same_resources_on_both_backends(sample_services, sample_db_path) -> None:
    """The stored search text (domain.text.search_key folding) is the same on the server."""
    sqlite = open_services(sample_db_path, user="tester")
    try:
        for query in ("訪問看護", "ほうもん", "ｶﾏｲｼ", "0193"):
            names = []
            for svc in (sample_services, sqlite):
                rows = svc.resources.list_rows(include_archived=False)
                hits = filter_indices(rows, [r.search_text for r in rows], ResourceFilter(text=query), dt.date.today())
                names.append(sorted(rows[i].name for i in hits))
            assert names[0] == names[1] and names[0], query
    finally:
        sqlite.close()


@pytest.mark.parametrize("backend", ["pg"], indirect=True)
def test_a_viewer_cannot_write_on_the_server(services) -> None:
    assert services.db.server
    services.db.set_query_only(True)
    with pytest.raises(PermissionDeniedError, match="閲覧者"):
        services.vocab.add("capability", "テスト機能")
    services.db.set_query_only(False)
    assert services.vocab.add("capability", "テスト機能")


@pytest.mark.parametrize("backend", ["pg"], indirect=True)
def test_backups_are_the_servers_job(services) -> None:
    assert services.db.server
    m = services.maintenance
    with pytest.raises(StorageError, match="pg_dump"):
        m.backup_now()
    assert m.backup_before("import") is None
    assert not m.auto_backup_due() and m.run_auto_backup(on_exit=True) is None
    report = m.check()
    assert report.ok, report.text()
    assert "サーバー" in report.text()


def test_sqlite_spelled_sql_is_rewritten_for_psycopg() -> None:
    from zaitaku_desktop.storage.portable import to_postgres

    sql = "SELECT group_concat(l.id) FROM x l WHERE l.name LIKE '%a' AND l.id IN (?, ?) ORDER BY +l.at DESC, 1 + 2"
    assert to_postgres(sql) == ("SELECT string_agg(CAST(l.id AS TEXT), ',') FROM x l WHERE l.name LIKE '%%a' "
                                "AND l.id IN (%s, %s) ORDER BY l.at DESC, 1 + 2")
    assert to_postgres("SELECT '%' LIKE '%'", with_params=False) == "SELECT '%' LIKE '%'"
