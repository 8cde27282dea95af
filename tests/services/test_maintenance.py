"""MaintenanceService: verified backups, clear failures, automatic backups on a fake clock, restore
(table by table equal to its source, refusing bad files) and the data check."""

from __future__ import annotations

import datetime as dt
import errno
import os
import sqlite3
from pathlib import Path

import pytest

pytestmark = pytest.mark.sqlite_only  # backups, restore and the file check of an SQLite file

from zaitaku_desktop.domain.errors import StorageError
from zaitaku_desktop.services import maintenance as maint
from zaitaku_desktop.services.maintenance import MaintenanceService, restore_file
from zaitaku_desktop.storage.backup import our_backups


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted: two databases are equal when their dumps are."""
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def _names(path: Path) -> set[str]:
    conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM municipality")}
    finally:
        conn.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 12, 5, 9, 0))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "usb"
    path.mkdir()
    return path


@pytest.fixture
def maintenance(sample_services, folder: Path, clock: Clock) -> MaintenanceService:
    return MaintenanceService(sample_services.db, folder=folder, clock=clock)


def _add_municipality(services, name: str = "遠野市") -> None:
    services.vocab.add("municipality", name, reading="とおのし", code="032085")


def test_backup_now_is_checked_and_equals_the_database(sample_services, maintenance, folder: Path) -> None:
    result = maintenance.backup_now()
    assert result.checked
    assert result.path.parent == folder and result.path.name == "zaitaku-20261205-090000.sqlite3"
    assert result.size == result.path.stat().st_size > 0
    assert dump(result.path) == dump(sample_services.db.path)
    listed = maintenance.list_backups()
    assert [(b.path, b.taken_at, b.verified) for b in listed] == [(result.path, dt.datetime(2026, 12, 5, 9), True)]


def test_backup_to_another_folder_and_two_in_one_second(maintenance, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    first = maintenance.backup_now(other)
    second = maintenance.backup_now(other)
    assert first.path != second.path and first.path.parent == second.path.parent == other
    assert len(our_backups(other)) == 2


def test_default_folder_is_created_in_the_data_folder(sample_services, clock: Clock) -> None:
    from zaitaku_desktop import paths

    result = MaintenanceService(sample_services.db, clock=clock).backup_now()
    assert result.path.parent == paths.backup_dir()


def test_missing_folder_says_so_and_writes_nothing(sample_services, clock: Clock, tmp_path: Path) -> None:
    gone = tmp_path / "usb-stick-removed"
    service = MaintenanceService(sample_services.db, folder=gone, clock=clock)
    with pytest.raises(StorageError) as info:
        service.backup_now()
    assert "バックアップ先のフォルダが見つかりません" in info.value.message
    assert str(gone) in info.value.message
    assert not gone.exists()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_folder_says_so(maintenance, folder: Path) -> None:
    folder.chmod(0o500)
    try:
        with pytest.raises(StorageError) as info:
            maintenance.backup_now()
    finally:
        folder.chmod(0o700)
    assert "書き込めません" in info.value.message
    assert list(folder.iterdir()) == []


def test_read_only_folder_says_so_even_as_root(maintenance, folder: Path, monkeypatch) -> None:
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == folder else real_access(p, mode))
    with pytest.raises(StorageError) as info:
        maintenance.backup_now()
    assert "書き込めません" in info.value.message
    assert list(folder.iterdir()) == []


def test_full_disk_while_writing_leaves_nothing_behind(sample_services, maintenance, folder: Path, monkeypatch) -> None:
    before = dump(sample_services.db.path)

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(StorageError) as info:
        maintenance.backup_now()
    monkeypatch.undo()
    assert "空き容量が足りません" in info.value.message
    assert list(folder.iterdir()) == []  # neither a backup nor a .part file
    assert dump(sample_services.db.path) == before


def test_too_little_free_space_is_refused_before_writing(maintenance, folder: Path, monkeypatch) -> None:
    monkeypatch.setattr(maint, "free_space", lambda _folder: 1000)
    with pytest.raises(StorageError) as info:
        maintenance.backup_now()
    assert "空き容量が足りません" in info.value.message
    assert list(folder.iterdir()) == []


def test_auto_backup_every_30_minutes_while_there_are_changes(sample_services, maintenance, clock, folder) -> None:
    assert not maintenance.auto_backup_due()  # nothing changed since the program opened the file
    assert maintenance.run_auto_backup() is None
    _add_municipality(sample_services)
    assert maintenance.auto_backup_due()
    first = maintenance.run_auto_backup()
    assert first is not None and first.path.name == "auto-20261205-090000.sqlite3"
    assert not maintenance.auto_backup_due(clock.advance(minutes=40))  # no change since
    _add_municipality(sample_services, "花巻市")
    clock.now = dt.datetime(2026, 12, 5, 9, 29)
    assert not maintenance.auto_backup_due()  # changed, but the last one is only 29 minutes old
    assert maintenance.auto_backup_due(clock.advance(minutes=1))
    second = maintenance.run_auto_backup()
    assert second is not None and second.path.name == "auto-20261205-093000.sqlite3"
    assert "花巻市" in _names(second.path)
    # On exit any change is saved at once, whatever the interval.
    _add_municipality(sample_services, "北上市")
    clock.advance(minutes=1)
    assert not maintenance.auto_backup_due()
    last = maintenance.run_auto_backup(on_exit=True)
    assert last is not None and dump(last.path) == dump(sample_services.db.path)
    assert maintenance.run_auto_backup(on_exit=True) is None


def test_auto_backups_prune_old_generations_by_the_clock(sample_services, maintenance, clock, folder) -> None:
    (folder / "持ち出しメモ.txt").write_text("keep me")
    for _day in range(20):
        _add_municipality(sample_services, f"市{_day}")
        assert maintenance.run_auto_backup(clock.advance(days=1)) is not None
    names = sorted(p.name for _, p in our_backups(folder))
    # Backups Dec 6-25; kept: 7 daily (Dec 19-25) and the newest of each ISO week (Dec 6, 13, 20, 25).
    assert names == [f"auto-202612{d:02d}-090000.sqlite3" for d in (6, 13, 19, 20, 21, 22, 23, 24, 25)]
    assert (folder / "持ち出しメモ.txt").read_text() == "keep me"


def test_restore_equals_the_source_table_by_table(sample_services, maintenance, clock, folder) -> None:
    backup = maintenance.backup_now().path
    source = dump(backup)
    _add_municipality(sample_services)
    sample_services.vocab.add("theme", "新しいテーマ")
    changed = dump(sample_services.db.path)
    assert changed != source
    result = maintenance.restore(backup)
    assert dump(sample_services.db.path) == source
    assert result.taken_at == dt.datetime(2026, 12, 5, 9, 0)
    # The file as it was before the restore is kept, checked, in the backup folder.
    assert result.safety_copy is not None and result.safety_copy.name.startswith("before-restore-")
    assert dump(result.safety_copy) == changed
    live = sample_services.db.path
    assert not live.with_name(live.name + ".restore-part").exists()
    # The open services keep working on the restored file.
    assert "遠野市" not in {m.name for m in sample_services.vocab.list("municipality", include_archived=True)}
    _add_municipality(sample_services)
    assert "遠野市" in {m.name for m in sample_services.vocab.list("municipality", include_archived=True)}


def _damaged_copy(src: Path, dest: Path) -> Path:
    data = bytearray(src.read_bytes())
    page = 4096
    for offset in range(page * 3, min(len(data), page * 40), page):  # scribble over table pages, keep the header
        data[offset + 100:offset + 400] = os.urandom(300)
    dest.write_bytes(bytes(data))
    return dest


def _foreign(dest: Path) -> Path:
    conn = sqlite3.connect(dest)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.commit()
    conn.close()
    return dest


def _newer(src: Path, dest: Path) -> Path:
    dest.write_bytes(src.read_bytes())
    conn = sqlite3.connect(dest)
    conn.execute("UPDATE alembic_version SET version_num = '0099_from_the_future'")
    conn.commit()
    conn.close()
    return dest


@pytest.mark.parametrize("kind, words", [
    ("damaged", "壊れて"), ("foreign", "本プログラムのデータベースではありません"),
    ("newer", "新しい版"), ("text", "壊れているか、データベースではありません"), ("missing", "見つかりません")])
def test_restore_refuses_bad_files_and_changes_nothing(sample_services, maintenance, folder, tmp_path, kind, words):
    good = maintenance.backup_now().path
    bad = {"damaged": lambda p: _damaged_copy(good, p), "foreign": _foreign, "newer": lambda p: _newer(good, p),
           "text": lambda p: (p.write_text("氏名,電話\n山田,0193\n", encoding="utf-8"), p)[1],
           "missing": lambda p: p}[kind](tmp_path / f"{kind}.sqlite3")
    before = dump(sample_services.db.path)
    with pytest.raises(StorageError) as info:
        maintenance.restore(bad)
    assert words in info.value.message
    assert dump(sample_services.db.path) == before
    assert [p for _, p in our_backups(folder)] == [good]  # refused before anything was written
    assert sample_services.vocab.list("municipality")  # still usable


def test_restore_file_moves_a_damaged_live_file_aside(sample_services, maintenance, folder, tmp_path, clock) -> None:
    good = maintenance.backup_now().path
    live = tmp_path / "live.sqlite3"
    _damaged_copy(good, live)
    result = restore_file(good, live, folder, clock)
    assert result.safety_copy == tmp_path / "live.sqlite3.damaged-20261205-090000"
    assert result.safety_copy.read_bytes() != b""
    assert dump(live) == dump(good)


def test_restore_of_an_older_revision_migrates_it(maintenance, folder, tmp_path, clock) -> None:
    from zaitaku_desktop.storage import migrations
    from zaitaku_desktop.storage.database import Database

    old = tmp_path / "old.sqlite3"
    db = Database(old)
    migrations.upgrade(db.engine, old, None, target="0007_consultations")
    db.close()
    live = tmp_path / "live.sqlite3"
    Database.open(live).close()
    restore_file(old, live, folder, clock)
    assert dump(live)["alembic_version"] == [(migrations.head_revision(),)]


def test_check_passes_on_the_sample_region(maintenance) -> None:
    report = maintenance.check()
    assert report.ok, report.text()
    names = [i.name for i in report.items]
    assert names[:3] == ["ファイルの整合性", "データの参照（外部キー）", "データベースの版"]
    assert len(names) >= 10 and all(i.detail for i in report.items)


def _raw(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys=OFF")
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_check_finds_a_planted_foreign_key_violation(sample_services, maintenance) -> None:
    _raw(sample_services.db.path, "UPDATE district SET municipality_id = 'no-such-town' "
                                  "WHERE id = (SELECT id FROM district LIMIT 1)")
    report = maintenance.check()
    assert not report.ok
    failed = {i.name: i.detail for i in report.items if not i.ok}
    assert "地区（district）1 行" in failed["データの参照（外部キー）"]
    assert failed["地区の市町村"] == "1件の地区に、存在する市町村がありません"
    assert "NG　地区の市町村" in report.text()


def test_check_finds_an_attendance_of_a_merged_away_person(sample_services, maintenance) -> None:
    _raw(sample_services.db.path, "UPDATE person SET merged_into_id = (SELECT id FROM person ORDER BY id DESC LIMIT 1) "
                                  "WHERE id = (SELECT person_id FROM attendance ORDER BY person_id LIMIT 1)")
    report = maintenance.check()
    failed = [(i.name, i.detail) for i in report.items if not i.ok]
    assert len(failed) == 1 and failed[0][0] == "参加者の統合"
    assert "統合済みの参加者" in failed[0][1]


def test_restore_needs_a_usable_backup_folder_for_the_current_file(sample_services, tmp_path, clock) -> None:
    service = MaintenanceService(sample_services.db, folder=tmp_path / "usb", clock=clock)
    (tmp_path / "usb").mkdir()
    good = service.backup_now().path
    (tmp_path / "usb").rename(tmp_path / "pulled-out")
    before = dump(sample_services.db.path)
    with pytest.raises(StorageError) as info:
        service.restore(tmp_path / "pulled-out" / good.name)
    assert "バックアップ先のフォルダが見つかりません" in info.value.message
    assert not (tmp_path / "usb").exists() and dump(sample_services.db.path) == before
