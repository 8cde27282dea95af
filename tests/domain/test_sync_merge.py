"""The merge rules of exchange files: three-way by field with a base, two-way by update times without one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from zaitaku_desktop.domain.sync import (
    ADD, CONFLICT, OURS, SAME, THEIRS, UPDATE, format_value, merge_record, resolve,
)

FIELDS = ("name", "phone", "notes", "@links")
values = st.one_of(st.none(), st.sampled_from(["", "a", "b", "c"]), st.integers(0, 2),
                   st.lists(st.sampled_from(["x", "y"]), max_size=2))
records = st.fixed_dictionaries({f: values for f in FIELDS})


@st.composite
def three_versions(draw):
    """A base and two sides that each changed some of its fields."""
    base = draw(records)
    ours = {f: draw(values) if draw(st.booleans()) else base[f] for f in FIELDS}
    theirs = {f: draw(values) if draw(st.booleans()) else base[f] for f in FIELDS}
    return base, ours, theirs


@given(three_versions())
def test_conflicts_are_exactly_the_fields_both_sides_changed_differently(versions) -> None:
    base, ours, theirs = versions
    merge = merge_record(ours, theirs, base)
    expected = {f for f in FIELDS if ours[f] != base[f] and theirs[f] != base[f] and ours[f] != theirs[f]}
    assert {c.field for c in merge.conflicts} == expected
    assert (merge.kind == CONFLICT) == bool(expected)


@given(three_versions(), st.dictionaries(st.sampled_from(FIELDS), st.sampled_from([OURS, THEIRS])))
def test_nothing_is_dropped_and_each_side_keeps_its_own_changes(versions, choices) -> None:
    base, ours, theirs = versions
    result = resolve(merge_record(ours, theirs, base), choices)
    assert set(result) == set(FIELDS)
    for f in FIELDS:
        assert result[f] in (ours[f], theirs[f])
        if theirs[f] == base[f]:
            assert result[f] == ours[f]  # only we changed it (or nobody did)
        elif ours[f] == base[f]:
            assert result[f] == theirs[f]  # only they changed it


@given(three_versions(), st.dictionaries(st.sampled_from(FIELDS), st.sampled_from([OURS, THEIRS])))
def test_merging_the_same_file_again_changes_nothing(versions, choices) -> None:
    base, ours, theirs = versions
    merged = resolve(merge_record(ours, theirs, base), choices)
    again = merge_record(merged, theirs, theirs)  # after an import the base is what they sent
    assert again.kind == SAME and resolve(again, {}) == merged


@given(records, records, st.booleans())
def test_without_a_base_the_side_that_did_not_change_takes_the_other(ours, theirs, ours_changed) -> None:
    merge = merge_record(ours, theirs, None, ours_changed=ours_changed)
    differing = {f for f in FIELDS if ours[f] != theirs[f]}
    if ours_changed:
        assert {c.field for c in merge.conflicts} == differing and merge.values == ours
    else:
        assert not merge.conflicts and merge.values == theirs and merge.taken == differing
    assert merge.kind == (SAME if not differing else CONFLICT if ours_changed else UPDATE)


def test_a_record_only_they_have_is_added() -> None:
    merge = merge_record(None, {"name": "新"}, None)
    assert (merge.kind, merge.values) == (ADD, {"name": "新"})


def test_values_are_shown_short_and_never_empty() -> None:
    assert format_value(None) == format_value("") == "（なし）"
    assert format_value(True) == "はい" and format_value([1, 2]) == "2件"
    assert format_value("2026-11-22 10:15:30.123") == "2026-11-22 10:15"
    assert format_value("あ" * 100).endswith("…") and len(format_value("あ" * 100)) == 60
