"""ファイル → 監査ログ…: the hash-chained audit trail for the privacy officer — the entries of a period, a 検証
(verify) that names any edited, deleted, inserted or reordered entry, and 書き出し… to Excel or CSV.
Only a 担当者 may open it."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QPushButton, QTableView, QVBoxLayout,
    QWidget,
)

from zaitaku_desktop.domain.audit import DEFAULT_ROLE
from zaitaku_desktop.services.audit import AuditReport

from .consultations import error_label, read_period
from .context import AppContext
from .issues.models import Col, RowsModel
from .issues.outputs import _ask_save_path, _done

OK_STYLE = "color:#2e7d32; font-weight:bold;"
BAD_STYLE = "color:#c62828; font-weight:bold;"
NOTE_STYLE = "color:#795548;"
SHOWN_LINES = 20  # problems and clock notes listed under the table; the export holds them all


def open_audit_dialog(ctx: AppContext, parent: QWidget | None = None) -> None:
    """The menu entry: refuses anyone but a 担当者 (roles come with the security core)."""
    if getattr(ctx.services, "role", DEFAULT_ROLE) != DEFAULT_ROLE:
        ctx.messages.warning("監査ログ", f"監査ログを開けるのは{DEFAULT_ROLE}だけです。")
        return
    AuditDialog(ctx, parent).exec()


class AuditDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("auditDialog")
        self.setWindowTitle("監査ログ")
        self.resize(1100, 640)
        layout = QVBoxLayout(self)
        intro = QLabel("相談記録の表示・登録・変更・書き出し・印刷の記録です。記録は追記だけができ、"
                       "書き換えや削除があれば「検証」で分かります。", self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        bar = QHBoxLayout()
        self.start = QLineEdit(self)
        self.start.setObjectName("auditStart")
        self.end = QLineEdit(self)
        self.end.setObjectName("auditEnd")
        for edit in (self.start, self.end):
            edit.setPlaceholderText("例：2026/04/01")
            edit.setMaximumWidth(150)
            edit.returnPressed.connect(self.refresh)
        show = QPushButton("表示", self)
        show.setObjectName("auditShow")
        show.clicked.connect(self.refresh)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("auditCount")
        for widget in (QLabel("期間", self), self.start, QLabel("〜", self), self.end, show):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)
        self.period_error = error_label("error_auditPeriod", self)
        layout.addWidget(self.period_error)
        fmt = ctx.format_date
        self.model = RowsModel([
            Col("通番", lambda r: str(r.seq)),
            Col("日時", lambda r: f"{fmt(r.at.date())} {r.at:%H:%M:%S}" if r.at != dt.datetime.min else "（不明）"),
            Col("利用者", lambda r: r.user + (f"（{r.role}）" if r.role else "")),
            Col("操作", lambda r: r.action_label),
            Col("対象", lambda r: r.entity_label),
            Col("内容", lambda r: r.detail),
        ], self)
        self.table = QTableView(self)
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.result_label = QLabel("「検証」を押すと、記録が書き換え・削除・差し込みされていないかを確かめます。", self)
        self.result_label.setObjectName("auditResult")
        self.result_label.setWordWrap(True)
        layout.addWidget(self.result_label)
        buttons = QHBoxLayout()
        self.verify_button = QPushButton("検証", self)
        self.verify_button.setObjectName("auditVerify")
        self.verify_button.clicked.connect(self.verify)
        self.export_button = QPushButton("書き出し…", self)
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(lambda: self.export())
        close = QPushButton("閉じる", self)
        close.setObjectName("closeButton")
        close.clicked.connect(self.accept)
        for button in (self.verify_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.refresh()

    def period(self) -> tuple[dt.date | None, dt.date | None] | None:
        return read_period(self.start.text(), self.end.text(), self.period_error, required=False)

    def refresh(self) -> None:
        period = self.period()
        if period is None:
            return
        self.ctx.runner.run(lambda: self.ctx.services.audit.rows(*period), on_done=self._show_rows,
                            on_error=lambda exc: self.ctx.messages.failure("監査ログを読めません", exc))

    def _show_rows(self, rows: list) -> None:
        self.model.set_rows(rows)
        self.count_label.setText(f"{len(rows):,} 件")

    def verify(self) -> None:
        self.verify_button.setEnabled(False)
        self.result_label.setText("検証しています…")
        self.ctx.runner.run(self.ctx.services.audit.verify, on_done=self._show_report, on_error=self._verify_failed)

    def _verify_failed(self, exc: BaseException) -> None:
        self.verify_button.setEnabled(True)
        self.result_label.setText("")
        self.ctx.messages.failure("監査ログを検証できません", exc)

    def _show_report(self, report: AuditReport) -> None:
        self.verify_button.setEnabled(True)
        lines = [f'<span style="{OK_STYLE if report.ok else BAD_STYLE}">{"" if report.ok else "異常あり："}'
                 f"{html.escape(report.summary())}</span>"]
        shown = [(BAD_STYLE, f"・{p.message_ja}") for p in report.problems]
        shown += [(NOTE_STYLE, f"参考：{n.message_ja}") for n in report.clock_notes]
        lines += [f'<span style="{style}">{html.escape(text)}</span>' for style, text in shown[:SHOWN_LINES]]
        if len(shown) > SHOWN_LINES:
            lines.append(f"ほか {len(shown) - SHOWN_LINES:,} 件（書き出したExcelの「検証結果」シートにすべて載ります）")
        self.result_label.setText("<br>".join(lines))

    def export(self, path=None) -> None:
        """書き出し…: Excel (with the 検証結果 sheet) or CSV, chosen by the file type; written atomically."""
        target = path or _ask_save_path(self, "監査ログを書き出す", f"監査ログ_{dt.date.today():%Y%m%d}.xlsx",
                                        "Excel (*.xlsx);;CSV (*.csv)")
        if target is None:
            return
        if target.suffix.lower() not in (".xlsx", ".csv"):
            target = target.with_suffix(".xlsx")
        self.ctx.runner.run(lambda: self.ctx.services.audit.export(target),
                            on_done=lambda n: self._exported(n, target),
                            on_error=lambda exc: self.ctx.messages.failure("監査ログを書き出せません", exc))

    def _exported(self, count: int, target) -> None:
        self.refresh()
        _done(self.ctx, f"監査ログ {count:,} 件を書き出しました。", target)
