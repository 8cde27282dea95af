"""出力 for the consultation desk: the intake sheet (相談受付票) and the referral note (紹介状) as PDF, the
statistics as Excel or a one-page PDF, and the case list as Excel.

Consent decides what leaves the program: the papers carry the person's details only when
``ConsultationService.shareable(...)`` says so, and the case list is anonymous unless the user ticks
「氏名を含めますか？」. Every output that does include personal data first warns and offers an encrypted ZIP
(ui/personal_export.py), and is written to the access log (ids, the file name and whether it was encrypted) before
the file is written. Files are written on the worker, atomically."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any, Callable

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from zaitaku_desktop import paths
from zaitaku_desktop.domain.dates import fiscal_year
from zaitaku_desktop.domain.errors import NotFoundError
from zaitaku_desktop.exports.atomic import write_atomically
from zaitaku_desktop.exports.consultations_xlsx import write_case_list_xlsx, write_stats_xlsx
from zaitaku_desktop.exports.secure_zip import ExportTarget
from zaitaku_desktop.reports.consultation_papers import write_intake_sheet, write_monthly_stats, write_referral_note

from ..context import AppContext
from ..issues.outputs import _ask_save_path, _done
from ..meetings.exports import ExportRangeDialog
from ..personal_export import ZIP_DONE, choose_personal_target
from ..widgets.progress import run_with_progress

ENTITY = "consultation"
NAMES_WARNING = ("氏名を含むファイルは個人情報です。"
                 "持ち出し・共有は規程に従い、不要になったら削除してください。書き出したことは操作の記録に残ります。")
LEFT_OUT = "個人情報の提供について有効な同意の記録がないため、氏名・連絡先などは記載していません。"
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')
PDF, XLSX = ("PDF (*.pdf)", ".pdf"), ("Excel (*.xlsx)", ".xlsx")


def this_fiscal_year(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    year = fiscal_year(today or dt.date.today())
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def _safe(text: str) -> str:
    return _UNSAFE.sub("", text)[:40]


class PeriodDialog(ExportRangeDialog):
    """The period (from/to, 和暦 or 西暦) and, for the case list, 「氏名を含めますか？」 — unticked by default."""

    def __init__(self, ctx: AppContext, parent: QWidget | None, *, title: str, start: dt.date | None = None,
                 end: dt.date | None = None, ask_names: bool = False) -> None:
        default_start, default_end = this_fiscal_year()
        super().__init__(ctx, parent, title=title, start=start or default_start, end=end or default_end)
        self.setObjectName("consultationPeriodDialog")
        self.one.hide()
        self.period.hide()
        self.include_names = QCheckBox("氏名を含めますか？（ご本人と相談者の氏名を書き出します）", self)
        self.include_names.setObjectName("includeNames")
        self.warning = QLabel(NAMES_WARNING, self)
        self.warning.setObjectName("namesWarning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color:#c62828;")
        anonymous = QLabel("チェックしなければ匿名です：ご本人の氏名は伏せ字（例：釜○ 花○）になり、相談者の氏名・"
                           "連絡先や相談内容は書き出しません。", self)
        anonymous.setObjectName("anonymousNote")
        anonymous.setWordWrap(True)
        layout = self.layout()
        for widget in (self.include_names, anonymous, self.warning):
            layout.insertWidget(layout.count() - 1, widget)
            widget.setVisible(ask_names)
        self.include_names.toggled.connect(lambda on: (self.warning.setVisible(on), anonymous.setVisible(not on)))
        self.warning.hide()


def _has_personal(detail: Any) -> bool:
    row = detail.row
    return any((row.person_name, row.requester_name, detail.person_reading, detail.person_phone,
                detail.requester_contact))


def _target(parent: QWidget, title: str, name: str, kind: tuple[str, str], path: Path | None) -> Path | None:
    target = path or _ask_save_path(parent, title, f"{name}{kind[1]}", kind[0])
    if target is not None and target.suffix.lower() != kind[1]:
        target = target.with_suffix(kind[1])
    return target


def _destination(ctx: AppContext, parent: QWidget, title: str, name: str, kind: tuple[str, str], path: Path | None,
                 personal: bool) -> ExportTarget | None:
    """The file to write; with personal data, after the warning and the choice of an encrypted ZIP."""
    def ask(suggested: str, chosen_kind: tuple[str, str]) -> Path | None:
        return _target(parent, title, suggested, chosen_kind, path)

    if personal:
        return choose_personal_target(ctx, parent, name=name, kind=kind, ask_path=ask)
    chosen = ask(name, kind)
    return None if chosen is None else ExportTarget(chosen)


def _saved(target: ExportTarget) -> str:
    return f"\n{ZIP_DONE}" if target.encrypted else ""


# --- papers of one consultation -----------------------------------------------------------------------

def _paper(ctx: AppContext, parent: QWidget, consultation_id: str, label: str, *, pick: Callable[[Any], Any],
           name_of: Callable[[Any, Any], str], write: Callable[[Any, Any, Any, bool], int], log: tuple[str, str],
           path: Path | None) -> None:
    """Load the consultation, the part to print (``pick``, may raise) and whether its personal fields may
    leave (worker); ask the file; log the print when personal fields go on paper; write the PDF (worker);
    say whether they were left out."""
    service = ctx.services.consultations

    def load() -> tuple[Any, Any, bool]:
        detail = service.get(consultation_id)
        return detail, pick(detail), service.shareable(consultation_id)

    def loaded(value: tuple[Any, Any, bool]) -> None:
        detail, part, include_personal = value
        target = _destination(ctx, parent, f"{label}を保存", name_of(detail, part), PDF, path, include_personal)
        if target is None:
            return

        def work(_progress) -> int:
            if include_personal:
                service.log_access("print", log[0], log[1], f"{label} {target.path.name}（{target.log_note}）")
            return target.write(lambda handle: write(detail, part, handle, include_personal))

        def done(pages: int) -> None:
            note = ("氏名・連絡先などの個人情報を含みます（同意の記録あり）。" if include_personal
                    else LEFT_OUT if _has_personal(detail) else "")
            _done(ctx, f"{label}（{pages} ページ）を作りました。\n{note}{_saved(target)}".strip(), target.path)

        run_with_progress(ctx, f"{label}を作っています…", work, on_done=done, error_title="PDFを作れませんでした",
                          parent=parent)

    ctx.runner.run(load, on_done=loaded, on_error=lambda exc: ctx.messages.failure("PDFを作れませんでした", exc))


def print_intake(ctx: AppContext, parent: QWidget, consultation_id: str, *, path: Path | None = None) -> None:
    """相談受付票 of one consultation (PDF)."""
    style = ctx.settings.date_style
    _paper(ctx, parent, consultation_id, "相談受付票", pick=lambda d: d,
           name_of=lambda d, _part: f"相談受付票_{d.row.case_no}",
           write=lambda d, _part, out, personal: write_intake_sheet(
               d, out, include_personal=personal, fonts_dir=paths.fonts_dir(), date_style=style),
           log=(ENTITY, consultation_id), path=path)


def print_referral(ctx: AppContext, parent: QWidget, referral_id: str, *, consultation_id: str,
                   path: Path | None = None) -> None:
    """紹介状 for one referral (``referral_id``) of the consultation ``consultation_id`` (PDF)."""
    style = ctx.settings.date_style

    def pick(detail: Any) -> Any:
        found = next((r for r in detail.referrals if r.id == referral_id), None)
        if found is None:
            raise NotFoundError("この紹介は見つかりません。ほかの操作で変更された可能性があります。")
        return found

    _paper(ctx, parent, consultation_id, "紹介状", pick=pick,
           name_of=lambda d, r: f"紹介状_{d.row.case_no}_{_safe(r.resource_name)}",
           write=lambda d, r, out, personal: write_referral_note(
               d, r, out, include_personal=personal, fonts_dir=paths.fonts_dir(), date_style=style),
           log=("referral", referral_id), path=path)


# --- period outputs -----------------------------------------------------------------------------------

def _period(ctx: AppContext, parent: QWidget, title: str, start: dt.date | None, end: dt.date | None,
            ask_names: bool, dialog_factory) -> tuple[dt.date, dt.date, bool] | None:
    dialog = dialog_factory(ctx, parent, title=title, start=start, end=end, ask_names=ask_names)
    if not dialog.exec() or dialog.chosen is None:
        return None
    return dialog.chosen[0], dialog.chosen[1], dialog.include_names.isChecked()


def _stats_output(ctx: AppContext, parent: QWidget, start, end, path, dialog_factory, *, title: str,
                  kind: tuple[str, str], write: Callable[[Any, Path], None]) -> None:
    chosen = _period(ctx, parent, title, start, end, False, dialog_factory)
    if chosen is None:
        return
    first, last, _ = chosen
    target = _target(parent, title, f"相談の統計_{first:%Y%m%d}-{last:%Y%m%d}", kind, path)
    if target is None:
        return

    def work(_progress) -> int:
        stats = ctx.services.consultations.stats(first, last)
        write(stats, target)
        return stats.total

    run_with_progress(ctx, "相談の統計を作っています…", work, error_title="書き出せませんでした", parent=parent,
                      on_done=lambda n: _done(ctx, f"相談 {n:,} 件の統計を書き出しました（個人を特定できる情報は含みません）。",
                                              target))


def export_stats(ctx: AppContext, parent: QWidget, start: dt.date | None = None, end: dt.date | None = None, *,
                 path: Path | None = None, dialog_factory=PeriodDialog) -> None:
    """The statistics of a period as Excel: one sheet per view, anonymous (nothing is logged)."""
    _stats_output(ctx, parent, start, end, path, dialog_factory, title="相談の統計をExcelに書き出す", kind=XLSX,
                  write=write_stats_xlsx)


def print_stats(ctx: AppContext, parent: QWidget, start: dt.date | None = None, end: dt.date | None = None, *,
                path: Path | None = None, dialog_factory=PeriodDialog) -> None:
    """The statistics of a period (e.g. one month) on one A4 sheet (PDF), anonymous."""
    style = ctx.settings.date_style

    def write(stats: Any, target: Path) -> None:
        write_atomically(target, lambda handle: write_monthly_stats(stats, handle, fonts_dir=paths.fonts_dir(),
                                                                   date_style=style))

    _stats_output(ctx, parent, start, end, path, dialog_factory, title="相談の統計（PDF）", kind=PDF, write=write)


def export_case_list(ctx: AppContext, parent: QWidget, start: dt.date | None = None, end: dt.date | None = None, *,
                     path: Path | None = None, dialog_factory=PeriodDialog) -> None:
    """The consultations of a period as Excel, anonymous unless the user ticks 「氏名を含めますか？」; that
    choice is written to the access log with the count and the file name."""
    title = "相談の一覧をExcelに書き出す"
    chosen = _period(ctx, parent, title, start, end, True, dialog_factory)
    if chosen is None:
        return
    first, last, include_names = chosen
    named = "_氏名あり" if include_names else ""
    target = _destination(ctx, parent, title, f"相談一覧_{first:%Y%m%d}-{last:%Y%m%d}{named}", XLSX, path,
                          include_names)
    if target is None:
        return
    service = ctx.services.consultations

    def work(_progress) -> int:
        rows = service.list_rows(start=first, end=last)
        if include_names:
            service.log_access("export", ENTITY, "", f"相談一覧（氏名を含める）{len(rows)}件 {target.path.name}"
                                                     f"（{target.log_note}）")
        return target.write(lambda handle: write_case_list_xlsx(rows, handle, include_names=include_names))

    def done(n: int) -> None:
        how = "氏名を含めて" if include_names else "氏名を伏せ字にして（匿名）"
        _done(ctx, f"相談 {n:,} 件を{how}書き出しました。{_saved(target)}", target.path)

    run_with_progress(ctx, "相談の一覧を書き出しています…", work, on_done=done, error_title="書き出せませんでした",
                      parent=parent)


__all__ = ["PeriodDialog", "print_intake", "print_referral", "export_stats", "print_stats", "export_case_list"]
