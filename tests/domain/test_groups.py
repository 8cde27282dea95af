"""Group-work table balancing: every profession spread evenly, tables of even size, deterministic."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, strategies as st

from zaitaku_desktop.domain.groups import (
    MAX_TABLES, Participant, balance, mix_text, profession_mix, seatable, seated_tables,
)

PROFESSIONS = ("医師", "看護師", "薬剤師", "介護支援専門員", "社会福祉士")


def person(i: int, profession: str | None, *, role: str = "参加者", status: str = "申込",
           reading: str = "") -> Participant:
    return Participant(person_id=f"p{i:03d}", name=f"参加者{i}", reading=reading or f"さんかしゃ{i:03d}",
                       profession_id=profession, profession=profession or "", role=role, status=status)


people_lists = st.lists(st.sampled_from((*PROFESSIONS, None)), max_size=60).map(
    lambda profs: [person(i, p) for i, p in enumerate(profs)])


@given(people_lists, st.integers(1, 12))
def test_every_profession_and_every_table_differ_by_at_most_one(people, n) -> None:
    tables = balance(people, n)
    assert len(tables) == n
    sizes = [len(t) for t in tables]
    assert max(sizes) - min(sizes) <= 1
    for profession in {p.profession_id for p in people}:
        per_table = [sum(1 for p in t if p.profession_id == profession) for t in tables]
        assert max(per_table) - min(per_table) <= 1, (profession, per_table)
    seated = [p for t in tables for p in t]
    assert sorted(p.person_id for p in seated) == sorted(p.person_id for p in people)  # nobody lost or doubled
    assert all(p.table_no == no for no, t in enumerate(tables, start=1) for p in t)


@given(people_lists, st.integers(1, 8), st.randoms(use_true_random=False))
def test_the_result_does_not_depend_on_the_input_order(people, n, rnd) -> None:
    shuffled = list(people)
    rnd.shuffle(shuffled)
    assert balance(shuffled, n) == balance(people, n)


def test_a_worked_example_mixes_professions_and_lists_members_by_profession() -> None:
    people = ([person(i, "医師") for i in range(3)] + [person(10 + i, "看護師") for i in range(3)]
              + [person(20 + i, "介護支援専門員") for i in range(6)])
    tables = balance(people, 3, profession_order=["医師", "看護師", "介護支援専門員"])
    assert [profession_mix(t) for t in tables] == [[("医師", 1), ("看護師", 1), ("介護支援専門員", 2)]] * 3
    assert [mix_text(t) for t in tables] == ["医師 1・看護師 1・介護支援専門員 2"] * 3
    assert [p.name for p in tables[0]] == ["参加者0", "参加者10", "参加者20", "参加者23"]  # by reading in a profession


def test_speakers_staff_and_cancelled_are_not_seated_unless_asked() -> None:
    people = [person(1, "医師"), person(2, "医師", role="講師"), person(3, "看護師", role="スタッフ"),
              person(4, "薬剤師", status="取消"), person(5, "薬剤師", status="欠席"), person(6, "看護師", status="出席")]
    assert [p.person_id for t in balance(people, 2) for p in t] == ["p001", "p006"]
    with_speakers = balance(people, 2, keep=("参加者", "講師"))
    assert sorted(p.person_id for t in with_speakers for p in t) == ["p001", "p002", "p006"]
    assert len(seatable(people)) == 2


def test_more_tables_than_people_leaves_empty_tables_and_bad_counts_are_refused() -> None:
    tables = balance([person(1, "医師"), person(2, None)], 4)
    assert [len(t) for t in tables] == [1, 1, 0, 0]
    assert mix_text(tables[1]) == "職種未設定 1"
    for bad in (0, MAX_TABLES + 1):
        with pytest.raises(ValueError):
            balance([], bad)


def test_seated_tables_reads_a_stored_seating_back() -> None:
    stored = [Participant("a", "甲", "こう", profession_id="x", profession="看護師", table_no=2),
              Participant("b", "乙", "おつ", profession_id="y", profession="医師", table_no=2),
              Participant("c", "丙", "へい", profession="医師", table_no=1), Participant("d", "丁", "てい")]
    assert [(no, [p.name for p in members]) for no, members in seated_tables(stored, profession_order=["y", "x"])] \
        == [(1, ["丙"]), (2, ["乙", "甲"])]
    assert Counter(len(m) for _, m in seated_tables(stored)) == Counter({1: 1, 2: 1})
