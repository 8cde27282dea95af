"""The annual report (事業実績報告) of a fiscal year: per task ア〜ク the counts (◎実績), the outcomes (◎成果) and
what remains (◎課題), from SQL aggregates (GROUP BY) over the records, plus the coordinator's saved notes.

Every figure comes from one of the statements below, run in one read session; Python only arranges the
grouped rows (a few per meeting type, profession or layer), never loops over the records themselves.
The consultation figures are the consultation desk's own statistics (``ConsultationService.stats``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from zaitaku_desktop import paths
from zaitaku_desktop.domain.annual_report import (
    SECTIONS, AnnualReport, Figure, Part, Table, TaskSection, check_note, fiscal_year_range, share_percent,
    with_total,
)
from zaitaku_desktop.domain.consultations import to_utc
from zaitaku_desktop.domain.issues import LAYER_KEYS
from zaitaku_desktop.domain.meetings import CITIZENS_LABEL, OTHERS_LABEL, TASK_LETTERS
from zaitaku_desktop.domain.vocab import TASKS
from zaitaku_desktop.exports.annual_report_xlsx import write_annual_report_xlsx
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.models import utcnow
from zaitaku_desktop.reports.annual_report import write_annual_report
from zaitaku_desktop.storage.database import Database

MEETING_TASKS = "イウカキ"
SHARED_THEMES = ("情報共有", "ICT")  # task エ: the issues about sharing information
SYSTEM_CAPABILITIES = ("24時間対応", "在宅療養支援診療所", "在宅療養支援病院", "在宅看取り", "後方支援病床",
                       "レスパイト入院")  # task ウ: what 24h/365d coverage rests on
NO_TYPE = "（種類なし）"
NO_PROFESSION = "（職種の指定なし）"
OPEN_CONSULTATION = ("受付", "対応中", "継続")

# --- the SQL aggregates (named parameters: d0/d1 dates, t0/t1 UTC stamps, stale date) ----------------------
# Written once for SQLite and PostgreSQL: a condition is counted as sum(CASE WHEN … THEN 1 ELSE 0 END) (PostgreSQL
# has no sum of booleans); the two spots that differ (a date from a timestamp, a value inside the JSON of the
# change log) are the {raised_on} / {json} placeholders filled per dialect by aggregate_sql().
def flag(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


LISTED = "r.created_at < :t1 AND (r.archived_at IS NULL OR r.archived_at >= :t1)"
HELD = "m.archived_at IS NULL AND m.status NOT IN ('中止', '延期') AND m.date BETWEEN :d0 AND :d1"
RAISED_ON = "{raised_on}"
RESOLVED_IDS = ("SELECT l.entity_id FROM change_log l WHERE l.entity = 'collab_issue' AND l.changed_at >= :t0 "
                "AND l.changed_at < :t1 AND {json_status_new} = '解決'")
OPEN_ISSUE = f"i.archived_at IS NULL AND i.status NOT IN ('解決', '取り下げ') AND {RAISED_ON} <= :d1"
POSITIVE_ANSWER = "(i.kind = 'yesno' AND a.value = 1) OR (i.kind != 'yesno' AND a.value <= 2)"
CONSULTED = "c.archived_at IS NULL AND c.received_at >= :t0 AND c.received_at < :t1"

SQL: dict[str, str] = {
    "resources": (
        f"SELECT c.name, sum({flag(LISTED)}), sum({flag('r.created_at >= :t0 AND r.created_at < :t1')}), "
        f"sum({flag('r.last_confirmed BETWEEN :d0 AND :d1')}), "
        f"sum({flag(LISTED + ' AND (r.last_confirmed IS NULL OR r.last_confirmed < :stale)')}) "
        "FROM resource r JOIN resource_category c ON c.id = r.category_id "
        "GROUP BY r.category_id, c.name ORDER BY min(c.sort_order), min(c.reading), c.name"),
    "capabilities": (
        "SELECT k.name, count(DISTINCT r.id) FROM resource_capability x JOIN capability k ON k.id = x.capability_id "
        f"JOIN resource r ON r.id = x.resource_id WHERE {LISTED} AND k.name IN "
        f"({', '.join(repr(n) for n in SYSTEM_CAPABILITIES)}) GROUP BY k.id"),
    "types": "SELECT id, name, layer, tasks FROM meeting_type ORDER BY sort_order, reading",
    "professions": "SELECT id, name FROM profession ORDER BY sort_order, reading",
    "meetings": f"SELECT m.type_id, count(*) FROM meeting m WHERE {HELD} GROUP BY m.type_id",
    "attendance": (
        "SELECT m.type_id, p.profession_id, '', count(*) FROM attendance x JOIN meeting m ON m.id = x.meeting_id "
        f"JOIN person p ON p.id = x.person_id WHERE x.status = '出席' AND {HELD} GROUP BY m.type_id, p.profession_id "
        "UNION ALL SELECT m.type_id, c.profession_id, c.label, sum(c.count) FROM attendance_count c "
        f"JOIN meeting m ON m.id = c.meeting_id WHERE {HELD} GROUP BY m.type_id, c.profession_id, c.label"),
    "answers": (
        "SELECT m.type_id, i.text, count(*), "
        f"sum({flag(POSITIVE_ANSWER)}) "
        "FROM questionnaire_answer a JOIN questionnaire_item i ON i.id = a.item_id "
        "JOIN questionnaire_response q ON q.id = a.response_id JOIN meeting m ON m.id = q.meeting_id "
        f"WHERE {HELD} AND i.kind != 'text' AND a.value IS NOT NULL GROUP BY m.type_id, i.text "
        "ORDER BY min(i.sort_order), i.text"),
    "sheets": ("SELECT m.type_id, count(*) FROM questionnaire_response q JOIN meeting m ON m.id = q.meeting_id "
               f"WHERE {HELD} GROUP BY m.type_id"),
    "raised": f"SELECT i.layer, count(*) FROM collab_issue i WHERE i.archived_at IS NULL AND {RAISED_ON} "
              "BETWEEN :d0 AND :d1 GROUP BY i.layer",
    "moved": ("SELECT {json_layer_new}, count(DISTINCT l.entity_id) FROM change_log l "
              "WHERE l.entity = 'collab_issue' AND l.changed_at >= :t0 AND l.changed_at < :t1 "
              "AND {json_layer_old} IS NOT NULL GROUP BY 1"),
    "resolved": (f"SELECT i.layer, count(*) FROM collab_issue i WHERE i.archived_at IS NULL AND i.id IN ({RESOLVED_IDS}) "
                 "GROUP BY i.layer"),
    "responses": ("SELECT count(*) FROM issue_response r JOIN collab_issue i ON i.id = r.issue_id "
                  "WHERE r.archived_at IS NULL AND i.archived_at IS NULL AND r.created_at >= :t0 AND r.created_at < :t1"),
    "resolved_list": (
        "SELECT i.id, i.title, i.layer, coalesce(nullif(a.name, ''), nullif(r.actor_text, ''), r.actor_kind, ''), "
        "coalesce(r.action, ''), coalesce(r.result, '') FROM collab_issue i "
        "LEFT JOIN issue_response r ON r.issue_id = i.id AND r.archived_at IS NULL AND r.state != '中止' "
        "LEFT JOIN association a ON a.id = r.actor_association_id "
        f"WHERE i.archived_at IS NULL AND i.id IN ({RESOLVED_IDS}) ORDER BY {RAISED_ON}, i.title, r.sort_order"),
    "open_by_profession": (
        "SELECT p.name, i.layer, count(*) FROM collab_issue i "
        "LEFT JOIN collab_issue_profession x ON x.issue_id = i.id LEFT JOIN profession p ON p.id = x.profession_id "
        f"WHERE {OPEN_ISSUE} GROUP BY p.id, i.layer ORDER BY p.id IS NULL, min(p.sort_order), min(p.reading)"),
    "open": f"SELECT i.layer, count(*) FROM collab_issue i WHERE {OPEN_ISSUE} GROUP BY i.layer",
    "themes": (
        f"SELECT t.name, sum({flag(RAISED_ON + ' BETWEEN :d0 AND :d1')}), sum({flag(f'i.id IN ({RESOLVED_IDS})')}), "
        f"sum({flag(OPEN_ISSUE)}) FROM collab_issue_theme x JOIN theme t ON t.id = x.theme_id "
        "JOIN collab_issue i ON i.id = x.issue_id WHERE i.archived_at IS NULL AND t.name IN "
        f"({', '.join(repr(n) for n in SHARED_THEMES)}) GROUP BY t.id ORDER BY t.sort_order"),
    "consultation_facts": (
        "SELECT (SELECT count(DISTINCT f.consultation_id) FROM consultation_referral f "
        f"JOIN consultation c ON c.id = f.consultation_id WHERE {CONSULTED} AND f.archived_at IS NULL), "
        f"(SELECT count(*) FROM consultation c WHERE {CONSULTED} AND c.status IN "
        f"({', '.join(repr(s) for s in OPEN_CONSULTATION)})), "
        "(SELECT count(DISTINCT x.issue_id) FROM issue_consultation x JOIN consultation c "
        f"ON c.id = x.consultation_id WHERE {CONSULTED})"),
    "municipalities": (
        "SELECT 'resource', r.municipality_id, count(*) FROM resource r "
        f"WHERE {LISTED} GROUP BY r.municipality_id "
        f"UNION ALL SELECT 'meeting', m.municipality_id, count(*) FROM meeting m WHERE {HELD} GROUP BY m.municipality_id "
        "UNION ALL SELECT 'consultation', k.municipality_id, count(*) FROM consultation c "
        f"JOIN consultation_case k ON k.id = c.case_id WHERE {CONSULTED} GROUP BY k.municipality_id "
        "UNION ALL SELECT 'issue', i.municipality_id, count(*) FROM collab_issue i "
        f"WHERE i.archived_at IS NULL AND {RAISED_ON} BETWEEN :d0 AND :d1 GROUP BY i.municipality_id"),
    "municipality_names": "SELECT id, name FROM municipality WHERE archived_at IS NULL ORDER BY sort_order, reading",
    "notes": "SELECT task, section, text FROM report_note WHERE fiscal_year = :year",
}


DIALECT_PARTS = {
    "sqlite": {"raised_on": "coalesce(i.raised_on, substr(i.created_at, 1, 10))",
               "json_status_new": "json_extract(l.changes, '$.status[1]')",
               "json_layer_new": "json_extract(l.changes, '$.layer[1]')",
               "json_layer_old": "json_extract(l.changes, '$.layer[0]')"},
    "postgresql": {"raised_on": "coalesce(i.raised_on, CAST(i.created_at AS DATE))",
                   "json_status_new": "(CAST(l.changes AS json) -> 'status' ->> 1)",
                   "json_layer_new": "(CAST(l.changes AS json) -> 'layer' ->> 1)",
                   "json_layer_old": "(CAST(l.changes AS json) -> 'layer' ->> 0)"},
}
_NAMED = re.compile(r"(?<!:):([a-z]\w*)")


def aggregate_sql(dialect: str = "sqlite") -> dict[str, str]:
    """:data:`SQL` for the DB-API cursor of ``dialect`` (PostgreSQL: psycopg's %(name)s parameters)."""
    parts = DIALECT_PARTS[dialect]
    out = {name: sql.format_map(parts) for name, sql in SQL.items()}
    if dialect == "postgresql":
        out = {name: _NAMED.sub(r"%(\1)s", sql.replace("%", "%%")) for name, sql in out.items()}
    return out


def _stamp(day: dt.date) -> str:
    """The UTC text SQLite holds for the start of ``day`` in Japan."""
    return to_utc(dt.datetime.combine(day, dt.time())).strftime("%Y-%m-%d %H:%M:%S")


def query_params(fiscal_year: int) -> dict[str, Any]:
    start, end = fiscal_year_range(fiscal_year)
    return {"d0": start.isoformat(), "d1": end.isoformat(), "t0": _stamp(start),
            "t1": _stamp(end + dt.timedelta(days=1)), "stale": (end - dt.timedelta(days=365)).isoformat(),
            "year": fiscal_year}


def run_aggregates(cursor, params: dict[str, Any], dialect: str = "sqlite") -> dict[str, list[tuple]]:
    """Every statement of :data:`SQL` on a DB-API cursor (the benchmark runs this bare)."""
    results = {}
    for name, sql in aggregate_sql(dialect).items():
        cursor.execute(sql, params)
        results[name] = cursor.fetchall()
    return results


class AnnualReportService:
    def __init__(self, db: Database, consultations, *, user: str = "") -> None:
        self.db = db
        self.consultations = consultations
        self.user = user

    # --- notes -------------------------------------------------------------------------------------
    def notes(self, fiscal_year: int) -> dict[tuple[str, str], str]:
        """(task, section) → the saved text of that year."""
        with self.db.session() as s:
            rows = s.execute(text(SQL["notes"]), {"year": fiscal_year}).all()
        return {(task, section): body for task, section, body in rows}

    def save_note(self, fiscal_year: int, task: str, section: str, body: str) -> str:
        """Store the coordinator's text for one section (an empty text removes it); returns the text stored."""
        clean = check_note(fiscal_year, task, section, body)
        with self.db.session() as s:
            s.execute(text("DELETE FROM report_note WHERE fiscal_year = :y AND task = :t AND section = :s"),
                      {"y": fiscal_year, "t": task, "s": section})
            if clean:
                s.execute(text("INSERT INTO report_note (fiscal_year, task, section, text, updated_at, updated_by) "
                               "VALUES (:y, :t, :s, :x, :at, :by)"),
                          {"y": fiscal_year, "t": task, "s": section, "x": clean,
                           "at": utcnow().strftime("%Y-%m-%d %H:%M:%S.%f"), "by": self.user})
        return clean

    # --- the report --------------------------------------------------------------------------------
    def build(self, fiscal_year: int, *, today: dt.date | None = None, organisation: str = "") -> AnnualReport:
        start, end = fiscal_year_range(fiscal_year)
        with self.db.session() as s:
            raw = run_aggregates(_cursor(s), query_params(fiscal_year), s.get_bind().dialect.name)
        stats = self.consultations.stats(start, end) if self.consultations is not None else None
        notes: dict[str, dict[str, str]] = defaultdict(dict)
        for task, section, body in raw["notes"]:
            notes[task][section] = body
        build = _Builder(raw, stats)
        sections = tuple(TaskSection(task, TASKS[task], *build.parts(task), notes=dict(notes.get(task, {})))
                         for task in TASK_LETTERS)
        return AnnualReport(fiscal_year, start, end, sections, created_on=today or dt.date.today(),
                            organisation=organisation)


    # --- files -------------------------------------------------------------------------------------
    def write_pdf(self, fiscal_year: int, path: Path, *, date_style: str = "wareki", organisation: str = "",
                  fonts_dir: Path | None = None) -> int:
        """Build the report and write it as PDF, atomically; return the page count."""
        report = self.build(fiscal_year, organisation=organisation)
        pages: list[int] = []
        folder = fonts_dir or paths.fonts_dir()
        write_atomically(Path(path), lambda handle: pages.append(
            write_annual_report(report, handle, fonts_dir=folder, date_style=date_style)))
        return pages[0]

    def write_xlsx(self, fiscal_year: int, path: Path, *, date_style: str = "wareki", organisation: str = "") -> None:
        write_annual_report_xlsx(self.build(fiscal_year, organisation=organisation), path, date_style=date_style)


def _cursor(s: Session):
    return s.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]


class _Builder:
    """Arranges the grouped rows into the parts of each task."""

    def __init__(self, raw: dict[str, list[tuple]], stats) -> None:
        self.raw = raw
        self.stats = stats
        self.types = {tid: (name, layer, tasks) for tid, name, layer, tasks in raw["types"]}
        self.professions = {pid: name for pid, name in raw["professions"]}
        self.profession_order = {name: i for i, name in enumerate(self.professions.values())}

    def parts(self, task: str) -> tuple[Part, Part, Part]:
        return getattr(self, "task_" + "abcdefgh"[TASK_LETTERS.index(task)])()

    # ア ------------------------------------------------------------------------------------------
    def task_a(self) -> tuple[Part, Part, Part]:
        rows = [(name, int(listed or 0), int(added or 0), int(confirmed or 0)) for name, listed, added, confirmed, _ in
                self.raw["resources"]]
        rows = [r for r in rows if any(r[1:])]
        listed = sum(r[1] for r in rows)
        stale = sum(int(r[4] or 0) for r in self.raw["resources"])
        results = Part((Figure("登録されている資源（年度末）", listed, "件"), Figure("年度内に新しく登録した資源", sum(r[2] for r in rows), "件"),
                        Figure("年度内に情報を確認した資源", sum(r[3] for r in rows), "件")),
                       (Table("種別ごとの資源数", ("種別", "登録数", "うち新規", "うち年度内に確認"), with_total(rows),
                              chart_column=1, total_row=bool(rows)),))
        outcomes = Part((Figure("最終確認から1年以内の資源の割合", share_percent(listed - stale, listed), "％"),))
        issues = Part((Figure("最終確認から1年以上たった資源（確認日なしを含む）", stale, "件"),))
        return results, outcomes, issues

    # イ ------------------------------------------------------------------------------------------
    def task_b(self) -> tuple[Part, Part, Part]:
        raised, moved, resolved = (dict(self.raw[k]) for k in ("raised", "moved", "resolved"))
        layers = list(LAYER_KEYS) + sorted((set(raised) | set(moved) | set(resolved)) - set(LAYER_KEYS) - {None})
        rows = [(layer, int(raised.get(layer, 0)), int(moved.get(layer, 0)), int(resolved.get(layer, 0)))
                for layer in layers]
        figures = (Figure("年度内に抽出した課題", sum(r[1] for r in rows), "件"),
                   Figure("階層を移した課題", sum(r[2] for r in rows), "件"),
                   Figure("解決した課題", sum(r[3] for r in rows), "件"),
                   Figure("記録した対応策", int(self.raw["responses"][0][0] or 0), "件"))
        meetings = self.meeting_part("イ")
        results = Part(figures + meetings.figures,
                       (Table("階層別の課題", ("階層", "抽出", "移された先", "解決"), with_total(rows), chart_column=1,
                              total_row=True),) + meetings.tables)
        grouped: dict[str, tuple[str, str, list[str], list[str]]] = {}  # one line per issue, its responses joined
        for iid, title, layer, actor, action, result in self.raw["resolved_list"]:
            _t, _l, actions, effects = grouped.setdefault(iid, (title, layer, [], []))
            if action:
                actions.append(actor + "：" + action if actor else action)
            if result:
                effects.append(result)
        solved = tuple((title, layer, "\n".join(a), "\n".join(r)) for title, layer, a, r in grouped.values())
        outcome_tables = ((Table("解決した課題と対応策", ("課題", "階層", "対応策（実施主体：内容）", "結果"), solved),)
                          if solved else ())
        questionnaire = self.questionnaire_part("イ")
        outcomes = Part(questionnaire.figures, outcome_tables + questionnaire.tables)
        return results, outcomes, self.open_issue_part()

    def open_issue_part(self) -> Part:
        open_by_layer = dict(self.raw["open"])
        cells: dict[str, dict[str, int]] = defaultdict(dict)
        for name, layer, n in self.raw["open_by_profession"]:
            cells[name or NO_PROFESSION][layer] = int(n)
        rows = [(name, *(by.get(layer, 0) for layer in LAYER_KEYS), sum(by.values())) for name, by in cells.items()]
        return Part(tuple(Figure(f"未解決の課題（{layer}）", int(open_by_layer.get(layer, 0)), "件") for layer in LAYER_KEYS),
                    (Table("未解決の課題（職種×階層）", ("職種", *LAYER_KEYS, "計"), tuple(rows), chart_column=4,
                           note="報告書を作った時点の状況です。複数の職種にかかわる課題は、それぞれの職種に数えています。"),)
                    if rows else ())

    # ウ ------------------------------------------------------------------------------------------
    def task_c(self) -> tuple[Part, Part, Part]:
        meetings = self.meeting_part("ウ")
        caps = dict(self.raw["capabilities"])
        rows = tuple((name, int(caps.get(name, 0))) for name in SYSTEM_CAPABILITIES)
        results = Part(meetings.figures, meetings.tables + (Table("24時間・後方支援の体制（年度末の登録資源）",
                                                                   ("機能", "資源数"), rows, chart_column=1),))
        return results, self.questionnaire_part("ウ"), Part()

    # エ ------------------------------------------------------------------------------------------
    def task_d(self) -> tuple[Part, Part, Part]:
        rows = tuple((name, int(r or 0), int(v or 0), int(o or 0)) for name, r, v, o in self.raw["themes"])
        total = [sum(r[i] for r in rows) for i in (1, 2, 3)]
        results = Part((Figure("情報共有・ICTに関する課題（年度内に抽出）", total[0], "件"),),
                       (Table("情報共有・ICTに関する課題", ("テーマ", "抽出", "解決", "未解決"), rows, chart_column=1,
                              note="一つの課題が両方のテーマを持つときは、それぞれに数えています。"),) if rows else ())
        return (results, Part((Figure("情報共有・ICTに関する課題（解決）", total[1], "件"),)),
                Part((Figure("情報共有・ICTに関する課題（未解決）", total[2], "件"),)))

    # オ ------------------------------------------------------------------------------------------
    def task_e(self) -> tuple[Part, Part, Part]:
        referred, still_open, promoted = (int(v or 0) for v in self.raw["consultation_facts"][0])
        st = self.stats
        if st is None:
            return Part(), Part(), Part()
        windows = st.by_month_window.column_labels
        per_window = [sum(line[i] for line in st.by_month_window.cells) for i in range(len(windows))]
        figures = (Figure("相談件数", st.total, "件"),) + tuple(Figure(f"相談件数（{w}）", n, "件")
                                                              for w, n in zip(windows, per_window))

        def cross(table, label: str) -> Table:
            rows = [(name, *cells, sum(cells)) for name, cells in zip(table.row_labels, table.cells) if sum(cells)]
            return Table(table.title, (label, *table.column_labels, "計"), with_total(rows),
                         chart_column=len(table.column_labels) + 1, total_row=bool(rows))

        results = Part(figures, (cross(st.by_month_window, "月"), cross(st.by_requester, "相談者の区分"),
                                 cross(st.by_category, "分類")))
        outcome_figures = (Figure("紹介につながった相談", referred, "件"),
                           Figure("紹介につながった割合", share_percent(referred, st.total), "％"),
                           Figure("相談から連携の課題として取り上げた課題", promoted, "件"))
        if st.average_minutes is not None:
            outcome_figures += (Figure("平均対応時間", st.average_minutes, "分"),)
        referrals = tuple((name, category, int(n)) for name, category, n in st.top_referrals)
        outcomes = Part(outcome_figures, (Table("よく使った紹介先", ("紹介先", "種別", "紹介数"), referrals),)
                        if referrals else ())
        return results, outcomes, Part((Figure("対応が続いている相談（受付・対応中・継続）", still_open, "件"),))

    # カ キ --------------------------------------------------------------------------------------
    def task_f(self) -> tuple[Part, Part, Part]:
        return self.meeting_part("カ"), self.questionnaire_part("カ"), Part()

    def task_g(self) -> tuple[Part, Part, Part]:
        part = self.meeting_part("キ")
        citizens = sum(n for label, n in self.attendance("キ") if label == CITIZENS_LABEL)
        results = Part(part.figures + (Figure("参加した住民", citizens, "人"),), part.tables)
        return results, self.questionnaire_part("キ"), Part()

    # ク ------------------------------------------------------------------------------------------
    def task_h(self) -> tuple[Part, Part, Part]:
        kinds = ("resource", "meeting", "consultation", "issue")
        counts: dict[str | None, dict[str, int]] = defaultdict(dict)
        for kind, mid, n in self.raw["municipalities"]:
            counts[mid][kind] = int(n)
        names = dict(self.raw["municipality_names"])
        ids = list(names) + ([None] if None in counts else [])
        rows = [(names.get(mid, "（市町村の指定なし）"), *(counts[mid].get(k, 0) for k in kinds)) for mid in ids]
        active = sum(1 for mid in names if any(counts[mid].values()))
        results = Part((Figure("記録のある市町村", active, "市町村"),),
                       (Table("市町村別の記録", ("市町村", "登録資源（年度末）", "会議・研修", "相談", "抽出した課題"),
                              with_total(rows), chart_column=2, total_row=bool(rows)),))
        return results, Part(), Part()

    # meetings, shared by イ ウ カ キ -----------------------------------------------------------
    def _type_ids(self, task: str) -> set[str | None]:
        return {tid for tid, (_n, _l, tasks) in self.types.items() if task in (tasks or "")}

    def attendance(self, task: str) -> list[tuple[str, int]]:
        ids = self._type_ids(task)
        sums: dict[str, int] = defaultdict(int)
        for tid, pid, label, n in self.raw["attendance"]:
            if tid in ids:
                name = self.professions.get(pid, OTHERS_LABEL) if pid else (label or OTHERS_LABEL)
                sums[name] += int(n or 0)
        return sorted(((k, v) for k, v in sums.items() if v),
                      key=lambda kv: (kv[0] not in self.profession_order, self.profession_order.get(kv[0], 0),
                                      kv[0] == CITIZENS_LABEL, kv[0]))

    def meeting_part(self, task: str) -> Part:
        ids = self._type_ids(task)
        held = {tid: int(n) for tid, n in self.raw["meetings"]}
        people: dict[str | None, int] = defaultdict(int)
        for tid, _pid, _label, n in self.raw["attendance"]:
            people[tid] += int(n or 0)
        rows = [(name, layer, held[tid], people.get(tid, 0)) for tid, (name, layer, _t) in self.types.items()
                if tid in ids and tid in held]
        by_profession = [(name, n) for name, n in self.attendance(task)]
        figures = (Figure("会議・研修の開催回数", sum(r[2] for r in rows), "回"),
                   Figure("延べ参加者数", sum(r[3] for r in rows), "人"))
        tables = (Table("種類別の開催回数と参加者数", ("種類", "階層", "回数", "参加者数"), with_total(rows),
                        chart_column=2, total_row=True, note="中止・延期を除きます。") if rows else None,
                  Table("職種別の参加者数（延べ）", ("職種", "参加者数"), with_total(by_profession), chart_column=1,
                        total_row=True) if by_profession else None)
        return Part(figures, tuple(t for t in tables if t is not None))

    def questionnaire_part(self, task: str) -> Part:
        ids = self._type_ids(task)
        sheets = sum(int(n) for tid, n in self.raw["sheets"] if tid in ids)
        items: dict[str, list[int]] = {}
        for tid, item, n, positive in self.raw["answers"]:
            if tid in ids:
                sums = items.setdefault(item, [0, 0])
                sums[0] += int(n)
                sums[1] += int(positive or 0)
        if not sheets and not items:
            return Part()
        rows = tuple((item, n, pos, share_percent(pos, n)) for item, (n, pos) in items.items())
        return Part((Figure("回収したアンケート", sheets, "枚"),),
                    (Table("アンケートの結果", ("設問", "回答数", "肯定的な回答", "割合（％）"), rows, chart_column=3,
                           note="肯定的な回答：4・5段階の上位2つ、はい・いいえの「はい」。"),) if rows else ())


__all__ = ["AnnualReportService", "SQL", "query_params", "run_aggregates", "SECTIONS"]
