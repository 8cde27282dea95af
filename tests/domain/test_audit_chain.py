"""The audit chain's verifier (pure): each kind of tampering is detected and names the right entry."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from zaitaku_desktop.domain.audit import (
    GENESIS, AuditEntry, AuditHead, AuditProblem, clock_notes, entry_hash, stamp, verify_chain,
)

START = dt.datetime(2026, 11, 1, 0, 0, tzinfo=dt.timezone.utc)


def chain(details: list[str], *, minutes: list[int] | None = None) -> tuple[list[AuditEntry], AuditHead]:
    """A genuine chain with one entry per detail (``minutes`` after START each, else one a minute)."""
    rows: list[AuditEntry] = []
    prev = GENESIS
    minutes = minutes or list(range(1, len(details) + 1))
    for n, detail in enumerate(details, 1):
        at = stamp(START + dt.timedelta(minutes=minutes[n - 1]))
        fields = (n, at, "tester", "担当者", "view", "consultation_case", f"case-{n}", detail)
        prev = entry_hash(fields, prev)
        rows.append(AuditEntry(*fields, prev_hash=rows[-1].hash if rows else GENESIS, hash=prev))
    return rows, AuditHead(len(rows), rows[-1].hash if rows else GENESIS)


def rehashed(row: AuditEntry, **changes) -> AuditEntry:
    row = dataclasses.replace(row, **changes)
    return dataclasses.replace(row, hash=entry_hash(row.fields(), row.prev_hash))


def kinds(problems: list[AuditProblem]) -> list[tuple[str, int]]:
    return [(p.kind, p.seq) for p in problems]


def test_a_genuine_chain_verifies_and_the_hash_covers_every_field() -> None:
    rows, head = chain(["a", "b", "c"])
    assert verify_chain(rows, head) == []
    assert verify_chain([], AuditHead(0, GENESIS)) == []
    fields = rows[0].fields()
    for i in range(len(fields)):
        changed = list(fields)
        changed[i] = changed[i] + 1 if isinstance(changed[i], int) else changed[i] + "x"
        assert entry_hash(changed, GENESIS) != rows[0].hash
    assert entry_hash(fields, "1" * 64) != rows[0].hash
    assert len(rows[0].hash) == 64 and int(rows[0].hash, 16) >= 0


def test_each_kind_of_tampering_is_named_in_japanese() -> None:
    rows, head = chain([f"d{n}" for n in range(1, 13)])
    edited = [*rows[:6], dataclasses.replace(rows[6], detail="forged"), *rows[7:]]
    assert [(p.kind, p.seq, p.message_ja) for p in verify_chain(edited, head)] == [
        ("edited", 7, "通番 7 の記録が書き換えられています")]
    recomputed = [*rows[:6], rehashed(rows[6], user="someone"), *rows[7:]]
    assert kinds(verify_chain(recomputed, head)) == [("edited", 7)]
    deleted = [*rows[:4], *rows[5:]]
    assert [(p.kind, p.seq, p.message_ja) for p in verify_chain(deleted, head)] == [
        ("deleted", 5, "通番 4 の後の記録が削除されています（通番 5）")]
    assert [p.message_ja for p in verify_chain(rows[:3] + rows[6:], head)] == [
        "通番 3 の後の記録が削除されています（通番 4〜6、3件）"]
    assert [p.message_ja for p in verify_chain(rows[1:], head)] == ["最初の記録が削除されています（通番 1）"]
    assert [(p.kind, p.seq, p.message_ja) for p in verify_chain(rows[:-1], head)] == [
        ("truncated", 12, "通番 11 の後の記録が削除されています（末尾の通番 12）")]
    assert [p.message_ja for p in verify_chain([], head)] == ["すべての記録が削除されています（通番 1〜12、12件）"]
    swapped = list(rows)
    swapped[2], swapped[8] = (dataclasses.replace(rows[8], seq=3), dataclasses.replace(rows[2], seq=9))
    assert [(p.kind, p.seq, p.message_ja) for p in verify_chain(swapped, head)] == [
        ("reordered", 3, "通番 3 と通番 9 の記録が入れ替えられています")]
    rotated = list(rows)
    rotated[1:4] = [dataclasses.replace(rows[3], seq=2), dataclasses.replace(rows[1], seq=3),
                    dataclasses.replace(rows[2], seq=4)]
    assert [p.message_ja for p in verify_chain(rotated, head)] == [
        f"通番 {s} の位置に通番 {o} の記録があります（順序が入れ替えられています）" for s, o in ((2, 4), (3, 2), (4, 3))]
    forged = rehashed(rows[5], detail="forged", entity_id="x")
    inserted = [*rows[:5], forged, *(dataclasses.replace(r, seq=r.seq + 1) for r in rows[5:])]
    assert [(p.kind, p.seq, p.message_ja) for p in verify_chain(inserted, head)] == [
        ("inserted", 6, "通番 6 の記録は後から差し込まれたものです")]
    appended = [*rows, rehashed(dataclasses.replace(rows[-1], seq=13, prev_hash=rows[-1].hash), detail="x")]
    assert kinds(verify_chain(appended, head)) == [("inserted", 13)]
    assert kinds(verify_chain(rows, AuditHead(12, "f" * 64))) == [("edited", 12)]
    assert kinds(verify_chain(rows, None)) == [("deleted", 0)]


def test_a_clock_going_backwards_is_noted_but_is_not_tampering() -> None:
    rows, head = chain(["a", "b", "c", "d"], minutes=[10, 20, 5, 30])
    assert verify_chain(rows, head) == []
    notes = clock_notes(rows)
    assert [n.seq for n in notes] == [3]
    assert "時計の逆戻り" in notes[0].message_ja
    assert "2026/11/01 09:05:00" in notes[0].message_ja and "2026/11/01 09:20:00" in notes[0].message_ja
    assert clock_notes(chain(["a", "b"])[0]) == []


# --- property: any single tamper of a generated chain is found and named -------------------------------------

TAMPERS = ("edit", "edit_rehash", "delete", "delete_renumber", "insert", "insert_bad_hash", "swap")
FIELDS = ("at", "user", "role", "action", "entity", "entity_id", "detail", "prev_hash", "hash")


@given(size=st.integers(1, 25), tamper=st.sampled_from(TAMPERS), data=st.data())
def test_any_single_tamper_is_detected_and_names_the_right_seq(size: int, tamper: str, data) -> None:
    rows, head = chain([f"detail {n}" for n in range(1, size + 1)])
    k = data.draw(st.integers(0, size - 1), label="position")
    if tamper in ("edit", "edit_rehash"):
        name = data.draw(st.sampled_from(FIELDS[:-2] if tamper == "edit_rehash" else FIELDS), label="field")
        value = "f" * 64 if name in ("prev_hash", "hash") else "2026-12-01 00:00:00.000000" if name == "at" else "改"
        row = dataclasses.replace(rows[k], **{name: value})
        rows[k] = rehashed(row) if tamper == "edit_rehash" else row
        expected = ("edited", k + 1)
    elif tamper == "delete":
        del rows[k]
        expected = ("truncated" if k == size - 1 else "deleted", k + 1)
    elif tamper == "delete_renumber":
        rows = rows[:k] + [dataclasses.replace(r, seq=r.seq - 1) for r in rows[k + 1:]]
        expected = ("truncated" if k == size - 1 else "deleted", k + 1)
    elif tamper.startswith("insert"):
        k = data.draw(st.integers(0, size), label="insert at")
        forged = AuditEntry(k + 1, rows[k - 1].at if k else rows[0].at, "intruder", "担当者", "view", "x", "y", "z",
                            rows[k - 1].hash if k else GENESIS, "")
        forged = rehashed(forged) if tamper == "insert" else dataclasses.replace(forged, hash="e" * 64)
        rows = rows[:k] + [forged] + [dataclasses.replace(r, seq=r.seq + 1) for r in rows[k:]]
        expected = ("inserted", k + 1)
    else:
        if size < 2:
            return
        j = data.draw(st.integers(0, size - 1).filter(lambda j: j != k), label="other")
        a, b = sorted((k, j))
        rows[a], rows[b] = dataclasses.replace(rows[b], seq=a + 1), dataclasses.replace(rows[a], seq=b + 1)
        expected = ("reordered", a + 1)
    assert kinds(verify_chain(rows, head)) == [expected]
