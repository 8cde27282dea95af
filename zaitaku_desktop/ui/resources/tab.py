"""The 資源一覧 tab: search, filters, the table, a detail pane and the record actions."""

from __future__ import annotations

import datetime as dt
import html
import json
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QPoint, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
    QMenu, QSplitter, QStackedWidget, QTableView, QTextBrowser, QToolButton, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.text import reading_sort_key
from zaitaku_desktop.domain.vocab import MARKS
from zaitaku_desktop.models import ResourceRow, VocabItem
from zaitaku_desktop.services.resource_query import ResourceFilter, is_stale, months_before

from ..context import AppContext
from ..icons import icon
from .table_model import ResourceTableModel, StaleRowDelegate

log = logging.getLogger(__name__)


class ResourcesTab(QWidget):
    status_message = Signal(str)
    counts_changed = Signal(int, int)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("resourcesTab")
        self.vocab: dict[str, list[VocabItem]] = {}
        self.model = ResourceTableModel(lambda d: ctx.format_date(d), self)
        self._build_actions()
        self._build_ui()
        self._update_actions()

    # --- construction ----------------------------------------------------------------
    def _build_actions(self) -> None:
        def act(name: str, text: str, icon_name: str, slot, shortcut=None, tip: str = "") -> QAction:
            action = QAction(icon(icon_name), text, self)
            action.setObjectName(name)
            if shortcut is not None:
                action.setShortcut(QKeySequence(shortcut))
            action.setStatusTip(tip or text)
            action.triggered.connect(slot)
            return action

        self.act_new = act("actNewResource", "新規登録…", "add", self.new_resource, QKeySequence.StandardKey.New,
                           "新しい事業所・医療機関を登録します")
        self.act_edit = act("actEditResource", "編集…", "edit", self.edit_selected, "Return",
                            "選んだ資源を編集します")
        self.act_edit.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.act_archive = act("actArchiveResource", "アーカイブ", "archive", self.toggle_archive_selected, None,
                               "選んだ資源を一覧から外します（削除はしません）")
        self.act_history = act("actResourceHistory", "変更履歴…", "history", self.show_history, None,
                               "選んだ資源の変更履歴を表示します")
        self.act_summary = act("actResourceSummary", "集計表…", "summary", self.show_summary, None,
                               "種別×市町村の集計表（釜石市の表の形）")
        self.act_import = act("actImportResources", "Excel/CSVから取り込み…", "import", self.import_file,
                              "Ctrl+I", "Excel・CSVの一覧を取り込みます")
        self.act_export = act("actExportResources", "Excelに書き出し…", "excel", self.export_file,
                              QKeySequence("Ctrl+E"), "表示中の一覧をExcelに書き出します")
        self.act_find = act("actFindResource", "検索", "search", self.focus_search, QKeySequence.StandardKey.Find,
                            "検索欄に移動します")
        self.act_columns = act("actColumns", "表示する列…", "columns", self.show_column_menu, None,
                               "表に表示する列を選びます")

    def _build_ui(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)

        bar = QHBoxLayout()
        self.search = QLineEdit(self)
        self.search.setObjectName("resourceSearch")
        self.search.setPlaceholderText("検索：名称・読み・住所・電話番号・キーパーソン（ひらがな・カタカナどちらでも）")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self.apply_filter)
        self.search.setMinimumWidth(320)
        bar.addWidget(self.search, 3)

        self.category_filter = QComboBox(self)
        self.category_filter.setObjectName("categoryFilter")
        self.area_filter = QComboBox(self)
        self.area_filter.setObjectName("areaFilter")
        self.capability_filter = QComboBox(self)
        self.capability_filter.setObjectName("capabilityFilter")
        for combo in (self.category_filter, self.area_filter, self.capability_filter):
            combo.currentIndexChanged.connect(self.apply_filter)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            bar.addWidget(combo)
        self.stale_filter = QCheckBox("確認が古いもの", self)
        self.stale_filter.setObjectName("staleFilter")
        self.archived_filter = QCheckBox("アーカイブも表示", self)
        self.archived_filter.setObjectName("archivedFilter")
        for box in (self.stale_filter, self.archived_filter):
            box.toggled.connect(self.apply_filter)
            bar.addWidget(box)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("resourceCount")
        bar.addStretch(1)
        bar.addWidget(self.count_label)
        # 一覧 / 地図: the same rows (search and filters), shown as a table or on the map.
        self.list_button = QToolButton(self)
        self.list_button.setObjectName("showListButton")
        self.list_button.setText("一覧")
        self.map_button = QToolButton(self)
        self.map_button.setObjectName("showMapButton")
        self.map_button.setText("地図")
        self.map_button.setIcon(icon("map"))
        self.map_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for button in (self.list_button, self.map_button):
            button.setCheckable(True)
            button.setAutoExclusive(True)
            bar.addWidget(button)
        self.list_button.setChecked(True)
        self.map_button.toggled.connect(self.show_map)
        layout.addLayout(bar)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("resourceSplitter")
        self.view_stack = QStackedWidget(self.splitter)
        self.view_stack.setObjectName("resourceViewStack")
        self.table = QTableView(self.view_stack)
        self.table.setObjectName("resourceTable")
        self.table.setModel(self.model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self.show_column_menu)
        header.setHighlightSections(False)
        self.table.doubleClicked.connect(lambda _i: self.edit_selected())
        self.table.addAction(self.act_edit)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table.selectionModel().selectionChanged.connect(self._on_current_changed)
        self.table.setItemDelegate(StaleRowDelegate(self.model, self.table))
        self._apply_column_defaults()

        self.detail = QTextBrowser(self.splitter)
        self.detail.setObjectName("resourceDetail")
        self.detail.setOpenExternalLinks(False)
        self.detail.setMinimumWidth(260)
        self.detail.setStyleSheet("QTextBrowser { color: #212121; background: #ffffff; }")
        self.view_stack.addWidget(self.table)
        from .map_view import MapWidget

        self.map = MapWidget(self.ctx, self, self.view_stack)
        self.view_stack.addWidget(self.map)
        self.splitter.addWidget(self.view_stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        layout.addWidget(self.splitter, 1)

    def show_map(self, on: bool = True) -> None:
        """Switch between the table (一覧) and the map (地図) of the same rows."""
        self.view_stack.setCurrentWidget(self.map if on else self.table)
        (self.map_button if on else self.list_button).setChecked(True)

    def _apply_column_defaults(self) -> None:
        header = self.table.horizontalHeader()
        for i, column in enumerate(self.model.columns):
            header.resizeSection(i, column.width)
            self.table.setColumnHidden(i, not column.visible)

    # --- data ----------------------------------------------------------------------------
    def set_vocab(self, vocab: dict[str, list[VocabItem]]) -> None:
        """Fill the filter lists from the shared vocabularies (kept selection when possible)."""
        self.vocab = vocab
        state = self.saveable_state()
        self.model.set_procedures([p.name for p in vocab.get("procedure", []) if not p.archived])
        self._apply_column_defaults()
        self.restore_state(state)

        def refill(combo: QComboBox, first: str, items: list[tuple[str, object]]) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(first, None)
            for text, data in items:
                combo.addItem(text, data)
            pos = combo.findData(current)
            combo.setCurrentIndex(max(0, pos))
            combo.blockSignals(False)

        refill(self.category_filter, "すべての種別",
               [(c.name, c.id) for c in vocab.get("category", []) if not c.archived])
        areas: list[tuple[str, object]] = []
        for m in vocab.get("municipality", []):
            if m.archived:
                continue
            areas.append((m.name, ("m", m.id)))
            for d in vocab.get("district", []):
                if d.parent_id == m.id and not d.archived:
                    areas.append((f"　{m.name}・{d.name}", ("d", d.id)))
        refill(self.area_filter, "すべての地域", areas)
        refill(self.capability_filter, "すべてのサービス・対応",
               [(c.name, c.id) for c in vocab.get("capability", []) if not c.archived])

    def load(self, on_loaded=None) -> None:
        """Read the list on the worker thread, then show it."""
        def work():
            rows = self.ctx.services.resources.list_rows()
            keys = [reading_sort_key(r.reading, r.name) for r in rows]
            return rows, keys

        def done(result) -> None:
            rows, keys = result
            current = self.current_id()
            self.model.set_rows(rows, keys)
            self.apply_filter()
            if current:
                self.select_id(current)
            self._update_actions()
            if on_loaded:
                on_loaded()

        self.ctx.runner.run(work, on_done=done,
                            on_error=lambda exc: self.ctx.messages.failure("資源一覧を読み込めません", exc))

    def current_filter(self) -> ResourceFilter:
        area = self.area_filter.currentData()
        return ResourceFilter(
            text=self.search.text(),
            category_id=self.category_filter.currentData(),
            municipality_id=area[1] if area and area[0] == "m" else None,
            district_id=area[1] if area and area[0] == "d" else None,
            capability_id=self.capability_filter.currentData(),
            stale_only=self.stale_filter.isChecked(),
            include_archived=self.archived_filter.isChecked(),
        )

    def stale_cutoff(self) -> dt.date:
        return months_before(dt.date.today(), self.ctx.settings.stale_months)

    def apply_filter(self, *_args) -> None:
        self.model.set_filter(self.current_filter(), self.stale_cutoff())
        shown, total = self.model.rowCount(), self.model.total
        self.count_label.setText(f"{shown:,} 件 / {total:,} 件")
        self.counts_changed.emit(shown, total)
        self._update_actions()
        self._show_detail(self.current_row())

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    # --- selection ----------------------------------------------------------------------
    def current_row(self) -> ResourceRow | None:
        selected = self.table.selectionModel().selectedRows()
        if not selected or selected[0].row() >= self.model.rowCount():
            return None
        return self.model.row_at(selected[0].row())

    def current_id(self) -> str | None:
        row = self.current_row()
        return row.id if row else None

    def select_id(self, resource_id: str) -> bool:
        pos = self.model.visible_row_of(resource_id)
        if pos < 0:
            return False
        self.table.selectRow(pos)
        self.table.scrollTo(self.model.index(pos, 0))
        return True

    def _on_current_changed(self, *_args) -> None:
        self._update_actions()
        self._show_detail(self.current_row())

    def _update_actions(self) -> None:
        row = self.current_row()
        self.act_edit.setEnabled(row is not None)
        self.act_history.setEnabled(row is not None)
        self.act_archive.setEnabled(row is not None)
        self.act_archive.setText("アーカイブから戻す" if row and row.archived else "アーカイブ")
        self.act_archive.setIcon(icon("restore" if row and row.archived else "archive"))

    def _show_detail(self, row: ResourceRow | None) -> None:
        if row is None:
            if self.model.total == 0 and not self.model.all_rows:
                self.detail.setHtml(
                    "<p><b>まだ資源が登録されていません。</b></p>"
                    "<p>・「新規登録」（Ctrl+N）で一件ずつ登録する<br>"
                    "・「Excel/CSVから取り込み」で今ある一覧を取り込む<br>"
                    "・「ファイル → サンプル地域を読み込む」で練習用の架空データを見る</p>")
            else:
                self.detail.setHtml("<p style='color:#777'>一覧から資源を選ぶと、ここに詳しい情報が表示されます。</p>")
            return
        e = html.escape
        parts = [f"<h3 style='margin-bottom:2px'>{e(row.name)}</h3>"]
        if row.reading:
            parts.append(f"<div style='color:#666'>{e(row.reading)}</div>")
        badges = [row.category, row.municipality + ("・" + row.district if row.district else "")]
        parts.append("<p>" + "　".join(e(b) for b in badges if b) + "</p>")
        if row.archived:
            parts.append("<p style='color:#b00'>アーカイブ済み</p>")
        if row.is_sample:
            parts.append("<p style='color:#795548'>【サンプル】架空のデータです</p>")
        table = [("住所", (f"〒{row.postal_code} " if row.postal_code else "") + row.address),
                 ("電話", row.phone), ("FAX", row.fax), ("メール", row.email), ("URL", row.url),
                 ("営業日・時間", row.opening_hours), ("訪問エリア", row.visit_area)]
        parts.append("<table cellspacing=2>" + "".join(
            f"<tr><td style='color:#555;padding-right:8px'>{e(k)}</td><td>{e(v)}</td></tr>" for k, v in table if v
        ) + "</table>")
        if row.capabilities:
            parts.append("<p><b>サービス・対応</b><br>" + "・".join(e(c) for c in row.capabilities) + "</p>")
        if row.shortstay_vacancies is not None:
            when = self.ctx.format_date(row.shortstay_as_of)
            parts.append(f"<p><b>ショートステイ空き</b>：{row.shortstay_vacancies}床（{e(when)}現在）</p>")
        if row.procedure_marks:
            procs = [p.name for p in self.vocab.get("procedure", [])]
            cells = "".join(
                f"<tr><td>{e(p)}</td><td align=center>{e(row.procedure_marks.get(p, ''))}</td>"
                f"<td style='color:#777'>{e(MARKS.get(row.procedure_marks.get(p, ''), ''))}</td></tr>"
                for p in procs)
            parts.append(f"<p><b>医療処置への対応</b></p><table cellspacing=1>{cells}</table>")
        if row.key_persons:
            parts.append("<p><b>キーパーソン</b><br>" + "<br>".join(
                e(f"{p.name}（{p.role}）{p.phone}".replace("（）", "")) for p in row.key_persons) + "</p>")
        if row.notes:
            parts.append("<p><b>備考</b><br>" + e(row.notes).replace("\n", "<br>") + "</p>")
        stale = is_stale(row, self.stale_cutoff())
        confirmed = self.ctx.format_date(row.last_confirmed) if row.last_confirmed else "未確認"
        colour = "#b26a00" if stale else "#2e7d32"
        source = f"（{e(row.confirmed_source)}）" if row.confirmed_source else ""
        parts.append(f"<p style='color:{colour}'>最終確認日：{e(confirmed)}{source}"
                     + ("<br>確認から時間がたっています。内容を確認してください。" if stale else "") + "</p>")
        self.detail.setHtml("".join(parts))

    def _table_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for action in (self.act_edit, self.act_history, self.act_archive, None, self.map.act_near, None,
                       self.act_new):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # --- column chooser and saved layout --------------------------------------------------
    def show_column_menu(self, pos: QPoint | None = None) -> None:
        menu = QMenu(self)
        menu.setObjectName("columnMenu")
        for i, column in enumerate(self.model.columns):
            action = menu.addAction(column.header)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(i))
            action.setEnabled(i != 0)  # the name always stays
            action.toggled.connect(lambda checked, col=i: self.table.setColumnHidden(col, not checked))
        menu.addSeparator()
        reset = menu.addAction("初期の列に戻す")
        reset.triggered.connect(self._apply_column_defaults)
        where = self.table.horizontalHeader().mapToGlobal(pos) if isinstance(pos, QPoint) else \
            self.table.mapToGlobal(QPoint(0, 0))
        self.column_menu = menu
        menu.popup(where)

    def saveable_state(self) -> QByteArray:
        """The column layout keyed by column, not by position, so it survives a change
        of the column set (e.g. a procedure added in 設定)."""
        header = self.table.horizontalHeader()
        layout = {
            "sort": [self.model.columns[header.sortIndicatorSection()].key
                     if 0 <= header.sortIndicatorSection() < len(self.model.columns) else "name",
                     int(header.sortIndicatorOrder().value)],
            "columns": {c.key: {"hidden": self.table.isColumnHidden(i), "width": header.sectionSize(i),
                                "visual": header.visualIndex(i)}
                        for i, c in enumerate(self.model.columns)},
        }
        return QByteArray(json.dumps(layout, ensure_ascii=False).encode("utf-8"))

    def restore_state(self, state: QByteArray | None) -> None:
        """Apply a saved layout to the columns that still exist; new columns keep their defaults."""
        if state is None or state.isEmpty():
            return
        try:
            layout = json.loads(bytes(state.data()).decode("utf-8"))
            columns = dict(layout["columns"])
        except (ValueError, KeyError, TypeError):
            return  # a layout from an older version: keep the defaults
        header = self.table.horizontalHeader()
        for i, column in enumerate(self.model.columns):
            saved = columns.get(column.key)
            if not isinstance(saved, dict):
                continue
            self.table.setColumnHidden(i, bool(saved.get("hidden")) and i != 0)
            width = saved.get("width")
            if isinstance(width, int) and 20 <= width <= 2000:
                header.resizeSection(i, width)
        wanted = sorted(((columns[c.key].get("visual", i), i) for i, c in enumerate(self.model.columns)
                         if isinstance(columns.get(c.key), dict)), key=lambda t: t[0])
        for target, (_visual, logical) in enumerate(wanted):
            current = header.visualIndex(logical)
            if current != target and 0 <= target < header.count():
                header.moveSection(current, target)
        sort_key, order = (layout.get("sort") or ["name", 0])[:2]
        index = self.model.column_index(sort_key)
        if index >= 0:
            self.table.sortByColumn(index, Qt.SortOrder(order))

    # --- actions ----------------------------------------------------------------------------
    def new_resource(self) -> None:
        from .form import ResourceDialog

        dialog = ResourceDialog(self.ctx, self.vocab, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self.model.replace_row(dialog.saved)
            self.select_id(dialog.saved.id)
            self.apply_filter()
            self.status_message.emit(f"「{dialog.saved.name}」を登録しました")

    def edit_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .form import ResourceDialog

        try:
            detail = self.ctx.services.resources.get(row.id)
        except Exception as exc:  # noqa: BLE001 - shown by messages
            self.ctx.messages.failure("資源を開けません", exc)
            return
        dialog = ResourceDialog(self.ctx, self.vocab, detail=detail, parent=self)
        if dialog.exec() and dialog.saved is not None:
            self.model.replace_row(dialog.saved)
            self.select_id(dialog.saved.id)
            self.apply_filter()
            self.status_message.emit(f"「{dialog.saved.name}」を保存しました")

    def toggle_archive_selected(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if not row.archived:
            if not self.ctx.messages.confirm(
                "アーカイブの確認",
                f"「{row.name}」を一覧から外しますか？\n\n記録は削除されず、「アーカイブも表示」でいつでも確認・復元できます。",
                ok="アーカイブする", cancel="やめる"):
                return
        try:
            saved = self.ctx.services.resources.set_archived(row.id, not row.archived)
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("アーカイブできません", exc)
            return
        self.model.replace_row(saved)
        self.apply_filter()
        self.select_id(saved.id)
        self.status_message.emit(f"「{saved.name}」を" + ("アーカイブしました" if saved.archived else "一覧に戻しました"))

    def show_history(self) -> None:
        row = self.current_row()
        if row is None:
            return
        from .history import HistoryDialog

        try:
            entries = self.ctx.services.resources.history(row.id)
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("履歴を読み込めません", exc)
            return
        HistoryDialog(self.ctx, row.name, entries, parent=self).exec()

    def show_summary(self) -> None:
        from .summary import SummaryDialog

        try:
            data = self.ctx.services.resources.summary()
        except Exception as exc:  # noqa: BLE001
            self.ctx.messages.failure("集計できません", exc)
            return
        SummaryDialog(self.ctx, data, parent=self).exec()

    def import_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "取り込むファイルを選ぶ", str(Path.home()),
                                              "Excel・CSV (*.xlsx *.xlsm *.csv);;すべてのファイル (*)")
        if path:
            self.import_path(Path(path))

    def import_path(self, path: Path) -> None:
        from .import_dialog import run_import

        run_import(self.ctx, path, parent=self, on_finished=lambda: self.load())

    def export_file(self) -> None:
        default = Path.home() / f"資源一覧_{dt.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "Excelに書き出す", str(default),
                                              "Excel (*.xlsx);;CSV（UTF-8）(*.csv)")
        if path:
            self.export_path(Path(path))

    def export_path(self, path: Path) -> None:
        if path.suffix.lower() not in (".xlsx", ".csv"):
            path = path.with_suffix(".xlsx")
        ids = [r.id for r in self.model.visible_rows()]
        from ..widgets.progress import run_with_progress

        run_with_progress(
            self.ctx, "Excelに書き出しています…",
            lambda progress: self.ctx.services.transfer.export_list(path, ids=ids, progress=progress),
            on_done=lambda n: self.status_message.emit(f"{n:,} 件を書き出しました：{path}"),
            error_title="書き出せませんでした", parent=self,
        )
