"""配布物スタジオ: pick a handout on the left, set its options in the middle, see the PDF on the right.

The preview is rebuilt on the worker a moment after the last change, into a temporary file in the cache
folder; 「印刷…」 and 「保存…」 act on that file. The last choices of every handout are remembered."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QByteArray, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget,
    QListWidgetItem, QPlainTextEdit, QPushButton, QScrollArea, QSplitter, QStackedWidget, QVBoxLayout, QWidget,
)

from zaitaku_desktop import paths
from zaitaku_desktop.domain.dates import format_date, parse_date
from zaitaku_desktop.domain.errors import DomainError, ValidationError

from ..context import AppContext
from .preview import PdfPreview

log = logging.getLogger(__name__)

STATE_NAME = "handout_studio"
DEBOUNCE_MS = 500
ALL = ""  # the 「すべて」 entry of a filter
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')

Job = Callable[[Path], Any]  # runs on the worker, writes the PDF to the path


def service(ctx: AppContext, name: str):
    """``ctx.services.<name>``, or one built here (once per context) while the lead has not wired it yet."""
    found = getattr(ctx.services, name, None) or ctx.extras.get(f"service:{name}")
    if found is None:
        s = ctx.services
        if name == "handouts":
            from zaitaku_desktop.services.handouts import HandoutService

            found = HandoutService(s.db, s.meetings, s.vocab)
        else:
            from zaitaku_desktop.services.directory import DirectoryService

            found = DirectoryService(s.db, s.resources, s.vocab)
        ctx.extras[f"service:{name}"] = found
    return found


def safe_name(text: str, fallback: str) -> str:
    return _UNSAFE.sub("", text)[:40] or fallback


# --- option forms ----------------------------------------------------------------------------------------

class OptionsForm(QWidget):
    """The options of one handout: named fields whose values are plain JSON (remembered between sessions)."""

    key = ""
    label = ""
    description = ""
    changed = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.fields: dict[str, QWidget] = {}
        self.setObjectName(f"options_{self.key}")
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        about = QLabel(self.description, self)
        about.setWordWrap(True)
        about.setStyleSheet("color:#555;")
        self.form.addRow(about)

    # building
    def _add(self, name: str, label: str, widget: QWidget, signal, row: QWidget | None = None) -> None:
        widget.setObjectName(f"{self.key}_{name}")
        self.fields[name] = widget
        signal.connect(lambda *_a: self.changed.emit())
        self.form.addRow(label, row or widget)

    def combo(self, name: str, label: str, items: list[tuple[str, Any]]) -> QComboBox:
        box = QComboBox(self)
        for text, data in items:
            box.addItem(text, data)
        self._add(name, label, box, box.currentIndexChanged)
        return box

    def line(self, name: str, label: str, placeholder: str = "", row: QWidget | None = None) -> QLineEdit:
        edit = QLineEdit(self)
        edit.setPlaceholderText(placeholder)
        self._add(name, label, edit, edit.textChanged, row)
        return edit

    def text(self, name: str, label: str, placeholder: str = "", lines: int = 3) -> QPlainTextEdit:
        edit = QPlainTextEdit(self)
        edit.setPlaceholderText(placeholder)
        edit.setTabChangesFocus(True)
        edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
        self._add(name, label, edit, edit.textChanged)
        return edit

    def check(self, name: str, label: str, text: str) -> QCheckBox:
        box = QCheckBox(text, self)
        self._add(name, label, box, box.toggled)
        return box

    def heading(self, text: str) -> None:
        title = QLabel(f"<b>{text}</b>", self)
        title.setContentsMargins(0, 8, 0, 0)
        self.form.addRow(title)

    # values
    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, w in self.fields.items():
            if isinstance(w, QComboBox):
                out[name] = w.currentData()
            elif isinstance(w, QLineEdit):
                out[name] = w.text()
            elif isinstance(w, QPlainTextEdit):
                out[name] = w.toPlainText()
            elif isinstance(w, QCheckBox):
                out[name] = w.isChecked()
        return out

    def restore(self, values: dict[str, Any]) -> None:
        """Put remembered values back; unknown names and vanished choices are skipped."""
        for name, value in values.items():
            w = self.fields.get(name)
            if isinstance(w, QComboBox):
                index = w.findData(value)
                if index >= 0:
                    w.setCurrentIndex(index)
            elif isinstance(w, QLineEdit) and isinstance(value, str):
                w.setText(value)
            elif isinstance(w, QPlainTextEdit) and isinstance(value, str):
                if w.toPlainText() != value:
                    w.setPlainText(value)
            elif isinstance(w, QCheckBox) and isinstance(value, bool):
                w.setChecked(value)

    # the document
    def job(self) -> Job:
        """Read the options (on the main thread; DomainError for bad input) and return the worker's job."""
        raise NotImplementedError

    def file_name(self) -> str:
        return f"{self.label}_{dt.date.today():%Y-%m-%d}.pdf"

    def notes(self) -> list[str]:
        """Warnings shown under the preview (the PDF is still made)."""
        return []

    def prepare(self, meeting_id: str | None = None) -> None:
        """Load the choices that come from the database (called once, after the remembered values)."""

    def options(self) -> dict[str, Any]:
        """What the PDF was made from (kept with the preview for after_output)."""
        return {}

    def after_output(self, options: dict[str, Any]) -> None:
        """The shown PDF was printed or saved."""


class FlyerForm(OptionsForm):
    key = "flyer"
    label = "講演会チラシ"
    description = ("市民公開講座・出前講座などのチラシです。住民向けの会議を選ぶと内容が入ります。"
                   "文字はここで直せます（会議の記録は変わりません）。")
    CONTENT = ("title", "catch", "label", "date", "start_time", "end_time", "venue", "venue_access", "speakers",
               "target", "capacity", "organiser")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        from zaitaku_desktop.domain.handouts import APPLY_HOWS, LAYOUTS, PALETTE, PAPERS

        self._remembered_meeting = ""
        self.source = self.combo("meeting", "元にする会議", [("（自分で入力する）", "")])
        self.source.currentIndexChanged.connect(self._meeting_chosen)
        self.heading("見た目")
        self.combo("layout", "レイアウト", [(label, key) for key, label in LAYOUTS.items()])
        self.combo("colour", "色", [(ja, key) for key, (ja, _hex) in PALETTE.items()])
        self.combo("paper", "用紙", [(p, p) for p in PAPERS])
        self.heading("内容")
        self.line("title", "題名", "例：住み慣れた家で最期まで")
        self.line("catch", "キャッチコピー", "例：在宅医療って、どんなもの？")
        self.line("label", "講座の種類", "例：市民公開講座")
        self.line("date", "日付", "例：2026/5/20 または 令和8年5月20日")
        self.line("start_time", "開始時刻", "例：13:30")
        self.line("end_time", "終了時刻", "例：15:30")
        self.line("venue", "会場")
        self.line("venue_access", "会場の住所・交通")
        self.text("speakers", "講師", "1行に1人：氏名／所属／演題（所属・演題は省略可）", 3)
        self.text("about", "講座の紹介", "どんな話が聞けるか、2〜3行で", 3)
        self.image = self.line("image_path", "画像（PNG・JPEG）", "講師の写真やイラスト（省略可）",
                               row=self._image_row())
        self.line("target", "対象", "どなたでも")
        self.line("fee", "参加費", "無料")
        self.line("capacity", "定員", "例：先着50名")
        self.combo("apply_how", "申込方法", [(h, h) for h in APPLY_HOWS])
        self.line("apply_contact", "申込先の番号", "例：0193-22-0000")
        self.line("apply_deadline", "申込の締切", "例：5月13日（水）まで")
        self.line("organiser", "主催")
        self.text("contact", "問い合わせ先", "担当課・電話番号・受付時間", 2)
        self.line("qr_url", "QRコードのアドレス", "https://（市のページ。省略可）")
        self.check("tear_off", "申込書", "下に切り取り式の申込書を付ける")
        self.fields["target"].setText("どなたでも")
        self.fields["fee"].setText("無料")

    def _image_row(self) -> QWidget:
        self._image_box = box = QWidget(self)
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        pick = QPushButton("選ぶ…", box)
        pick.setObjectName("flyer_image_pick")
        pick.clicked.connect(self._pick_image)
        clear = QPushButton("外す", box)
        clear.setObjectName("flyer_image_clear")
        clear.clicked.connect(lambda: self.fields["image_path"].clear())
        row.addWidget(pick)
        row.addWidget(clear)
        return box

    def _add(self, name, label, widget, signal, row=None) -> None:
        if name == "image_path" and row is not None:
            row.layout().insertWidget(0, widget, 1)
        super()._add(name, label, widget, signal, row)

    def _pick_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "画像を選ぶ", str(Path.home()), "画像 (*.png *.jpg *.jpeg)")
        if path:
            self.fields["image_path"].setText(path)

    def prepare(self, meeting_id: str | None = None) -> None:
        """Offer the 住民向け meetings of a year either side of today: coming ones first, then past ones."""
        today = dt.date.today()

        def label(r) -> str:
            return f"{format_date(r.date, self.ctx.settings.date_style)}　{r.title}{'（終了）' if r.date < today else ''}"

        def fill(rows) -> None:
            citizens = [r for r in rows if r.layer == "住民向け" and not r.archived]
            ahead = sorted((r for r in citizens if r.date >= today), key=lambda r: (r.date, r.start_time or ""))
            past = sorted((r for r in citizens if r.date < today), key=lambda r: r.date, reverse=True)
            self.source.blockSignals(True)
            for r in ahead + past:
                self.source.addItem(label(r), r.id)
            wanted = meeting_id or self._remembered_meeting
            index = self.source.findData(wanted) if wanted else -1
            if index < 0 and meeting_id:  # asked for by id (from the calendar): a meeting of another layer
                asked = next((r for r in rows if r.id == meeting_id), None)
                self.source.addItem(label(asked) if asked else "選んだ会議", meeting_id)
                index = self.source.count() - 1
            self.source.setCurrentIndex(max(index, 0))
            self.source.blockSignals(False)
            if meeting_id:
                self._meeting_chosen()

        span = dt.timedelta(days=366)
        self.ctx.runner.run(lambda: self.ctx.services.meetings.period(today - span, today + span), on_done=fill,
                            on_error=lambda exc: self.ctx.messages.failure("会議を読み込めませんでした", exc))

    def restore(self, values: dict[str, Any]) -> None:
        self._remembered_meeting = values.get("meeting") or ""
        self.source.blockSignals(True)
        super().restore(values)
        self.source.blockSignals(False)

    def _meeting_chosen(self, *_args) -> None:
        meeting_id = self.source.currentData()
        if not meeting_id:
            return

        def fill(content) -> None:
            speakers = "\n".join("／".join(p for p in (s.name, s.affiliation, s.talk_title) if p)
                                 if s.talk_title or s.affiliation else s.name for s in content.speakers)
            values = {name: getattr(content, name) for name in self.CONTENT if name not in ("date", "speakers")}
            values = {k: ("" if v is None else v) for k, v in values.items()}
            values["date"] = format_date(content.date, "seireki", weekday=False) if content.date else ""
            values["speakers"] = speakers
            self.restore(values)

        hub_name = self.ctx.settings.get("handouts/hub_name")
        self.ctx.runner.run(lambda: service(self.ctx, "handouts").flyer_from_meeting(meeting_id, hub_name=hub_name),
                            on_done=fill,
                            on_error=lambda exc: self.ctx.messages.failure("会議を読み込めませんでした", exc))

    def content_and_style(self):
        from zaitaku_desktop.domain.errors import FieldIssue
        from zaitaku_desktop.domain.handouts import FlyerContent, FlyerStyle
        from zaitaku_desktop.domain.meetings import Speaker

        v = self.values()
        day = None
        if v["date"].strip():
            try:
                day = parse_date(v["date"].strip())
            except (ValueError, DomainError):
                day = None
            if day is None:
                raise ValidationError(issues=[FieldIssue("date", "日付は 2026/5/20 や 令和8年5月20日 のように入力してください")])
        speakers = []
        for line in v["speakers"].splitlines():
            parts = [p.strip() for p in re.split(r"[／/]", line)] + ["", ""]
            if parts[0]:
                speakers.append(Speaker(parts[0], parts[1], parts[2]))
        content = FlyerContent(
            title=v["title"].strip(), catch=v["catch"].strip(), label=v["label"].strip(), date=day,
            start_time=v["start_time"].strip() or None, end_time=v["end_time"].strip() or None,
            venue=v["venue"].strip(), venue_access=v["venue_access"].strip(), speakers=tuple(speakers),
            about=v["about"].strip(), image_path=v["image_path"].strip(), target=v["target"].strip(),
            fee=v["fee"].strip(), capacity=v["capacity"].strip(), apply_how=v["apply_how"],
            apply_contact=v["apply_contact"].strip(), apply_deadline=v["apply_deadline"].strip(),
            organiser=v["organiser"].strip(), contact=v["contact"].strip(), qr_url=v["qr_url"].strip(),
            tear_off=v["tear_off"])
        return content, FlyerStyle(layout=v["layout"], colour=v["colour"], paper=v["paper"])

    def job(self) -> Job:
        content, style = self.content_and_style()
        handouts = service(self.ctx, "handouts")
        return lambda path: handouts.write_flyer(content, style, path)

    def notes(self) -> list[str]:
        from zaitaku_desktop.domain.handouts import flyer_issues

        try:
            content, style = self.content_and_style()
        except DomainError:
            return []
        return [i.message for i in flyer_issues(content, style) if not i.is_error]

    def file_name(self) -> str:
        return f"チラシ_{safe_name(self.values()['title'], '講演会')}.pdf"


class PamphletForm(OptionsForm):
    key = "pamphlet"
    label = "在宅医療パンフレット"
    description = ("A4横・三つ折りのパンフレット（両面）です。文章は自由に直せます。"
                   "「・」で始まる行は箇条書き、「■」で始まる行は小見出しになります。")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        from zaitaku_desktop.domain.handouts import PALETTE, PamphletText

        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)  # headings above the long texts
        self.combo("colour", "色", [(ja, key) for key, (ja, _hex) in PALETTE.items()])
        from zaitaku_desktop.domain.consultations import WINDOWS

        self.line("hub_name", "拠点の窓口の名前", "在宅医療・介護連携 相談窓口")
        example = "電話・FAX・受付時間・場所（例：電話 0193-22-0000　平日 8:30〜17:15）"
        self.text("contact_text", "拠点の窓口の連絡先", example, 3)
        for window in WINDOWS:
            self.text(f"window_{window}", f"{window}の相談窓口の連絡先", example, 2)
        reset = QPushButton("標準の文に戻す", self)
        reset.setObjectName("pamphlet_reset")
        reset.setToolTip("パンフレットの文章を、このプログラムが用意した標準の文に戻します")
        reset.clicked.connect(self.reset_text)
        self.form.addRow("", reset)
        for name, heading, default in PamphletText().blocks():
            short = name in ("title", "subtitle", "issuer")
            self.text(name, heading, "", 2 if short else 6).setPlainText(default)

    def text_names(self) -> list[str]:
        from zaitaku_desktop.domain.handouts import PamphletText

        return [name for name, _h, _t in PamphletText().blocks()]

    def reset_text(self) -> None:
        from zaitaku_desktop.domain.handouts import PamphletText

        if not self.ctx.messages.confirm("標準の文に戻す", "パンフレットの文章を標準の文に戻しますか？\n"
                                         "直した文章は消えます。", ok="戻す", cancel="やめる"):
            return
        self.restore({name: text for name, _h, text in PamphletText().blocks()})

    def job(self) -> Job:
        from zaitaku_desktop.domain.handouts import PamphletText, check_pamphlet

        v = self.values()
        text = PamphletText(**{name: v[name] for name in self.text_names()})
        check_pamphlet(text)
        handouts = service(self.ctx, "handouts")
        windows = {name[len("window_"):]: value.strip() for name, value in v.items() if name.startswith("window_")}
        contacts = handouts.pamphlet_contacts(v["contact_text"].strip(), hub_name=v["hub_name"].strip(),
                                              window_texts=windows)
        return lambda path: handouts.write_pamphlet(text, contacts, path, colour=v["colour"])

    def notes(self) -> list[str]:
        from zaitaku_desktop.domain.handouts import PamphletText, pamphlet_issues

        v = self.values()
        text = PamphletText(**{name: v[name] for name in self.text_names()})
        return [i.message for i in pamphlet_issues(text) if not i.is_error]

    def file_name(self) -> str:
        return f"在宅医療パンフレット_{dt.date.today():%Y-%m-%d}.pdf"


class _ResourceForm(OptionsForm):
    """The handouts drawn from the resource list (services/directory.py): filters and the sender's lines."""

    filters: tuple[str, ...] = ()  # of FILTERS
    extras: tuple[tuple[str, str, str], ...] = ()  # (option name, label, placeholder): typed lines
    FILTERS = {"municipality": "市町村", "district": "地区", "category": "種別"}

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        towns = {v.id: v.name for v in ctx.services.vocab.list("municipality")}
        for kind in self.filters:
            items = [("すべて", ALL)]
            for v in ctx.services.vocab.list(kind):
                town = towns.get(v.parent_id or "") if kind == "district" else None
                items.append((f"{v.name}（{town}）" if town else v.name, v.id))
            self.combo(kind, self.FILTERS[kind], items)
        for name, label, placeholder in self.extras:
            self.line(name, label, placeholder)

    def options(self) -> dict[str, Any]:
        """Keyword arguments for the service's *_pdf call."""
        v = self.values()
        out: dict[str, Any] = {name: v[name].strip() for name, _l, _p in self.extras}
        for kind in self.filters:
            if v[kind]:
                out["category_ids" if kind == "category" else f"{kind}_id"] = [v[kind]] if kind == "category" \
                    else v[kind]
        out["date_style"] = self.ctx.settings.date_style
        return out

    def scope(self) -> str:
        return "・".join(self.fields[k].currentText().split("（")[0] for k in self.filters if self.values()[k])

    def file_name(self) -> str:
        scope = safe_name(self.scope(), "")
        return f"{self.label}{'_' + scope if scope else ''}_{dt.date.today():%Y-%m-%d}.pdf"

    def job(self) -> Job:
        directory, options = service(self.ctx, "directory"), self.options()
        return lambda path: self.write(directory, path, options)

    def write(self, directory, path: Path, options: dict[str, Any]):
        raise NotImplementedError


PUBLISHER = ("publisher", "発行者", "例：釜石市 在宅医療・介護連携推進室")
HUB_PHONE = ("hub_phone", "拠点の電話番号", "例：0193-22-0000")


class DirectoryForm(_ResourceForm):
    key = "directory"
    label = "資源マップ冊子"
    description = ("医療・介護の資源の一覧を冊子にします（表紙・目次・種別ごとの一覧・名前の索引）。"
                   "市町村・地区・種別で絞り込めます。")
    filters = ("municipality", "district", "category")
    extras = (PUBLISHER,)

    def write(self, directory, path: Path, options: dict[str, Any]):
        return directory.directory_pdf(path, **options)


class EmergencySheetForm(_ResourceForm):
    key = "emergency"
    label = "災害時連絡先一覧"
    description = ("停電・災害のときに使う連絡先の一覧です。24時間対応の事業所と、人工呼吸器・在宅酸素・透析の"
                   "患者を受け入れられるところを、電話・FAX・キーパーソンの直通番号とともに載せます。"
                   "住民の個人情報は載せません。")
    extras = (PUBLISHER, HUB_PHONE)

    def write(self, directory, path: Path, options: dict[str, Any]):
        return directory.emergency_pdf(path, **options)


class UpdateFormsForm(_ResourceForm):
    key = "update_form"
    label = "資源情報確認票"
    description = ("事業所ごとに1枚、登録している内容を印刷した確認票です。FAXで送って直してもらい、"
                   "戻ってきたら資源の一覧で「確認済み」にします。種別や市町村でまとめて印刷できます。"
                   "印刷または保存すると、確認票を送ったことが記録されます。")
    filters = ("municipality", "category")
    extras = (("hub_name", "返送先（拠点の名前）", "例：釜石市 在宅医療連携拠点チームかまいし"),
              ("hub_fax", "返送先のFAX番号", "例：0193-22-0001"), HUB_PHONE,
              ("reply_by", "返送の期限", "例：2026/12/10（省略可）"))

    def options(self) -> dict[str, Any]:
        from zaitaku_desktop.domain.errors import FieldIssue

        options = super().options()
        typed = options.pop("reply_by")
        options["reply_by"] = None
        if typed:
            try:
                options["reply_by"] = parse_date(typed)
            except (ValueError, DomainError):
                pass
            if options["reply_by"] is None:
                raise ValidationError(issues=[FieldIssue("reply_by", "返送の期限は 2026/12/10 や 令和8年12月10日 のように入力してください")])
        return options

    def write(self, directory, path: Path, options: dict[str, Any]):
        return directory.update_forms_pdf(path, record_sent=False, **options)

    def after_output(self, options: dict[str, Any]) -> None:
        """Printed or saved: the forms count as sent (the list then shows who has not answered)."""
        directory = service(self.ctx, "directory")

        def record() -> int:
            data = directory.update_form_data(**options)
            return directory.record_forms_sent([f.resource_id for f in data.forms], data.issued_on)

        self.ctx.runner.run(record, on_error=lambda exc: self.ctx.messages.failure("送付の記録ができませんでした", exc))


HANDOUTS: tuple[type[OptionsForm], ...] = (FlyerForm, PamphletForm, DirectoryForm, EmergencySheetForm,
                                           UpdateFormsForm)
KINDS: dict[str, str] = {form.key: form.label for form in HANDOUTS}


# --- the studio ----------------------------------------------------------------------------------------

class HandoutStudio(QDialog):
    """The handouts on the left, the chosen one's options in the middle, its PDF on the right."""

    preview_ready = Signal(int)  # pages of the PDF now shown
    preview_failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, *, kind: str | None = None,
                 meeting_id: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("handoutStudio")
        self.setWindowTitle("配布物スタジオ")
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(1320, 860)
        self._generation = 0
        self._shown_file: Path | None = None
        self._shown: tuple[OptionsForm, dict[str, Any]] | None = None  # what the preview was made from
        self.remembered = self._read_state()
        layout = QVBoxLayout(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.handout_list = QListWidget(splitter)
        self.handout_list.setObjectName("handoutList")
        self.forms: dict[str, OptionsForm] = {}
        self.pages = QStackedWidget(splitter)
        for cls in HANDOUTS:
            form = cls(ctx)
            remembered = self.remembered.get(cls.key)
            form.restore(remembered if isinstance(remembered, dict) else {})
            form.changed.connect(self.schedule)
            self.forms[cls.key] = form
            scroll = QScrollArea(self.pages)
            scroll.setWidgetResizable(True)
            scroll.setWidget(form)
            self.pages.addWidget(scroll)
            QListWidgetItem(cls.label, self.handout_list).setData(Qt.ItemDataRole.UserRole, cls.key)
        self.preview = PdfPreview(ctx, splitter)
        self.preview.output_done.connect(self._output_done)
        splitter.setSizes([170, 430, 720])
        splitter.setStretchFactor(2, 1)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        self.notes = QLabel("", self)
        self.notes.setObjectName("studioNotes")
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color:#8a5a00;")
        bottom.addWidget(self.notes, 1)
        close = QPushButton("閉じる", self)
        close.setObjectName("studioClose")
        close.clicked.connect(self.accept)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DEBOUNCE_MS)
        self.timer.timeout.connect(self.refresh)
        for key, form in self.forms.items():
            form.prepare(meeting_id if key == "flyer" else None)
        self.handout_list.currentRowChanged.connect(self._switched)
        start = kind if kind in self.forms else ("flyer" if meeting_id else self.remembered.get("last"))
        keys = list(self.forms)
        self.handout_list.setCurrentRow(keys.index(start) if start in keys else 0)

    # --- state ---------------------------------------------------------------------------------------
    def _read_state(self) -> dict[str, Any]:
        blob = self.ctx.settings.get_state(STATE_NAME)
        try:
            state = json.loads(bytes(blob.data()).decode("utf-8")) if blob is not None else {}
        except (ValueError, UnicodeDecodeError):
            log.warning("the remembered handout choices could not be read; starting afresh")
            state = {}
        return state if isinstance(state, dict) else {}

    def remember(self) -> None:
        state = {key: form.values() for key, form in self.forms.items()}
        state["last"] = self.current_key
        self.ctx.settings.set_state(STATE_NAME, QByteArray(json.dumps(state, ensure_ascii=False).encode("utf-8")))

    @property
    def current_key(self) -> str:
        item = self.handout_list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else HANDOUTS[0].key

    @property
    def form(self) -> OptionsForm:
        return self.forms[self.current_key]

    # --- the preview -------------------------------------------------------------------------------------
    def _switched(self, row: int) -> None:
        self.pages.setCurrentIndex(row)
        self.preview.clear()
        self.refresh()

    def schedule(self) -> None:
        """Options changed: rebuild the preview a moment after the last change."""
        if self.sender() is self.form:
            self.preview.show_message("変更を反映しています…")
            self.timer.start()

    def refresh(self) -> None:
        """Build the current handout's PDF on the worker and show it."""
        self.timer.stop()
        self._generation += 1
        generation, form = self._generation, self.form
        self.remember()
        try:
            options, job, notes = form.options(), form.job(), form.notes()
        except (DomainError, ImportError) as exc:
            self._failed(generation, None, exc)
            return
        folder = paths.cache_dir() / "handouts"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{form.key}-{os.getpid()}-{generation}.pdf"
        self.notes.setText("\n".join(f"※{n}" for n in notes))
        self.preview.show_message(f"「{form.label}」を作っています…")
        self.ctx.runner.run(lambda: job(target), on_done=lambda _r: self._built(generation, target, form, options),
                            on_error=lambda exc: self._failed(generation, target, exc))

    def _built(self, generation: int, target: Path, form: OptionsForm, options: dict[str, Any]) -> None:
        if generation != self._generation:  # a newer preview is on its way
            _remove(target)
            return
        previous = self._shown_file
        if self.preview.load(target, suggested_name=form.file_name()):
            self._shown_file, self._shown = target, (form, options)
            if previous and previous != target:
                _remove(previous)
            self.preview_ready.emit(self.preview.page_count)

    def _output_done(self, _how: str) -> None:
        if self._shown is not None:
            form, options = self._shown
            form.after_output(options)

    def _failed(self, generation: int, target: Path | None, exc: BaseException) -> None:
        if target is not None:
            _remove(target)
        if generation != self._generation:
            return
        if isinstance(exc, ValidationError):
            text = exc.message + "\n\n入力を直すと、ここに見本が出ます。"
        elif isinstance(exc, DomainError):
            text = exc.message
        elif isinstance(exc, ImportError):
            log.warning("a handout module is missing: %s", exc)
            text = f"「{self.form.label}」は、このバージョンではまだ作れません。"
        else:
            self.ctx.messages.failure("PDFを作れませんでした", exc)
            text = "PDFを作れませんでした。"
        self.notes.setText("")
        self.preview.show_message(text)
        self.preview_failed.emit(text)

    def done(self, result: int) -> None:
        self.timer.stop()
        self._generation += 1  # a preview still on the worker is thrown away when it arrives
        self.remember()
        self.ctx.settings.sync()
        self.preview.clear()
        if self._shown_file:
            _remove(self._shown_file)
        super().done(result)


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # still open elsewhere (Windows): the cache folder is only temporary files
        log.info("a preview file could not be removed yet")


def open_studio(ctx: AppContext, parent: QWidget | None = None, *, kind: str | None = None,
                meeting_id: str | None = None) -> None:
    """The main window's 「配布物スタジオ…」 (and one-click entries that open it on one handout)."""
    studio = HandoutStudio(ctx, parent, kind=kind, meeting_id=meeting_id)
    studio.exec()
    studio.deleteLater()
