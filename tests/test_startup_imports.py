"""What the window needs before its first paint must not pull in the heavy file libraries: openpyxl and ReportLab
are loaded when a file is first written (start-up is measured against a bare window, ≤ 2×)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_the_first_window_does_not_load_openpyxl_or_reportlab() -> None:
    code = ("import sys\n"
            "import zaitaku_desktop.app, zaitaku_desktop.ui.main_window, zaitaku_desktop.ui.theme, "
            "zaitaku_desktop.ui.crash_dialog, zaitaku_desktop.ui.messages, zaitaku_desktop.ui.tasks\n"
            "from zaitaku_desktop.exports.atomic import write_atomically\n"
            "print(sorted(m for m in ('openpyxl', 'reportlab') if m in sys.modules))\n")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"


def test_exports_names_still_load_on_first_use() -> None:
    import zaitaku_desktop.exports as exports

    assert exports.write_resources_xlsx.__name__ == "write_resources_xlsx"
    assert issubclass(exports.FileWriteError, Exception)
