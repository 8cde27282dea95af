"""Backup generations: a fake clock runs 400 days of backups; exactly the kept generations remain and
nothing that is not ours is ever touched."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from zaitaku_desktop.storage.backup import (
    KeepPolicy, backup_time, backups_to_keep, our_backups, prune_backups, timestamped_name,
)

FOREIGN = ("notes.txt", "zaitaku-2025.sqlite3", "zaitaku-20250101-090000.sqlite3.bak", "my-20250101-090000.sqlite3",
           "zaitaku-20250101-090000.sqlite3.part", "AUTO-20250101-090000.sqlite3")


def _touch(folder: Path, prefix: str, when: dt.datetime) -> Path:
    path = folder / timestamped_name(prefix, when)
    path.write_bytes(b"backup")
    return path


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_400_days_of_backups_leave_exactly_the_kept_generations(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for name in FOREIGN:
        (folder / name).write_text("not ours")
    (folder / "auto-20250102-093000.sqlite3").mkdir()  # a folder with our name: never touched
    start = dt.datetime(2025, 1, 1)
    policy = KeepPolicy(daily=7, weekly=4, monthly=12, recent_hours=24)
    now = start
    for day in range(400):
        for hour, minute in ((9, 0), (17, 30)):
            now = start + dt.timedelta(days=day, hours=hour, minutes=minute)
            _touch(folder, "auto", now)
            prune_backups(folder, now, policy)
    assert now == dt.datetime(2026, 2, 4, 17, 30)
    kept = {p.name for _, p in our_backups(folder)}
    expected = {timestamped_name("auto", dt.datetime(2026, 2, 4, 9, 0))}  # within the last 24 hours
    evening = [dt.date(2026, 2, d) for d in (4, 3, 2, 1)] + [dt.date(2026, 1, d) for d in (31, 30, 29)]  # daily
    evening += [dt.date(2026, 1, 25), dt.date(2026, 1, 18)]  # weekly (Feb 4 and Feb 1 are daily already)
    evening += [dt.date(2025, 12, 31), dt.date(2025, 11, 30), dt.date(2025, 10, 31), dt.date(2025, 9, 30),
                dt.date(2025, 8, 31), dt.date(2025, 7, 31), dt.date(2025, 6, 30), dt.date(2025, 5, 31),
                dt.date(2025, 4, 30), dt.date(2025, 3, 31)]  # monthly (Feb and Jan 2026 counted above)
    expected |= {timestamped_name("auto", dt.datetime.combine(d, dt.time(17, 30))) for d in evening}
    assert kept == expected
    assert len(kept) == 20
    assert _names(folder) == expected | set(FOREIGN) | {"auto-20250102-093000.sqlite3"}
    for name in FOREIGN:
        assert (folder / name).read_text() == "not ours"


def test_a_long_pause_thins_nothing_and_future_files_stay(tmp_path: Path) -> None:
    """After a year away the old generations are still there; a file dated ahead of the clock is kept."""
    folder = tmp_path / "b"
    folder.mkdir()
    made = [_touch(folder, "zaitaku", dt.datetime(2024, m, 10, 12)) for m in range(1, 13)]
    future = _touch(folder, "auto", dt.datetime(2030, 1, 1))
    removed = prune_backups(folder, dt.datetime(2026, 1, 1), KeepPolicy(daily=3, weekly=2, monthly=6))
    assert {p.name for p in removed} == {p.name for p in made[:6]}
    assert future.exists() and all(p.exists() for p in made[6:])


def test_every_kind_of_our_backups_counts_and_the_newest_is_always_kept(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    folder.mkdir()
    old = _touch(folder, "before-upgrade-0007_consultations", dt.datetime(2026, 3, 1, 8))
    older = _touch(folder, "before-restore", dt.datetime(2026, 2, 1, 8))
    assert prune_backups(folder, dt.datetime(2026, 12, 1), KeepPolicy(daily=0, weekly=0, monthly=0)) == [older]
    assert old.exists()


def test_two_backups_on_one_day_keep_the_newest_for_that_day() -> None:
    files = [(dt.datetime(2026, 5, 2, 18), Path("auto-20260502-180000.sqlite3")),
             (dt.datetime(2026, 5, 2, 9), Path("auto-20260502-090000.sqlite3")),
             (dt.datetime(2026, 5, 1, 18), Path("auto-20260501-180000.sqlite3"))]
    keep = backups_to_keep(files, dt.datetime(2026, 5, 10), KeepPolicy(daily=2, weekly=0, monthly=0))
    assert keep == {files[0][1], files[2][1]}


def test_backup_time_reads_only_our_names() -> None:
    assert backup_time(Path("before-upgrade-0001_initial-20261205-090307.sqlite3")) == dt.datetime(2026, 12, 5, 9, 3, 7)
    assert backup_time(Path("zaitaku-20261205-090307.sqlite3")) == dt.datetime(2026, 12, 5, 9, 3, 7)
    assert backup_time(Path("zaitaku-20261399-090307.sqlite3")) is None  # no such date
    for name in FOREIGN:
        assert backup_time(Path(name)) is None
