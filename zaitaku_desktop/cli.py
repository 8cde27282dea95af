"""Command line: no sub-command opens the GUI; sub-commands run the same services headless.

    zaitaku-desktop [--db PATH]                         open the GUI
    zaitaku-desktop [--db PATH] demo                    load the sample region into an empty database
    zaitaku-desktop [--db PATH] resources import FILE [--dry-run] [--accept-partial]
    zaitaku-desktop [--db PATH] resources export OUT.xlsx|OUT.csv
    zaitaku-desktop [--db PATH] resources summary OUT.xlsx
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
    parser.add_argument("--db", metavar="PATH", help="使うデータベースファイル（既定：ユーザーのデータフォルダ。環境変数 ZAITAKU_DB でも指定可）")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("demo", help="空のデータベースにサンプル地域（釜石市・大槌町、架空データ）を読み込む")
    res = sub.add_parser("resources", help="資源一覧の取り込み・書き出し・集計")
    rsub = res.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=_Parser)
    imp = rsub.add_parser("import", help="Excel（.xlsx）・CSVから取り込む")
    imp.add_argument("file", metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="何も書き込まず、追加・変更・スキップの件数とエラーだけを表示する")
    imp.add_argument("--accept-partial", action="store_true", help="エラーのある行を除いて取り込む")
    exp = rsub.add_parser("export", help="一覧を .xlsx または .csv に書き出す")
    exp.add_argument("out", metavar="OUT")
    summ = rsub.add_parser("summary", help="種別×市町村の集計表を .xlsx に書き出す")
    summ.add_argument("out", metavar="OUT")
    return parser


def main(argv: list[str] | None = None) -> int:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")  # type: ignore[attr-defined]
        except (AttributeError, ValueError):
            pass
    args = build_parser().parse_args(argv)
    from zaitaku_desktop import paths

    db_path = paths.resolve_db_path(args.db)
    if args.command is None:
        from zaitaku_desktop.app import run_gui

        return run_gui(db_path)
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


def _dispatch(args: argparse.Namespace, db_path: Path) -> int:
    from zaitaku_desktop.paths import backup_dir
    from zaitaku_desktop.services import open_services

    if args.command == "resources" and args.action in ("export", "summary"):
        out = Path(args.out)
        wanted = (".xlsx", ".csv") if args.action == "export" else (".xlsx",)
        if out.suffix.lower() not in wanted:
            return _fail(f"書き出し先の拡張子は {' または '.join(wanted)} にしてください：{out}", 2)
    if args.command == "resources" and args.action == "import":
        source = Path(args.file)
        if not source.is_file():
            return _fail(f"ファイルが見つかりません：{source}", 2)

    services = open_services(db_path, backup_dir=backup_dir())
    try:
        if args.command == "demo":
            result = services.sample.load()
            print(f"サンプル地域を読み込みました：市町村 {result.municipalities}・地区 {result.districts}・"
                  f"資源 {result.resources} 件（{db_path}）")
            return 0
        transfer = services.transfer
        if args.action == "export":
            count = transfer.export_list(Path(args.out))
            print(f"{count:,} 件を書き出しました：{args.out}")
            return 0
        if args.action == "summary":
            transfer.export_summary(Path(args.out))
            print(f"集計表を書き出しました：{args.out}")
            return 0
        preview = transfer.preview_import(Path(args.file))
        print(f"{preview.path.name}（{preview.format_label}、{preview.total_rows:,} 行）")
        print(f"追加 {preview.to_add:,} 件・変更 {preview.to_update:,} 件・変更なし {preview.to_skip:,} 件・"
              f"エラー {preview.error_rows:,} 行")
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
              f"変更なし {result.skipped:,} 件" + (f"・取り込まなかった行 {result.rejected:,} 行" if result.rejected else ""))
        return 0
    finally:
        services.close()
