"""Alembic migrations: upgrading old files, backups first, schema == models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import zaitaku_desktop.models  # noqa: F401  (registers the tables)
from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.storage import history_repo, migrations, resource_repo
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.engine import make_engine

OLD_RESOURCE_ID = "11111111-1111-4111-8111-111111111111"
CATEGORY_ID = "22222222-2222-4222-8222-222222222222"
MUNICIPALITY_ID = "33333333-3333-4333-8333-333333333333"
CAPABILITY_ID = "44444444-4444-4444-8444-444444444444"
STAMP = "2025-04-01 09:00:00.000000"


def _make_0001_database(path: Path, backup_dir: Path) -> None:
    """A file as version 0001 of the program left it, with one resource."""
    engine = make_engine(path)
    try:
        result = migrations.upgrade(engine, path, backup_dir, target="0001_initial")
        assert (result.before, result.after, result.backup) == (None, "0001_initial", None)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO resource_category (id, created_at, updated_at, archived_at, name, reading, sort_order, "
                "\"group\") VALUES (?, ?, ?, NULL, '医科診療所', 'いかしんりょうじょ', 1, '医療')",
                (CATEGORY_ID, STAMP, STAMP))
            conn.exec_driver_sql(
                "INSERT INTO municipality (id, created_at, updated_at, archived_at, name, reading, sort_order, code) "
                "VALUES (?, ?, ?, NULL, '釜石市', 'かまいしし', 1, '032115')",
                (MUNICIPALITY_ID, STAMP, STAMP))
            conn.exec_driver_sql(
                "INSERT INTO capability (id, created_at, updated_at, archived_at, name, reading, sort_order) "
                "VALUES (?, ?, ?, NULL, '訪問診療', '', 1)",
                (CAPABILITY_ID, STAMP, STAMP))
            conn.exec_driver_sql(
                "INSERT INTO resource (id, created_at, updated_at, archived_at, name, reading, category_id, "
                "municipality_id, district_id, postal_code, address, phone, fax, email, url, lat, lon, "
                "opening_hours, visit_area, notes, last_confirmed, confirmed_source, shortstay_vacancies, "
                "shortstay_as_of, external_source, external_id, is_sample, search_text, version) VALUES "
                "(?, ?, ?, NULL, '旧かまいし診療所', 'きゅうかまいししんりょうじょ', ?, ?, NULL, '026-0025', "
                "'釜石市大町1-1', '0193-22-0000', '', '', '', 39.27, 141.88, '', '', '備考\n二行目', '2025-03-31', "
                "'電話', NULL, NULL, '', '', 0, '', 3)",
                (OLD_RESOURCE_ID, STAMP, STAMP, CATEGORY_ID, MUNICIPALITY_ID))
            conn.exec_driver_sql("INSERT INTO resource_capability (resource_id, capability_id) VALUES (?, ?)",
                                 (OLD_RESOURCE_ID, CAPABILITY_ID))
    finally:
        engine.dispose()


def test_old_database_is_upgraded_with_data_history_and_backup(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    backup_dir = tmp_path / "backups"
    _make_0001_database(path, backup_dir)
    assert not backup_dir.exists() or not any(backup_dir.iterdir())  # nothing to back up on a new file

    db = Database.open(path, backup_dir=backup_dir)
    try:
        result = db.last_migration
        assert result is not None
        assert result.before == "0001_initial"
        assert result.after == migrations.head_revision() == "0010_sync"
        assert migrations.current_revision(db.engine) == migrations.head_revision()

        with db.session() as s:
            rows = resource_repo.load_rows(s)
            history = history_repo.for_entity(s, "resource", OLD_RESOURCE_ID)
        assert len(rows) == 1
        row = rows[0]
        assert (row.id, row.name, row.category, row.municipality) == (
            OLD_RESOURCE_ID, "旧かまいし診療所", "医科診療所", "釜石市")
        assert (row.postal_code, row.phone, row.notes, row.version) == ("026-0025", "0193-22-0000", "備考\n二行目", 3)
        assert (row.lat, row.lon) == (39.27, 141.88)
        assert str(row.last_confirmed) == "2025-03-31"
        assert row.capabilities == ("訪問診療",)

        assert len(history) == 1
        entry = history[0]
        assert entry.action == "create"
        assert entry.changes == {}
        assert entry.note == "履歴機能の導入前に登録"
        assert entry.changed_at.replace(tzinfo=None).isoformat(sep=" ") == "2025-04-01 09:00:00"
    finally:
        db.close()

    # The verified backup holds the database exactly as it was before the upgrade.
    backups = sorted(backup_dir.glob("*.sqlite3"))
    assert [b.name.startswith("before-upgrade-0001_initial-") for b in backups] == [True]
    assert not list(backup_dir.glob("*.part"))
    conn = sqlite3.connect(backups[0].resolve().as_uri() + "?mode=ro", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001_initial",)]
        assert conn.execute("SELECT name FROM resource").fetchall() == [("旧かまいし診療所",)]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "change_log" not in tables
    finally:
        conn.close()


def test_open_at_head_makes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "z.sqlite3"
    backup_dir = tmp_path / "backups"
    db = Database.open(path, backup_dir=backup_dir)
    assert db.last_migration is not None
    assert db.last_migration.before is None and db.last_migration.backup is None
    db.close()
    db = Database.open(path, backup_dir=backup_dir)
    try:
        assert db.last_migration is not None
        assert db.last_migration.before == db.last_migration.after == migrations.head_revision()
        assert db.last_migration.backup is None
    finally:
        db.close()
    assert not backup_dir.exists() or not any(backup_dir.iterdir())


def test_revisions_form_one_chain_ending_at_head() -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    assert script.get_heads() == ["0010_sync"]
    chain = [rev.revision for rev in script.walk_revisions()]
    assert chain == ["0010_sync", "0009_audit_log", "0008_report_notes", "0007_consultations", "0006_questionnaires", "0005_meetings", "0004_issue_board", "0003_open_data_and_map", "0002_history", "0001_initial"]


def _diff(engine: sa.Engine, metadata: sa.MetaData) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, metadata)


def test_models_match_the_migrated_schema(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "z.sqlite3")
    try:
        assert _diff(db.engine, SQLModel.metadata) == []
    finally:
        db.close()


def test_schema_comparison_would_notice_a_model_change(tmp_path: Path) -> None:
    """Guard for the test above: the comparison really sees the tables."""
    changed = sa.MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["resource"].append_column(sa.Column("fresh_column", sa.Integer(), nullable=True))
    sa.Table("fresh_table", changed, sa.Column("id", sa.Integer(), primary_key=True))
    db = Database.open(tmp_path / "z.sqlite3")
    try:
        diff = _diff(db.engine, changed)
    finally:
        db.close()
    kinds = {(d[0], d[3].name) if d[0] == "add_column" else (d[0], d[1].name) for d in diff}
    assert kinds == {("add_column", "fresh_column"), ("add_table", "fresh_table")}


def test_database_from_a_newer_program_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.sqlite3"
    Database.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.commit()
    conn.close()

    with pytest.raises(StorageError) as info:
        Database.open(path, backup_dir=tmp_path / "backups")
    assert "新しい版" in info.value.message
    assert "0099_from_the_future" in info.value.message
    assert not (tmp_path / "backups").exists()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099_from_the_future",)]
    finally:
        conn.close()
