"""The printed papers of a meeting (次第, 受付名簿, 名札, 参加証明書, グループ表) and the group-work dialog
that seats the participants at tables, mixing professions evenly."""

from __future__ import annotations

import math
import re
from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSpinBox, QTableWidget,
    QTableWidgetItem, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.groups import MAX_TABLES, Participant, balance, profession_mix, seatable, seated_tables
from zaitaku_desktop.services.meeting_papers import PAPER_KINDS, MeetingPaper, why_empty

from ..context import AppContext
from ..issues.outputs import _ask_save_path, _done
from ..widgets.progress import run_with_progress

TABLE_SIZE = 6  # the table size the dialog suggests first
MIX_FILL = QColor("#eef3f8")
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

Tables = list[tuple[Participant, ...]]


def default_file_name(kind: str, paper: MeetingPaper) -> str:
    """「受付名簿_2026-05-20_研修会.pdf」: characters Windows refuses in file names are dropped."""
    title = _UNSAFE.sub("", paper.title)[:40] or "会議"
    return f"{PAPER_KINDS[kind][1]}_{paper.date:%Y-%m-%d}_{title}.pdf"


def make_paper(ctx: AppContext, parent: QWidget, meeting_id: str, kind: str, *, path: Path | None = None,
               **options) -> None:
    """Ask where to save, then write one paper of the meeting on the worker. ``kind`` is one of
    agenda / signin / tents / certificates / groups; ``options`` go to the report (e.g. issuer=…)."""
    service = ctx.services.meeting_papers
    label = PAPER_KINDS[kind][1]

    def loaded(paper: MeetingPaper) -> None:
        reason = why_empty(kind, paper)
        if reason:
            ctx.messages.warning(f"{label}を作れません", reason)
            return
        target = path or _ask_save_path(parent, f"{label}を保存", default_file_name(kind, paper), "PDF (*.pdf)")
        if target is None:
            return
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        if kind != "tents":
            options.setdefault("date_style", ctx.settings.date_style)
        run_with_progress(ctx, f"{label}を作っています…",
                          lambda _p: service.write(kind, meeting_id, target, **options),
                          on_done=lambda r: _done(ctx, f"{label}（{r.pages} ページ）を作りました。", r.path),
                          error_title="PDFを作れませんでした", parent=parent)

    ctx.runner.run(lambda: service.paper(meeting_id), on_done=loaded,
                   on_error=lambda exc: ctx.messages.failure("PDFを作れませんでした", exc))


class GroupsDialog(QDialog):
    """グループワーク: choose the number of tables, 「振り分け」 to preview, 「保存」 to store, and print."""

    def __init__(self, ctx: AppContext, meeting_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.paper: MeetingPaper | None = None
        self.tables: Tables = []
        self.unsaved = False
        self.setObjectName("groupsDialog")
        self.setWindowTitle("グループワークのテーブル分け")
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        self.heading = QLabel("", self)
        self.heading.setObjectName("groupsHeading")
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        row = QHBoxLayout()
        row.addWidget(QLabel("テーブルの数", self))
        self.count = QSpinBox(self)
        self.count.setObjectName("tableCount")
        self.count.setRange(1, MAX_TABLES)
        self.count.setSuffix(" テーブル")
        row.addWidget(self.count)
        self.balance_button = self._button("振り分け", "balanceButton", self.preview, row)
        self.balance_button.setToolTip("職種がどのテーブルにも同じくらい混ざるように、参加者を振り分けます")
        row.addStretch(1)
        layout.addLayout(row)
        self.view = QTableWidget(self)
        self.view.setObjectName("groupsTable")
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.view, 1)
        self.status = QLabel("", self)
        self.status.setObjectName("groupsStatus")
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        self.clear_button = self._button("振り分けを消す", "clearButton", self.clear, buttons)
        buttons.addStretch(1)
        self.save_button = self._button("保存", "saveButton", self.save, buttons)
        self.pdf_button = self._button("印刷用PDF…", "pdfButton", self.print_pdf, buttons)
        self._button("閉じる", "closeButton", self.reject, buttons)
        layout.addLayout(buttons)
        self.reload()

    def _button(self, text: str, name: str, slot, layout: QHBoxLayout) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        layout.addWidget(button)
        return button

    # --- loading and showing -------------------------------------------------------------------
    def reload(self) -> None:
        self.ctx.runner.run(lambda: self.ctx.services.meeting_papers.paper(self.meeting_id), on_done=self._loaded,
                            on_error=lambda exc: self.ctx.messages.failure("読み込めませんでした", exc))

    def _order(self) -> list[str]:
        return [pid for pid, _ in self.paper.professions] if self.paper else []

    def _loaded(self, paper: MeetingPaper) -> None:
        self.paper = paper
        people = len(seatable(paper.participants))
        self.heading.setText(f"{paper.title}（{self.ctx.format_date(paper.date)}）\n"
                             f"振り分ける参加者（申込・出席）：{people} 人　講師・スタッフ・来賓は含めません")
        stored = seated_tables(paper.participants, profession_order=self._order())
        self.count.setValue(len(stored) if stored else max(1, math.ceil(people / TABLE_SIZE)))
        self.balance_button.setEnabled(people > 0)
        self._show([members for _, members in stored], unsaved=False)
        if not people:
            self.status.setText("申込・出席の参加者がいません。先に「出欠」で参加者を登録してください。")

    def _show(self, tables: Tables, *, unsaved: bool) -> None:
        self.tables, self.unsaved = tables, unsaved
        view = self.view
        view.clear()
        view.setColumnCount(len(tables))
        depth = max((len(t) for t in tables), default=0)
        view.setRowCount(depth + 1 if tables else 0)
        view.setHorizontalHeaderLabels([f"第{no}テーブル（{len(t)} 人）" for no, t in enumerate(tables, start=1)])
        for col, members in enumerate(tables):
            for row, p in enumerate(members):
                view.setItem(row, col, QTableWidgetItem(f"{p.name}（{p.profession_label}）"))
            mix = QTableWidgetItem("\n".join(f"{name} {n}" for name, n in profession_mix(members)))
            mix.setBackground(MIX_FILL)
            mix.setToolTip("このテーブルの職種の内訳")
            view.setItem(depth, col, mix)
        view.resizeRowsToContents()
        people = sum(len(t) for t in tables)
        if not tables:
            self.status.setText("まだ振り分けていません。テーブルの数を選んで「振り分け」を押してください。")
        else:
            state = "まだ保存していません" if unsaved else "保存済み"
            self.status.setText(f"{people} 人を {len(tables)} テーブルに振り分けました（{state}）")
        self.save_button.setEnabled(unsaved)
        self.pdf_button.setEnabled(bool(tables) and not unsaved)
        self.clear_button.setEnabled(bool(tables))

    # --- actions -------------------------------------------------------------------------------
    def preview(self) -> None:
        if self.paper is None:
            return
        self._show(balance(self.paper.participants, self.count.value(), profession_order=self._order()), unsaved=True)

    def save(self) -> None:
        n = self.count.value()

        def done(tables: Tables) -> None:
            self._show(tables, unsaved=False)
            self.ctx.messages.info("保存しました", f"{n} テーブルの振り分けを保存しました。")

        self.ctx.runner.run(lambda: self.ctx.services.meeting_papers.assign_tables(self.meeting_id, n), on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("保存できませんでした", exc))

    def clear(self) -> None:
        if not self.ctx.messages.confirm(
                "振り分けを消す", "保存したテーブルの振り分けを消しますか？", ok="消す", cancel="やめる"):
            return
        self.ctx.runner.run(lambda: self.ctx.services.meeting_papers.clear_tables(self.meeting_id),
                            on_done=lambda _r: self.reload(),
                            on_error=lambda exc: self.ctx.messages.failure("消せませんでした", exc))

    def print_pdf(self) -> None:
        make_paper(self.ctx, self, self.meeting_id, "groups")

    def reject(self) -> None:
        if self.unsaved and not self.ctx.messages.confirm(
                "保存していません", "振り分けを保存せずに閉じますか？", ok="閉じる", cancel="戻る"):
            return
        super().reject()
