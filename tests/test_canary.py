"""The canary sweep of issue 6: a consultation about 「カナリア 太郎」 goes through every output the program has —
papers, Excel, statistics, the CLI, promotion to the issue board, error messages and the log file — and the
name (or its reading, or phone) must turn up only where an active consent or the user's explicit choice of
names allows it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QSettings

from pdf_tools import pdf_text, requires_poppler, squeeze
from zaitaku_desktop import cli
from zaitaku_desktop.domain.errors import DomainError, ValidationError
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.consultations import ConsultationInput
from zaitaku_desktop.settings import Settings
from zaitaku_desktop.ui.consultations import outputs
from zaitaku_desktop.ui.context import AppContext
from zaitaku_desktop.ui.messages import RecordingMessages
from zaitaku_desktop.ui.personal_export import PersonalExportDialog
from zaitaku_desktop.ui.tasks import SyncTaskRunner

pytestmark = requires_poppler

CANARY = "カナリア 太郎"
READING = "かなりあ たろう"
PHONE = "0193-99-1234"
NEEDLES = ("カナリア", "かなりあ", "カナリヤ", "0193-99-1234", "0193991234", "ツグミ")  # the person, the requester
PERIOD = (dt.date(2026, 4, 1), dt.date(2027, 3, 31))


def _text_of(path: Path) -> str:
    """What a reader of the file sees: cells and sheet names, PDF text, or the raw text."""
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        return "\n".join([ws.title for ws in book] + [str(v) for ws in book for line in ws.iter_rows(values_only=True)
                                                      for v in line if v is not None])
    if path.suffix == ".pdf":
        return pdf_text(path) + squeeze(pdf_text(path))
    return path.read_text(encoding="utf-8", errors="replace")


def _carriers(*folders: Path) -> set[str]:
    """Names of the files (in the folders, recursively) in which any needle appears."""
    found = set()
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            text = _text_of(path)
            if any(n in text or n in squeeze(text) for n in NEEDLES):
                found.add(path.name)
    return found


class _Period(outputs.PeriodDialog):
    """The period dialog as a user leaves it: the fiscal year, 「氏名を含めますか？」 as ``names``, OK."""

    names = False

    def exec(self) -> int:
        self.start.setText("2026/04/01")
        self.end.setText("2027/03/31")
        self.include_names.setChecked(self.names)
        self.accept()
        return int(self.result())


class _WithNames(_Period):
    names = True


def test_the_canary_leaves_only_with_consent_and_choice(qapp, sample_db_path: Path, tmp_path: Path, logged: Path,
                                                         monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    services = open_services(sample_db_path, user="tester")
    service = services.consultations
    ctx = AppContext(services=services, settings=Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)),
                     runner=SyncTaskRunner(), messages=RecordingMessages())
    target: dict[str, str] = {}
    monkeypatch.setattr(outputs, "_ask_save_path", lambda _p, _t, _name, _f: out / target["name"])
    monkeypatch.setattr(PersonalExportDialog, "exec", lambda d: (d.plain.setChecked(True), d.accept(), d.result())[-1])
    errors: list[str] = []
    try:
        # --- intake, with the mistakes an office worker makes on the way ------------------------------------
        service.ensure_categories_seeded()
        category = next(c for c in service.list_categories() if c.name == "退院調整")
        data = ConsultationInput(
            window="一般向け", received_at="2026/11/20 14:30", channel="電話", requester_type="家族",
            requester_name="ツグミ 花子", requester_contact="090-9999-0000", person_name=CANARY,
            person_reading=READING, person_phone="カナリア", age_band="85〜94歳", category_ids=[category.id],
            question="退院後の訪問診療先を探している", answer="在宅療養支援診療所を案内", minutes_spent=20,
            handled_by="相談員")
        with pytest.raises(ValidationError) as bad:
            service.create(data)
        errors.append(bad.value.message)
        data.person_phone = PHONE
        row = service.create(data)
        resource = services.resources.list_rows()[0]
        with pytest.raises(DomainError) as refused:  # no consent: the details may not go with the referral
            service.add_referral(row.id, resource.id, "2026/11/21", "紹介状", share_personal=True)
        errors.append(refused.value.message)
        referral = service.add_referral(row.id, resource.id, "2026/11/21", "紹介状", share_personal=False)
        service.find_duplicates(person_reading=READING, phone=PHONE)
        service.list_rows(start=PERIOD[0], end=PERIOD[1])
        service.get(row.id)
        service.stats(*PERIOD)
        # --- promotion to the issue board, and the board's own export ----------------------------------------
        same = [r.id for r in service.list_rows(start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31))
                if category.name in r.categories]
        services.consultations.promote_to_issue(same, title="退院調整の相談が続いている", layer="二次",
                                                profession_ids=[])
        services.issues.export_xlsx(out / "issues.xlsx")

        # --- every output, with no consent and no names chosen ------------------------------------------------
        def every_output(tag: str, names_dialog) -> None:
            for name, run in (
                    (f"intake_{tag}.pdf", lambda: outputs.print_intake(ctx, None, row.id)),
                    (f"referral_{tag}.pdf",
                     lambda: outputs.print_referral(ctx, None, referral.id, consultation_id=row.id)),
                    (f"stats_{tag}.pdf", lambda: outputs.print_stats(ctx, None, dialog_factory=_Period)),
                    (f"stats_{tag}.xlsx", lambda: outputs.export_stats(ctx, None, dialog_factory=_Period)),
                    (f"cases_{tag}.xlsx", lambda: outputs.export_case_list(ctx, None, dialog_factory=names_dialog))):
                target["name"] = name
                run()
                assert (out / name).is_file(), ctx.messages.shown[-1:]
            assert cli.main(["--db", str(sample_db_path), "consultations", "stats", str(out / f"cli_{tag}.xlsx"),
                             "--from", "2026-04-01", "--to", "2027-03-31"]) == 0
            assert cli.main(["--db", str(sample_db_path), "consultations", "stats", str(out / "bad.pdf")]) == 2

        every_output("before", _Period)
        captured = capsys.readouterr()
        (out / "console.txt").write_text(captured.out + captured.err + "\n".join(errors) + "\n"
                                         + "\n".join(t for _, _, t in ctx.messages.shown), encoding="utf-8")
        assert _carriers(out, logged) == set()
        assert [a for a in service.access_log() if a.action in ("print", "export")] == []

        # --- consent recorded, names chosen explicitly: only those outputs carry the person -------------------
        service.record_consent(row.case_id, granted=True, recipients="紹介先の医療機関", purpose="在宅医療の調整",
                               obtained_on="2026/11/20", method="口頭")
        every_output("after", _WithNames)
        captured = capsys.readouterr()
        (out / "console_after.txt").write_text(captured.out + captured.err
                                               + "\n".join(t for _, _, t in ctx.messages.shown), encoding="utf-8")
        assert _carriers(out, logged) == {"intake_after.pdf", "referral_after.pdf", "cases_after.xlsx"}
        assert (logged / "zaitaku.log").is_file()
        personal = [(a.action, a.entity) for a in service.access_log() if a.action in ("print", "export")]
        assert sorted(personal) == [("export", "consultation"), ("print", "consultation"), ("print", "referral")]
        assert not any(n in a.detail for a in service.access_log() for n in NEEDLES)
    finally:
        services.close()
