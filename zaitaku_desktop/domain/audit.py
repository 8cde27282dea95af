"""The hash-chained audit trail (issue 9): the hash of one entry and the verifier that names tampering.

Each entry's ``hash`` is SHA-256 over a canonical encoding of its fields and the previous entry's hash
(``prev_hash``; 64 zeros for the first). ``seq`` numbers the entries 1, 2, 3 … without gaps: it is the order
of events whatever the laptop's clock says. A single-row anchor (``AuditHead``: the last seq and its hash) is
updated with every append, so cutting off the tail is caught too.

The verifier works out, for every stored row, which entry it really is (its "original" seq): the row's hash
must match its content under that seq. From that it names what happened — an entry edited, deleted,
inserted, two entries swapped, the tail cut off — with the seq, in Japanese. A chain rewritten from scratch
(every later hash and the anchor recomputed) cannot be told from a genuine one: that needs a secret.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

GENESIS = "0" * 64
DEFAULT_ROLE = "担当者"
STAMP = "%Y-%m-%d %H:%M:%S.%f"  # stored DateTime text (UTC), as SQLAlchemy writes it
JST = dt.timezone(dt.timedelta(hours=9), "JST")
MAX_PASSES = 4

PROBLEM_KINDS = ("edited", "deleted", "inserted", "reordered", "truncated")
PROBLEM_LABELS = {"edited": "書き換え", "deleted": "削除", "inserted": "差し込み", "reordered": "順序の入れ替え",
                  "truncated": "末尾の削除"}
# What the log's action words mean (操作), in the words of the office.
ACTION_LABELS: dict[str, str] = {
    "view": "個人情報の表示", "reveal": "一覧で氏名を表示", "export": "書き出し", "print": "印刷",
    "consent": "同意の記録・撤回", "create": "登録", "update": "変更", "archive": "アーカイブ",
    "unarchive": "アーカイブから戻す", "status": "状況の変更", "contact": "対応記録の追加", "referral": "紹介",
    "promote": "課題ボードへ", "sample": "サンプルの読み込み",
    "login": "ログイン", "unlock": "ロック解除", "lock": "ロック", "protect": "暗号化（保護）",
    "unprotect": "暗号化の解除", "rekey": "パスフレーズ変更（再暗号化）", "password": "パスワード変更",
    "user_add": "利用者の追加", "user_remove": "利用者の削除", "user_role": "役割の変更",
    "user_reset": "パスワードの再設定",
}
ENTITY_LABELS: dict[str, str] = {
    "security": "セキュリティ",
    "consultation": "相談", "consultation_case": "相談者（ケース）", "referral": "紹介状",
    "consultation_referral": "紹介", "audit_log": "監査ログ",
}


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One stored row of the audit log. ``at`` is the stored UTC text (``STAMP``)."""

    seq: int
    at: str
    user: str
    role: str
    action: str
    entity: str
    entity_id: str
    detail: str
    prev_hash: str
    hash: str

    def fields(self) -> tuple:
        return (self.seq, self.at, self.user, self.role, self.action, self.entity, self.entity_id, self.detail)


@dataclass(frozen=True, slots=True)
class AuditHead:
    """The anchor: the seq and hash of the last entry appended (0 and GENESIS when there is none)."""

    seq: int
    hash: str


@dataclass(frozen=True, slots=True)
class AuditProblem:
    seq: int
    kind: str  # one of PROBLEM_KINDS
    message_ja: str


@dataclass(frozen=True, slots=True)
class ClockNote:
    """The wall clock went backwards between two entries: worth knowing, not tampering."""

    seq: int
    message_ja: str


def entry_hash(fields: Sequence[object], prev_hash: str) -> str:
    """SHA-256 (hex) of (seq, at, user, role, action, entity, entity_id, detail) and ``prev_hash``, encoded as a
    compact JSON array in UTF-8. Migration 0009 repeats this encoding inline: never change it."""
    seq, at, user, role, action, entity, entity_id, detail = fields
    payload = json.dumps([int(seq), str(at), user, role, action, entity, entity_id, detail, prev_hash],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def stamp(moment: dt.datetime) -> str:
    """An aware (or naive UTC) datetime → the stored UTC text."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment.strftime(STAMP)


def local_time(at: str) -> dt.datetime:
    """Stored UTC text → Japan's wall clock (naive)."""
    return dt.datetime.fromisoformat(at).replace(tzinfo=dt.timezone.utc).astimezone(JST).replace(tzinfo=None)


def _when(at: str) -> str:
    try:
        return local_time(at).strftime("%Y/%m/%d %H:%M:%S")
    except ValueError:
        return at


def _valid(row: AuditEntry, seq: int) -> bool:
    return entry_hash((seq, *row.fields()[1:]), row.prev_hash) == row.hash


def _original_seqs(rows: Sequence[AuditEntry]) -> list[int | None]:
    """For each row, the seq under which its hash is right: its own, or (a moved row) the seq its chain link
    gives (one more than the entry its prev_hash names), or one next to its own; None = content changed."""
    orig: list[int | None] = [r.seq if _valid(r, r.seq) else None for r in rows]
    by_hash: dict[str, int] = {}
    for i, r in enumerate(rows):
        by_hash.setdefault(r.hash, i)
    for _pass in range(MAX_PASSES):  # a moved row's link may name a row placed after it: look again
        changed = False
        for i, r in enumerate(rows):
            if orig[i] is not None:
                continue
            pred = by_hash.get(r.prev_hash)
            linked = 1 if r.prev_hash == GENESIS else (orig[pred] + 1 if pred is not None and pred != i
                                                       and orig[pred] is not None else None)
            for candidate in (linked, r.seq + 1, r.seq - 1):
                if candidate is not None and candidate > 0 and _valid(r, candidate):
                    orig[i] = candidate
                    changed = True
                    break
        if not changed:
            break
    return orig


def _span(first: int, last: int) -> str:
    return f"通番 {first}" if first == last else f"通番 {first}〜{last}、{last - first + 1}件"


def verify_chain(rows: Iterable[AuditEntry], head: AuditHead | None) -> list[AuditProblem]:
    """Every sign of tampering in ``rows`` (in stored seq order) against the anchor ``head``, each naming the
    entry (seq) and what happened, in Japanese. An empty list: the log is intact."""
    rows = sorted(rows, key=lambda r: r.seq)
    orig = _original_seqs(rows)
    problems: list[AuditProblem] = []
    if head is None:
        problems.append(AuditProblem(0, "deleted", "監査ログの控え（最後の通番と検証値）が削除されています"))
    # Which row is the genuine holder of each original seq (a forged copy may claim one too).
    claims: dict[int, list[int]] = {}
    for i, o in enumerate(orig):
        if o is not None:
            claims.setdefault(o, []).append(i)
    last = head.seq if head else max(claims, default=0)
    genuine: dict[int, int] = {}
    extra: list[int] = []  # rows that are not part of the original chain
    for o in sorted(claims):
        holders = claims[o]
        if len(holders) > 1:
            successor = claims.get(o + 1, [])
            follow = {rows[j].prev_hash for j in successor}
            anchor = head.hash if head and head.seq == o else None
            best = next((i for i in holders if rows[i].hash in follow or rows[i].hash == anchor),
                        next((i for i in holders if rows[i].seq == o), holders[0]))
            extra += [i for i in holders if i != best]
            holders = [best]
        if o > last:
            extra.append(holders[0])
        else:
            genuine[o] = holders[0]
    edited: set[int] = set()
    for i, o in enumerate(orig):
        if o is None:
            s = rows[i].seq
            if 1 <= s <= last and s not in genuine and s not in edited:
                edited.add(s)
            else:
                extra.append(i)
    for s in sorted(edited):
        problems.append(AuditProblem(s, "edited", f"通番 {s} の記録が書き換えられています"))
    for i in sorted(set(extra), key=lambda j: rows[j].seq):
        s = rows[i].seq
        problems.append(AuditProblem(s, "inserted", f"通番 {s} の記録は後から差し込まれたものです"))
    # Entries missing from the original order: deleted in the middle, or the tail cut off.
    present = max([*genuine, *edited], default=0)
    missing = [o for o in range(1, last + 1) if o not in genuine and o not in edited]
    for first, end in _runs(missing):
        if first > present:
            text = (f"すべての記録が削除されています（{_span(first, end)}）" if first == 1 else
                    f"通番 {first - 1} の後の記録が削除されています（末尾の{_span(first, end)}）")
            problems.append(AuditProblem(first, "truncated", text))
        else:
            text = (f"最初の記録が削除されています（{_span(first, end)}）" if first == 1 else
                    f"通番 {first - 1} の後の記録が削除されています（{_span(first, end)}）")
            problems.append(AuditProblem(first, "deleted", text))
    # Links between neighbours that are both there: a broken link means the earlier one was rewritten
    # (its hash recomputed); the anchor checks the last one.
    for o, i in sorted(genuine.items()):
        expected = GENESIS if o == 1 else (rows[genuine[o - 1]].hash if o - 1 in genuine else None)
        if expected is not None and rows[i].prev_hash != expected:
            target = max(o - 1, 1)
            if target not in edited:
                edited.add(target)
                problems.append(AuditProblem(target, "edited", f"通番 {target} の記録が書き換えられています"))
    if head and head.seq in genuine and rows[genuine[head.seq]].hash != head.hash and head.seq not in edited:
        edited.add(head.seq)
        problems.append(AuditProblem(head.seq, "edited", f"通番 {head.seq} の記録が書き換えられています"))
    problems += _reorders(rows, orig, set(genuine.values()))
    if not problems and any(o is not None and o != rows[i].seq for i, o in enumerate(orig)):
        s = next(rows[i].seq for i, o in enumerate(orig) if o is not None and o != rows[i].seq)
        problems.append(AuditProblem(s, "edited", f"通番 {s} 以降の記録の通番が書き換えられています"))
    return sorted(problems, key=lambda p: (p.seq, PROBLEM_KINDS.index(p.kind)))


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _reorders(rows: Sequence[AuditEntry], orig: Sequence[int | None], genuine: set[int]) -> list[AuditProblem]:
    """Rows that took each other's places: following stored seq → original seq from a moved row comes back to
    it (a swap, or a longer rotation). A shift left by an insert or a delete never closes such a cycle."""
    at_seq = {rows[i].seq: i for i in genuine}
    moved = {i for i in genuine if orig[i] != rows[i].seq}
    problems: list[AuditProblem] = []
    state: dict[int, bool] = {}  # True while on the path being followed, False once finished
    for i in sorted(moved, key=lambda j: rows[j].seq):
        path, j = [], i
        while j is not None and j in moved and j not in state:
            state[j] = True
            path.append(j)
            j = at_seq.get(orig[j])  # type: ignore[arg-type]
        cycle = path[path.index(j):] if j is not None and state.get(j) else []
        state.update(dict.fromkeys(path, False))
        seqs = sorted(rows[k].seq for k in cycle)
        if len(cycle) == 2:
            problems.append(AuditProblem(seqs[0], "reordered",
                                         f"通番 {seqs[0]} と通番 {seqs[1]} の記録が入れ替えられています"))
        elif cycle:
            problems += [AuditProblem(rows[k].seq, "reordered", f"通番 {rows[k].seq} の位置に通番 {orig[k]} の記録が"
                                                                  "あります（順序が入れ替えられています）")
                         for k in sorted(cycle, key=lambda k: rows[k].seq)]
    return problems


def clock_notes(rows: Iterable[AuditEntry]) -> list[ClockNote]:
    """Where the wall clock went backwards from one entry to the next (the laptop's clock was wrong or was
    corrected): not tampering — the seq, not the clock, orders the log."""
    notes: list[ClockNote] = []
    previous: AuditEntry | None = None
    for row in sorted(rows, key=lambda r: r.seq):
        if previous is not None and row.at < previous.at:
            notes.append(ClockNote(row.seq, f"通番 {row.seq} の日時（{_when(row.at)}）が通番 {previous.seq} の日時"
                                            f"（{_when(previous.at)}）より前です（時計の逆戻り。改ざんではありません）"))
        previous = row
    return notes


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


def entity_label(entity: str) -> str:
    return ENTITY_LABELS.get(entity, entity)
