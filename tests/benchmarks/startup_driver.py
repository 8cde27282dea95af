"""Child process for the start-up benchmark: prints the time of the first paint.

    python startup_driver.py bare
    python startup_driver.py app DB_PATH [--wait-loaded]

Prints 'first_paint <perf_counter>' (and 'loaded <perf_counter>' / 'maxrss_mb <n>'
with --wait-loaded), then quits. perf_counter is CLOCK_MONOTONIC, so the parent
can subtract its own reading taken before it started this process.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM belongs to the process image, so unlike
    ru_maxrss it does not carry over the parent's memory across fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class FirstPaint(QObject):
    def __init__(self, app: QApplication, quit_on_paint: bool) -> None:
        super().__init__()
        self.app = app
        self.quit_on_paint = quit_on_paint
        self.seen = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if not self.seen and event.type() == QEvent.Type.Paint and getattr(obj, "isWindow", None) \
                and obj.window().objectName() in ("mainWindow", "bareWindow"):
            self.seen = True
            print(f"first_paint {time.perf_counter():.6f}", flush=True)
            print(f"paint_maxrss_mb {peak_rss_mb():.1f}", flush=True)
            if self.quit_on_paint:
                QTimer.singleShot(0, self.app.quit)
        return False


def main() -> int:
    mode = sys.argv[1]
    wait_loaded = "--wait-loaded" in sys.argv
    app = QApplication(["bench"])
    watcher = FirstPaint(app, quit_on_paint=not wait_loaded)
    app.installEventFilter(watcher)
    if mode == "bare":
        from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

        window = QMainWindow()
        window.setObjectName("bareWindow")
        tabs = QTabWidget(window)
        for title in ("資源一覧", "課題ボード", "会議・研修", "相談受付"):
            tabs.addTab(QLabel(title), title)
        window.setCentralWidget(tabs)
        window.resize(1280, 800)
        window.show()
        return app.exec()
    from zaitaku_desktop import app as zapp

    if wait_loaded:
        def hook() -> None:
            window = next(w for w in app.topLevelWidgets() if w.objectName() == "mainWindow")

            def loaded() -> None:
                print(f"loaded {time.perf_counter():.6f}", flush=True)
                print(f"rows {window.resources_tab.model.rowCount()}", flush=True)
                print(f"maxrss_mb {peak_rss_mb():.1f}", flush=True)
                QTimer.singleShot(0, window.close)

            window.ready.connect(loaded)
        QTimer.singleShot(0, hook)
    return zapp.run_gui(Path(sys.argv[2]), quit_after_ms=None if wait_loaded else 60_000)


if __name__ == "__main__":
    sys.exit(main())
