"""DirectoryService over the sample region: the booklet's data, the emergency selection and the
update-form round trip (sent → returned → confirmed), checked against independent reads."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from zaitaku_desktop.domain.errors import NotFoundError, ValidationError
from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.exports.atomic import FileWriteError
from zaitaku_desktop.services.directory import (CONFIRM_SOURCE, EMERGENCY_CAPABILITY, EMERGENCY_PROCEDURES,
                                                FORM_SENT_ACTION, DirectoryService, directory_service)


@pytest.fixture
def directory(sample_services) -> DirectoryService:
    return directory_service(sample_services)


def _active(services):
    return [r for r in services.resources.list_rows() if not r.archived]


def test_sections_follow_the_category_order_and_entries_the_reading(directory, sample_services):
    data = directory.directory_data()
    order = [c.name for c in sample_services.vocab.list("category")]
    names = [s.category for s in data.sections]
    assert names == [c for c in order if c in names]
    assert data.entry_count == len(_active(sample_services)) > 50
    by_name = {r.name: r for r in _active(sample_services)}
    for section in data.sections:
        keys = [reading_sort_key(by_name[e.name].reading, e.name) for e in section.entries]
        assert keys == sorted(keys)
        assert {by_name[e.name].category for e in section.entries} == {section.category}


def test_matrix_columns_are_the_procedures_and_marks_line_up(directory, sample_services):
    data = directory.directory_data()
    assert data.matrix_columns == tuple(p.name for p in sample_services.vocab.list("procedure"))
    rows = {r.name: r for r in _active(sample_services)}
    marked = 0
    for section in data.sections:
        for e in section.entries:
            expected = tuple(rows[e.name].procedure_marks.get(c, "") for c in data.matrix_columns)
            assert e.marks == expected
            marked += any(expected)
            assert e.last_confirmed == rows[e.name].last_confirmed
    assert marked > 10


def test_filters_by_municipality_district_and_category(directory, sample_services):
    rows = _active(sample_services)
    town = next(m for m in sample_services.vocab.list("municipality") if m.name == "大槌町")
    hospital = next(c for c in sample_services.vocab.list("category") if c.name == "病院")
    clinic = next(c for c in sample_services.vocab.list("category") if c.name == "医科診療所")
    data = directory.directory_data(municipality_id=town.id, category_ids=[hospital.id, clinic.id])
    got = sorted(e.name for s in data.sections for e in s.entries)
    assert got == sorted(r.name for r in rows if r.municipality_id == town.id
                         and r.category_id in (hospital.id, clinic.id))
    assert [s.category for s in data.sections] == ["病院", "医科診療所"]
    assert data.scope == "大槌町・病院・医科診療所"
    district = next(d for d in sample_services.vocab.list("district")
                    if any(r.district_id == d.id for r in rows))
    data = directory.directory_data(district_id=district.id)
    assert sorted(e.name for s in data.sections for e in s.entries) == sorted(
        r.name for r in rows if r.district_id == district.id)


def test_index_is_in_gojuon_order_of_the_reading(directory, sample_services):
    data = directory.directory_data()
    by_name = {r.name: r for r in _active(sample_services)}
    index = data.index()
    assert len(index) == data.entry_count
    keys = [reading_sort_key(by_name[name].reading, name) for name, *_ in index]
    assert keys == sorted(keys)


def test_emergency_sheet_holds_exactly_the_qualifying_providers(directory, sample_services):
    data = directory.emergency_data()
    assert data.procedure_columns == EMERGENCY_PROCEDURES
    expected = {r.name for r in _active(sample_services)
                if EMERGENCY_CAPABILITY in r.capabilities
                or any(r.procedure_marks.get(p) in ("○", "△") for p in EMERGENCY_PROCEDURES)}
    assert {e.name for e in data.entries} == expected
    assert any(e.all_day for e in data.entries) and any(not e.all_day for e in data.entries)
    assert any(e.key_persons for e in data.entries)
    with_hours = {r.name for r in _active(sample_services) if EMERGENCY_CAPABILITY in r.capabilities}
    assert {e.name for e in data.entries if e.all_day} == with_hours


def test_mark_confirmed_sets_the_date_and_source_in_one_recorded_change(directory, sample_services):
    row = next(r for r in _active(sample_services) if r.last_confirmed and r.confirmed_source != CONFIRM_SOURCE)
    day = dt.date.today()
    after = directory.mark_confirmed(row.id, day)
    assert (after.last_confirmed, after.confirmed_source, after.version) == (day, CONFIRM_SOURCE, row.version + 1)
    entry = sample_services.resources.history(row.id)[0]
    assert entry.action == "update"
    assert entry.changes["last_confirmed"][1] == day.isoformat()
    assert entry.changes["confirmed_source"] == [row.confirmed_source, CONFIRM_SOURCE]


def test_mark_confirmed_refuses_bad_dates_and_unknown_records(directory, sample_services):
    row = next(r for r in _active(sample_services) if r.last_confirmed)
    with pytest.raises(ValidationError, match="今日より後"):
        directory.mark_confirmed(row.id, dt.date.today() + dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="すでに確認"):
        directory.mark_confirmed(row.id, row.last_confirmed - dt.timedelta(days=1))
    with pytest.raises(NotFoundError):
        directory.mark_confirmed("no-such-id", dt.date.today())
    unchanged = sample_services.resources.get(row.id).row
    assert (unchanged.last_confirmed, unchanged.version) == (row.last_confirmed, row.version)


@pytest.mark.sqlite_only  # reads or changes the SQLite file directly (PostgreSQL: tests/storage/test_postgres.py)
def test_forms_sent_then_answered(directory, sample_services, tmp_path):
    hospital = next(c for c in sample_services.vocab.list("category") if c.name == "病院")
    result = directory.update_forms_pdf(tmp_path / "forms.pdf", category_ids=[hospital.id], hub_fax="0193-22-0000",
                                        issued_on=dt.date.today() - dt.timedelta(days=3))
    hospitals = [r for r in _active(sample_services) if r.category_id == hospital.id]
    assert result.entries == result.pages == len(hospitals) >= 2
    pending = directory.unanswered()
    assert sorted(f.name for f in pending) == sorted(r.name for r in hospitals)
    assert all(f.sent_on == dt.date.today() - dt.timedelta(days=3) for f in pending)
    assert sample_services.resources.history(hospitals[0].id)[0].action == FORM_SENT_ACTION
    directory.mark_confirmed(hospitals[0].id, dt.date.today())
    assert sorted(f.name for f in directory.unanswered()) == sorted(r.name for r in hospitals[1:])
    assert directory.unanswered(since=dt.date.today()) == []
    # the history rows, read with plain SQL
    con = sqlite3.connect(sample_services.db.path)
    try:
        sent = con.execute("SELECT count(*) FROM change_log WHERE action = ?", (FORM_SENT_ACTION,)).fetchone()[0]
    finally:
        con.close()
    assert sent == len(hospitals)


def test_forms_without_recording_and_with_nothing_selected(directory, sample_services, tmp_path):
    town = next(m for m in sample_services.vocab.list("municipality") if m.name == "大槌町")
    directory.update_forms_pdf(tmp_path / "a.pdf", municipality_id=town.id, record_sent=False)
    assert directory.unanswered() == []
    empty = sample_services.vocab.add("category", "テスト用の空の種別")
    with pytest.raises(ValidationError, match="当てはまる資源がない"):
        directory.update_forms_pdf(tmp_path / "b.pdf", category_ids=[empty.id])
    assert not (tmp_path / "b.pdf").exists()


def test_find_by_name_and_clear_errors(directory):
    assert directory.find("municipality", "大槌").name == "大槌町"
    assert directory.find("category", "訪問看護").name == "訪問看護ステーション"
    with pytest.raises(NotFoundError, match="登録されている種別"):
        directory.find("category", "存在しない種別")


def test_a_failed_write_leaves_no_file(directory, tmp_path):
    with pytest.raises(FileWriteError):
        directory.directory_pdf(tmp_path / "missing" / "dir.pdf")
    assert not (tmp_path / "missing").exists()
