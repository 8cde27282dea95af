"""The audit trail on a real database: consultation actions are chained without personal values, the triggers
refuse plain changes, an attacker with raw sqlite3 access is caught and named, the old access_log is carried over
by the migration, and the export for the privacy officer reads back."""

from __future__ import annotations

import csv
import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from alembic import command
from openpyxl import load_workbook

from zaitaku_desktop.domain.audit import GENESIS, entry_hash
from zaitaku_desktop.domain.errors import DomainError, PermissionDeniedError
from zaitaku_desktop.services.audit import AuditService
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.storage import audit_repo, migrations
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.engine import make_engine

CANARY = "カナリア 太郎"
TRIGGERS = ("audit_log_no_update", "audit_log_no_delete", "audit_log_in_order", "audit_head_no_delete",
            "audit_head_follows")


def intake(services, **changes) -> ConsultationInput:
    category = services.consultations.list_categories()[0].id
    values: dict = dict(window="一般向け", received_at=dt.datetime(2026, 11, 2, 10, 0), channel="電話",
                        requester_type="家族", requester_name=CANARY, person_name=CANARY,
                        person_reading="かなりあ たろう", person_phone="0193-00-7777", category_ids=[category],
                        question=f"{CANARY}の退院調整", handled_by="相談員A")
    values.update(changes)
    return ConsultationInput(**values)


def fill(services, n: int = 8) -> None:
    for i in range(1, n + 1):
        services.audit.append("view", "consultation_case", f"case-{i}", f"2026-{i:04d}")


def attack(path: Path, *statements: tuple[str, tuple]) -> None:
    """What someone with the file and sqlite3 would do: drop the triggers first, then change the rows."""
    with sqlite3.connect(path) as raw:
        for name in TRIGGERS:
            raw.execute(f"DROP TRIGGER IF EXISTS {name}")
        for sql, params in statements:
            raw.execute(sql, params)
    raw.close()


def raw_row(path: Path, seq: int) -> tuple:
    with sqlite3.connect(path) as raw:
        row = raw.execute("SELECT seq, at, user, role, action, entity, entity_id, detail, prev_hash, hash "
                          "FROM audit_log WHERE seq = ?", (seq,)).fetchone()
    raw.close()
    return row


@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_consultation_actions_are_chained_in_order_without_personal_values(services) -> None:
    c = services.consultations
    row = c.create(intake(services))
    c.get(row.id)
    c.update(row.id, intake(services, answer="地域の在宅医を紹介", status="対応中"))
    c.add_contact(row.id, None, "折り返し", f"{CANARY}さんへ折り返し")
    c.set_archived(row.id, True)
    c.set_archived(row.id, False)
    c.record_consent(row.case_id, granted=True, recipients="訪問看護", purpose="在宅医療の調整",
                     obtained_on=dt.date.today(), method="口頭")
    c.reveal_names(3)
    entries = list(reversed(services.audit.rows()))
    assert [(e.action, e.entity) for e in entries] == [
        ("create", "consultation"), ("view", "consultation_case"), ("update", "consultation"),
        ("status", "consultation"), ("contact", "consultation"), ("archive", "consultation"),
        ("unarchive", "consultation"), ("consent", "consultation_case"), ("reveal", "consultation")]
    assert [e.seq for e in entries] == list(range(1, 10))
    assert [e.entity_id for e in entries[:3]] == [row.id, row.case_id, row.id]
    assert entries[0].detail == f"ケース {row.case_no}"
    assert entries[2].detail.startswith("変更：") and "回答・対応" in entries[2].detail
    assert entries[3].detail == "受付→対応中" and entries[4].detail == "折り返し"
    assert [e.action_label for e in entries[:2]] == ["登録", "個人情報の表示"]
    assert {(e.user, e.role) for e in entries} == {("tester", "担当者")}
    prev = GENESIS
    for e in entries:  # the chain, recomputed by hand
        assert e.prev_hash == prev
        prev = entry_hash((e.seq, raw_row(services.db.path, e.seq)[1], e.user, e.role, e.action, e.entity,
                           e.entity_id, e.detail), prev)
        assert e.hash == prev
    for e in entries:
        assert not any(s in text for s in ("カナリア", "かなりあ", "7777", "退院調整") for text in
                       (e.detail, e.entity_id, e.user))
    report = services.audit.verify()
    assert (report.ok, report.entries, report.problems, report.summary()) == (True, 9, [], "監査ログは正常です（9件）")
    # The access log the consultation screens use is the personal-data part of the same trail.
    assert [a.action for a in c.access_log()] == ["reveal", "consent", "view"]


@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_the_database_refuses_changes_and_out_of_order_appends(services) -> None:
    fill(services, 3)
    with sqlite3.connect(services.db.path) as raw:
        for sql in ("UPDATE audit_log SET detail = 'x'", "DELETE FROM audit_log", "DELETE FROM audit_head",
                    "UPDATE audit_head SET seq = 2", "UPDATE audit_head SET seq = 4, hash = 'x'",
                    "INSERT INTO audit_log VALUES (9, '2026-01-01 00:00:00.000000', 'u', '', 'view', '', '', '', "
                    "'x', 'y')"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                raw.execute(sql)
    raw.close()
    assert services.audit.verify().ok
    assert services.audit.append("print", "consultation", "c1", "相談受付票") == 4


@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
@pytest.mark.parametrize("tamper, expected", [
    ("edit", [("edited", 5, "通番 5 の記録が書き換えられています")]),
    ("edit_last_rehashed", [("edited", 8, "通番 8 の記録が書き換えられています")]),
    ("delete", [("deleted", 4, "通番 3 の後の記録が削除されています（通番 4）")]),
    ("insert", [("inserted", 5, "通番 5 の記録は後から差し込まれたものです")]),
    ("swap", [("reordered", 2, "通番 2 と通番 6 の記録が入れ替えられています")]),
    ("truncate", [("truncated", 8, "通番 7 の後の記録が削除されています（末尾の通番 8）")]),
])
def test_raw_tampering_is_found_and_the_entry_named(services, tamper: str, expected: list) -> None:
    fill(services)
    path = services.db.path
    assert services.audit.verify().ok
    if tamper == "edit":
        attack(path, ("UPDATE audit_log SET user = 'someone else' WHERE seq = 5", ()))
    elif tamper == "edit_last_rehashed":
        seq, at, user, role, action, entity, entity_id, _detail, prev, _hash = raw_row(path, 8)
        forged = entry_hash((seq, at, user, role, action, entity, entity_id, "なし"), prev)
        attack(path, ("UPDATE audit_log SET detail = 'なし', hash = ? WHERE seq = 8", (forged,)))
    elif tamper == "delete":
        attack(path, ("DELETE FROM audit_log WHERE seq = 4", ()))
    elif tamper == "insert":
        previous = raw_row(path, 4)
        fields = (5, previous[1], "intruder", "担当者", "view", "consultation_case", "forged", "2026-9999")
        attack(path, ("UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 5", ()),
               ("UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1000", ()),
               ("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (*fields, previous[9], entry_hash(fields, previous[9]))))
    elif tamper == "swap":
        two, six = raw_row(path, 2), raw_row(path, 6)
        columns = "at = ?, user = ?, role = ?, action = ?, entity = ?, entity_id = ?, detail = ?, prev_hash = ?, hash = ?"
        attack(path, (f"UPDATE audit_log SET {columns} WHERE seq = 2", six[1:]),
               (f"UPDATE audit_log SET {columns} WHERE seq = 6", two[1:]))
    else:
        attack(path, ("DELETE FROM audit_log WHERE seq = 8", ()))
    report = services.audit.verify()
    assert not report.ok
    assert [(p.kind, p.seq, p.message_ja) for p in report.problems] == expected
    assert "改ざんの疑い" in report.summary()


def test_a_clock_going_backwards_is_noted_not_reported_as_tampering(services, monkeypatch) -> None:
    fill(services, 2)
    monkeypatch.setattr(audit_repo, "utcnow", lambda: dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc))
    services.audit.append("print", "consultation", "c1")
    report = services.audit.verify()
    assert report.ok and report.problems == []
    assert [n.seq for n in report.clock_notes] == [3]
    assert "時計の逆戻り" in report.clock_notes[0].message_ja


def test_the_migration_chains_the_old_access_log_and_the_downgrade_restores_it(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    engine = make_engine(path)
    migrations.upgrade(engine, path, None, target="0008_report_notes")
    old = [("b", "2026-11-02 09:00:00.000000", "print"), ("a", "2026-11-01 09:00:00.000000", "view"),
           ("c", "2026-11-02 09:00:00.000000", "export")]  # inserted out of time order; two share a time
    with engine.begin() as conn:
        for rid, at, action in old:
            conn.exec_driver_sql("INSERT INTO access_log (id, at, user, action, entity, entity_id, detail) "
                                 "VALUES (?, ?, '相談員A', ?, 'consultation', ?, 'file.pdf')", (rid, at, action, rid))
    engine.dispose()
    db = Database.open(path)
    try:
        audit = AuditService(db, user="tester")
        entries = list(reversed(audit.rows()))
        assert [(e.seq, e.action, e.entity_id, e.user, e.role) for e in entries] == [
            (1, "view", "a", "相談員A", ""), (2, "print", "b", "相談員A", ""), (3, "export", "c", "相談員A", "")]
        assert audit.verify().ok
        assert audit.append("view", "consultation_case", "d") == 4 and audit.verify().ok
        with db.session() as s:
            tables = {r[0] for r in s.connection().exec_driver_sql("SELECT name FROM sqlite_master")}
        assert "access_log" not in tables and {"audit_log", "audit_head"} <= tables
        cfg = migrations.alembic_config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0008_report_notes")
        with db.engine.connect() as conn:
            back = conn.exec_driver_sql("SELECT at, action, entity_id FROM access_log ORDER BY at, rowid").fetchall()
            tables = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master")}
        assert [(a, e) for _at, a, e in back] == [("view", "a"), ("print", "b"), ("export", "c"), ("view", "d")]
        assert "audit_log" not in tables and "audit_head" not in tables
    finally:
        db.close()


def test_the_export_reads_back_with_every_column_and_the_verify_result(services, tmp_path: Path) -> None:
    fill(services, 3)
    out = tmp_path / "監査ログ.xlsx"
    assert services.audit.export(out) == 3
    wb = load_workbook(out)
    assert wb.sheetnames == ["監査ログ", "検証結果"]
    rows = list(wb["監査ログ"].iter_rows(values_only=True))
    assert rows[0][:3] == ("通番", "日時（日本時間）", "記録された日時（UTC）")
    assert rows[0][-2:] == ("前の検証値", "検証値")
    assert [r[0] for r in rows[1:]] == [1, 2, 3]
    assert rows[1][5:10] == ("個人情報の表示", "view", "相談者（ケース）", "case-1", "2026-0001")
    assert rows[1][10] == GENESIS and rows[2][10] == rows[1][11] and len(rows[3][11]) == 64
    assert isinstance(rows[1][1], dt.datetime)
    result = {r[0]: r[1] for r in wb["検証結果"].iter_rows(values_only=True) if r and r[0]}
    assert result["記録の件数"] == 3 and result["結果"].startswith("正常")
    # The export itself is logged; the CSV (UTF-8 with a BOM) then holds it too.
    assert services.audit.rows()[0].detail == "監査ログ 3件 監査ログ.xlsx"
    csv_out = tmp_path / "audit.csv"
    assert services.audit.export(csv_out) == 4
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")
    with csv_out.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0][0] == "通番" and [line[0] for line in lines[1:]] == ["1", "2", "3", "4"]
    assert lines[4][6] == "export" and lines[4][7] == "監査ログ"
    with pytest.raises(DomainError, match=r"\.xlsx または \.csv"):
        services.audit.export(tmp_path / "audit.pdf")
    assert not (tmp_path / "audit.pdf").exists()


@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_a_tampered_log_exports_its_problems_and_a_viewer_cannot_read_it(services, tmp_path: Path) -> None:
    fill(services, 4)
    attack(services.db.path, ("DELETE FROM audit_log WHERE seq = 2", ()))
    out = tmp_path / "audit.xlsx"
    services.audit.export(out)
    lines = list(load_workbook(out)["検証結果"].iter_rows(values_only=True))
    assert ("結果", "改ざんの疑いがあります（1件）", None) in lines
    assert (2, "削除", "通番 1 の後の記録が削除されています（通番 2）") in lines
    viewer = AuditService(services.db, user="同僚", role="閲覧者")
    for call in (viewer.rows, lambda: viewer.export(tmp_path / "v.xlsx")):
        with pytest.raises(PermissionDeniedError, match="担当者だけ"):
            call()
