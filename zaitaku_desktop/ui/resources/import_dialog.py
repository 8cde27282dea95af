"""Import an Excel/CSV list: read it, show what will change, then write on confirmation."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QPlainTextEdit, QSplitter, QTableWidget, QTableWidgetItem,
    QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.services.open_data import (
    CHANGED, FUZZY, GONE, NEW, UNCHANGED, OpenDataPlan,
)
from zaitaku_desktop.services.transfer import ImportPreview, ImportResult

from ..widgets.progress import run_with_progress

ACTION_LABELS = {"add": "追加", "update": "変更", "skip": "変更なし"}
# Open data: the order the groups are listed in (what needs a decision first).
GROUP_ORDER = (FUZZY, NEW, CHANGED, GONE, UNCHANGED)
OPEN_DATA_COLUMNS = ["取り込む", "区分", "行", "名称", "種別", "市町村", "変わる項目"]


class ImportPreviewDialog(QDialog):
    """Shows additions, changes, skipped rows and every row error before anything is written."""

    def __init__(self, preview: ImportPreview, parent=None) -> None:
        super().__init__(parent)
        self.preview = preview
        self.accept_partial = False
        self.setObjectName("importPreviewDialog")
        self.setWindowTitle(f"取り込みの確認 — {preview.path.name}")
        self.resize(820, 560)
        layout = QVBoxLayout(self)
        plan = preview.open_data
        self.plan = plan
        lines = [f"ファイル：{preview.path.name}（{preview.format_label}、{preview.total_rows:,} 行）"]
        if plan is None:
            lines.append(f"追加 {preview.to_add:,} 件・変更 {preview.to_update:,} 件・変更なし {preview.to_skip:,} 件"
                         + (f"・エラー {preview.error_rows:,} 行" if preview.errors else ""))
        else:
            lines.append(f"新規 {plan.new:,} 件・変更 {plan.changed:,} 件・変更なし {plan.unchanged:,} 件・"
                         f"掲載なし {plan.gone:,} 件・名称で一致（要確認） {plan.fuzzy:,} 件"
                         + (f"・エラー {preview.error_rows:,} 行" if preview.errors else ""))
            lines.append(f"地域外の行（取り込みません） {plan.outside_region:,} 行・"
                         f"データの日付 {plan.official_date:%Y/%m/%d}")
            if plan.new_categories:
                lines.append("新しく作る種別：" + "、".join(c.name for c in plan.new_categories))
            lines.append("チェックを外した行は取り込みません。「名称・住所で一致（要確認）」は、同じ事業所だと確かめてから"
                         "チェックを入れると、登録済みの資源に結び付けて更新します。"
                         "キーパーソン・対応・備考などは変わりません。")
        if preview.ignored_columns:
            lines.append("使わない列：" + "、".join(preview.ignored_columns))
        self.summary = QLabel("\n".join(lines), self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        if preview.errors:
            warn = QLabel("エラーのある行があります。このままでは何も取り込みません。"
                          "エラーの行を除いて取り込むこともできます。", self)
            warn.setStyleSheet("color:#c62828;")
            warn.setWordWrap(True)
            layout.addWidget(warn)

        tabs = QTabWidget(self)
        tabs.setObjectName("importTabs")
        layout.addWidget(tabs, 1)
        if plan is None:
            changes = ([c for c in preview.changes if c.action != "skip"]
                       + [c for c in preview.changes if c.action == "skip"])
            self.change_table = self._table(["行", "名称", "処理", "変わる項目"], [
                (str(c.row), c.name, ACTION_LABELS.get(c.action, c.action), "、".join(c.changed_fields))
                for c in changes])
            self.change_table.setObjectName("importChanges")
            tabs.addTab(self.change_table, f"取り込む内容（{len(changes):,}）")
        else:
            tabs.addTab(self._open_data_page(plan), f"取り込む内容（{len(plan.items):,}）")
        self.error_table = self._table(["行", "列", "内容"], [(str(e.row), e.column, e.message) for e in preview.errors])
        self.error_table.setObjectName("importErrors")
        tabs.addTab(self.error_table, f"エラー（{len(preview.errors):,}）")
        self.warning_table = self._table(["行", "列", "内容"],
                                         [(str(e.row), e.column, e.message) for e in preview.warnings])
        self.warning_table.setObjectName("importWarnings")
        tabs.addTab(self.warning_table, f"注意（{len(preview.warnings):,}）")
        if preview.errors:
            tabs.setCurrentIndex(1)

        buttons = QDialogButtonBox(self)
        nothing = preview.to_add + preview.to_update == 0
        if plan is not None:
            nothing = not plan.items or all(i.group in (UNCHANGED, GONE) and not i.diffs for i in plan.items)
        if preview.errors:
            self.partial_button = buttons.addButton("エラーの行を除いて取り込む", QDialogButtonBox.ButtonRole.AcceptRole)
            self.partial_button.setObjectName("importPartial")
            self.partial_button.clicked.connect(self._accept_partial)
            self.partial_button.setEnabled(not nothing)
        else:
            self.ok_button = buttons.addButton("取り込む", QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok_button.setObjectName("importConfirm")
            self.ok_button.clicked.connect(self.accept)
            self.ok_button.setEnabled(not nothing)
        cancel = buttons.addButton("やめる", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("importCancel")
        cancel.clicked.connect(self.reject)
        layout.addWidget(buttons)

    # --- open data ---------------------------------------------------------------------------
    def _open_data_page(self, plan: OpenDataPlan) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        order = {g: n for n, g in enumerate(GROUP_ORDER)}
        self.item_order = sorted(range(len(plan.items)), key=lambda i: (order[plan.items[i].group], i))
        table = QTableWidget(len(self.item_order), len(OPEN_DATA_COLUMNS), splitter)
        table.setObjectName("importChanges")
        table.setHorizontalHeaderLabels(OPEN_DATA_COLUMNS)
        table.verticalHeader().setVisible(False)
        table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, index in enumerate(self.item_order):
            item = plan.items[index]
            check = QTableWidgetItem("")
            if item.selectable:
                check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                check.setCheckState(Qt.CheckState.Checked if plan.is_selected(index) else Qt.CheckState.Unchecked)
            else:
                check.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                check.setText("—" if item.group == UNCHANGED else "印のみ")
            check.setData(Qt.ItemDataRole.UserRole, index)
            table.setItem(r, 0, check)
            group = item.group_label
            if item.group == NEW and item.note:
                group = f"{item.group_label}（{item.note}）"
            changed = "（新しく登録）" if item.group == NEW else "、".join(d.label for d in item.diffs)
            values = [group, str(item.row) if item.row else "", item.name, item.category, item.municipality, changed]
            tip = "\n".join(filter(None, [item.note if item.group == GONE else "", item.diff_text()]))
            for c, value in enumerate(values, start=1):
                cell = QTableWidgetItem(value)
                if tip:
                    cell.setToolTip(tip)
                table.setItem(r, c, cell)
        table.horizontalHeader().setSectionResizeMode(len(OPEN_DATA_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnsToContents()
        table.itemChanged.connect(self._tick_changed)
        table.currentCellChanged.connect(lambda row, *_: self._show_detail(row))
        self.change_table = table
        self.detail = QPlainTextEdit(splitter)
        self.detail.setObjectName("importDetail")
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText("行を選ぶと、変わる項目（今の値 → ファイルの値）をここに表示します")
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        return splitter

    def plan_index(self, table_row: int) -> int:
        return self.item_order[table_row]

    def set_ticked(self, table_row: int, ticked: bool) -> None:
        """Tick or untick a row as a click on its box would (used by tests and keyboard users)."""
        self.change_table.item(table_row, 0).setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _tick_changed(self, cell: QTableWidgetItem) -> None:
        if cell.column() != 0 or self.plan is None:
            return
        index = cell.data(Qt.ItemDataRole.UserRole)
        if index is None or not self.plan.items[index].selectable:
            return
        self.plan.set_selected(index, cell.checkState() == Qt.CheckState.Checked)

    def _show_detail(self, table_row: int) -> None:
        if self.plan is None or table_row < 0:
            return
        item = self.plan.items[self.item_order[table_row]]
        lines = [f"{item.name}（{item.group_label}）"]
        if item.external_id:
            lines.append(f"公式データの番号：{item.external_source} {item.external_id}")
        if item.note:
            lines.append(item.note)
        if item.group == NEW:
            lines.append("登録する内容：")
            lines.extend(f"{d.label}：{d.new}" for d in item.diffs)
        else:
            lines.append(item.diff_text() or "変わる項目はありません")
        self.detail.setPlainText("\n".join(lines))

    def _accept_partial(self) -> None:
        self.accept_partial = True
        self.accept()

    def _table(self, headers: list[str], rows: list[tuple[str, ...]]) -> QTableWidget:
        table = QTableWidget(len(rows), len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().setVisible(False)
        for r, values in enumerate(rows):
            for c, value in enumerate(values):
                table.setItem(r, c, QTableWidgetItem(value))
        table.horizontalHeader().setSectionResizeMode(len(headers) - 1, QHeaderView.ResizeMode.Stretch)
        table.resizeColumnsToContents()
        return table


def run_import(ctx, path: Path, *, parent=None, on_finished: Callable[[], None] | None = None,
               dialog_factory=ImportPreviewDialog) -> None:
    """Preview on the worker, ask, then apply on the worker; the window stays responsive."""

    def previewed(preview: ImportPreview) -> None:
        dialog = dialog_factory(preview, parent)
        ctx.extras["last_import_dialog"] = dialog
        if not dialog.exec():
            return
        partial = dialog.accept_partial
        run_with_progress(
            ctx, "取り込んでいます…",
            lambda progress: ctx.services.transfer.apply_import(preview, accept_partial=partial, progress=progress),
            on_done=applied, error_title="取り込めませんでした", parent=parent,
        )

    def applied(result: ImportResult) -> None:
        text = (f"追加 {result.added:,} 件・変更 {result.updated:,} 件・変更なし {result.skipped:,} 件"
                + (f"・取り込まなかった行 {result.rejected:,} 行" if result.rejected else "")
                + (f"・掲載なしの印 {result.flagged_gone:,} 件" if result.flagged_gone else ""))
        if result.categories_created:
            text += "\n新しく作った種別：" + "、".join(result.categories_created)
        ctx.messages.info("取り込み完了", text)
        if on_finished:
            on_finished()

    run_with_progress(ctx, "ファイルを読んでいます…",
                      lambda progress: ctx.services.transfer.preview_import(path, progress=progress),
                      on_done=previewed, error_title="ファイルを読み込めませんでした", parent=parent)
