"""The canary scan of issue 9: consultations about 「カナリア 太郎」 (address 鎌井市カナリア町1-2-3, diagnosis
カナリア性肺炎) in an ENCRYPTED database. After backups, the default (anonymous) exports, an encrypted ZIP of the
named list and the program's log, the raw bytes of every file the program wrote — the database and its -wal and
-shm, the key file, every backup, the logs, the temp folder, the exports — hold the canary in no encoding. The
stdlib sqlite3 cannot read the database or a backup; a wrong passphrase leaves the file's bytes as they were;
the recovery key opens it and the canary is there (so the scan looked at real data)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import sqlite3
import tempfile
from pathlib import Path

import openpyxl
import pytest

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import AuthError, StorageError
from zaitaku_desktop.exports.consultations_xlsx import write_case_list_xlsx, write_stats_xlsx
from zaitaku_desktop.exports.secure_zip import read_encrypted_zip, write_export
from zaitaku_desktop.reports.consultation_papers import write_monthly_stats
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.services.security import Gate
from zaitaku_desktop.storage import backup as store
from zaitaku_desktop.storage.crypto import DbKey
from zaitaku_desktop.storage.database import Database

NAME, ADDRESS, DIAGNOSIS = "カナリア 太郎", "鎌井市カナリア町1-2-3", "カナリア性肺炎"
CANARIES = (NAME, ADDRESS, DIAGNOSIS, "カナリア", "かなりあ")
ENCODINGS = ("utf-8", "utf-16-le", "utf-16-be", "shift_jis", "euc_jp")
USER, PASSPHRASE, ZIP_PASSWORD = "山田", "canary passphrase 1", "Zip-Password-9"
PERIOD = (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


def _needles() -> dict[bytes, str]:
    return {text.encode(enc): f"{text} ({enc})" for text in CANARIES for enc in ENCODINGS}


def _files(*folders: Path) -> list[Path]:
    return sorted(p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file())


def _carriers(files: list[Path]) -> dict[str, list[str]]:
    """File name → the needles found in its raw bytes."""
    needles = _needles()
    found = {}
    for path in files:
        raw = path.read_bytes()
        hits = [label for needle, label in needles.items() if needle in raw]
        if hits:
            found[path.name] = hits
    return found


def test_the_scan_finds_every_needle(tmp_path: Path) -> None:
    control = tmp_path / "control.bin"
    control.write_bytes(b"\0".join(_needles()))
    assert sorted(_carriers([control])["control.bin"]) == sorted(_needles().values())


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "temp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    for name in ("TMPDIR", "TEMP", "TMP", "SQLITE_TMPDIR"):
        monkeypatch.setenv(name, str(folder))
    return folder


def _record_canaries(services) -> list[str]:
    service = services.consultations
    service.ensure_categories_seeded()
    category = next(c for c in service.list_categories() if c.name == "退院調整")
    ids = []
    for day in (18, 20):
        row = service.create(ConsultationInput(
            window="一般向け", received_at=f"2026/11/{day} 14:30", channel="電話", requester_type="家族",
            requester_name="ツグミ 花子", requester_contact=ADDRESS, person_name=NAME, person_reading="かなりあ たろう",
            person_phone="0193-99-1234", age_band="85〜94歳", category_ids=[category.id],
            question=f"{DIAGNOSIS}で入院中。退院後の訪問診療先を探している（住所 {ADDRESS}）", answer="診療所を案内",
            minutes_spent=20, handled_by="相談員"))
        service.add_contact(row.id, f"2026/11/{day + 1} 10:00", "折り返し", f"{NAME}さんの家族へ連絡。{DIAGNOSIS}の経過")
        ids.append(row.id)
    service.get(ids[0])  # a view: written to the access log
    return ids


def test_an_encrypted_database_leaks_no_canary(tmp_path: Path, logged: Path, temp_dir: Path) -> None:
    data, backups, exports = tmp_path / "data", tmp_path / "backups", tmp_path / "exports"
    for folder in (data, backups, exports):
        folder.mkdir()
    db = data / "canary.sqlite3"
    services = open_services(db, user="tester")
    recovery = services.security.protect(USER, PASSPHRASE)  # a fresh database, protected before any record
    services.close()

    services = open_services(db, credentials=Gate(db).login(USER, PASSPHRASE))
    try:
        services.maintenance.folder = backups
        ids = _record_canaries(services)
        services.maintenance.backup_now()
        services.maintenance.backup_before("import")
        stats = services.consultations.stats(*PERIOD)
        rows = services.consultations.list_rows(start=PERIOD[0], end=PERIOD[1])
        assert stats.total == len(rows) == 2
        write_stats_xlsx(stats, exports / "stats.xlsx")
        write_export(exports / "stats.pdf", lambda out: write_monthly_stats(stats, out, fonts_dir=paths.fonts_dir()))
        write_case_list_xlsx(rows, exports / "cases.xlsx", include_names=False)
        write_export(exports / "named.zip", lambda out: write_case_list_xlsx(rows, out, include_names=True),
                     password=ZIP_PASSWORD, member="named.xlsx")
        logging.getLogger("zaitaku_desktop.tests").info("canary scan: %d consultations", len(ids))
        live = [db, Path(f"{db}-wal"), Path(f"{db}-shm")]
        while_open = _carriers([p for p in live if p.exists()])
        assert Path(f"{db}-wal").exists()  # the scan really saw the write-ahead log of an open database
    finally:
        services.close()

    scanned = _files(tmp_path)  # the data, backup, export and temp folders and the home folder (logs, backups)
    assert {p.name for p in scanned} >= {db.name, "zaitaku.log", "stats.xlsx", "stats.pdf", "cases.xlsx", "named.zip"}
    assert {p.parent for p in scanned} >= {data, backups, exports, logged, paths.backup_dir()}
    assert len(store.our_backups(backups)) == 2
    assert while_open == {} and _carriers(scanned) == {}

    # The stdlib cannot read the database nor a backup.
    for path in [db] + [p for _, p in store.our_backups(backups)]:
        with pytest.raises(sqlite3.DatabaseError):
            with sqlite3.connect(path) as raw:
                raw.execute("SELECT count(*) FROM sqlite_master").fetchone()

    # A wrong passphrase (or a wrong key, or none) changes nothing: same bytes, no -wal or -shm.
    before = _digest(db)
    with pytest.raises(AuthError):
        Gate(db).login(USER, PASSPHRASE + "x")
    for key in (DbKey.generate(), None):
        with pytest.raises(StorageError):
            Database.open(db, key=key).close()
    assert _digest(db) == before and not Path(f"{db}-wal").exists() and not Path(f"{db}-shm").exists()

    # The recovery key opens it and the canary is there; the ZIP opens with its password and holds the names.
    services = open_services(db, credentials=Gate(db).login_with_recovery_key(recovery))
    try:
        detail = services.consultations.get(ids[0])
        assert detail.row.person_name == NAME and detail.requester_contact == ADDRESS
        assert DIAGNOSIS in detail.question
    finally:
        services.close()
    named = read_encrypted_zip(exports / "named.zip", ZIP_PASSWORD)["named.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(named))
    assert NAME in [v for ws in book for line in ws.iter_rows(values_only=True) for v in line]
