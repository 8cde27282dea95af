"""Exchange files between two laptops that worked apart: export, preview, apply, and a second import."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import sqlite3
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.domain.sync import ADD, CONFLICT, SAME, UPDATE, SyncFileError, SyncPasswordNeeded
from zaitaku_desktop.exports.secure_zip import read_encrypted_zip
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.resources import input_from_row
from zaitaku_desktop.storage import history_repo, sync_repo

LONG_AGO = "2025-01-01 00:00:00"
TODAY = dt.date.today()


def age_everything(services) -> None:
    """Every record (and child row with a time) last changed long ago: the day the two laptops parted."""
    with services.db.session() as s:
        conn = s.connection()
        for name in sorted(sync_repo.TRACKED):
            conn.execute(sa.text(f"UPDATE {name} SET updated_at = :t, created_at = :t"), {"t": LONG_AGO})
        for name in {c for kids in sync_repo.CHILDREN.values() for c, _ in kids}:
            for column in {"created_at", "updated_at"} & set(sync_repo.table(name).c.keys()):
                conn.execute(sa.text(f"UPDATE {name} SET {column} = :t"), {"t": LONG_AGO})


def copy_database(src: Path, dest: Path) -> Path:
    source, target = sqlite3.connect(src), sqlite3.connect(dest)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dest


@pytest.fixture
def pair(sample_services, tmp_path: Path):
    """Laptop A (sample_services: a SQLite file, or the office's PostgreSQL server) and laptop B, a copy of A made
    after both were last in step (a file copy, or `copy-to` from the server)."""
    age_everything(sample_services)
    db = sample_services.db
    if db.server:
        from zaitaku_desktop.services.copy_db import copy_database as copy_to

        assert copy_to(db.url, tmp_path / "b.sqlite3").ok
        copy = tmp_path / "b.sqlite3"
    else:
        copy = copy_database(db.path, tmp_path / "b.sqlite3")
    other = open_services(copy, user="other")
    yield sample_services, other
    other.close()


def rename(services, resource_id: str, **changes):
    detail = services.resources.get(resource_id)
    return services.resources.update(resource_id, dataclasses.replace(input_from_row(detail), **changes))


def answer(services, consultation_id: str, text: str) -> None:
    detail = services.consultations.get(consultation_id)
    services.consultations.update(consultation_id, dataclasses.replace(detail.as_input(), answer=text))


def everything(services) -> dict[str, dict]:
    with services.db.session() as s:
        return {t.name: {i: r.values for i, r in sync_repo.load(s, t.name).items()}
                for t in sync_repo.record_tables()}


def counts(services) -> dict[str, int]:
    with services.db.session() as s:
        return sync_repo.count_rows(s)


def work_apart(a, b) -> dict[str, str]:
    """Both laptops change things: different records, and the same record and field on both sides."""
    rows = sorted(a.resources.list_rows(), key=lambda r: r.name)
    only_a, both, only_b = rows[0], rows[1], rows[2]
    rename(a, only_a.id, phone="0193-11-1111")
    rename(a, both.id, name="Aの名称")
    rename(b, both.id, name="Bの名称")
    rename(b, only_b.id, address="釜石市只越町9-9")
    new = a.resources.create(dataclasses.replace(input_from_row(a.resources.get(only_a.id)), name="新しい診療所"))
    meeting = a.meetings.upcoming(dt.date(2000, 1, 1), limit=1)[0]
    person = a.meetings.add_person("交換 太郎", reading="こうかんたろう")
    a.meetings.set_attendance(meeting.id, person.id)
    issue = a.issues.list_rows(include_archived=False)[0]
    a.issues.set_archived(issue.id, True)
    consultation = a.consultations.list_rows()[0]
    answer(a, consultation.id, "Aで書いた対応")
    answer(b, consultation.id, "Bで書いた対応")
    return {"only_a": only_a.id, "both": both.id, "only_b": only_b.id, "new": new.id, "meeting": meeting.id,
            "person": person.id, "issue": issue.id, "consultation": consultation.id}


def test_round_trip_with_conflicts_choices_and_a_second_import(pair, tmp_path: Path) -> None:
    a, b = pair
    ids = work_apart(a, b)
    out = tmp_path / "a.zip"
    exported = a.sync.export(out, TODAY)
    assert exported.counts["resource"] == 3 and exported.counts["person"] == 1
    assert exported.counts["meeting"] == 1 and exported.counts["collab_issue"] == 1
    before, rows_before = everything(b), counts(b)

    plan = b.sync.preview(out)
    assert everything(b) == before  # a preview writes nothing
    assert plan.counts[ADD] == 2  # the new resource and the new person
    assert plan.counts[CONFLICT] == 2 and plan.counts[UPDATE] >= 3
    by_field = {(c.table, c.field): c for c in plan.conflicts}
    assert set(by_field) == {("resource", "name"), ("consultation", "answer")}
    name = by_field[("resource", "name")]
    assert (name.ours, name.theirs, name.field_label, name.table_label) == ("Bの名称", "Aの名称", "名称", "資源")
    assert name.their_updated_at.date() == name.our_updated_at.date() == dt.datetime.now(dt.timezone.utc).date()
    assert by_field[("consultation", "answer")].record_label.startswith("相談 ")

    result = b.sync.apply(plan, {name.id: "theirs"})
    assert result.backup is not None and result.backup.is_file() and "before-sync" in result.backup.name
    assert (result.added, result.conflicts, result.theirs_chosen) == (2, 2, 1)
    after = everything(b)
    resources = after["resource"]
    assert resources[ids["only_a"]]["phone"] == "0193-11-1111"
    assert resources[ids["both"]]["name"] == "Aの名称"  # 相手 chosen
    assert resources[ids["only_b"]]["address"] == "釜石市只越町9-9"  # ours, untouched
    assert resources[ids["new"]]["name"] == "新しい診療所"
    assert after["consultation"][ids["consultation"]]["answer"] == "Bで書いた対応"  # no choice: ours
    assert after["collab_issue"][ids["issue"]]["archived_at"] is not None
    attendance = after["meeting"][ids["meeting"]]["@attendance"]
    assert ids["person"] in {row["person_id"] for row in attendance}
    assert b.resources.get(ids["both"]).row.search_text != a.resources.get(ids["only_b"]).row.search_text
    assert "あの" in b.resources.get(ids["both"]).row.search_text or "a" in \
        b.resources.get(ids["both"]).row.search_text.lower()

    rows_after = counts(b)
    assert all(rows_after[t] >= rows_before[t] for t in rows_before)  # nothing dropped
    assert rows_after["resource"] == rows_before["resource"] + 1
    assert rows_after["attendance"] == rows_before["attendance"] + 1
    with b.db.session() as s:
        history = history_repo.for_entity(s, "resource", ids["both"])
    assert history[0].note == "交換ファイルから取り込み" and history[0].changes["name"] == ["Bの名称", "Aの名称"]

    again = b.sync.preview(out)
    assert again.counts[SAME] == sum(exported.counts.values()) and not again.conflicts
    second = b.sync.apply(again)
    assert (second.added, second.updated, second.conflicts) == (0, 0, 0)
    assert everything(b) == after


def test_three_way_merge_after_a_first_exchange(pair, tmp_path: Path) -> None:
    """Once a record was exchanged, its base tells who changed which field: no conflict for separate fields."""
    a, b = pair
    rows = sorted(a.resources.list_rows(), key=lambda r: r.name)
    target = rows[0].id
    rename(a, target, phone="0193-11-1111")
    b.sync.apply(b.sync.preview(a.sync.export(tmp_path / "1.zip", TODAY).path))
    rename(a, target, fax="0193-11-2222")
    rename(b, target, email="b@example.jp")
    plan = b.sync.preview(a.sync.export(tmp_path / "2.zip", TODAY).path)
    assert not plan.conflicts
    b.sync.apply(plan)
    row = b.resources.get(target).row
    assert (row.phone, row.fax, row.email) == ("0193-11-1111", "0193-11-2222", "b@example.jp")


def test_the_file_holds_a_manifest_with_checksums(pair, tmp_path: Path) -> None:
    a, _ = pair
    rename(a, a.resources.list_rows()[0].id, phone="0193-11-1111")
    result = a.sync.export(tmp_path / "x.zip", TODAY)
    with zipfile.ZipFile(result.path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["database_id"] == a.sync.database_id() == result.database_id
        assert manifest["since"] == TODAY.isoformat() and manifest["counts"] == {"resource": 1}
        assert set(manifest["parts"]) == {"records/resource.jsonl"}


def test_bad_files_are_refused_with_a_message(pair, tmp_path: Path) -> None:
    a, b = pair
    rename(a, a.resources.list_rows()[0].id, phone="0193-11-1111")
    out = a.sync.export(tmp_path / "x.zip", TODAY).path
    with pytest.raises(SyncFileError, match="このデータベース自身"):
        a.sync.preview(out)
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data.replace(b"0193-11-1111", b"0193-11-9999"))
    with pytest.raises(SyncFileError, match="壊れている"):
        b.sync.preview(tampered)
    junk = tmp_path / "junk.zip"
    junk.write_text("not a zip", encoding="utf-8")
    with pytest.raises(SyncFileError, match="壊れている"):
        b.sync.preview(junk)


def test_an_encrypted_database_writes_a_password_protected_file(pair, tmp_path: Path, monkeypatch) -> None:
    a, b = pair
    rename(a, a.resources.list_rows()[0].id, phone="0193-11-1111")
    monkeypatch.setattr(a.db, "encrypted", True)
    with pytest.raises(ValidationError):
        a.sync.export(tmp_path / "x.zip", TODAY)
    out = a.sync.export(tmp_path / "x.zip", TODAY, password="secret-pass").path
    assert "manifest.json" in read_encrypted_zip(out, "secret-pass")
    with pytest.raises(SyncPasswordNeeded):
        b.sync.preview(out)
    with pytest.raises(SyncFileError, match="パスワードが違います"):
        b.sync.preview(out, "wrong-pass")
    assert b.sync.preview(out, "secret-pass").counts[UPDATE] == 1


def test_every_table_is_exchanged_or_deliberately_local() -> None:
    from sqlmodel import SQLModel

    children = {c for kids in sync_repo.CHILDREN.values() for c, _ in kids}
    assert set(SQLModel.metadata.tables) - sync_repo.TRACKED - children - sync_repo.LOCAL_TABLES == set()
    assert not sync_repo.TRACKED & children


def test_a_record_pointing_at_one_left_out_of_the_file_is_refused_and_nothing_changes(pair, tmp_path) -> None:
    a, b = pair
    category = a.vocab.add("category", "新しい種別")
    row = a.resources.list_rows()[0]
    rename(a, row.id, category_id=category.id)
    with a.db.session() as s:  # the category was made before the date the file starts from
        s.connection().execute(sa.text("UPDATE resource_category SET updated_at = :t WHERE id = :i"),
                               {"t": LONG_AGO, "i": category.id})
    plan = b.sync.preview(a.sync.export(tmp_path / "x.zip", TODAY).path)
    before = everything(b)
    with pytest.raises(SyncFileError, match="もっと前の日付から"):
        b.sync.apply(plan)
    assert everything(b) == before
