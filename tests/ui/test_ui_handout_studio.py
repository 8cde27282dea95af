"""配布物スタジオ: pick a handout, set options, the preview follows; save, print, remembered choices."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QByteArray, Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter

from zaitaku_desktop.domain.dates import format_date
from zaitaku_desktop.domain.handouts import PamphletText
from zaitaku_desktop.domain.meetings import MeetingInput, Speaker
from zaitaku_desktop.ui.handouts import studio as studio_module
from zaitaku_desktop.ui.handouts.studio import HANDOUTS, STATE_NAME, HandoutStudio

from ui_helpers import choose, replace_text, type_text

TODAY = dt.date.today()
LECTURE_DAY = TODAY + dt.timedelta(days=20)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def lecture(ctx) -> str:
    """An upcoming 市民公開講座 (and a past 出前講座); the sample region has none."""
    meetings = ctx.services.meetings
    types = {t.name: t.id for t in meetings.list_types()}
    venue = meetings.list_venues()[0]
    meetings.create(MeetingInput(title="介護保険の使い方", type_id=types["出前講座"],
                                        date=TODAY - dt.timedelta(days=30), start_time="10:00", end_time="11:00"))
    row = meetings.create(MeetingInput(
        title="住み慣れた家で最期まで", type_id=types["市民公開講座"], date=LECTURE_DAY, start_time="13:30",
        end_time="15:30", venue_id=venue.id, capacity=80,
        speakers=[Speaker("岩手 一郎", "かまいし在宅クリニック 院長", "在宅医療ってなに？")]))
    return row.id


@pytest.fixture
def open_studio(qtbot, ctx):
    def make(**kw) -> HandoutStudio:
        studio = HandoutStudio(ctx, **kw)
        qtbot.addWidget(studio)
        studio.show()
        qtbot.waitExposed(studio)
        return studio
    return make


def pick(qtbot, studio: HandoutStudio, label: str) -> None:
    """Click a handout in the list on the left."""
    item = studio.handout_list.findItems(label, Qt.MatchFlag.MatchExactly)[0]
    rect = studio.handout_list.visualItemRect(item)
    qtbot.mouseClick(studio.handout_list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert studio.handout_list.currentItem() is item


def wait_preview(qtbot, studio: HandoutStudio) -> int:
    """The debounced rebuild: the preview says it is updating, then shows the new PDF."""
    with qtbot.waitSignal(studio.preview_ready, timeout=5000) as signal:
        pass
    return signal.args[0]


def live_resources(ctx) -> list:
    return [r for r in ctx.services.resources.list_rows(include_archived=False) if not r.archived]


NURSING = "訪問看護ステーション"


def remember_nursing_only(ctx) -> None:
    """Remembered choice: update forms for one category only (all 129 providers take a while to draw)."""
    category = next(c.id for c in ctx.services.vocab.list("category") if c.name == NURSING)
    state = {"update_form": {"category": category}}
    ctx.settings.set_state(STATE_NAME, QByteArray(json.dumps(state).encode()))


@pytest.mark.parametrize("label, expected", [
    ("在宅医療パンフレット", ["在宅医療とは", "相談窓口"]),
    ("資源マップ冊子", ["目次"]),
    ("災害時連絡先一覧", ["24時間"]),
    ("資源情報確認票", ["確認票"]),
])
def test_each_handout_previews(qtbot, ctx, open_studio, label, expected):
    remember_nursing_only(ctx)
    studio = open_studio(kind="flyer")
    with qtbot.waitSignal(studio.preview_ready, timeout=5000) as signal:
        pick(qtbot, studio, label)
    pages = signal.args[0]
    assert pages == studio.preview.page_count == pdf_pages(studio.preview.path) >= 1
    assert studio.preview.page_label.text() == f"1 / {pages} ページ"
    text = pdf_text(studio.preview.path)
    for word in expected:
        assert word in text
    if label == "資源情報確認票":  # one provider a page
        assert pages == len([r for r in live_resources(ctx) if r.category == NURSING])
    if label == "資源マップ冊子":
        assert live_resources(ctx)[0].name[:6] in text.replace(" ", "")
    assert studio.preview.path.parent == studio_module.paths.cache_dir() / "handouts"
    assert ctx.messages.shown == []


def test_flyer_from_a_lecture(qtbot, ctx, open_studio, lecture):
    studio = open_studio(meeting_id=lecture)
    form = studio.forms["flyer"]
    assert studio.current_key == "flyer"
    assert form.fields["title"].text() == "住み慣れた家で最期まで"
    assert form.fields["start_time"].text() == "13:30"
    assert "岩手 一郎／かまいし在宅クリニック 院長／在宅医療ってなに？" in form.fields["speakers"].toPlainText()
    assert studio.preview.page_count == 1
    text = pdf_text(studio.preview.path).replace(" ", "")
    assert "住み慣れた家で最期まで" in text
    assert format_date(LECTURE_DAY, "wareki").replace(" ", "") in text
    assert "岩手一郎" in text
    # Only 住民向け meetings of a year either side are offered (these two and the sample region's): coming ones
    # first, then past ones marked 終了.
    source = form.fields["meeting"]
    entries = [source.itemText(i) for i in range(source.count())]
    assert entries[0] == "（自分で入力する）"
    coming = [e for e in entries[1:] if not e.endswith("（終了）")]
    past = [e for e in entries[1:] if e.endswith("（終了）")]
    assert entries[1:] == coming + past
    assert coming[0].endswith("住み慣れた家で最期まで")  # the nearest coming one
    assert any(e.endswith("介護保険の使い方（終了）") for e in past)
    window = ctx.services.meetings.period(TODAY - dt.timedelta(days=366), TODAY + dt.timedelta(days=366))
    public = sorted(r.title for r in window if r.layer == "住民向け")
    assert sorted(e.split("\u3000", 1)[1].removesuffix("（終了）") for e in entries[1:]) == public


def test_changing_an_option_rebuilds_the_preview_after_a_pause(qtbot, ctx, open_studio, lecture):
    studio = open_studio(meeting_id=lecture)
    first = studio.preview.path
    form = studio.forms["flyer"]
    choose(form.fields["paper"], "A3")
    assert studio.preview.message.text() == "変更を反映しています…"
    assert not studio.preview.print_button.isEnabled()
    wait_preview(qtbot, studio)
    size = studio.preview.document.pagePointSize(0)
    assert round(size.width()) == 842 and round(size.height()) == 1191  # A3
    assert studio.preview.path != first and not first.exists()  # the old temp file is gone
    # Typing several keys rebuilds once, after the last one.
    built = []
    studio.preview_ready.connect(built.append)
    type_text(qtbot, form.fields["catch"], "Welcome-all")
    qtbot.waitUntil(lambda: bool(built), timeout=5000)
    qtbot.wait(studio_module.DEBOUNCE_MS + 200)
    assert len(built) == 1
    assert "Welcome-all" in pdf_text(studio.preview.path)


def test_typed_flyer_and_a_bad_date(qtbot, ctx, open_studio):
    studio = open_studio(kind="flyer")
    form = studio.forms["flyer"]
    assert "題名を入力してください" in studio.preview.message.text()
    assert not studio.preview.save_button.isEnabled()
    type_text(qtbot, form.fields["title"], "家で過ごすということ")
    type_text(qtbot, form.fields["date"], "2027/13/40")
    qtbot.waitUntil(lambda: "日付は" in studio.preview.message.text(), timeout=5000)
    replace_text(qtbot, form.fields["date"], "令和9年2月3日")
    wait_preview(qtbot, studio)
    text = pdf_text(studio.preview.path).replace(" ", "")
    assert "家で過ごすということ" in text and "令和9年2月3日（水）" in text
    assert ctx.messages.shown == []


def test_flyer_tear_off_without_application_is_noted(qtbot, ctx, open_studio, lecture):
    studio = open_studio(meeting_id=lecture)
    form = studio.forms["flyer"]
    form.fields["tear_off"].click()
    wait_preview(qtbot, studio)
    assert "申込書" in studio.notes.text()
    choose(form.fields["apply_how"], "電話")
    qtbot.waitUntil(lambda: "申込先" in studio.preview.message.text(), timeout=5000)
    type_text(qtbot, form.fields["apply_contact"], "0193-22-0000")
    wait_preview(qtbot, studio)
    assert studio.notes.text() == ""
    assert "申込書" in pdf_text(studio.preview.path)


def test_directory_filters(qtbot, ctx, open_studio):
    studio = open_studio(kind="directory")
    everything = studio.preview.page_count
    form = studio.forms["directory"]
    choose(form.fields["municipality"], "大槌町")
    pages = wait_preview(qtbot, studio)
    assert pages < everything
    text = pdf_text(studio.preview.path).replace(" ", "")
    otsuchi = [r.name for r in live_resources(ctx) if r.municipality == "大槌町"]
    kamaishi = [r.name for r in live_resources(ctx) if r.municipality == "釜石市"]
    assert otsuchi[0].replace(" ", "")[:6] in text
    assert not any(name.replace(" ", "") in text for name in kamaishi if len(name) > 8)
    assert studio.preview.suggested_name.startswith("資源マップ冊子_大槌町_")


def test_update_forms_are_recorded_as_sent_only_when_saved(qtbot, ctx, open_studio, tmp_path, monkeypatch):
    remember_nursing_only(ctx)
    studio = open_studio(kind="update_form")
    pages = studio.preview.page_count
    directory = studio_module.service(ctx, "directory")
    assert directory.forms_status() == {}  # previewing sends nothing
    monkeypatch.setattr("zaitaku_desktop.ui.handouts.preview._ask_save_path", lambda *a: tmp_path / "forms.pdf")
    qtbot.mouseClick(studio.preview.save_button, Qt.MouseButton.LeftButton)
    assert pdf_pages(tmp_path / "forms.pdf") == pages
    sent = directory.forms_status()
    assert len(sent) == pages and {s.category for s in sent.values()} == {"訪問看護ステーション"}


def test_bad_reply_date_is_explained(qtbot, ctx, open_studio):
    remember_nursing_only(ctx)
    studio = open_studio(kind="update_form")
    type_text(qtbot, studio.forms["update_form"].fields["reply_by"], "そのうち")
    qtbot.waitUntil(lambda: "返送の期限" in studio.preview.message.text(), timeout=5000)


def test_save_writes_a_readable_pdf(qtbot, ctx, open_studio, tmp_path, monkeypatch):
    studio = open_studio(kind="emergency")
    asked = []
    monkeypatch.setattr("zaitaku_desktop.ui.handouts.preview._ask_save_path",
                        lambda parent, title, name, flt: asked.append(name) or tmp_path / "災害時")
    qtbot.mouseClick(studio.preview.save_button, Qt.MouseButton.LeftButton)
    assert asked == [f"災害時連絡先一覧_{TODAY:%Y-%m-%d}.pdf"]
    saved = tmp_path / "災害時.pdf"
    assert pdf_pages(saved) == studio.preview.page_count
    assert "災害時" in pdf_text(saved)


def test_print_goes_to_the_chosen_printer(qtbot, ctx, open_studio, tmp_path, monkeypatch):
    studio = open_studio(kind="pamphlet")
    out = tmp_path / "printed.pdf"

    def fake_exec(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(out))
        return QPrintDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", fake_exec)
    qtbot.mouseClick(studio.preview.print_button, Qt.MouseButton.LeftButton)
    assert pdf_pages(out) == studio.preview.page_count == 2
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    width, height = (float(v) for v in info.split("Page size:")[1].split()[0:3:2])
    assert width > height  # the pamphlet is A4 landscape and prints that way


def test_choices_are_remembered(qtbot, ctx, open_studio, lecture):
    studio = open_studio(meeting_id=lecture)
    flyer = studio.forms["flyer"]
    choose(flyer.fields["layout"], "2段組みのチラシ")
    choose(flyer.fields["colour"], "緑")
    type_text(qtbot, flyer.fields["qr_url"], "https://www.city.kamaishi.iwate.jp/")
    pick(qtbot, studio, "在宅医療パンフレット")
    pamphlet = studio.forms["pamphlet"]
    replace_text(qtbot, pamphlet.fields["subtitle"], "在宅医療のしおり")
    pick(qtbot, studio, "資源マップ冊子")
    choose(studio.forms["directory"].fields["category"], "病院")
    qtbot.mouseClick(studio.findChild(type(studio.preview.save_button), "studioClose"), Qt.MouseButton.LeftButton)
    assert not studio.isVisible()

    again = open_studio()
    assert again.current_key == "directory"
    assert again.forms["directory"].fields["category"].currentText() == "病院"
    flyer = again.forms["flyer"]
    assert flyer.fields["layout"].currentData() == "leaflet"
    assert flyer.fields["colour"].currentText() == "緑"
    assert flyer.fields["qr_url"].text() == "https://www.city.kamaishi.iwate.jp/"
    assert flyer.fields["meeting"].currentData() == lecture
    assert flyer.fields["title"].text() == "住み慣れた家で最期まで"
    assert again.forms["pamphlet"].fields["subtitle"].toPlainText() == "在宅医療のしおり"
    # Asking for a handout beats the remembered one.
    assert open_studio(kind="emergency").current_key == "emergency"


def test_unreadable_remembered_choices_are_ignored(ctx, open_studio):
    ctx.settings.set_state(STATE_NAME, QByteArray(b"\xff{not json"))
    studio = open_studio()
    assert studio.current_key == "flyer"
    ctx.settings.set_state(STATE_NAME, QByteArray(
        b'{"last": "nothing", "flyer": {"layout": "gone", "paper": 3}, "pamphlet": [1]}'))
    studio = open_studio()
    assert studio.current_key == "flyer"
    assert studio.forms["flyer"].fields["layout"].currentData() == "poster"


def test_pamphlet_back_to_the_standard_text(qtbot, ctx, open_studio):
    studio = open_studio(kind="pamphlet")
    form = studio.forms["pamphlet"]
    replace_text(qtbot, form.fields["what_is"], "")
    type_text(qtbot, form.fields["what_is"], "独自の説明")
    wait_preview(qtbot, studio)
    assert "独自の説明" in pdf_text(studio.preview.path)
    reset = studio.findChild(type(studio.preview.save_button), "pamphlet_reset")
    ctx.messages.answers = [False]
    qtbot.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert form.fields["what_is"].toPlainText() == "独自の説明"
    ctx.messages.answers = [True]
    qtbot.mouseClick(reset, Qt.MouseButton.LeftButton)
    assert form.fields["what_is"].toPlainText() == PamphletText().what_is
    wait_preview(qtbot, studio)
    assert "独自の説明" not in pdf_text(studio.preview.path)


def test_a_pamphlet_without_title_says_so(qtbot, ctx, open_studio):
    studio = open_studio(kind="pamphlet")
    replace_text(qtbot, studio.forms["pamphlet"].fields["title"], "")
    qtbot.waitUntil(lambda: "題名を入力してください" in studio.preview.message.text(), timeout=5000)
    assert not studio.preview.print_button.isEnabled()


class DeferredRunner:
    """Holds jobs until the test lets them run (like the worker thread finishing late)."""

    def __init__(self) -> None:
        self.jobs: list = []

    def run(self, fn, *, on_done=None, on_error=None, on_progress=None) -> None:
        self.jobs.append((fn, on_done, on_error))

    def finish_all(self) -> None:
        while self.jobs:
            fn, on_done, on_error = self.jobs.pop(0)
            try:
                result = fn()
            except Exception as exc:  # noqa: BLE001
                on_error(exc)
            else:
                on_done and on_done(result)


def test_a_late_preview_never_replaces_a_newer_one(qtbot, ctx, open_studio):
    ctx.runner = DeferredRunner()
    studio = open_studio(kind="pamphlet")
    form = studio.forms["pamphlet"]
    studio.refresh()
    form.fields["subtitle"].setPlainText("新しい副題")
    studio.refresh()
    ctx.runner.finish_all()
    assert "新しい副題" in pdf_text(studio.preview.path)
    leftovers = list((studio_module.paths.cache_dir() / "handouts").iterdir())
    assert leftovers == [studio.preview.path]
    studio.accept()
    assert not list((studio_module.paths.cache_dir() / "handouts").iterdir())


def test_main_window_offers_the_studio_and_the_emergency_sheet(qtbot, window, dialogs):
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        visible = [a.objectName() for a in window.menu_output.actions() if a.isVisible()]
        assert {"actHandoutStudio", "actEmergencySheet"} <= set(visible)
    seen = []
    dialogs.drive(HandoutStudio, lambda d: seen.append((d.current_key, d.preview.page_count, d.windowTitle())))
    window.act_emergency.trigger()
    assert seen and seen[0][0] == "emergency" and seen[0][1] >= 1 and seen[0][2] == "配布物スタジオ"
    window.act_studio.trigger()
    assert len(seen) == 2 and seen[1][0] == "emergency"  # the last handout comes back


def test_every_handout_has_a_label_and_a_form(ctx, open_studio):
    studio = open_studio()
    labels = [studio.handout_list.item(i).text() for i in range(studio.handout_list.count())]
    assert labels == ["講演会チラシ", "在宅医療パンフレット", "資源マップ冊子", "災害時連絡先一覧", "資源情報確認票"]
    assert [cls.key for cls in HANDOUTS] == list(studio.forms)


def test_pamphlet_contacts_reach_the_pdf(qtbot, ctx, open_studio):
    studio = open_studio(kind="pamphlet")
    form = studio.forms["pamphlet"]
    type_text(qtbot, form.fields["contact_text"], "電話 0193-22-0000　平日 8:30〜17:15")
    type_text(qtbot, form.fields["window_一般向け"], "電話 0193-22-1111")
    wait_preview(qtbot, studio)
    text = pdf_text(studio.preview.path)
    assert "0193-22-0000" in text and "0193-22-1111" in text


def test_with_the_worker_thread(qtbot, ctx, open_studio):
    """The real runner: the PDF is made on the worker and shown back on the main thread."""
    from zaitaku_desktop.ui.tasks import TaskRunner

    ctx.runner = TaskRunner()
    studio = open_studio(kind="emergency")
    assert studio.preview.message.text() == "「災害時連絡先一覧」を作っています…"
    qtbot.waitUntil(lambda: studio.preview.page_count > 0, timeout=20000)
    assert "災害時" in pdf_text(studio.preview.path)
    studio.forms["emergency"].fields["publisher"].setText("釜石市")
    studio.refresh()
    studio.accept()  # closed while the new preview is still being made: it is thrown away when it arrives
    assert ctx.runner.wait(20000)
    qtbot.wait(50)
    assert not list((studio_module.paths.cache_dir() / "handouts").iterdir())


def test_flyer_for_a_meeting_of_another_layer(ctx, open_studio, lecture):
    meetings = ctx.services.meetings
    academic = next(t.id for t in meetings.list_types() if t.name == "学術講演会")
    row = meetings.create(MeetingInput(title="在宅緩和ケアの実際", type_id=academic, date=LECTURE_DAY))
    studio = open_studio(meeting_id=row.id)
    form = studio.forms["flyer"]
    assert form.fields["meeting"].currentText().endswith("在宅緩和ケアの実際")
    assert form.fields["title"].text() == "在宅緩和ケアの実際"
    assert form.fields["target"].text() == "医療・介護の専門職"
    assert "在宅緩和ケアの実際" in pdf_text(studio.preview.path).replace(" ", "")
