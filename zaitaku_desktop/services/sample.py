"""The sample region: Kamaishi's 釜石市 and 大槌町 with fictional providers."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path

from sqlmodel import select

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import DomainError, FileFormatError
from zaitaku_desktop.domain.issues import (
    IssueInput, NeedInput, ResponseInput, validate_issue, validate_need, validate_response,
)
from zaitaku_desktop.domain.resource import KeyPerson, ResourceInput, validate_resource
from zaitaku_desktop.domain.dates import parse_date
from zaitaku_desktop.domain.meetings import MeetingInput, RecurrenceRule, Speaker, validate_meeting
from zaitaku_desktop.models import CollabIssue, Venue
from zaitaku_desktop.storage import issue_repo, meeting_repo, meta_repo, resource_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

from .consultations import ConsultationService
from .issues import IssueService
from .meetings import CountEntry, MeetingService
from .questionnaires import QuestionnaireService
from .resources import ResourceService
from .vocab import VocabService

SAMPLE_FILE = "kamaishi_sample.json"
ISSUES_FILE = "kamaishi_issues.json"
ISSUES_LOADED_KEY = "sample_issues_loaded"
MEETINGS_FILE = "kamaishi_meetings.json"
MEETINGS_LOADED_KEY = "sample_meetings_loaded"
SAMPLE_QUESTIONNAIRE_MEETINGS = ("薬剤師会主催多職種連携研修会", "釜石医師会学術講演会", "釜石三師会学術講演会")


@dataclass(frozen=True)
class SampleResult:
    municipalities: int
    districts: int
    resources: int
    issues: int = 0
    needs: int = 0
    meetings: int = 0
    consultations: int = 0


@dataclass(frozen=True)
class SampleIssuesResult:
    issues: int
    responses: int
    needs: int


class SampleService:
    def __init__(self, db: Database, vocab: VocabService, resources: ResourceService,
                 issues: IssueService | None = None, meetings: MeetingService | None = None,
                 consultations: ConsultationService | None = None,
                 questionnaires: QuestionnaireService | None = None) -> None:
        self.db = db
        self.questionnaires = questionnaires
        self.consultations = consultations
        self.meetings = meetings
        self.vocab = vocab
        self.resources = resources
        self.issues = issues

    def is_empty(self) -> bool:
        with self.db.session() as s:
            return resource_repo.count(s, include_archived=True) == 0

    def is_loaded(self) -> bool:
        with self.db.session() as s:
            return meta_repo.get(s, "sample_loaded") == "1"

    def load(self, path: Path | None = None, *, issues_path: Path | None = None,
             meetings_path: Path | None = None) -> SampleResult:
        """Load the sample region (resources, then issues and needs, then meetings) into an empty database,
        in one transaction."""
        source = path or paths.seed_dir() / SAMPLE_FILE
        issue_data = self._read_issues(issues_path) if self.issues is not None else None
        meeting_data = self._read_meetings(meetings_path) if self.meetings is not None else None
        consultation_data = self.consultations.read_sample() if self.consultations is not None else None
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"サンプルデータを読み込めません：{source}") from exc
        if not self.is_empty():
            raise DomainError("サンプル地域は、資源が1件も登録されていないデータベースにだけ読み込めます。\n"
                              "新しいデータベースを指定して（--db）もう一度お試しください。")
        mun_ids: dict[str, str] = {}
        district_ids: dict[tuple[str, str], str] = {}
        n_districts = 0
        # One transaction: a failure half-way leaves the database as it was.
        with self.db.session() as s:
            for mun in data["municipalities"]:
                item = self.vocab.ensure_municipality_in(
                    s, mun["code"], mun["name"], mun.get("reading", ""),
                    [(d["name"], d.get("reading", "")) for d in mun.get("districts", [])],
                )
                mun_ids[mun["code"]] = item.id
                n_districts += len(mun.get("districts", []))
            for d in vocab_repo.list_items(s, "district", include_archived=True):
                district_ids[(d.parent_id or "", d.name)] = d.id
            cats = {c.name: c.id for c in vocab_repo.list_items(s, "category", include_archived=True)}
            caps = {c.name: c.id for c in vocab_repo.list_items(s, "capability", include_archived=True)}
            procs = {p.name: p.id for p in vocab_repo.list_items(s, "procedure", include_archived=True)}
            count = 0
            names = self.resources.vocab_names(s)
            for entry in data["resources"]:
                mun_id = mun_ids[entry["municipality_code"]]
                try:
                    data_in = ResourceInput(
                        name=entry["name"], reading=entry.get("reading", ""), category_id=cats[entry["category"]],
                        municipality_id=mun_id, district_id=district_ids.get((mun_id, entry.get("district", ""))),
                        postal_code=entry.get("postal_code", ""), address=entry.get("address", ""),
                        phone=entry.get("phone", ""), fax=entry.get("fax", ""), email=entry.get("email", ""),
                        url=entry.get("url", ""), lat=entry.get("lat"), lon=entry.get("lon"),
                        opening_hours=entry.get("opening_hours", ""), visit_area=entry.get("visit_area", ""),
                        notes=entry.get("notes", ""), last_confirmed=entry.get("last_confirmed"),
                        confirmed_source=entry.get("confirmed_source", ""),
                        shortstay_vacancies=entry.get("shortstay_vacancies"),
                        shortstay_as_of=entry.get("shortstay_as_of"),
                        capability_ids=[caps[c] for c in entry.get("capabilities", [])],
                        procedure_marks={procs[p]: m for p, m in entry.get("procedures", {}).items()},
                        key_persons=[KeyPerson(k["name"], k.get("role", ""), k.get("phone", ""))
                                     for k in entry.get("key_persons", [])],
                    )
                except KeyError as exc:
                    raise FileFormatError(f"サンプルデータの項目が一覧にありません：{exc}") from exc
                clean, issues = validate_resource(data_in)
                if clean is None:
                    raise FileFormatError(f"サンプルデータに誤りがあります（{entry['name']}）：{issues[0].message}")
                self.resources.save_in_session(s, None, clean, is_sample=True, note="サンプル地域", names=names)
                count += 1
            meta_repo.put(s, "sample_loaded", "1")
            loaded = SampleIssuesResult(0, 0, 0)
            if issue_data is not None:
                loaded = self._load_issues_in(s, issue_data)
            n_meetings = self._load_meetings_in(s, meeting_data) if meeting_data is not None else 0
            n_consultations = 0
            if consultation_data is not None and self.consultations is not None:
                n_consultations = self.consultations.load_sample_in(s, consultation_data)
        return SampleResult(len(mun_ids), n_districts, count, loaded.issues, loaded.needs, n_meetings,
                            n_consultations)

    # --- the sample issue board -------------------------------------------------------
    def issues_loaded(self) -> bool:
        with self.db.session() as s:
            return meta_repo.get(s, ISSUES_LOADED_KEY) == "1"

    def can_load_issues(self) -> bool:
        """True for a database that holds the sample region but no issues yet (made before the issue board)."""
        with self.db.session() as s:
            return (meta_repo.get(s, "sample_loaded") == "1" and meta_repo.get(s, ISSUES_LOADED_KEY) != "1"
                    and issue_repo.count(s, include_archived=True) == 0)

    def load_issues(self, path: Path | None = None) -> SampleIssuesResult:
        """Add the sample issues and needs to a sample database that has none yet, in one transaction."""
        if self.issues is None:
            raise DomainError("課題ボードが使えないため、サンプルの課題を読み込めません。")
        data = self._read_issues(path)
        with self.db.session() as s:
            if meta_repo.get(s, "sample_loaded") != "1":
                raise DomainError("サンプルの課題は、サンプル地域を読み込んだデータベースにだけ追加できます。")
            if meta_repo.get(s, ISSUES_LOADED_KEY) == "1":
                raise DomainError("サンプルの課題はすでに読み込まれています。")
            if issue_repo.count(s, include_archived=True) > 0:
                raise DomainError("サンプルの課題は、課題が1件も登録されていないデータベースにだけ読み込めます。")
            return self._load_issues_in(s, data)

    @staticmethod
    def _read_issues(path: Path | None) -> dict:
        source = path or paths.seed_dir() / ISSUES_FILE
        try:
            return json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"サンプルの課題データを読み込めません：{source}") from exc

    def _load_issues_in(self, s, data: dict) -> SampleIssuesResult:
        """Each issue is created where it was first raised, gets its responses, then moves to where
        it stands now, so the history shows the layer moves with their reasons."""
        assert self.issues is not None
        service = self.issues
        lookup = {kind: {i.name: i.id for i in vocab_repo.list_items(s, kind, include_archived=True)}
                  for kind in ("profession", "theme", "association")}
        municipalities = {}
        for code in {e.get("municipality_code") for e in data.get("issues", []) if e.get("municipality_code")}:
            row = vocab_repo.find_municipality_by_code(s, code)
            if row is not None:
                municipalities[code] = row.id

        def ref(kind: str, name: str | None) -> str | None:
            if not name:
                return None
            try:
                return lookup[kind][name]
            except KeyError as exc:
                raise FileFormatError(f"サンプルの課題データの項目が一覧にありません：{name}") from exc

        n_issues = n_responses = n_needs = 0
        names = service.names_in(s)
        for entry in data.get("issues", []):
            final = IssueInput(
                title=entry["title"], description=entry.get("description", ""), layer=entry.get("layer", "一次"),
                status=entry.get("status", "抽出"), priority=entry.get("priority", "中"),
                source_association_id=ref("association", entry.get("source_association")),
                source_text=entry.get("source_text", ""), raised_on=entry.get("raised_on"),
                municipality_id=municipalities.get(entry.get("municipality_code", "")),
                profession_ids=[ref("profession", p) for p in entry.get("professions", [])],  # type: ignore[misc]
                theme_ids=[ref("theme", t) for t in entry.get("themes", [])],  # type: ignore[misc]
                owner=entry.get("owner", ""), next_action=entry.get("next_action", ""),
                next_due=entry.get("next_due"), fed_back_on=entry.get("fed_back_on"),
                fed_back_how=entry.get("fed_back_how", ""),
            )
            first = replace(final, layer=entry.get("raised_layer", final.layer), status="抽出")
            clean_first, problems = validate_issue(first)
            clean_final, more = validate_issue(final)
            if clean_first is None or clean_final is None:
                message = (problems + more)[0].message
                raise FileFormatError(f"サンプルの課題データに誤りがあります（{entry['title']}）：{message}")
            issue_id = service.save_in_session(s, None, clean_first, is_sample=True, note="サンプル地域", names=names)
            issue = issue_repo.get(s, issue_id)
            assert issue is not None
            for response in entry.get("responses", []):
                clean_response, problems = validate_response(ResponseInput(
                    actor_kind=response.get("actor_kind", "連携拠点"),
                    actor_association_id=ref("association", response.get("actor_association")),
                    actor_text=response.get("actor_text", ""), action=response.get("action", ""),
                    state=response.get("state", "未着手"), result=response.get("result", "")))
                if clean_response is None:
                    raise FileFormatError(f"サンプルの対応策に誤りがあります（{entry['title']}）：{problems[0].message}")
                service.add_response_in_session(s, issue, clean_response, note="サンプル地域", names=names)
                n_responses += 1
            service.save_in_session(s, issue_id, clean_final, reason=entry.get("move_reason", ""), names=names)
            n_issues += 1
        for entry in data.get("needs", []):
            clean_need, problems = validate_need(NeedInput(
                association_id=ref("association", entry.get("association")), text=entry.get("text", ""),
                theme_ids=[ref("theme", t) for t in entry.get("themes", [])]))  # type: ignore[misc]
            if clean_need is None:
                raise FileFormatError(f"サンプルのニーズに誤りがあります：{problems[0].message}")
            service.add_need_in_session(s, clean_need, is_sample=True, note="サンプル地域")
            n_needs += 1
        meta_repo.put(s, ISSUES_LOADED_KEY, "1")
        return SampleIssuesResult(n_issues, n_responses, n_needs)

    # --- the sample meetings ------------------------------------------------------------------
    def meetings_loaded(self) -> bool:
        with self.db.session() as s:
            return meta_repo.get(s, MEETINGS_LOADED_KEY) == "1"

    def can_load_meetings(self) -> bool:
        """True for a database that holds the sample region but no meetings yet (made before the scheduler)."""
        with self.db.session() as s:
            return (meta_repo.get(s, "sample_loaded") == "1" and meta_repo.get(s, MEETINGS_LOADED_KEY) != "1"
                    and meeting_repo.count(s) == 0)

    def load_meetings(self, path: Path | None = None) -> int:
        """Add the sample meetings to a sample database that has none yet, in one transaction."""
        if self.meetings is None:
            raise DomainError("会議・研修の機能が使えないため、サンプルの会議を読み込めません。")
        data = self._read_meetings(path)
        with self.db.session() as s:
            if meta_repo.get(s, "sample_loaded") != "1":
                raise DomainError("サンプルの会議は、サンプル地域を読み込んだデータベースにだけ追加できます。")
            if meta_repo.get(s, MEETINGS_LOADED_KEY) == "1":
                raise DomainError("サンプルの会議はすでに読み込まれています。")
            if meeting_repo.count(s) > 0:
                raise DomainError("サンプルの会議は、会議が1件も登録されていないデータベースにだけ読み込めます。")
            return self._load_meetings_in(s, data)

    @staticmethod
    def _read_meetings(path: Path | None) -> dict:
        source = path or paths.seed_dir() / MEETINGS_FILE
        try:
            return json.loads(source.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise FileFormatError(f"サンプルの会議データを読み込めません：{source}") from exc

    def _load_meetings_in(self, s, data: dict) -> int:
        """Venues, one-off meetings (an entry with "dates" is one meeting per date), weekly series,
        counts-only attendance, and 提起 links to the sample issues raised at a 打ち合わせ会."""
        assert self.meetings is not None
        service = self.meetings
        lookup = {kind: {i.name: i.id for i in vocab_repo.list_items(s, kind, include_archived=True)}
                  for kind in ("profession", "association")}
        lookup["type"] = {t.name: t.id for t in meeting_repo.types(s, include_archived=True)}
        venues = {v.name: v.id for v in meeting_repo.venues(s, include_archived=True)}
        for entry in data.get("venues", []):
            if entry["name"] not in venues:
                row = Venue(name=entry["name"], reading=entry.get("reading", ""), address=entry.get("address", ""),
                            capacity=entry.get("capacity"), is_sample=True)
                s.add(row)
                s.flush()
                venues[row.name] = row.id
        lookup["venue"] = venues
        # Issues by (source association, raised on) for the 提起 links.
        raised: dict[tuple[str | None, str], list[str]] = {}
        for issue in s.exec(select(CollabIssue)).all():
            if issue.raised_on is not None:
                raised.setdefault((issue.source_association_id, issue.raised_on.isoformat()), []).append(issue.id)

        def ref(kind: str, name: str | None) -> str | None:
            if not name:
                return None
            try:
                return lookup[kind][name]
            except KeyError as exc:
                raise FileFormatError(f"サンプルの会議データの項目が一覧にありません：{name}") from exc

        def clean_of(entry: dict, day: str):
            mun = vocab_repo.find_municipality_by_code(s, entry["municipality_code"]) \
                if entry.get("municipality_code") else None
            clean, problems = validate_meeting(MeetingInput(
                title=entry["title"], type_id=ref("type", entry.get("type")), date=day,
                start_time=entry.get("start_time"), end_time=entry.get("end_time"),
                venue_id=ref("venue", entry.get("venue")), organiser_kind=entry.get("organiser_kind", "連携拠点"),
                organiser_association_id=ref("association", entry.get("organiser_association")),
                organiser_text=entry.get("organiser_text", ""),
                co_organiser_ids=[ref("association", a) for a in entry.get("co_organisers", [])],  # type: ignore[misc]
                profession_ids=[ref("profession", p) for p in entry.get("professions", [])],  # type: ignore[misc]
                speakers=[Speaker(x["name"], x.get("affiliation", ""), x.get("talk_title", ""))
                          for x in entry.get("speakers", [])],
                capacity=entry.get("capacity"), agenda=entry.get("agenda", ""), status=entry.get("status", "計画中"),
                notes=entry.get("notes", ""), municipality_id=mun.id if mun else None))
            if clean is None:
                raise FileFormatError(f"サンプルの会議データに誤りがあります（{entry['title']}）：{problems[0].message}")
            return clean

        def after_save(entry: dict, meeting_id: str, clean) -> None:
            counts = [CountEntry(lookup["profession"].get(name), n, "" if name in lookup["profession"] else name)
                      for name, n in entry.get("counts", {}).items()]
            if counts:
                service.set_counts_in_session(s, meeting_id, counts)
            if entry.get("link_raised_issues"):
                day = clean.date.isoformat()
                for aid in (clean.organiser_association_id, *clean.co_organiser_ids):
                    for issue_id in raised.get((aid, day), []):
                        service.link_issue_in_session(s, meeting_id, issue_id, "提起")

        n = 0
        ids: dict[str, str] = {}  # "title" and "title@YYYY-MM-DD" → meeting id, for the participants and sheets
        for entry in data.get("meetings", []):
            for day in entry.get("dates") or [entry["date"]]:
                clean = clean_of(entry, day)
                meeting_id = service.save_in_session(s, None, clean, is_sample=True, note="サンプル地域")
                after_save(entry, meeting_id, clean)
                ids.setdefault(clean.title, meeting_id)
                ids[f"{clean.title}@{clean.date.isoformat()}"] = meeting_id
                n += 1
        for entry in data.get("series", []):
            clean = clean_of(entry, entry["date"])
            rule = entry["rule"]
            recurrence = RecurrenceRule(rule["freq"], interval=rule.get("interval", 1),
                                        weekdays=tuple(rule.get("weekdays", ())), month_day=rule.get("month_day"),
                                        month_week=rule.get("month_week"), month_weekday=rule.get("month_weekday"),
                                        until=parse_date(rule.get("until")), count=rule.get("count"))
            for meeting_id in service.create_series_in_session(s, clean, recurrence, is_sample=True):
                after_save(entry, meeting_id, clean)
                n += 1
        service.add_sample_participants(s, ids)
        if self.questionnaires is not None:  # the three lectures share a questionnaire: 前後比較 has data
            self.questionnaires.add_sample(s, {t: ids[t] for t in SAMPLE_QUESTIONNAIRE_MEETINGS if t in ids})
        meta_repo.put(s, MEETINGS_LOADED_KEY, "1")
        return n
