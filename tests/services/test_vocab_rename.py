"""Renaming a 地区, 職種 or テーマ keeps search working under the new name."""

from __future__ import annotations

from zaitaku_desktop.domain.resource import matches, search_terms
from zaitaku_desktop.services.issues import IssueFilter, filter_issue_rows


def _resource_hits(services, query: str) -> set[str]:
    return {r.name for r in services.resources.list_rows(include_archived=False)
            if matches(r.search_text, search_terms(query))}


def test_renamed_district_is_found_under_its_new_name(sample_services):
    svc = sample_services
    district = next(d for d in svc.vocab.list("district") if d.name == "唐丹")
    in_district = {r.name for r in svc.resources.list_rows(include_archived=False) if r.district_id == district.id}
    assert in_district and in_district <= _resource_hits(svc, "唐丹")
    assert not _resource_hits(svc, "唐丹新町")
    svc.vocab.update("district", district.id, "唐丹新町", reading="とうにしんまち", parent_id=district.parent_id)
    assert not _resource_hits(svc, "唐丹新町") - in_district  # the new name is nowhere else
    assert in_district <= _resource_hits(svc, "唐丹新町")


def test_renamed_profession_and_theme_are_found_in_issues(sample_services):
    svc = sample_services
    rows = svc.issues.list_rows(include_archived=False)
    profession = next(p for p in svc.vocab.list("profession") if p.name == "介護支援専門員")
    theme = next(t for t in svc.vocab.list("theme") if t.name == "退院調整")
    with_profession = {r.id for r in rows if profession.id in r.profession_ids}
    with_theme = {r.id for r in rows if theme.id in r.theme_ids}
    assert with_profession and with_theme
    assert not filter_issue_rows(rows, IssueFilter(text="居宅ケアマネ職"))
    svc.vocab.update("profession", profession.id, "居宅ケアマネ職", reading="きょたくけあまねしょく",
                     parent_id=profession.parent_id)
    svc.vocab.update("theme", theme.id, "入退院支援連携", reading="にゅうたいいんしえんれんけい")
    rows = svc.issues.list_rows(include_archived=False)
    assert {r.id for r in filter_issue_rows(rows, IssueFilter(text="居宅ケアマネ職"))} >= with_profession
    assert {r.id for r in filter_issue_rows(rows, IssueFilter(text="入退院支援連携"))} >= with_theme
