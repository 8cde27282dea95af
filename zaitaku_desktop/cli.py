"""Command line: no sub-command opens the GUI; sub-commands run the same services headless.

    zaitaku-desktop [--db PATH]                         open the GUI
    zaitaku-desktop [--db PATH] demo                    load the sample region into an empty database
    zaitaku-desktop [--db PATH] resources import FILE [--dry-run] [--accept-partial] [--date YYYY-MM-DD]
    zaitaku-desktop [--db PATH] municipalities add CODE NAME [--reading R]
    zaitaku-desktop [--db PATH] municipalities list
    zaitaku-desktop [--db PATH] resources export OUT.xlsx|OUT.csv
    zaitaku-desktop [--db PATH] resources summary OUT.xlsx
    zaitaku-desktop [--db PATH] resources directory OUT.pdf [--municipality NAME] [--category NAME]
    zaitaku-desktop [--db PATH] resources emergency OUT.pdf
    zaitaku-desktop [--db PATH] issues export OUT.xlsx
    zaitaku-desktop [--db PATH] issues sample          add the sample issues to a sample database without them
    zaitaku-desktop [--db PATH] issues feedback --association NAME OUT.pdf [--date YYYY-MM-DD]
    zaitaku-desktop [--db PATH] issues list-pdf --professions A,B[,C,D] OUT.pdf [--layers 一次,二次] [--title T]
    zaitaku-desktop [--db PATH] meetings export OUT.xlsx [--from DATE --to DATE | --meeting ID]
    zaitaku-desktop [--db PATH] meetings ics OUT.ics [--from DATE --to DATE | --meeting ID]
    zaitaku-desktop [--db PATH] consultations stats OUT.xlsx [--from DATE --to DATE]   anonymous counts (default: this fiscal year)
    zaitaku-desktop [--db PATH] report annual --fiscal-year 2025 OUT.pdf|OUT.xlsx   the annual report (事業実績報告)
    zaitaku-desktop [--db PATH] backup [DIR]            a checked backup (default: the backup folder of the settings)
    zaitaku-desktop [--db PATH] restore FILE            replace the database with a backup (the current one is kept)
    zaitaku-desktop [--db PATH] check                   integrity, references and the program's rules; 0 = all pass
    zaitaku-desktop [--db PATH] audit verify            check the hash-chained audit log; 0 = intact, 1 = tampered
    zaitaku-desktop [--db PATH] audit export OUT.xlsx|OUT.csv   the audit log for the privacy officer
    zaitaku-desktop [--db PATH] sync export OUT.zip --since DATE [--password-stdin]   the changes since DATE
    zaitaku-desktop [--db PATH] sync import FILE.zip [--dry-run] [--theirs] [--password-stdin]   merge them
    zaitaku-desktop [--db PATH] copy-to DEST            copy the whole database to an empty SQLite file or PostgreSQL
                                                        database (either way), verified by row counts and checksums

PATH may be a PostgreSQL URL (postgresql://user:pass@host:5432/dbname): a shared office server.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from zaitaku_desktop import APP_NAME, __version__


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 指定が正しくありません：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=APP_NAME, description="在宅医療・介護連携コーディネーターのためのデスクトップアプリ。"
                                                 "サブコマンドなしで画面を開きます。")
    parser.add_argument("--db", metavar="PATH", help="使うデータベースファイル、またはサーバーの URL（postgresql://利用者:パスワード@サーバー/名前）"
                                                     "（既定：ユーザーのデータフォルダ。環境変数 ZAITAKU_DB でも指定可）")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--user", metavar="NAME", help="保護されたデータベースを開く利用者名（登録が1人なら省略可）")
    parser.add_argument("--password-stdin", action="store_true",
                        help="パスワードを標準入力の1行目から読む（指定しなければ画面で尋ねます）")
    parser.add_argument("--recovery-key-stdin", action="store_true",
                        help="パスワードの代わりに回復キーを標準入力の1行目から読む")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("demo", help="空のデータベースにサンプル地域（釜石市・大槌町、架空データ）を読み込む")
    res = sub.add_parser("resources", help="資源一覧の取り込み・書き出し・集計")
    rsub = res.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    imp = rsub.add_parser("import", help="Excel（.xlsx）・CSVから取り込む")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="何も書き込まず、追加・変更・スキップの件数とエラーだけを表示する")
    imp.add_argument("--accept-partial", action="store_true", help="エラーのある行を除いて取り込む")
    imp.add_argument("--date", metavar="YYYY-MM-DD",
                     help="オープンデータの日付（既定：ファイル名の日付、なければファイルの更新日）")
    exp = rsub.add_parser("export", help="一覧を .xlsx または .csv に書き出す")
    exp.add_argument("out", metavar="OUT")
    summ = rsub.add_parser("summary", help="種別×市町村の集計表を .xlsx に書き出す")
    summ.add_argument("out", metavar="OUT")
    rdir = rsub.add_parser("directory", help="資源一覧の冊子（表紙・目次・種別ごと・名称の索引）を .pdf にする")
    rdir.add_argument("out", metavar="OUT.pdf")
    rdir.add_argument("--municipality", metavar="NAME", help="市町村で絞り込む")
    rdir.add_argument("--category", metavar="NAME", action="append", help="種別で絞り込む（くり返し指定可）")
    rem = rsub.add_parser("emergency", help="災害時連絡先一覧（停電時用、1〜2ページ）を .pdf にする")
    rem.add_argument("out", metavar="OUT.pdf")
    mun = sub.add_parser("municipalities", help="地域の市町村（団体コード）の登録・一覧")
    msub = mun.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    madd = msub.add_parser("add", help="市町村を追加する（団体コード6桁。5桁なら検査数字を補います）")
    madd.add_argument("code", metavar="CODE")
    madd.add_argument("name", metavar="NAME")
    madd.add_argument("--reading", default="", help="読み（ひらがな）")
    msub.add_parser("list", help="登録されている市町村を表示する")
    _add_issue_commands(sub)
    _add_meeting_commands(sub)
    _add_consultation_commands(sub)
    _add_report_commands(sub)
    _add_maintenance_commands(sub)
    _add_audit_commands(sub)
    _add_sync_commands(sub)
    return parser


def _add_audit_commands(sub):
    """`audit verify` and `audit export OUT`: the hash-chained audit log (監査ログ)."""
    audit = sub.add_parser("audit", help="監査ログ（個人情報の表示・書き出し・変更の記録）の検証と書き出し")
    asub = audit.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    asub.add_parser("verify", help="監査ログが書き換え・削除・差し込みされていないか検証する。正常なら終了コード 0、異常があれば 1")
    aexp = asub.add_parser("export", help="監査ログ（通番・検証値つき）を .xlsx（検証結果のシートつき）または .csv に書き出す")
    aexp.add_argument("out", metavar="OUT.xlsx|OUT.csv")
    return asub


def _add_sync_commands(sub):
    """`sync export OUT --since DATE` and `sync import FILE`: exchange files for laptops that worked apart."""
    sync = sub.add_parser("sync", help="交換ファイル（別々に作業した2台のパソコンの記録を合わせる）の書き出し・取り込み")
    ssub = sync.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    sexp = ssub.add_parser("export", help="指定日以降に変更した記録を交換ファイル（.zip）に書き出す")
    sexp.add_argument("out", metavar="OUT.zip")
    sexp.add_argument("--since", required=True, metavar="DATE", help="この日以降の変更を書き出す（例：2026-04-01）")
    simp = ssub.add_parser("import", help="もう一方のパソコンの交換ファイルを取り込む（先にバックアップします）")
    simp.add_argument("file", metavar="FILE.zip")
    simp.add_argument("--dry-run", action="store_true", help="何も書き込まず、追加・更新・競合・変更なしの件数と競合だけを表示する")
    simp.add_argument("--theirs", action="store_true", help="競合した項目はすべて相手の値にする（既定：こちらの値のまま）")
    for command in (sexp, simp):
        command.add_argument("--password-stdin", dest="file_password_stdin", action="store_true",
                             help="交換ファイルのパスワードを標準入力から読む（ログインのパスワードの次の行）")
    return ssub


def _check_sync_args(args: argparse.Namespace) -> str | None:
    from zaitaku_desktop.domain.dates import parse_date

    if args.action == "import":
        return None if Path(args.file).is_file() else f"交換ファイルが見つかりません：{args.file}"
    if Path(args.out).suffix.lower() != ".zip":
        return f"書き出し先の拡張子は .zip にしてください：{args.out}"
    text = args.since
    try:
        args.since = parse_date(text)
    except ValueError:
        args.since = None
    return None if args.since else f"--since は 2026-04-01 のように指定してください：{text}"


def _sync(services, args: argparse.Namespace) -> int:
    """`sync export` and `sync import` (conflicts keep ours unless --theirs; each is printed)."""
    from zaitaku_desktop.domain.sync import OURS, THEIRS
    from zaitaku_desktop.services.sync import TABLE_LABELS

    password = sys.stdin.readline().rstrip("\r\n") if args.file_password_stdin else None
    if args.action == "export":
        result = services.sync.export(Path(args.out), args.since, password)
        tables = "・".join(f"{TABLE_LABELS.get(t, t)} {n}" for t, n in result.counts.items()) or "変更なし"
        print(f"交換ファイルを書き出しました（{result.total:,} 件：{tables}）：{args.out}")
        return 0
    plan = services.sync.preview(Path(args.file), password)
    print(f"取り込みの内容：{plan.summary()}")
    choice = THEIRS if args.theirs else OURS
    for c in plan.conflicts:
        print(f"競合\t{c.table_label}\t{c.record_label}\t{c.field_label}\tこちら：{c.ours}\t相手：{c.theirs}"
              f"\t→ {'相手' if choice == THEIRS else 'こちら'}")
    if args.dry_run:
        print("確認のみ（何も書き込んでいません）")
        return 0
    result = services.sync.apply(plan, {c.id: choice for c in plan.conflicts})
    print(f"取り込みました：{result.summary()}")
    if result.backup is not None:
        print(f"取り込み前のバックアップ：{result.backup}")
    return 0


def _audit(services, args: argparse.Namespace) -> int:
    """`audit verify` (exit 1 when anything was tampered with) and `audit export`."""
    if args.action == "export":
        count = services.audit.export(Path(args.out))
        print(f"監査ログ {count:,} 件を書き出しました：{args.out}")
        return 0
    report = services.audit.verify()
    print(report.summary())
    for problem in report.problems:
        print(f"異常：{problem.message_ja}")
    for note in report.clock_notes:
        print(f"参考：{note.message_ja}")
    return 0 if report.ok else 1


def _add_issue_commands(sub):
    """`issues ...`: the issue board (課題). Further actions (e.g. `feedback`) are added here with
    ``isub.add_parser(...)`` and handled in ``_issues`` below."""
    issues = sub.add_parser("issues", help="課題（連携の課題・対応策）の書き出しなど")
    isub = issues.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    iexp = isub.add_parser("export", help="課題・対応策・集計（階層×職種×状況）を .xlsx に書き出す")
    iexp.add_argument("out", metavar="OUT")
    iexp.add_argument("--include-archived", action="store_true", help="アーカイブした課題も書き出す")
    isub.add_parser("sample", help="サンプル地域のデータベースに、サンプルの課題とニーズを追加する")
    ifb = isub.add_parser("feedback", help="職能団体へのフィードバックシート（その団体の職種の課題と対応策）を PDF に書き出す")
    ifb.add_argument("--association", required=True, metavar="NAME", help="職能団体の名前（例：介護支援専門員協議会）")
    ifb.add_argument("--date", metavar="YYYY-MM-DD", help="シートの日付（既定：今日）")
    ifb.add_argument("out", metavar="OUT.pdf")
    ilp = isub.add_parser("list-pdf", help="職種を並べた課題リスト（A4横1枚）を PDF に書き出す")
    ilp.add_argument("--professions", required=True, metavar="A,B",
                     help="2〜4つの職種をカンマ区切りで（例：介護支援専門員,医療ソーシャルワーカー）")
    ilp.add_argument("--layers", metavar="一次,二次", help="載せる階層（既定：すべて）")
    ilp.add_argument("--title", default="", help="表題（既定：一次連携で抽出された課題リスト）")
    ilp.add_argument("out", metavar="OUT.pdf")
    return isub


def _add_meeting_commands(sub):
    """`meetings ...`: the meeting scheduler. Further actions are added to the returned sub-parsers with
    ``msub.add_parser(...)``, checked in ``_check_meeting_args`` and run in ``_meetings`` below."""
    meetings = sub.add_parser("meetings", help="会議・研修の書き出し（Excel・カレンダー）など")
    msub = meetings.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    for action, suffix, text in (("export", "xlsx", "会議・研修の一覧と職種別参加者数を .xlsx に書き出す"),
                                 ("ics", "ics", "会議・研修を Outlook・Googleカレンダーに取り込める .ics に書き出す")):
        act = msub.add_parser(action, help=text + "（--meeting で1件、--from/--to で期間）")
        act.add_argument("out", metavar=f"OUT.{suffix}")
        act.add_argument("--from", dest="start", metavar="DATE", help="期間の開始日（例：2026-04-01 または 令和8年4月1日）")
        act.add_argument("--to", dest="end", metavar="DATE", help="期間の終了日")
        act.add_argument("--meeting", metavar="ID", help="この会議・研修だけを書き出す")
    signin = msub.add_parser("signin", help="受付名簿（申込者の名前入り・当日参加の空欄つき）を .pdf にする")
    signin.add_argument("meeting", metavar="ID", help="会議・研修のID（Excel書き出しの「ID」列）")
    signin.add_argument("out", metavar="OUT.pdf")
    signin.add_argument("--blank-rows", type=int, default=10, metavar="N", help="当日参加用の空欄の行数（既定：10）")
    flyer = msub.add_parser("flyer", help="講座のチラシ（ポスター・2段組み・お知らせ）を .pdf にする")
    flyer.add_argument("meeting", metavar="ID", help="会議・研修のID（Excel書き出しの「ID」列）")
    flyer.add_argument("out", metavar="OUT.pdf")
    flyer.add_argument("--layout", choices=("poster", "leaflet", "notice"), default="poster",
                       help="poster＝ポスター、leaflet＝2段組みのチラシ、notice＝お知らせ（既定：poster）")
    flyer.add_argument("--colour", "--color", default="navy", metavar="NAME",
                       help="色：navy（紺）・green（緑）・orange（オレンジ）・red（えんじ）・purple（紫）・teal（青緑）")
    flyer.add_argument("--paper", choices=("A4", "A3"), default="A4", help="用紙（既定：A4）")
    flyer.add_argument("--qr", metavar="URL", default="", help="QRコードにする市のページのアドレス")
    flyer.add_argument("--tear-off", action="store_true", help="下に切り取り式の申込書（FAX）を付ける")
    flyer.add_argument("--apply", metavar="FAX番号", default="", help="--tear-off のときの申込先FAX番号")
    return msub


MEETING_SUFFIXES = {"export": ".xlsx", "ics": ".ics", "signin": ".pdf", "flyer": ".pdf"}  # the file each action writes
RANGE_ACTIONS = ("export", "ics")  # the actions that take --from/--to or --meeting


def _parse_period(args: argparse.Namespace) -> str | None:
    """Turn --from/--to (args.start, args.end) into dates; a Japanese message when one cannot be read."""
    from zaitaku_desktop.domain.dates import parse_date

    for name, label in (("start", "--from"), ("end", "--to")):
        text = getattr(args, name)
        try:
            setattr(args, name, parse_date(text) if text else None)
        except ValueError:
            return f"{label} は 2026-04-01 のように指定してください：{text}"
    return None


def _check_meeting_args(args: argparse.Namespace) -> str | None:
    """Turn --from/--to into dates; a Japanese message when the arguments cannot work."""
    wanted = MEETING_SUFFIXES.get(args.action)
    if wanted and Path(args.out).suffix.lower() != wanted:
        return f"書き出し先の拡張子は {wanted} にしてください：{args.out}"
    if args.action not in RANGE_ACTIONS:
        return None
    if (message := _parse_period(args)):
        return message
    if args.meeting and (args.start or args.end):
        return "--meeting と --from/--to は一緒に指定できません"
    if not args.meeting and not (args.start and args.end):
        return "--meeting で会議・研修を、または --from と --to で期間を指定してください"
    if args.start and args.end and args.start > args.end:
        return "--to の日付が --from より前になっています"
    from zaitaku_desktop.exports.atomic import FileWriteError, check_destination

    try:
        check_destination(Path(args.out))
    except FileWriteError as exc:
        return exc.message
    return None


def _add_report_commands(sub):
    """`report annual --fiscal-year YEAR OUT.pdf|OUT.xlsx`: the annual report (事業実績報告) by task ア〜ク."""
    report = sub.add_parser("report", help="事業実績報告（年度・事業ア〜クごと）を書き出す")
    rsub = report.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    annual = rsub.add_parser("annual", help="年度の事業実績報告を .pdf（グラフつき）または .xlsx（事業ごとのシート）に書き出す")
    annual.add_argument("--fiscal-year", dest="fiscal_year", required=True, type=int, metavar="YEAR",
                        help="年度（西暦の4月の年。2025 = 2025年4月1日〜2026年3月31日＝令和7年度）")
    annual.add_argument("--organisation", default="", metavar="NAME", help="表紙に載せる作成者（例：釜石市 在宅医療連携拠点）")
    annual.add_argument("out", metavar="OUT.pdf|OUT.xlsx")


def _check_report_args(args: argparse.Namespace) -> str | None:
    from zaitaku_desktop.exports.atomic import FileWriteError, check_destination

    if Path(args.out).suffix.lower() not in (".pdf", ".xlsx"):
        return f"書き出し先の拡張子は .pdf または .xlsx にしてください：{args.out}"
    if not 1990 <= args.fiscal_year <= 2200:
        return f"--fiscal-year は 2025 のように西暦の年度で指定してください：{args.fiscal_year}"
    try:
        check_destination(Path(args.out))
    except FileWriteError as exc:
        return exc.message
    return None


def _report(services, args: argparse.Namespace) -> int:
    from zaitaku_desktop.domain.annual_report import fiscal_year_label

    out = Path(args.out)
    label = fiscal_year_label(args.fiscal_year)
    if out.suffix.lower() == ".pdf":
        pages = services.annual_report.write_pdf(args.fiscal_year, out, organisation=args.organisation)
        print(f"{label}の事業実績報告（{pages} ページ）を書き出しました：{out}")
    else:
        services.annual_report.write_xlsx(args.fiscal_year, out, organisation=args.organisation)
        print(f"{label}の事業実績報告（事業ごとのシート）を書き出しました：{out}")
    return 0


def _add_consultation_commands(sub):
    """`consultations ...`: the consultation desk (相談受付). Only anonymous outputs are offered here: files
    with names need the explicit choice in the program, which the access log records."""
    cons = sub.add_parser("consultations", help="相談受付の統計（匿名）の書き出し")
    csub = cons.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    stats = csub.add_parser("stats", help="相談の件数（月×窓口・相談者の区分・分類・受付方法・状況・紹介先）を .xlsx に"
                                          "書き出す。個人を特定できる情報は含みません")
    stats.add_argument("out", metavar="OUT.xlsx")
    stats.add_argument("--from", dest="start", metavar="DATE",
                       help="期間の開始日（例：2026-04-01 または 令和8年4月1日。既定：今年度の4月1日）")
    stats.add_argument("--to", dest="end", metavar="DATE", help="期間の終了日（既定：その年度の3月31日）")
    return csub


def _check_consultation_args(args: argparse.Namespace) -> str | None:
    """--from/--to as dates (a missing end closes the fiscal year of the start, a missing start opens the
    fiscal year of the end or of today); a Japanese message when the arguments cannot work."""
    import datetime as dt

    from zaitaku_desktop.domain.dates import fiscal_year
    from zaitaku_desktop.exports.atomic import FileWriteError, check_destination

    if Path(args.out).suffix.lower() != ".xlsx":
        return f"書き出し先の拡張子は .xlsx にしてください：{args.out}"
    if (message := _parse_period(args)):
        return message
    args.start = args.start or dt.date(fiscal_year(args.end or dt.date.today()), 4, 1)
    args.end = args.end or dt.date(fiscal_year(args.start) + 1, 3, 31)
    if args.start > args.end:
        return "--to の日付が --from より前になっています"
    try:
        check_destination(Path(args.out))
    except FileWriteError as exc:
        return exc.message
    return None


def _consultations(services, args: argparse.Namespace) -> int:
    """`consultations stats` (always anonymous: counts only)."""
    from zaitaku_desktop.domain.dates import format_date
    from zaitaku_desktop.exports.consultations_xlsx import write_stats_xlsx

    stats = services.consultations.stats(args.start, args.end)
    write_stats_xlsx(stats, Path(args.out))
    period = f"{format_date(args.start, weekday=False)}〜{format_date(args.end, weekday=False)}"
    print(f"相談 {stats.total:,} 件の統計（{period}・匿名）を書き出しました：{args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    args = build_parser().parse_args(argv)
    from zaitaku_desktop import paths

    db_path = paths.resolve_db_path(args.db, _setting("database/url"))
    if args.command is None:
        import os

        from zaitaku_desktop.app import run_gui

        # Hidden smoke-test switch (tests/test_bundle.py): close the window this many ms after the list shows.
        smoke = os.environ.get("ZAITAKU_SMOKE_QUIT_MS", "")
        return run_gui(db_path, quit_after_ms=int(smoke) if smoke.isdigit() else None)
    return run_command(args, db_path)


def _fail(message: str, code: int = 1) -> int:
    print(f"エラー：{message}", file=sys.stderr)
    return code


def run_command(args: argparse.Namespace, db_path: Path) -> int:
    from zaitaku_desktop.domain.errors import DomainError

    try:
        return _dispatch(args, db_path)
    except DomainError as exc:
        return _fail(exc.message)
    except KeyboardInterrupt:
        return _fail("中断しました", 130)


def _setting(key: str) -> str:
    """A 設定 value, read only when there are settings: a command must not leave a settings file behind."""
    from zaitaku_desktop import paths
    from zaitaku_desktop.settings import DECLARED, Settings

    return Settings().get(key) if key in DECLARED and (paths.config_dir() / "settings.ini").exists() else ""


def _backup_folder(default: object = "paths") -> Path | None:
    """The backup folder chosen in 設定 (backup/folder), else the default one (or ``default`` when given)."""
    from zaitaku_desktop import paths

    configured = _setting("backup/folder")
    if configured:
        return Path(configured)
    return paths.backup_dir() if default == "paths" else None


def _dispatch(args: argparse.Namespace, db_path: Path) -> int:
    from zaitaku_desktop.services import open_services

    if args.command == "resources" and args.action in ("export", "summary"):
        out = Path(args.out)
        wanted = (".xlsx", ".csv") if args.action == "export" else (".xlsx",)
        if out.suffix.lower() not in wanted:
            return _fail(f"書き出し先の拡張子は {' または '.join(wanted)} にしてください：{out}", 2)
    if args.command == "resources" and args.action in ("directory", "emergency") \
            and Path(args.out).suffix.lower() != ".pdf":
        return _fail(f"書き出し先の拡張子は .pdf にしてください：{args.out}", 2)
    official_date = None
    if args.command == "resources" and args.action == "import":
        source = Path(args.file)
        if not source.is_file():
            return _fail(f"ファイルが見つかりません：{source}", 2)
        if args.date:
            import datetime as dt

            try:
                official_date = dt.date.fromisoformat(args.date)
            except ValueError:
                return _fail(f"--date は 2026-06-01 のように指定してください：{args.date}", 2)
    if args.command == "municipalities" and args.action == "add":
        from zaitaku_desktop.domain.codes import complete_lg_code, lg_code_issue

        code = complete_lg_code(args.code)
        if (message := lg_code_issue(code)):
            return _fail(message, 2)
        args.code = code

    if args.command == "issues" and args.action == "export" and Path(args.out).suffix.lower() != ".xlsx":
        return _fail(f"書き出し先の拡張子は .xlsx にしてください：{args.out}", 2)
    if args.command == "issues" and args.action in ("feedback", "list-pdf"):
        if Path(args.out).suffix.lower() != ".pdf":
            return _fail(f"書き出し先の拡張子は .pdf にしてください：{args.out}", 2)
        if args.action == "feedback" and args.date:
            import datetime as dt

            try:
                args.date = dt.date.fromisoformat(args.date)
            except ValueError:
                return _fail(f"--date は 2026-06-01 のように指定してください：{args.date}", 2)

    if args.command == "meetings" and (message := _check_meeting_args(args)):
        return _fail(message, 2)
    if args.command == "report" and (message := _check_report_args(args)):
        return _fail(message, 2)
    if args.command == "consultations" and (message := _check_consultation_args(args)):
        return _fail(message, 2)
    if args.command == "sync" and (message := _check_sync_args(args)):
        return _fail(message, 2)
    if args.command == "audit" and args.action == "export" and Path(args.out).suffix.lower() not in (".xlsx", ".csv"):
        return _fail(f"書き出し先の拡張子は .xlsx または .csv にしてください：{args.out}", 2)

    if args.command == "copy-to":
        from zaitaku_desktop.services.copy_db import copy_database, format_report

        report = copy_database(db_path, args.dest, on_table=lambda name: print(f"  {name} …", file=sys.stderr))
        print(format_report(report))
        return 0 if report.ok else 1
    credentials = _credentials(args, db_path)
    if args.command in MAINTENANCE_COMMANDS:
        return _maintenance(args, db_path, credentials)
    services = open_services(db_path, backup_dir=_backup_folder(), credentials=credentials)
    services.maintenance.folder = _backup_folder(default=None)
    try:
        if args.command == "issues":
            return _issues(services, args)
        if args.command == "report":
            return _report(services, args)
        if args.command == "meetings":
            return _meetings(services, args)
        if args.command == "consultations":
            return _consultations(services, args)
        if args.command == "audit":
            return _audit(services, args)
        if args.command == "sync":
            return _sync(services, args)
        if args.command == "demo":
            result = services.sample.load()
            print(f"サンプル地域を読み込みました：市町村 {result.municipalities}・地区 {result.districts}・"
                  f"資源 {result.resources} 件（{db_path}）")
            if result.issues:
                print(f"サンプルの課題 {result.issues} 件・ニーズ {result.needs} 件も読み込みました")
            if result.meetings:
                print(f"サンプルの会議・研修 {result.meetings} 件も読み込みました")
            if result.consultations:
                print(f"サンプルの相談 {result.consultations} 件も読み込みました")
            return 0
        if args.command == "municipalities":
            return _municipalities(services, args)
        if args.action in ("directory", "emergency"):
            return _resource_pdf(services, args)
        transfer = services.transfer
        if args.action == "export":
            count = transfer.export_list(Path(args.out))
            print(f"{count:,} 件を書き出しました：{args.out}")
            return 0
        if args.action == "summary":
            transfer.export_summary(Path(args.out))
            print(f"集計表を書き出しました：{args.out}")
            return 0
        preview = transfer.preview_import(Path(args.file), official_date=official_date)
        print(f"{preview.path.name}（{preview.format_label}、{preview.total_rows:,} 行）")
        plan = preview.open_data
        if plan is None:
            print(f"追加 {preview.to_add:,} 件・変更 {preview.to_update:,} 件・変更なし {preview.to_skip:,} 件・"
                  f"エラー {preview.error_rows:,} 行")
        else:
            print(f"新規 {plan.new:,} 件・変更 {plan.changed:,} 件・変更なし {plan.unchanged:,} 件・"
                  f"掲載なし {plan.gone:,} 件・地域外 {plan.outside_region:,} 行・エラー {preview.error_rows:,} 行")
            print(f"データの日付：{plan.official_date.isoformat()}")
            if plan.fuzzy:
                print(f"名称・住所で一致（要確認）{plan.fuzzy:,} 件：コマンドでは結び付けません（画面の取り込みで確認してください）")
            if plan.new_categories:
                print("新しく作る種別：" + "、".join(c.name for c in plan.new_categories))
        if preview.ignored_columns:
            print("使わない列：" + "、".join(preview.ignored_columns))
        for w in preview.warnings:
            print(f"注意：{w.row}行目 {w.column}：{w.message}")
        for e in preview.errors:
            print(f"エラー：{e.row}行目 {e.column}：{e.message}", file=sys.stderr)
        if args.dry_run:
            print("（--dry-run のため、何も書き込んでいません）")
            return 1 if preview.errors else 0
        if preview.errors and not args.accept_partial:
            return _fail("エラーのある行があるため、何も取り込みませんでした。"
                         "エラーの行を除いて取り込むには --accept-partial を付けてください。")
        result = transfer.apply_import(preview, accept_partial=args.accept_partial)
        print(f"取り込みました：追加 {result.added:,} 件・変更 {result.updated:,} 件・"
              f"変更なし {result.skipped:,} 件" + (f"・取り込まなかった行 {result.rejected:,} 行" if result.rejected else "")
              + (f"・掲載なしの印 {result.flagged_gone:,} 件" if result.flagged_gone else ""))
        if result.categories_created:
            print("作った種別：" + "、".join(result.categories_created))
        return 0
    finally:
        services.close()


def _municipalities(services, args: argparse.Namespace) -> int:
    vocab = services.vocab
    if args.action == "add":
        same = next((m for m in vocab.list("municipality", include_archived=True) if m.code == args.code), None)
        if same is not None:
            return _fail(f"団体コード {args.code} は「{same.name}」として登録済みです", 1)
        item = vocab.add("municipality", args.name, reading=args.reading, code=args.code)
        print(f"市町村を追加しました：{item.code} {item.name}")
        return 0
    districts = vocab.list("district", include_archived=False)
    items = vocab.list("municipality", include_archived=False)
    if not items:
        print("市町村は登録されていません。「municipalities add 団体コード 名前」で追加してください。")
        return 0
    print("団体コード\t名前\t読み\t地区数")
    for m in items:
        count = sum(1 for d in districts if d.parent_id == m.id)
        print(f"{m.code}\t{m.name}\t{m.reading}\t{count}")
    return 0


def _issues(services, args: argparse.Namespace) -> int:
    """The `issues` actions (see ``_add_issue_commands``)."""
    if args.action == "export":
        count = services.issues.export_xlsx(Path(args.out), include_archived=args.include_archived)
        print(f"課題 {count:,} 件を書き出しました：{args.out}")
        return 0
    if args.action == "sample":
        result = services.sample.load_issues()
        print(f"サンプルの課題を読み込みました：課題 {result.issues} 件・対応策 {result.responses} 件・"
              f"ニーズ {result.needs} 件")
        return 0
    if args.action in ("feedback", "list-pdf"):
        return _issue_pdf(services, args)
    return _fail(f"不明な操作です：{args.action}", 2)


def _meetings(services, args: argparse.Namespace) -> int:
    """The `meetings` actions (see ``_add_meeting_commands``)."""
    if args.action in RANGE_ACTIONS:
        return _meeting_export(services, args)
    if args.action == "signin":
        return _meeting_signin(services, args)
    if args.action == "flyer":
        return _meeting_flyer(services, args)
    return _fail(f"不明な操作です：{args.action}", 2)


def _meeting_signin(services, args: argparse.Namespace) -> int:
    """`meetings signin ID OUT.pdf`: the sign-in sheet of one meeting."""
    from zaitaku_desktop.domain.errors import NotFoundError
    from zaitaku_desktop.exports.atomic import FileWriteError
    from zaitaku_desktop.settings import Settings

    if not 0 <= args.blank_rows <= 200:
        return _fail("--blank-rows は0〜200で指定してください", 2)
    try:
        result = services.meeting_papers.write("signin", args.meeting, Path(args.out),
                                               date_style=Settings().date_style, blank_rows=args.blank_rows)
    except NotFoundError:
        return _fail(f"ID {args.meeting} の会議・研修は見つかりません", 2)
    except FileWriteError as exc:
        return _fail(exc.message, 2)
    print(f"受付名簿（{result.pages}ページ）を書き出しました：{args.out}")
    return 0


def _meeting_flyer(services, args: argparse.Namespace) -> int:
    """`meetings flyer ID OUT.pdf`: a lecture flyer filled from the meeting."""
    from dataclasses import replace

    from zaitaku_desktop.domain.errors import DomainError, NotFoundError, ValidationError
    from zaitaku_desktop.domain.handouts import LAYOUTS, FlyerStyle, colour_key
    from zaitaku_desktop.services.handouts import HandoutService

    colour = colour_key(args.colour)
    if colour is None:
        return _fail(f"色の名前が違います：{args.colour}（navy・green・orange・red・purple・teal、または 紺・緑 など）", 2)
    if args.tear_off and not args.apply.strip():
        return _fail("--tear-off（申込書）には --apply で申込先のFAX番号も指定してください（例：--apply 0193-22-0000）", 2)
    handouts = getattr(services, "handouts", None) or HandoutService(services.db, services.meetings, services.vocab)
    try:
        content = handouts.flyer_from_meeting(args.meeting, hub_name=_setting("handouts/hub_name"))
        if args.tear_off:
            content = replace(content, tear_off=True, apply_how="FAX", apply_contact=args.apply)
        content = replace(content, qr_url=args.qr.strip())
        pages = handouts.write_flyer(content, FlyerStyle(args.layout, colour, args.paper), Path(args.out))
    except NotFoundError:
        return _fail(f"ID {args.meeting} の会議・研修は見つかりません", 2)
    except ValidationError as exc:
        return _fail(exc.message, 2)
    except DomainError as exc:  # the file cannot be written, a font is missing ...
        return _fail(exc.message, 2)
    print(f"チラシ（{LAYOUTS[args.layout]}・{args.paper}・{pages}ページ）を書き出しました：{args.out}")
    return 0


def _meeting_export(services, args: argparse.Namespace) -> int:
    """`meetings export` (.xlsx) and `meetings ics` of one meeting or a period."""
    from zaitaku_desktop.domain.errors import NotFoundError
    from zaitaku_desktop.exports import meetings_ics, meetings_xlsx
    from zaitaku_desktop.exports.atomic import FileWriteError
    from zaitaku_desktop.settings import Settings

    choice = {"meeting_id": args.meeting, "start": args.start, "end": args.end}
    try:
        if args.action == "export":
            data = meetings_xlsx.gather(services.meetings, date_style=Settings().date_style, **choice)
            meetings_xlsx.write_meetings_xlsx(data, Path(args.out))
            print(f"会議・研修 {len(data.rows):,} 件を書き出しました：{args.out}")
        else:
            rows, addresses, agendas = meetings_xlsx.gather_calendar(services.meetings, **choice)
            count = meetings_ics.write_ics(rows, Path(args.out), addresses=addresses, agendas=agendas)
            print(f"会議・研修 {count:,} 件をカレンダー（.ics）に書き出しました：{args.out}")
    except NotFoundError:
        return _fail(f"ID {args.meeting} の会議・研修は見つかりません", 2)
    except FileWriteError as exc:
        return _fail(exc.message, 2)
    return 0


def _split_list(text: str | None) -> list[str]:
    import re

    return [part.strip() for part in re.split(r"[,、，]", text or "") if part.strip()]


def _issue_pdf(services, args: argparse.Namespace) -> int:
    """`issues feedback` and `issues list-pdf` (services.issue_reports)."""
    reports = services.issue_reports
    if args.action == "feedback":
        result = reports.feedback_pdf(args.association, Path(args.out), issued_on=args.date)
        print(f"フィードバックシートを書き出しました：{result.association}・課題 {result.issues} 件・"
              f"{result.pages} ページ：{args.out}")
        return 0
    layers = _split_list(args.layers) or None
    if layers:
        from zaitaku_desktop.domain.issues import LAYER_KEYS

        unknown = [x for x in layers if x not in LAYER_KEYS]
        if unknown:
            return _fail(f"--layers は {'・'.join(LAYER_KEYS)} から選んでください：{'、'.join(unknown)}", 2)
    result = reports.issue_list_pdf(_split_list(args.professions), Path(args.out), layers=layers, title=args.title)
    layout = result.layout
    print(f"課題リストを書き出しました：{'｜'.join(result.professions)}・文字 {layout.font_size:g} pt：{args.out}")
    if not layout.complete:
        folded = "、".join(f"{name} {n} 件" for name, n in zip(result.professions, layout.omitted) if n)
        print(f"注意：1ページに収まらないため「ほか N 件」にまとめました（{folded}）", file=sys.stderr)
    return 0


MAINTENANCE_COMMANDS = ("backup", "restore", "check")


def _add_maintenance_commands(sub) -> None:
    back = sub.add_parser("backup", help="データベースのバックアップを作る（検査済みのコピー）")
    back.add_argument("dir", nargs="?", metavar="DIR", help="保存先のフォルダ（既定：設定のバックアップ先）")
    rest = sub.add_parser("restore", help="バックアップから復元する（いまのデータベースは先にバックアップします）")
    rest.add_argument("file", metavar="FILE")
    sub.add_parser("check", help="データの検査（ファイルの整合性・参照・プログラムの規則）。すべて OK なら終了コード 0")
    copy = sub.add_parser("copy-to", help="データベース全体を、空の SQLite ファイルまたは PostgreSQL のデータベースへ写す"
                                          "（件数とチェックサムで照合。食い違いがあれば終了コード 1）")
    copy.add_argument("dest", metavar="DEST", help="写し先（新しいファイルのパス、または postgresql://… の URL）")


def _credentials(args: argparse.Namespace, db_path: Path):
    """Log in when the database is protected (encrypted, or users registered); None when it is not.

    The password comes from the terminal (not echoed) or, with --password-stdin, from the first line of
    standard input; it is never taken from the command line, where other users could see it.
    """
    import getpass

    from zaitaku_desktop.domain.errors import AuthError
    from zaitaku_desktop.services.security import Gate

    from zaitaku_desktop import paths

    if paths.is_server_url(db_path):
        return None  # the server checks who connects (the user and password in the URL)
    gate = Gate(db_path)
    if not gate.needs_login and not args.recovery_key_stdin:
        return None
    if args.recovery_key_stdin:
        return gate.login_with_recovery_key(sys.stdin.readline())
    names = gate.user_names()
    name = args.user or (names[0] if len(names) == 1 else "")
    if not name:
        raise AuthError("このデータベースは保護されています。--user で利用者名を指定してください"
                        f"（登録されている利用者：{'、'.join(names) or 'なし（回復キーで開いてください）'}）。")
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = getpass.getpass(f"{name} のパスワード：")
    else:
        raise AuthError("このデータベースは保護されています。パスワードを --password-stdin で標準入力から渡してください。")
    return gate.login(name, password)


def _maintenance(args: argparse.Namespace, db_path: Path, credentials=None) -> int:
    """`backup [DIR]`, `restore FILE` and `check`."""
    from zaitaku_desktop.domain.errors import StorageError
    from zaitaku_desktop import paths
    from zaitaku_desktop.services.maintenance import SERVER_BACKUP_MESSAGE, MaintenanceService, format_size, restore_file
    from zaitaku_desktop.storage.database import Database

    folder = _backup_folder()
    key = credentials.key if credentials else None
    server = paths.is_server_url(db_path)
    if server and args.command != "check":
        return _fail(SERVER_BACKUP_MESSAGE, 2)
    if args.command == "restore":
        from zaitaku_desktop.storage.instance_lock import InstanceLock

        try:
            with InstanceLock(db_path):  # never swap the file under a running window
                result = restore_file(Path(args.file), db_path, folder, key=key)
        except StorageError as exc:
            return _fail("復元しませんでした。" + exc.message, 2)
        print(f"復元しました：{args.file} → {db_path}")
        if result.safety_copy is not None:
            print(f"復元前のデータベースの控え：{result.safety_copy}")
        return 0
    if not server and not db_path.is_file():
        return _fail(f"データベースが見つかりません：{db_path}", 2)
    if args.command == "check":
        db = Database.open(db_path, migrate=False, key=key)
        try:
            report = MaintenanceService(db).check()
        finally:
            db.close()
        for item in report.items:
            print(f"{'OK' if item.ok else 'NG'}\t{item.name}\t{item.detail}")
        print("すべての検査に合格しました" if report.ok else "問題が見つかりました（NG の行）")
        return 0 if report.ok else 1
    db = Database.open(db_path, backup_dir=folder, key=key)
    try:
        service = MaintenanceService(db, folder=_backup_folder(default=None))
        result = service.backup_now(Path(args.dir) if args.dir else None)
    finally:
        db.close()
    print(f"バックアップを作成しました（検査済み・{format_size(result.size)}）：{result.path}")
    return 0


def _resource_pdf(services, args: argparse.Namespace) -> int:
    """`resources directory` and `resources emergency` (services.directory)."""
    from zaitaku_desktop.services.directory import directory_service

    directory = directory_service(services)
    if args.action == "emergency":
        result = directory.emergency_pdf(Path(args.out))
        print(f"災害時連絡先一覧を書き出しました：{result.entries} 件・{result.pages} ページ：{args.out}")
        return 0
    municipality = directory.find("municipality", args.municipality).id if args.municipality else None
    categories = [directory.find("category", c).id for c in args.category or []]
    result = directory.directory_pdf(Path(args.out), municipality_id=municipality, category_ids=categories)
    print(f"資源一覧の冊子を書き出しました：{result.entries:,} 件・{result.pages} ページ：{args.out}")
    return 0
