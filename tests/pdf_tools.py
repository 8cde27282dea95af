"""Read PDFs back for tests with poppler's command-line tools (pdftotext, pdffonts, pdfinfo)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

FORBIDDEN_LINE_STARTS = "、。，．」』）】〕ーッャュョぁぃぅぇぉっゃゅょ：；？！"  # ・ is also a bullet

requires_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts") and shutil.which("pdfinfo")),
    reason="poppler-utils (pdftotext, pdffonts, pdfinfo) is not installed",
)


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True, encoding="utf-8").stdout


def pdf_text(path: Path, *, layout: bool = True, crop: tuple[float, float, float, float] | None = None,
             page: int | None = None) -> str:
    """The text of the PDF; ``crop`` = (x, y, w, h) in points from the top left, ``page`` 1-based."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        args.append("-layout")
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    if crop is not None:
        x, y, w, h = (str(int(round(v))) for v in crop)
        args += ["-x", x, "-y", y, "-W", w, "-H", h]
    return _run(*args, str(path), "-")


def squeeze(text: str) -> str:
    """Text with all whitespace (line breaks, layout spaces) removed, for order checks."""
    return re.sub(r"\s+", "", text)


def assert_in_order(text: str, parts: list[str]) -> None:
    flat = squeeze(text)
    pos = 0
    for part in parts:
        found = flat.find(squeeze(part), pos)
        assert found >= 0, f"{part!r} not found (in order) in the PDF text"
        pos = found + len(squeeze(part))


def line_starts(text: str) -> list[str]:
    return [line.strip()[0] for line in text.splitlines() if line.strip()]


@dataclass(frozen=True)
class FontInfo:
    name: str
    type: str
    embedded: bool


def pdf_fonts(path: Path) -> list[FontInfo]:
    out = _run("pdffonts", str(path)).splitlines()
    header = out[0]
    cols = {name: header.index(name) for name in ("name", "type", "encoding", "emb")}
    fonts = []
    for line in out[2:]:
        if not line.strip():
            continue
        fonts.append(FontInfo(name=line[:cols["type"]].strip(), type=line[cols["type"]:cols["encoding"]].strip(),
                              embedded=line[cols["emb"]:cols["emb"] + 3].strip() == "yes"))
    return fonts


def pdf_info(path: Path) -> dict[str, str]:
    info = {}
    for line in _run("pdfinfo", str(path)).splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def page_count(path: Path) -> int:
    return int(pdf_info(path)["Pages"])


def page_size(path: Path) -> tuple[float, float]:
    m = re.match(r"([\d.]+) x ([\d.]+) pts", pdf_info(path)["Page size"])
    assert m
    return float(m.group(1)), float(m.group(2))


def assert_fonts_embedded(path: Path, expected: str = "IPAexGothic") -> None:
    fonts = pdf_fonts(path)
    assert fonts, "no fonts in the PDF"
    assert any(f.name.endswith("+" + expected) or f.name == expected for f in fonts), fonts
    assert all(f.embedded for f in fonts), [f for f in fonts if not f.embedded]
    assert not any("CID" in f.type and "TrueType" not in f.type for f in fonts), fonts
