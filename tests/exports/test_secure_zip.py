"""Encrypted ZIPs for carrying personal exports: AES-256, readable only with the password, the plain content
nowhere in the raw bytes (in any Japanese encoding), nothing left beside the target or in the temp folder."""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pytest
import pyzipper

from zaitaku_desktop.domain.errors import ValidationError
from zaitaku_desktop.exports import secure_zip
from zaitaku_desktop.exports.atomic import FileWriteError
from zaitaku_desktop.exports.secure_zip import (
    read_encrypted_zip, validate_zip_password, write_encrypted_zip, write_export,
)

PASSWORD = "Kamaishi-2026"
CANARY = ("カナリア 太郎", "鎌井市カナリア町1-2-3", "カナリア性肺炎")
ENCODINGS = ("utf-8", "utf-16-le", "shift_jis")


def _needles() -> list[bytes]:
    return [text.encode(enc) for text in CANARY for enc in ENCODINGS]


def _content() -> bytes:
    """A member holding the canary in every encoding, stored as is (so a plain ZIP would show it)."""
    return b"\n".join(_needles())


@pytest.fixture
def temp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's temp folder, watched: nothing may be spilled there."""
    folder = tmp_path / "system_tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "usb"
    folder.mkdir()
    return folder


def test_reads_back_with_the_password_as_aes_256(out_dir: Path, temp_dir: Path):
    target = out_dir / "相談一覧.zip"
    assert write_encrypted_zip(target, {"相談一覧_氏名あり.txt": _content(), "b.txt": b"x"}, PASSWORD) == target
    assert read_encrypted_zip(target, PASSWORD) == {"相談一覧_氏名あり.txt": _content(), "b.txt": b"x"}
    with pyzipper.AESZipFile(target) as archive:
        info = archive.getinfo("相談一覧_氏名あり.txt")
        assert info.flag_bits & 0x1 and info.wz_aes_strength == 3  # encrypted, AES-256
    assert sorted(p.name for p in out_dir.iterdir()) == ["相談一覧.zip"]
    assert list(temp_dir.iterdir()) == []


def test_a_wrong_password_does_not_open_it(out_dir: Path):
    target = write_encrypted_zip(out_dir / "a.zip", {"a.txt": _content()}, PASSWORD)
    with pytest.raises(RuntimeError, match="Bad password"):
        read_encrypted_zip(target, PASSWORD + "x")
    with pytest.raises(RuntimeError, match="requires a password"), pyzipper.AESZipFile(target) as archive:
        archive.read("a.txt")
    with pytest.raises(NotImplementedError), zipfile.ZipFile(target) as archive:  # the stdlib cannot either
        archive.read("a.txt", pwd=PASSWORD.encode())


def test_the_raw_bytes_hold_no_canary_in_any_encoding(out_dir: Path):
    plain = out_dir / "plain.zip"  # the control: the same member in an ordinary ZIP shows every needle
    with zipfile.ZipFile(plain, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("a.txt", _content())
    raw_plain = plain.read_bytes()
    assert all(needle in raw_plain for needle in _needles())
    raw = write_encrypted_zip(out_dir / "secret.zip", {"a.txt": _content()}, PASSWORD).read_bytes()
    assert [needle for needle in _needles() if needle in raw] == []
    assert PASSWORD.encode() not in raw


def test_existing_files_can_be_packed_under_their_names(tmp_path: Path, out_dir: Path):
    source = tmp_path / "紹介状.pdf"
    source.write_bytes(b"%PDF-1.4 " + _content())
    target = write_encrypted_zip(out_dir / "x.zip", [source], PASSWORD)
    assert read_encrypted_zip(target, PASSWORD) == {"紹介状.pdf": source.read_bytes()}


@pytest.mark.parametrize("password, problem", [
    ("", "8文字以上"), ("short12", "8文字以上"), ("ｐａｓｓｗｏｒｄ１２", "半角"), ("パスワードです長い", "半角"),
    ("pass\tword", "半角"),
])
def test_an_unusable_password_writes_nothing(out_dir: Path, password: str, problem: str):
    assert problem in validate_zip_password(password)
    with pytest.raises(ValidationError) as refused:
        write_encrypted_zip(out_dir / "a.zip", {"a.txt": b"x"}, password)
    assert problem in refused.value.message
    assert list(out_dir.iterdir()) == []


def test_a_good_password_passes():
    assert validate_zip_password("abcd1234") is None and validate_zip_password("p@ss word!") is None


def test_nothing_to_pack_is_a_plain_message(out_dir: Path):
    with pytest.raises(ValidationError, match="ファイルがありません"):
        write_encrypted_zip(out_dir / "a.zip", {}, PASSWORD)


def test_a_failed_write_leaves_no_file_and_keeps_the_old_one(out_dir: Path, temp_dir: Path, monkeypatch):
    target = out_dir / "a.zip"
    target.write_bytes(b"old")

    def full_disk(self, name, data, *args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pyzipper.AESZipFile, "writestr", full_disk)
    with pytest.raises(FileWriteError, match="空き容量"):
        write_encrypted_zip(target, {"a.txt": _content()}, PASSWORD)
    assert [p.name for p in out_dir.iterdir()] == ["a.zip"] and target.read_bytes() == b"old"
    assert list(temp_dir.iterdir()) == []


def _workbook(handle) -> int:
    book = openpyxl.Workbook()
    book.active.append([CANARY[0], CANARY[1]])
    book.save(handle)
    return 1


def test_write_export_puts_the_workbook_only_inside_the_zip(out_dir: Path, temp_dir: Path, monkeypatch):
    written: list[Path] = []
    real = secure_zip.write_atomically
    monkeypatch.setattr(secure_zip, "write_atomically", lambda out, fn: (written.append(out), real(out, fn))[1])
    target = out_dir / "相談一覧.zip"
    assert write_export(target, _workbook, password=PASSWORD, member="相談一覧_氏名あり.xlsx") == 1
    assert written == [target]  # the only file written is the ZIP itself
    assert sorted(p.name for p in out_dir.iterdir()) == ["相談一覧.zip"] and list(temp_dir.iterdir()) == []
    [(name, data)] = read_encrypted_zip(target, PASSWORD).items()
    assert name == "相談一覧_氏名あり.xlsx"
    assert list(openpyxl.load_workbook(io.BytesIO(data)).active.values) == [(CANARY[0], CANARY[1])]


def test_write_export_without_a_password_writes_the_plain_file(out_dir: Path):
    target = out_dir / "list.xlsx"
    assert write_export(target, _workbook) == 1
    assert openpyxl.load_workbook(target).active["A1"].value == CANARY[0]
    assert [p.name for p in out_dir.iterdir()] == ["list.xlsx"]


def test_write_export_checks_the_password_before_doing_the_work(out_dir: Path):
    called: list[int] = []
    with pytest.raises(ValidationError):
        write_export(out_dir / "a.zip", lambda handle: called.append(1), password="short")
    assert called == [] and list(out_dir.iterdir()) == []


def test_openpyxl_builds_the_member_without_a_temp_file(out_dir: Path, monkeypatch):
    """openpyxl normally writes each sheet (cell text included) to a temp file first; not for a ZIP member."""
    from openpyxl.worksheet import _writer

    made: list[str] = []
    real = _writer.create_temporary_file
    monkeypatch.setattr(_writer, "create_temporary_file", lambda suffix="": made.append(suffix) or real(suffix))
    write_export(out_dir / "plain.xlsx", _workbook)
    assert len(made) == 1  # the control: the plain path does go through a temp file
    write_export(out_dir / "secret.zip", _workbook, password=PASSWORD, member="a.xlsx")
    assert len(made) == 1
    data = read_encrypted_zip(out_dir / "secret.zip", PASSWORD)["a.xlsx"]
    assert openpyxl.load_workbook(io.BytesIO(data)).active["B1"].value == CANARY[1]
    write_export(out_dir / "plain2.xlsx", _workbook)  # openpyxl is back to normal afterwards
    assert len(made) == 2
