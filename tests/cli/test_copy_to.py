"""`copy-to DEST`: the sample region goes SQLite → PostgreSQL → SQLite, every table verified both times; the copy
opens with the same data (and its audit trail still verifies); a mismatch exits 1; a destination with data is
refused and left as it was."""

from __future__ import annotations

from pathlib import Path


from zaitaku_desktop import cli
from zaitaku_desktop.services import copy_db, open_services


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def snapshot(services) -> dict:
    return {"resources": sorted((r.name, r.phone, r.updated_at) for r in services.resources.list_rows()),
            "consultations": sorted((c.case_no, c.received_at, c.categories) for c in
                                    services.consultations.list_rows(include_archived=True)),
            "audit": services.audit.verify().ok, "entries": len(services.audit.rows())}


def test_round_trip_sqlite_postgres_sqlite(capsys, sample_db_path: Path, pg_url: str, tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--db", str(sample_db_path), "copy-to", pg_url)
    assert code == 0, out
    lines = {line.split()[0]: line.split() for line in out.splitlines()[3:-1]}
    assert lines["resource"][1:3] == ["129", "129"] and lines["resource"][-1] == "OK"
    assert lines["audit_log"][-1] == "OK" and lines["consultation"][-1] == "OK"
    assert "すべての表が一致しました" in out and "***" not in out.split("写し先：")[0]

    back = tmp_path / "back.sqlite3"
    code, out, _ = run(capsys, "--db", pg_url, "copy-to", str(back))
    assert code == 0, out
    assert all(line.endswith("OK") for line in out.splitlines()[3:-1])

    original, server, copied = (open_services(x, user="tester") for x in (sample_db_path, pg_url, back))
    try:
        expected = snapshot(original)
        assert expected["resources"] and expected["consultations"] and expected["audit"]
        assert snapshot(server) == expected and snapshot(copied) == expected
        # The server keeps numbering after the copied rows (sequences moved on), the chain goes on.
        server.audit.append("view", "consultation_case", "x", "")
        assert server.audit.verify().ok
    finally:
        for svc in (original, server, copied):
            svc.close()


def test_a_mismatch_exits_1(capsys, monkeypatch, sample_db_path: Path, tmp_path: Path) -> None:
    real = copy_db._copy_table

    def lossy(src, dst, source, target):
        if target.name != "key_person":
            return real(src, dst, source, target)
        return None  # a table silently left behind

    monkeypatch.setattr(copy_db, "_copy_table", lossy)
    code, out, _ = run(capsys, "--db", str(sample_db_path), "copy-to", str(tmp_path / "lossy.sqlite3"))
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith("key_person "))
    assert line.split()[1:3] == ["151", "0"] and line.endswith("NG")
    assert "一致しない表があります" in out


def test_a_destination_with_data_is_refused_and_untouched(capsys, sample_db_path: Path, db_path: Path) -> None:
    before = db_path.read_bytes()
    code, _, err = run(capsys, "--db", str(sample_db_path), "copy-to", str(db_path))
    assert code == 1 and "写し先のファイルが既にあります" in err
    assert db_path.read_bytes() == before


def test_a_server_database_with_tables_is_refused(capsys, db_path: Path, pg_server) -> None:
    url = pg_server.fresh(None)
    open_services(url, user="tester").close()
    code, _, err = run(capsys, "--db", str(db_path), "copy-to", url)
    assert code == 1 and "写し先のデータベースが空ではありません" in err


def test_values_are_normalised_alike() -> None:
    """SQLite's integer booleans and PostgreSQL's booleans, naive and aware UTC timestamps spell alike; NULL is
    not the empty text."""
    import datetime as dt

    assert copy_db.normalise(True) == copy_db.normalise(1) == "1"
    assert copy_db.normalise(dt.datetime(2026, 4, 1, 9, 30)) == "2026-04-01 09:30:00.000000"
    assert copy_db.normalise(dt.datetime(2026, 4, 1, 18, 30, tzinfo=dt.timezone(dt.timedelta(hours=9)))) \
        == "2026-04-01 09:30:00.000000"
    assert copy_db.normalise(None) != copy_db.normalise("")
