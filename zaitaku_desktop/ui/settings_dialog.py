"""設定: display preferences and the shared vocabularies every tab uses."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QSpinBox, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop.domain.errors import DomainError
from zaitaku_desktop.domain.vocab import VOCAB_KINDS
from zaitaku_desktop.models import VocabItem
from zaitaku_desktop.settings import DATE_STYLES, THEMES

from .context import AppContext

EXTRA_HEADER = {"municipality": "団体コード", "district": "市町村", "profession": "職能団体", "category": "区分"}


class VocabPage(QWidget):
    """One vocabulary: a table and a small editor below it."""

    changed = Signal()

    def __init__(self, ctx: AppContext, kind: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.setObjectName(f"vocab_{kind}")
        self.items: list[VocabItem] = []
        self.parents: list[VocabItem] = []
        layout = QVBoxLayout(self)
        headers = ["名前", "読み"] + ([EXTRA_HEADER[kind]] if kind in EXTRA_HEADER else []) + ["状態"]
        self.table = QTableWidget(0, len(headers), self)
        self.table.setObjectName(f"vocabTable_{kind}")
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._selected)
        layout.addWidget(self.table, 1)

        form = QFormLayout()
        self.name = QLineEdit(self)
        self.name.setObjectName(f"vocabName_{kind}")
        self.reading = QLineEdit(self)
        self.reading.setObjectName(f"vocabReading_{kind}")
        self.reading.setPlaceholderText("ひらがな（並べ替えに使います）")
        form.addRow("名前", self.name)
        form.addRow("読み", self.reading)
        self.code = QLineEdit(self)
        self.code.setObjectName("vocabCode")
        self.code.setPlaceholderText("6桁（5桁なら検査数字を自動で付けます）例：032115")
        self.parent_combo = QComboBox(self)
        self.parent_combo.setObjectName(f"vocabParent_{kind}")
        self.group = QComboBox(self)
        self.group.setObjectName("vocabGroup")
        self.group.setEditable(True)
        self.group.addItems(["医療", "介護", "地域", "その他"])
        if kind == "municipality":
            form.addRow("団体コード", self.code)
        else:
            self.code.hide()
        if kind in ("district", "profession"):
            form.addRow(EXTRA_HEADER[kind], self.parent_combo)
        else:
            self.parent_combo.hide()
        if kind == "category":
            form.addRow("区分", self.group)
        else:
            self.group.hide()
        layout.addLayout(form)
        self.error = QLabel("", self)
        self.error.setObjectName(f"vocabError_{kind}")
        self.error.setStyleSheet("color:#c62828;")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)

        buttons = QHBoxLayout()
        self.add_button = QPushButton("追加", self)
        self.add_button.setObjectName(f"vocabAdd_{kind}")
        self.add_button.clicked.connect(self.add)
        self.update_button = QPushButton("選んだ項目を更新", self)
        self.update_button.setObjectName(f"vocabUpdate_{kind}")
        self.update_button.clicked.connect(self.update_selected)
        self.archive_button = QPushButton("使わなくする／戻す", self)
        self.archive_button.setObjectName(f"vocabArchive_{kind}")
        self.archive_button.setToolTip("過去の記録の表示には残したまま、選択肢から外します")
        self.archive_button.clicked.connect(self.toggle_archive)
        up = QPushButton("↑", self)
        up.setObjectName(f"vocabUp_{kind}")
        up.clicked.connect(lambda: self.move(-1))
        down = QPushButton("↓", self)
        down.setObjectName(f"vocabDown_{kind}")
        down.clicked.connect(lambda: self.move(1))
        for b in (self.add_button, self.update_button, self.archive_button, up, down):
            buttons.addWidget(b)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self, select_id: str | None = None) -> None:
        services = self.ctx.services.vocab
        self.items = services.list(self.kind, include_archived=True)
        parent_kind = {"district": "municipality", "profession": "association"}.get(self.kind)
        self.parents = services.list(parent_kind, include_archived=True) if parent_kind else []
        names = {p.id: p.name for p in self.parents}
        current_parent = self.parent_combo.currentData()
        self.parent_combo.clear()
        if self.kind == "profession":
            self.parent_combo.addItem("（なし）", None)
        for p in self.parents:
            if not p.archived:
                self.parent_combo.addItem(p.name, p.id)
        self.parent_combo.setCurrentIndex(max(0, self.parent_combo.findData(current_parent)))
        self.table.setRowCount(len(self.items))
        for r, item in enumerate(self.items):
            extra = {"municipality": item.code, "district": names.get(item.parent_id or "", ""),
                     "profession": names.get(item.parent_id or "", ""), "category": item.group}
            values = [item.name, item.reading] + ([extra[self.kind]] if self.kind in EXTRA_HEADER else [])
            values.append("使わない" if item.archived else "使用中")
            for c, value in enumerate(values):
                cell = QTableWidgetItem(value)
                cell.setData(Qt.ItemDataRole.UserRole, item.id)
                if item.archived:
                    cell.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, c, cell)
            if item.id == select_id:
                self.table.selectRow(r)
        for c in range(1, self.table.columnCount()):
            self.table.resizeColumnToContents(c)

    def selected(self) -> VocabItem | None:
        rows = {i.row() for i in self.table.selectedIndexes()}
        return self.items[rows.pop()] if len(rows) == 1 else None

    def _selected(self) -> None:
        item = self.selected()
        if item is None:
            return
        self.name.setText(item.name)
        self.reading.setText(item.reading)
        self.code.setText(item.code)
        self.group.setCurrentText(item.group)
        self.parent_combo.setCurrentIndex(max(0, self.parent_combo.findData(item.parent_id)))
        self.error.setText("")

    def _values(self) -> dict:
        return {"reading": self.reading.text(), "parent_id": self.parent_combo.currentData(),
                "code": self.code.text(), "group": self.group.currentText()}

    def _run(self, fn) -> VocabItem | None:
        try:
            result = fn()
        except DomainError as exc:
            self.error.setText(exc.message)
            return None
        self.error.setText("")
        self.changed.emit()
        return result

    def add(self) -> None:
        item = self._run(lambda: self.ctx.services.vocab.add(self.kind, self.name.text(), **self._values()))
        if item:
            self.reload(item.id)

    def update_selected(self) -> None:
        current = self.selected()
        if current is None:
            self.error.setText("更新する項目を一覧から選んでください")
            return
        item = self._run(lambda: self.ctx.services.vocab.update(self.kind, current.id, self.name.text(),
                                                                **self._values()))
        if item:
            self.reload(item.id)

    def toggle_archive(self) -> None:
        current = self.selected()
        if current is None:
            self.error.setText("項目を一覧から選んでください")
            return
        item = self._run(lambda: self.ctx.services.vocab.set_archived(self.kind, current.id, not current.archived))
        if item:
            self.reload(item.id)

    def move(self, offset: int) -> None:
        current = self.selected()
        if current is None:
            return
        self._run(lambda: self.ctx.services.vocab.move(self.kind, current.id, offset))
        self.reload(current.id)


class SettingsDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.vocab_changed = False
        self.setObjectName("settingsDialog")
        self.setWindowTitle("設定")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        layout.addWidget(self.tabs, 1)

        page = QWidget(self)
        form = QFormLayout(page)
        self.theme = QComboBox(page)
        self.theme.setObjectName("themeChoice")
        for key, label in THEMES.items():
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, self.theme.findData(ctx.settings.theme)))
        form.addRow("画面の配色", self.theme)
        self.date_style = QComboBox(page)
        self.date_style.setObjectName("dateStyleChoice")
        for key, label in DATE_STYLES.items():
            self.date_style.addItem(label, key)
        self.date_style.setCurrentIndex(max(0, self.date_style.findData(ctx.settings.date_style)))
        form.addRow("日付の表示", self.date_style)
        self.stale = QSpinBox(page)
        self.stale.setObjectName("staleMonths")
        self.stale.setRange(1, 120)
        self.stale.setSuffix(" か月")
        self.stale.setValue(ctx.settings.stale_months)
        form.addRow("確認が古いとみなす期間", self.stale)
        self.user = QLineEdit(page)
        self.user.setObjectName("userName")
        self.user.setText(ctx.settings.get("user/name"))
        self.user.setPlaceholderText("変更履歴に記録する担当者名（空欄ならログイン名）")
        form.addRow("担当者名", self.user)
        # The hub's own contacts, printed on the 資源情報確認票 (FAX-back header) and offered to the handouts.
        self.hub: dict[str, QLineEdit] = {}
        for key, label, hint in (("hub_name", "連携拠点の名称", "例：釜石市在宅医療連携拠点チームかまいし"),
                                 ("hub_phone", "連携拠点の電話", "例：0193-22-0000"),
                                 ("hub_fax", "連携拠点のFAX", "確認票の返送先として印刷されます")):
            edit = QLineEdit(page)
            edit.setObjectName(f"setting_{key}")
            edit.setText(ctx.settings.get(f"handouts/{key}"))
            edit.setPlaceholderText(hint)
            form.addRow(label, edit)
            self.hub[key] = edit
        form.addRow(QLabel(f"データベース：{ctx.services.db.path}", page))
        self.tabs.addTab(page, "表示")

        self.pages: dict[str, VocabPage] = {}
        for kind, label in VOCAB_KINDS.items():
            vpage = VocabPage(ctx, kind, self)
            vpage.changed.connect(self._mark_vocab_changed)
            self.pages[kind] = vpage
            self.tabs.addTab(vpage, label)
        if getattr(ctx.services, "meetings", None) is not None:
            from .settings_records import meeting_type_page, venue_page

            for page, label in ((meeting_type_page(ctx, self), "会議の種類"), (venue_page(ctx, self), "会場")):
                page.changed.connect(self._mark_vocab_changed)
                self.tabs.addTab(page, label)
        from .security_page import add_security_page

        self.security_page = add_security_page(self)

        buttons = QDialogButtonBox(self)
        ok = buttons.addButton("OK", QDialogButtonBox.ButtonRole.AcceptRole)
        ok.setObjectName("settingsOk")
        cancel = buttons.addButton("キャンセル", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("settingsCancel")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _mark_vocab_changed(self) -> None:
        self.vocab_changed = True

    def accept(self) -> None:
        s = self.ctx.settings
        s.set("ui/theme", self.theme.currentData())
        s.set("ui/date_style", self.date_style.currentData())
        s.set("resources/stale_months", self.stale.value())
        s.set("user/name", self.user.text().strip())
        for key, edit in self.hub.items():
            s.set(f"handouts/{key}", edit.text().strip())
        s.sync()
        super().accept()
