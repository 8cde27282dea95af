"""Register the bundled IPAex TrueType fonts with ReportLab (embedded subsets, never CID fonts).

The folder is passed in by the caller (the service knows ``paths.fonts_dir()``); reports never
look up paths themselves. Registration happens once per process and is safe to repeat.
"""

from __future__ import annotations

import threading
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from zaitaku_desktop.domain.errors import DomainError

GOTHIC = "IPAexGothic"
MINCHO = "IPAexMincho"

FONT_FILES: dict[str, str] = {GOTHIC: "ipaexg.ttf", MINCHO: "ipaexm.ttf"}

_lock = threading.Lock()


class FontMissingError(DomainError):
    """A bundled font file is missing (a broken installation)."""


def register_fonts(fonts_dir: Path | str) -> tuple[str, str]:
    """Register IPAexGothic and IPAexMincho from ``fonts_dir``; return their names (gothic, mincho).

    Idempotent: fonts already registered are left alone. IPAex has no bold or italic faces,
    so <b>/<i> in paragraph markup map to the same face instead of failing.
    """
    folder = Path(fonts_dir)
    with _lock:
        registered = set(pdfmetrics.getRegisteredFontNames())
        for name, filename in FONT_FILES.items():
            if name in registered:
                continue
            path = folder / filename
            if not path.is_file():
                raise FontMissingError(f"PDF用のフォント「{filename}」が見つかりません。"
                                       f"プログラムを入れ直してください。\n{folder}")
            pdfmetrics.registerFont(TTFont(name, str(path)))
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(name, bold, italic, name)
    return GOTHIC, MINCHO
