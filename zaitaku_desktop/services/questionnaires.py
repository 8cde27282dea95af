"""Questionnaires handed out at meetings: templates, keyed sheets and tallies.

Every public method owns one session and returns the plain read shapes below. Templates and items
are archived, never deleted; a returned sheet keyed by mistake can be deleted (it holds no names).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlmodel import Session, col, select

from zaitaku_desktop.domain.errors import FieldIssue, NotFoundError, ValidationError
from zaitaku_desktop.domain.meetings import OTHERS_LABEL
from zaitaku_desktop.domain.questionnaires import (
    Answer, ItemSpec, PointTally, difference, labels, response_rate, tally, validate_answers, validate_template,
)
from zaitaku_desktop.models import (
    MeetingQuestionnaire, QuestionnaireAnswer, QuestionnaireItem, QuestionnaireResponse, QuestionnaireTemplate,
    utcnow,
)
from zaitaku_desktop.storage import history_repo, meeting_repo, vocab_repo
from zaitaku_desktop.storage.database import Database

from .meetings import NOT_FOUND as MEETING_NOT_FOUND, MeetingRow

ENTITY = "questionnaire_template"
RESPONSE_ENTITY = "questionnaire_response"
TEMPLATE_NOT_FOUND = "このアンケートは見つかりません。ほかの操作で変更された可能性があります。"
RESPONSE_NOT_FOUND = "この回答用紙は見つかりません。ほかの操作で削除された可能性があります。"
NOT_ASSIGNED = "この会議・研修にはアンケートがまだ設定されていません。先にアンケートを選んでください。"

TRAINING = "研修会アンケート"
LECTURE = "市民公開講座アンケート"
DEFAULT_TEMPLATES: dict[str, tuple[ItemSpec, ...]] = {
    TRAINING: (
        ItemSpec("scale4", "研修は役に立った"),
        ItemSpec("scale4", "多職種の役割について理解が深まった"),
        ItemSpec("scale4", "今後の業務に活かせる"),
        ItemSpec("yesno", "顔の見える関係づくりに役立った"),
        ItemSpec("text", "感想・今後取り上げてほしいテーマ"),
    ),
    LECTURE: (
        ItemSpec("scale5", "在宅医療・介護について関心を持った"),
        ItemSpec("scale5", "講座の内容を家族に紹介したい"),
        ItemSpec("yesno", "人生会議（ACP）について家族と話してみたい"),
        ItemSpec("text", "感想"),
    ),
    "多職種連携会議アンケート": (
        ItemSpec("scale4", "会議は役に立った"),
        ItemSpec("scale4", "他の職種の考えや悩みがわかった"),
        ItemSpec("yesno", "会議で知り合った人に連絡を取りやすくなった"),
        ItemSpec("text", "意見・要望"),
    ),
}


# --- read shapes --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ItemRead:
    id: str
    kind: str
    text: str
    choices: str  # stored labels ("" = default)
    labels: tuple[str, ...]
    answered: int  # sheets holding an answer to this item


@dataclass(frozen=True)
class TemplateRead:
    id: str
    name: str
    notes: str
    archived: bool
    is_sample: bool
    items: tuple[ItemRead, ...]


@dataclass(frozen=True)
class AssignmentRead:
    meeting_id: str
    template_id: str
    template_name: str
    distributed: int | None  # None = the number who attended


@dataclass(frozen=True)
class SheetInput:
    sheet_no: int
    answers: dict[str, Answer]  # item id → point (1 = best) / text / None
    profession_id: str | None = None
    profession_label: str = ""  # 住民 / その他 when no profession fits


@dataclass(frozen=True)
class ResponseRead:
    id: str
    meeting_id: str
    sheet_no: int
    profession_id: str | None
    profession: str  # the profession's name or the label; "" = not given
    profession_label: str
    answers: dict[str, Answer]


@dataclass(frozen=True)
class ItemTally:
    item_id: str
    kind: str
    text: str
    labels: tuple[str, ...]
    overall: PointTally
    by_profession: tuple[tuple[str, PointTally], ...]  # (profession name, tally), in vocabulary order
    texts: tuple[str, ...]  # free-text answers


@dataclass(frozen=True)
class MeetingTally:
    meeting_id: str
    title: str
    date: dt.date
    template_id: str
    template_name: str
    returned: int
    distributed: int | None  # as entered; None = attended is used
    attended: int
    items: tuple[ItemTally, ...]

    @property
    def base(self) -> int | None:
        """The sheets handed out: the number entered, else the number who attended."""
        return self.distributed if self.distributed is not None else (self.attended or None)

    @property
    def rate(self) -> float | None:
        return response_rate(self.returned, self.base)


@dataclass(frozen=True)
class CompareRow:
    item_id: str
    kind: str
    text: str
    before: float | None
    after: float | None
    before_n: int
    after_n: int

    @property
    def diff(self) -> float | None:
        return difference(self.before, self.after)


@dataclass(frozen=True)
class Comparison:
    before: MeetingTally
    after: MeetingTally
    rows: tuple[CompareRow, ...]


@dataclass(frozen=True)
class MeetingChoice:
    id: str
    title: str
    date: dt.date
    returned: int


class QuestionnaireService:
    def __init__(self, db: Database, *, user: str = "") -> None:
        self.db = db
        self.user = user

    # --- templates -----------------------------------------------------------------------------
    def ensure_default_templates(self) -> list[TemplateRead]:
        """Add the standard templates that are missing (by name); returns every active template."""
        with self.db.session() as s:
            self._ensure_defaults(s)
            return self._templates(s, include_archived=False)

    def list_templates(self, *, include_archived: bool = False) -> list[TemplateRead]:
        with self.db.session() as s:
            return self._templates(s, include_archived=include_archived)

    def get_template(self, template_id: str) -> TemplateRead:
        with self.db.session() as s:
            return self._template_read(s, self._template(s, template_id))

    def add_template(self, name: str, items: list[ItemSpec], *, notes: str = "", is_sample: bool = False) -> TemplateRead:
        with self.db.session() as s:
            return self._template_read(s, self._add_template(s, name, items, notes=notes, is_sample=is_sample))

    def update_template(self, template_id: str, name: str, items: list[ItemSpec], *, notes: str = "") -> TemplateRead:
        """Save the name and the items in the given order. Items with an id are edited, without one added;
        items left out are archived. An item that already has answers keeps its kind."""
        with self.db.session() as s:
            row = self._template(s, template_id)
            clean_name, clean, problems = validate_template(name, items)
            self._check_name(s, clean_name, template_id, problems)
            old = {i.id: i for i in self._items(s, template_id)}
            answered = self._answered(s, list(old))
            for no, item in enumerate(clean, start=1):
                before = old.get(item.id or "")
                if item.id and before is None:
                    problems.append(FieldIssue(f"item{no}", f"設問{no}：この設問は見つかりません"))
                elif before is not None and before.kind != item.kind and answered.get(before.id):
                    problems.append(FieldIssue(
                        f"item{no}", f"設問{no}「{before.text}」はすでに回答が入力されているため、種類を変更できません。"
                                     "別の設問として追加してください"))
            if problems:
                raise ValidationError(issues=problems)
            history_repo.apply_changes(s, row, {"name": clean_name, "notes": notes or ""}, entity=ENTITY, user=self.user)
            keep = set()
            for order, item in enumerate(clean, start=1):
                target = old.get(item.id or "") or QuestionnaireItem(template_id=template_id, text=item.text)
                target.kind, target.text, target.choices, target.sort_order = item.kind, item.text, item.choices, order
                s.add(target)
                keep.add(target.id)
            for gone in old.values():
                if gone.id not in keep:
                    gone.archived_at = utcnow()
                    s.add(gone)
            row.updated_at = utcnow()
            s.add(row)
            s.flush()
            history_repo.record(s, entity=ENTITY, entity_id=template_id, action="update", user=self.user,
                                changes={"items": [[i.text for i in old.values()], [i.text for i in clean]]})
            return self._template_read(s, row)

    def set_template_archived(self, template_id: str, archived: bool = True) -> TemplateRead:
        with self.db.session() as s:
            row = self._template(s, template_id)
            history_repo.set_archived(s, row, archived, entity=ENTITY, user=self.user)
            return self._template_read(s, row)

    # --- meetings ------------------------------------------------------------------------------
    def assign(self, meeting_id: str, template_id: str, distributed: int | None = None) -> AssignmentRead:
        """Say which questionnaire a meeting handed out and how many sheets (None = as many as attended)."""
        with self.db.session() as s:
            return self._assign(s, meeting_id, template_id, distributed)

    def assignment(self, meeting_id: str) -> AssignmentRead | None:
        with self.db.session() as s:
            link = s.get(MeetingQuestionnaire, meeting_id)
            if link is None:
                return None
            template = s.get(QuestionnaireTemplate, link.template_id)
            return AssignmentRead(meeting_id, link.template_id, template.name if template else "", link.distributed)

    def comparable_meetings(self, meeting_id: str) -> list[MeetingChoice]:
        """Other meetings that handed out the same questionnaire, oldest first (for 前後比較)."""
        with self.db.session() as s:
            link = s.get(MeetingQuestionnaire, meeting_id)
            if link is None:
                return []
            others = [m.meeting_id for m in s.exec(select(MeetingQuestionnaire).where(
                MeetingQuestionnaire.template_id == link.template_id, MeetingQuestionnaire.meeting_id != meeting_id))]
            rows = meeting_repo.load_rows(s, MeetingRow, ids=others) if others else []
            return [MeetingChoice(r.id, r.title, r.date, len(self._responses(s, r.id))) for r in rows]

    # --- returned sheets -----------------------------------------------------------------------
    def list_responses(self, meeting_id: str) -> list[ResponseRead]:
        with self.db.session() as s:
            profs = self._profession_names(s)
            return [self._response_read(s, r, profs) for r in self._responses(s, meeting_id)]

    def next_sheet_no(self, meeting_id: str) -> int:
        with self.db.session() as s:
            return max((r.sheet_no for r in self._responses(s, meeting_id)), default=0) + 1

    def add_response(self, meeting_id: str, sheet: SheetInput) -> ResponseRead:
        """Save one returned sheet with all its answers (one transaction)."""
        with self.db.session() as s:
            return self._save_response(s, meeting_id, None, sheet)

    def update_response(self, response_id: str, sheet: SheetInput) -> ResponseRead:
        with self.db.session() as s:
            row = s.get(QuestionnaireResponse, response_id)
            if row is None:
                raise NotFoundError(RESPONSE_NOT_FOUND)
            return self._save_response(s, row.meeting_id, row, sheet)

    def delete_response(self, response_id: str) -> None:
        with self.db.session() as s:
            row = s.get(QuestionnaireResponse, response_id)
            if row is None:
                raise NotFoundError(RESPONSE_NOT_FOUND)
            for answer in s.exec(select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == response_id)):
                s.delete(answer)
            s.flush()
            s.delete(row)
            history_repo.record(s, entity=RESPONSE_ENTITY, entity_id=response_id, action="delete", user=self.user,
                                changes={"sheet_no": [row.sheet_no, None]}, note=f"meeting {row.meeting_id}")

    # --- tallies -------------------------------------------------------------------------------
    def tally(self, meeting_id: str) -> MeetingTally:
        with self.db.session() as s:
            return self._tally(s, meeting_id)

    def compare(self, before_id: str, after_id: str) -> Comparison:
        """The positive shares of two meetings that handed out the same questionnaire, item by item."""
        with self.db.session() as s:
            before, after = self._tally(s, before_id), self._tally(s, after_id)
        if before.template_id != after.template_id:
            raise ValidationError(issues=[FieldIssue(
                "template", f"「{before.template_name}」と「{after.template_name}」は別のアンケートのため比べられません。"
                            "同じアンケートを配った会議・研修を選んでください")])
        after_items = {i.item_id: i for i in after.items}
        rows = tuple(CompareRow(i.item_id, i.kind, i.text, i.overall.top_share, after_items[i.item_id].overall.top_share,
                                i.overall.n, after_items[i.item_id].overall.n)
                     for i in before.items if i.kind != "text" and i.item_id in after_items)
        return Comparison(before, after, rows)

    # --- sample data ---------------------------------------------------------------------------
    def add_sample(self, s: Session, meeting_ids_by_title: dict[str, str], *, seed: int = 2015) -> int:
        """Give the sample meetings answered sheets (about 8 in 10 answering the top two points).
        A title with 講座 or 市民 gets the public-lecture questionnaire, the others the training one.
        Called by the sample loader inside its own session; returns the number of sheets added."""
        self._ensure_defaults(s)
        templates = {t.name: t for t in self._templates(s, include_archived=False)}
        profs = [p for p in vocab_repo.list_items(s, "profession")]
        rng = random.Random(seed)
        added = 0
        for title, meeting_id in meeting_ids_by_title.items():
            template = templates[LECTURE if ("講座" in title or "市民" in title) else TRAINING]
            self._assign(s, meeting_id, template.id, None)
            rows = meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id], include_archived=True)
            attended = rows[0].attended if rows and rows[0].attended else 30
            pool = [(c.profession_id, c.label) for c in meeting_repo.counts(s, meeting_id) for _ in range(c.count)]
            if len(set(pool)) < 3:  # counts-only meetings often hold one line: spread over the professions
                pool = [(p.id, "") for p in profs[:8]] or [(None, OTHERS_LABEL)]
            for no in range(1, max(1, round(attended * rng.uniform(0.7, 0.85))) + 1):
                pid, label = rng.choice(pool)
                answers: dict[str, Answer] = {}
                for item in template.items:
                    if item.kind == "text":
                        answers[item.id] = rng.choice(("", "", "", "顔を合わせて話せたのがよかった。",
                                                       "他職種の考えがわかった。", "次回も参加したい。"))
                    elif rng.random() > 0.04:  # a few items are left blank
                        weights = (48, 36, 11, 5) if item.kind == "scale4" else (
                            (44, 38, 11, 4, 3) if item.kind == "scale5" else (82, 18))
                        answers[item.id] = rng.choices(range(1, len(weights) + 1), weights)[0]
                self._save_response(s, meeting_id, None, SheetInput(no, answers, pid, label), record=False)
                added += 1
        return added

    # --- helpers -------------------------------------------------------------------------------
    def _ensure_defaults(self, s: Session) -> None:
        names = {t.name for t in s.exec(select(QuestionnaireTemplate))}
        for name, items in DEFAULT_TEMPLATES.items():
            if name not in names:
                self._add_template(s, name, list(items), notes="標準のアンケート")

    def _add_template(self, s: Session, name: str, items: list[ItemSpec], *, notes: str = "",
                      is_sample: bool = False) -> QuestionnaireTemplate:
        clean_name, clean, problems = validate_template(name, [ItemSpec(i.kind, i.text, i.choices) for i in items])
        self._check_name(s, clean_name, None, problems)
        if problems:
            raise ValidationError(issues=problems)
        row = QuestionnaireTemplate(name=clean_name, notes=notes or "", is_sample=is_sample)
        s.add(row)
        s.flush()
        s.add_all(QuestionnaireItem(template_id=row.id, sort_order=no, kind=i.kind, text=i.text, choices=i.choices)
                  for no, i in enumerate(clean, start=1))
        s.flush()
        history_repo.record(s, entity=ENTITY, entity_id=row.id, action="create", user=self.user,
                            changes={"name": [None, clean_name]})
        return row

    @staticmethod
    def _check_name(s: Session, name: str, template_id: str | None, problems: list[FieldIssue]) -> None:
        if name and any(t.name == name and t.id != template_id for t in s.exec(select(QuestionnaireTemplate))):
            problems.append(FieldIssue("name", f"「{name}」はすでに登録されています"))

    @staticmethod
    def _template(s: Session, template_id: str) -> QuestionnaireTemplate:
        row = s.get(QuestionnaireTemplate, template_id)
        if row is None:
            raise NotFoundError(TEMPLATE_NOT_FOUND)
        return row

    @staticmethod
    def _items(s: Session, template_id: str) -> list[QuestionnaireItem]:
        return list(s.exec(select(QuestionnaireItem).where(
            QuestionnaireItem.template_id == template_id, col(QuestionnaireItem.archived_at).is_(None))
            .order_by(QuestionnaireItem.sort_order)))

    @staticmethod
    def _answered(s: Session, item_ids: list[str]) -> dict[str, int]:
        counts: dict[str, int] = {}
        if item_ids:
            for a in s.exec(select(QuestionnaireAnswer).where(col(QuestionnaireAnswer.item_id).in_(item_ids))):
                if a.value is not None or a.text:
                    counts[a.item_id] = counts.get(a.item_id, 0) + 1
        return counts

    def _templates(self, s: Session, *, include_archived: bool) -> list[TemplateRead]:
        query = select(QuestionnaireTemplate).order_by(QuestionnaireTemplate.created_at, QuestionnaireTemplate.name)
        if not include_archived:
            query = query.where(col(QuestionnaireTemplate.archived_at).is_(None))
        return [self._template_read(s, t) for t in s.exec(query)]

    def _template_read(self, s: Session, row: QuestionnaireTemplate) -> TemplateRead:
        items = self._items(s, row.id)
        answered = self._answered(s, [i.id for i in items])
        return TemplateRead(row.id, row.name, row.notes, row.archived_at is not None, row.is_sample, tuple(
            ItemRead(i.id, i.kind, i.text, i.choices, labels(i.kind, i.choices), answered.get(i.id, 0)) for i in items))

    def _meeting_row(self, s: Session, meeting_id: str) -> MeetingRow:
        rows = meeting_repo.load_rows(s, MeetingRow, ids=[meeting_id], include_archived=True)
        if not rows:
            raise NotFoundError(MEETING_NOT_FOUND)
        return rows[0]

    def _assign(self, s: Session, meeting_id: str, template_id: str, distributed: int | None) -> AssignmentRead:
        self._meeting_row(s, meeting_id)
        template = self._template(s, template_id)
        if distributed is not None and (isinstance(distributed, bool) or not 0 < distributed <= 100_000):
            raise ValidationError(issues=[FieldIssue("distributed", "配布数は1以上の整数で入力してください（空欄なら出席者数）")])
        link = s.get(MeetingQuestionnaire, meeting_id)
        if link is not None and link.template_id != template_id and self._responses(s, meeting_id):
            raise ValidationError(issues=[FieldIssue(
                "template", "回答用紙がすでに入力されているため、アンケートの種類は変更できません。"
                            "配布数だけ変えるか、入力済みの用紙を削除してから選び直してください")])
        link = link or MeetingQuestionnaire(meeting_id=meeting_id, template_id=template_id)
        link.template_id, link.distributed = template_id, distributed
        s.add(link)
        s.flush()
        return AssignmentRead(meeting_id, template_id, template.name, distributed)

    @staticmethod
    def _responses(s: Session, meeting_id: str) -> list[QuestionnaireResponse]:
        return list(s.exec(select(QuestionnaireResponse).where(QuestionnaireResponse.meeting_id == meeting_id)
                           .order_by(QuestionnaireResponse.sheet_no)))

    @staticmethod
    def _profession_names(s: Session) -> dict[str, str]:
        return {p.id: p.name for p in vocab_repo.list_items(s, "profession", include_archived=True)}

    def _save_response(self, s: Session, meeting_id: str, row: QuestionnaireResponse | None, sheet: SheetInput, *,
                       record: bool = True) -> ResponseRead:
        link = s.get(MeetingQuestionnaire, meeting_id)
        if link is None:
            raise ValidationError(issues=[FieldIssue("template", NOT_ASSIGNED)])
        items = self._items(s, link.template_id)
        specs = [ItemSpec(i.kind, i.text, i.choices, i.id) for i in items]
        answers, problems = validate_answers(specs, sheet.answers)
        profs = self._profession_names(s)
        if not isinstance(sheet.sheet_no, int) or isinstance(sheet.sheet_no, bool) or sheet.sheet_no < 1:
            problems.append(FieldIssue("sheet_no", "用紙番号は1以上の整数で入力してください"))
        elif any(r.sheet_no == sheet.sheet_no and (row is None or r.id != row.id) for r in self._responses(s, meeting_id)):
            problems.append(FieldIssue("sheet_no", f"用紙番号 {sheet.sheet_no} はすでに入力されています"))
        if sheet.profession_id and sheet.profession_id not in profs:
            problems.append(FieldIssue("profession_id", "職種が一覧にありません"))
        if problems:
            raise ValidationError(issues=problems)
        action = "update" if row is not None else "create"
        row = row or QuestionnaireResponse(meeting_id=meeting_id)
        row.sheet_no, row.profession_id = sheet.sheet_no, sheet.profession_id or None
        row.profession_label = "" if sheet.profession_id else (sheet.profession_label or "").strip()
        row.updated_at = utcnow()
        s.add(row)
        s.flush()
        existing = {a.item_id: a for a in s.exec(select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == row.id))}
        for item in items:
            value = answers.get(item.id)
            answer = existing.pop(item.id, None) or QuestionnaireAnswer(response_id=row.id, item_id=item.id)
            answer.value, answer.text = (None, str(value or "")) if item.kind == "text" else (value, "")  # type: ignore[assignment]
            s.add(answer)
        for stale in existing.values():
            s.delete(stale)
        s.flush()
        if record:
            history_repo.record(s, entity=RESPONSE_ENTITY, entity_id=row.id, action=action, user=self.user,
                                changes={"sheet_no": [None, row.sheet_no]}, note=f"meeting {meeting_id}")
        return self._response_read(s, row, profs)

    @staticmethod
    def _response_read(s: Session, r: QuestionnaireResponse, profs: dict[str, str]) -> ResponseRead:
        answers: dict[str, Answer] = {}
        for a in s.exec(select(QuestionnaireAnswer).where(QuestionnaireAnswer.response_id == r.id)):
            answers[a.item_id] = a.text if a.value is None and a.text else a.value
        name = profs.get(r.profession_id, "") if r.profession_id else r.profession_label
        return ResponseRead(r.id, r.meeting_id, r.sheet_no, r.profession_id, name, r.profession_label, answers)

    def _tally(self, s: Session, meeting_id: str) -> MeetingTally:
        meeting = self._meeting_row(s, meeting_id)
        link = s.get(MeetingQuestionnaire, meeting_id)
        if link is None:
            raise ValidationError(issues=[FieldIssue("template", NOT_ASSIGNED)])
        template = self._template(s, link.template_id)
        profs = self._profession_names(s)
        order = {pid: i for i, pid in enumerate(profs)}
        sheets = [self._response_read(s, r, profs) for r in self._responses(s, meeting_id)]
        groups: dict[str, list[ResponseRead]] = {}
        for sheet in sorted(sheets, key=lambda r: (r.profession_id is None, order.get(r.profession_id or "", 0),
                                                    r.profession)):
            groups.setdefault(sheet.profession or "未記入", []).append(sheet)
        out = []
        for item in self._items(s, template.id):
            def values(group: list[ResponseRead]) -> list[int | None]:
                return [v if isinstance(v, int) else None for v in (r.answers.get(item.id) for r in group)]
            texts = tuple(str(r.answers[item.id]) for r in sheets if isinstance(r.answers.get(item.id), str)
                          and r.answers[item.id]) if item.kind == "text" else ()
            out.append(ItemTally(item.id, item.kind, item.text, labels(item.kind, item.choices),
                                 tally(item.kind, values(sheets)),
                                 tuple((name, tally(item.kind, values(group))) for name, group in groups.items()),
                                 texts))
        return MeetingTally(meeting_id, meeting.title, meeting.date, template.id, template.name, len(sheets),
                            link.distributed, meeting.attended, tuple(out))
