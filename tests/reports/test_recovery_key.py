"""The recovery-key sheet, built from plain data and read back with poppler."""

from __future__ import annotations

import datetime as dt
import io

from pdf_tools import assert_fonts_embedded, assert_in_order, page_count, page_size, pdf_text, requires_poppler, squeeze
from zaitaku_desktop import paths
from zaitaku_desktop.reports.recovery_key import RecoveryKeyData, key_groups, write_recovery_key
from zaitaku_desktop.storage.crypto import format_recovery_key

pytestmark = requires_poppler

KEY = format_recovery_key(bytes(range(32)))  # 14 groups of four


def test_recovery_key_sheet(tmp_path):
    data = RecoveryKeyData(key=KEY, database_name="zaitaku.sqlite3", issued_on=dt.date(2026, 11, 20), user="山田")
    buffer = io.BytesIO()
    assert write_recovery_key(data, buffer, fonts_dir=paths.fonts_dir()) == 1
    out = tmp_path / "key.pdf"
    out.write_bytes(buffer.getvalue())
    assert page_count(out) == 1
    assert tuple(round(v) for v in page_size(out)) == (595, 842)  # A4 portrait
    text = pdf_text(out)
    assert len(key_groups(KEY)) == 14
    assert_in_order(text, key_groups(KEY))  # every group, in order
    flat = squeeze(text)
    assert KEY.replace("-", "") in flat.replace("|", "")
    for part in ("データベースの回復キー", "zaitaku.sqlite3", "令和8年11月20日（金）", "山田", "保管場所"):
        assert part in flat
    assert_fonts_embedded(out, "IPAexGothic")


def test_key_groups_tolerate_separators():
    assert key_groups("7k3q abcd-EFGH") == ["7K3Q", "ABCD", "EFGH"]
