"""Group work: seat the registered participants at N tables so that every table mixes professions
as evenly as possible (the national training guide's rule).

Pure Python. :func:`balance` deals each profession round-robin onto the currently smallest tables, so
for every profession the per-table counts differ by at most 1, and the table sizes differ by at most 1.
The result depends only on the input (ties go to the lower table number).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace

from .text import reading_sort_key

SEATED_ROLES: tuple[str, ...] = ("参加者",)  # speakers, staff and guests are not seated unless asked
SEATED_STATUSES: tuple[str, ...] = ("申込", "出席")
MAX_TABLES = 50
NO_PROFESSION = "職種未設定"


@dataclass(frozen=True)
class Participant:
    """One person on a meeting's papers (sign-in sheet, name tent, certificate, table list)."""

    person_id: str
    name: str
    reading: str = ""
    affiliation: str = ""
    profession_id: str | None = None
    profession: str = ""
    role: str = "参加者"
    status: str = "申込"
    walk_in: bool = False
    table_no: int | None = None

    @property
    def profession_label(self) -> str:
        return self.profession or NO_PROFESSION


def by_reading(people: Iterable[Participant]) -> list[Participant]:
    """五十音 order of the reading (the name when no reading was stored)."""
    return sorted(people, key=lambda p: (reading_sort_key(p.reading, p.name), p.person_id))


def seatable(participants: Iterable[Participant], *, keep: Collection[str] = SEATED_ROLES) -> list[Participant]:
    """Who takes part in the group work: role in ``keep``, registered or attended."""
    return [p for p in participants if p.role in keep and p.status in SEATED_STATUSES]


def balance(participants: Iterable[Participant], n_tables: int, *, keep: Collection[str] = SEATED_ROLES,
            profession_order: Sequence[str] = ()) -> list[tuple[Participant, ...]]:
    """``n_tables`` tables (table_no 1..N set on every member) of the participants whose role is in
    ``keep`` and who have not cancelled or stayed away. ``profession_order`` (profession ids) orders
    professions of equal size; members of a table are listed by profession, then reading."""
    if not 1 <= n_tables <= MAX_TABLES:
        raise ValueError(f"n_tables must be 1..{MAX_TABLES}")
    rank = {pid: i for i, pid in enumerate(profession_order)}
    groups: dict[str | None, list[Participant]] = {}
    for person in by_reading(seatable(participants, keep=keep)):
        groups.setdefault(person.profession_id, []).append(person)

    def group_key(pid: str | None) -> tuple:
        return (-len(groups[pid]), pid is None, rank.get(pid or "", len(rank)), groups[pid][0].profession, pid or "")

    tables: list[list[Participant]] = [[] for _ in range(n_tables)]
    for pid in sorted(groups, key=group_key):
        members = groups[pid]
        for start in range(0, len(members), n_tables):
            chunk = members[start:start + n_tables]
            # one round: each member of the chunk to a different table, the smallest tables first
            targets = sorted(range(n_tables), key=lambda i: (len(tables[i]), i))[:len(chunk)]
            for person, index in zip(chunk, sorted(targets)):
                tables[index].append(person)

    return [tuple(replace(p, table_no=no) for p in sorted(members, key=_member_key(rank)))
            for no, members in enumerate(tables, start=1)]


def _member_key(rank: dict[str, int]):
    def key(p: Participant) -> tuple:
        return (p.profession_id is None, rank.get(p.profession_id or "", len(rank)), p.profession,
                reading_sort_key(p.reading, p.name), p.person_id)
    return key


def profession_mix(members: Iterable[Participant]) -> list[tuple[str, int]]:
    """(profession, people) at one table, in the order the professions first appear."""
    return list(Counter(p.profession_label for p in members).items())


def mix_text(members: Iterable[Participant]) -> str:
    """The per-table mix line, e.g. 「医師 1・看護師 2・介護支援専門員 2」."""
    return "・".join(f"{name} {n}" for name, n in profession_mix(members))


def seated_tables(participants: Iterable[Participant], *, profession_order: Sequence[str] = ()
                  ) -> list[tuple[int, tuple[Participant, ...]]]:
    """The stored seating: (table_no, members) for every table that has someone, by table number;
    members ordered as :func:`balance` orders them."""
    key = _member_key({pid: i for i, pid in enumerate(profession_order)})
    tables: dict[int, list[Participant]] = {}
    for p in participants:
        if p.table_no is not None:
            tables.setdefault(p.table_no, []).append(p)
    return [(no, tuple(sorted(tables[no], key=key))) for no in sorted(tables)]
