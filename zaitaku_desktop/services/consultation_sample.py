"""The sample consultations: a year of fictional calls up to a given day, generated from the templates in
db/seed/kamaishi_consultations.json with a fixed random seed (the same day gives the same records).

Every person is invented: names carry 「（架空）」 and phone numbers an unallocated exchange."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from zaitaku_desktop.domain.consultations import (
    CITIZEN_REQUESTERS, REFERRAL_HOWS, default_window, fiscal_quarter, quarter_range,
)
from zaitaku_desktop.domain.errors import FileFormatError

from .consultations import ConsultationInput

AGE_BANDS = ("65〜74歳", "75〜84歳", "75〜84歳", "85〜94歳", "85〜94歳", "95歳以上", "40〜64歳")
CARE_LEVELS = ("未申請", "申請中", "要支援1", "要支援2", "要介護1", "要介護2", "要介護3", "要介護4", "要介護5", "")


@dataclass
class SampleEntry:
    input: ConsultationInput
    attach_to: int | None = None  # index of an earlier entry about the same person
    consents: list[dict] = field(default_factory=list)  # Consent column values (granted, recipients, ...)
    referrals: list[tuple[str, dt.date, str, str]] = field(default_factory=list)  # resource id, day, how, outcome
    contacts: list[tuple[dt.datetime, str, str]] = field(default_factory=list)  # local time, kind, text


def generate(data: dict, *, today: dt.date, categories: dict[str, str], areas: list[tuple[str | None, str]],
             resources: dict[str, tuple[str, str]]) -> list[SampleEntry]:
    """``categories``: name → id; ``areas``: (municipality id, district id); ``resources``: id → (category,
    name) of the sample providers."""
    try:
        return _Generator(data, today, categories, areas, resources).run()
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise FileFormatError(f"サンプルの相談データの形式が正しくありません：{exc}") from exc


class _Generator:
    def __init__(self, data: dict, today: dt.date, categories: dict[str, str], areas: list[tuple[str | None, str]],
                 resources: dict[str, tuple[str, str]]) -> None:
        self.data, self.today, self.categories, self.areas = data, today, categories, areas
        self.rnd = random.Random(data["seed"])
        self.names = {rid: name for rid, (_, name) in resources.items()}
        self.by_kind: dict[str, list[str]] = {}
        for rid, (kind, _) in resources.items():
            self.by_kind.setdefault(kind, []).append(rid)
        self.mark = data["fictional_mark"]

    def run(self) -> list[SampleEntry]:
        rnd, templates = self.rnd, self.data["categories"]
        names = list(templates)
        count = int(self.data["count"])
        # Every category at least once, then by weight; a recurring theme in the last full quarter.
        picks = names + rnd.choices(names, weights=[templates[n]["weight"] for n in names], k=count - len(names))
        year, quarter = fiscal_quarter(self.today)
        q_start, q_end = quarter_range(year, quarter - 1) if quarter > 1 else quarter_range(year - 1, 4)
        days = sorted(self.today - dt.timedelta(days=rnd.randrange(365)) for _ in picks)
        recurring = self.data["promote_category"]
        for k in range(int(self.data["promote_count"])):
            picks.append(recurring)
            days.append(q_start + dt.timedelta(days=(q_end - q_start).days * k // int(self.data["promote_count"])))
        order = sorted(range(len(picks)), key=lambda i: days[i])
        entries: list[SampleEntry] = []
        persons: list[int] = []  # indexes of entries that named a person
        due_left = 5  # open consultations forced to be due today or earlier
        for i in order:
            entry = self._entry(picks[i], days[i], persons, entries)
            if entry.input.status in ("受付", "対応中", "紹介済", "継続"):
                if due_left:
                    entry.input.follow_up_due = max(days[i], self.today - dt.timedelta(days=due_left - 1))
                    due_left -= 1
                else:
                    entry.input.follow_up_due = max(days[i], self.today + dt.timedelta(days=rnd.randint(-6, 14)))
            if entry.input.person_name and entry.attach_to is None:
                persons.append(len(entries))
            entries.append(entry)
        return entries

    def _entry(self, category: str, day: dt.date, persons: list[int], earlier: list[SampleEntry]) -> SampleEntry:
        rnd, template = self.rnd, self.data["categories"][category]
        requester = rnd.choice(template["requesters"])
        citizen = requester in CITIZEN_REQUESTERS
        received = dt.datetime.combine(day, dt.time(rnd.randint(8, 17), rnd.choice((0, 10, 15, 20, 30, 40, 45, 50))))
        if day == self.today:
            received = dt.datetime.combine(day, dt.time(8, 30))
        age = (self.today - day).days
        status = (rnd.choice(("終了", "終了", "終了", "継続")) if age > 45
                  else rnd.choice(("受付", "対応中", "対応中", "紹介済", "継続", "終了")))
        extra = [c for c in rnd.sample(list(self.categories), 1) if c != category and rnd.random() < 0.25]
        data = ConsultationInput(
            window=default_window(requester), received_at=received, channel=rnd.choice(
                ("電話", "電話", "電話", "来所", "FAX", "メール", "訪問")) if not citizen else rnd.choice(
                ("電話", "電話", "来所", "来所", "訪問")),
            requester_type=requester, category_ids=[self.categories[c] for c in [category, *extra]],
            question=rnd.choice(template["questions"]), answer=rnd.choice(template["answers"]),
            minutes_spent=rnd.choice((5, 10, 15, 15, 20, 20, 30, 30, 45, 60)), status=status,
            handled_by=rnd.choice(self.data["staff"]))
        entry = SampleEntry(data)
        if not citizen or requester == "民生委員":
            data.requester_name = self._name()[0]
            kinds = self.data["affiliations"].get(requester, [])
            pool = [r for k in kinds for r in self.by_kind.get(k, [])]
            data.requester_affiliation = self.names[rnd.choice(pool)] if pool else ""
            data.requester_contact = self._phone()
        elif requester == "家族":
            data.requester_name = self._name(self.data["family_given_names"])[0]
            data.requester_contact = self._phone()
        if persons and rnd.random() < 0.15:
            entry.attach_to = rnd.choice(persons[-20:])
        elif citizen or rnd.random() < 0.7:
            name, reading = self._name()
            municipality, district = rnd.choice(self.areas) if self.areas else (None, None)
            data.person_name, data.person_reading = name, reading
            data.person_phone = self._phone() if rnd.random() < 0.5 else ""
            data.age_band, data.care_level = rnd.choice(AGE_BANDS), rnd.choice(CARE_LEVELS)
            data.municipality_id, data.district_id = municipality, district
            self._consent(entry, day)
        self._referrals(entry, template, day, status)
        if data.status == "紹介済" and not entry.referrals:
            data.status = "対応中"
        if status != "受付" and rnd.random() < 0.4:
            at = min(received + dt.timedelta(days=1, hours=1), dt.datetime.combine(self.today, dt.time(8, 45)))
            entry.contacts.append((max(at, received), "折り返し", rnd.choice(self.data["callbacks"])))
        return entry

    def _name(self, given: list | None = None) -> tuple[str, str]:
        surname, s_reading = self.rnd.choice(self.data["surnames"])
        first, f_reading = self.rnd.choice(given or self.data["given_names"])
        return f"{surname} {first}{self.mark}", f"{s_reading} {f_reading}"

    def _phone(self) -> str:
        return f"{self.data['phone_prefix']}{self.rnd.randrange(10000):04d}"

    def _consent(self, entry: SampleEntry, day: dt.date) -> None:
        rnd, spec = self.rnd, self.data["consent"]
        roll = rnd.random()
        if roll >= 0.7:
            return
        granted = roll < 0.6
        consent = {"granted": granted, "recipients": spec["recipients"] if granted else "",
                   "purpose": spec["purpose"], "obtained_on": day, "method": rnd.choice(spec["methods"])}
        if granted and rnd.random() < 0.15 and (self.today - day).days > 20:
            consent["withdrawn_on"] = day + dt.timedelta(days=rnd.randint(10, 20))
        entry.consents.append(consent)

    def _referrals(self, entry: SampleEntry, template: dict, day: dt.date, status: str) -> None:
        rnd = self.rnd
        pool = [r for kind in template["refer_to"] for r in self.by_kind.get(kind, [])]
        if not pool or status == "受付" or rnd.random() < 0.35:
            return
        for resource in rnd.sample(pool, min(len(pool), 1 if rnd.random() < 0.8 else 2)):
            when = min(day + dt.timedelta(days=rnd.randint(0, 3)), self.today)
            outcome = rnd.choice(self.data["referral_outcomes"]) if (self.today - when).days > 14 else ""
            entry.referrals.append((resource, when, rnd.choice(REFERRAL_HOWS[:4]), outcome))
        if entry.input.status in ("受付", "対応中"):
            entry.input.status = "紹介済"
