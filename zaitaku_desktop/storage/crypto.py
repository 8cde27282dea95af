"""SQLCipher plumbing: whether it is here, the database key in memory, the recovery-key text, connections.

The database key is 32 random bytes used as SQLCipher's raw key (``PRAGMA key = "x'…'"``), so no
passphrase is ever handed to SQLCipher. Passwords only unwrap that key from the key file
(storage/keyfile.py). The recovery key *is* the raw key, written as 14 groups of 4 characters with
a check group, so it opens the database and every backup made under the same key even when the
key file is lost.

Plain databases keep using the standard library's sqlite3; sqlcipher3 is loaded only for encrypted ones.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import sqlite3
from functools import lru_cache
from pathlib import Path
from typing import Any

from zaitaku_desktop.domain.errors import AuthError, EncryptionUnavailableError, SessionLockedError

log = logging.getLogger(__name__)

KEY_BYTES = 32
SQLITE_MAGIC = b"SQLite format 3\x00"
_GROUP = 4


@lru_cache(maxsize=1)
def _module() -> Any:
    try:
        from sqlcipher3 import dbapi2
    except Exception as exc:  # noqa: BLE001 - a missing wheel or a broken shared library alike
        log.warning("sqlcipher3 unavailable: %s", type(exc).__name__)
        return exc
    return dbapi2


def sqlcipher_available() -> bool:
    return not isinstance(_module(), BaseException)


def unavailable_reason() -> str:
    """Why encryption is off on this computer (Japanese), or "" when it is available."""
    module = _module()
    if not isinstance(module, BaseException):
        return ""
    return ("暗号化に必要な部品（SQLCipher / sqlcipher3）をこのパソコンで読み込めませんでした"
            f"（{type(module).__name__}）。データは暗号化されずに保存されます。")


def sqlcipher_module() -> Any:
    module = _module()
    if isinstance(module, BaseException):
        raise EncryptionUnavailableError(unavailable_reason())
    return module


def database_errors() -> tuple[type[BaseException], ...]:
    """The DB-API error classes of both drivers (sqlcipher3 has its own hierarchy)."""
    module = _module()
    return (sqlite3.Error,) if isinstance(module, BaseException) else (sqlite3.Error, module.Error)


class DbKey:
    """The raw database key, kept in one bytearray that :meth:`wipe` overwrites.

    Python may still hold transient copies (the hex text of a PRAGMA, the driver's own buffers);
    wiping is as far as the language allows. ``repr`` never shows the bytes.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: bytes | bytearray) -> None:
        if len(raw) != KEY_BYTES:
            raise ValueError("a database key has 32 bytes")
        self._raw = bytearray(raw)

    @classmethod
    def generate(cls) -> "DbKey":
        return cls(secrets.token_bytes(KEY_BYTES))

    @property
    def wiped(self) -> bool:
        return not self._raw

    def raw(self) -> bytes:
        if self.wiped:
            raise SessionLockedError()
        return bytes(self._raw)

    def key_id(self) -> str:
        """A short public fingerprint that tells keys apart without revealing them."""
        return hashlib.sha256(b"zaitaku-key-id" + self.raw()).hexdigest()[:16]

    def pragma(self) -> str:
        return f"PRAGMA key = \"x'{self.raw().hex()}'\""

    def copy(self) -> "DbKey":
        return DbKey(self.raw())

    def wipe(self) -> None:
        for i in range(len(self._raw)):
            self._raw[i] = 0
        self._raw = bytearray()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DbKey) and not self.wiped and not other.wiped \
            and hmac.compare_digest(bytes(self._raw), bytes(other._raw))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return "DbKey(wiped)" if self.wiped else "DbKey(…)"


# --- the recovery key ----------------------------------------------------------------------------------------

def _check_group(raw: bytes) -> str:
    return base64.b32encode(hashlib.sha256(b"zaitaku-recovery" + raw).digest())[:_GROUP].decode()


def format_recovery_key(raw: bytes) -> str:
    """56 characters A–Z/2–7 in groups of four: the key (52) and a check group (4)."""
    body = base64.b32encode(raw).decode().rstrip("=") + _check_group(raw)
    return "-".join(body[i:i + _GROUP] for i in range(0, len(body), _GROUP))


_LOOKALIKES = str.maketrans({"0": "O", "1": "I", "8": "B", "9": "G"})


def parse_recovery_key(text: str) -> bytes:
    """The raw key from a typed recovery key (spaces, hyphens, lower case and full-width forms tolerated)."""
    import unicodedata

    cleaned = "".join(ch for ch in unicodedata.normalize("NFKC", text or "").upper() if ch.isalnum())
    cleaned = cleaned.translate(_LOOKALIKES)
    if len(cleaned) != 56 or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for ch in cleaned):
        raise AuthError("回復キーの形が正しくありません。4文字ずつ14組（56文字）を、印刷した紙のとおりに入力してください。")
    try:
        raw = base64.b32decode(cleaned[:52] + "====")[:KEY_BYTES]
    except ValueError as exc:
        raise AuthError("回復キーの形が正しくありません。") from exc
    if _check_group(raw) != cleaned[52:]:
        raise AuthError("回復キーに打ち間違いがあります。印刷した紙と1文字ずつ見比べてください。")
    return raw


# --- files and connections --------------------------------------------------------------------------------

def has_sqlite_header(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC
    except OSError:
        return False


def connect(path: Path, key: DbKey | None = None, *, read_only: bool = False, immutable: bool = False,
            timeout: float = 5.0, check_same_thread: bool = True) -> Any:
    """A DB-API connection: sqlite3 for a plain file, sqlcipher3 keyed with ``key`` for an encrypted one."""
    module = sqlite3 if key is None else sqlcipher_module()
    if read_only or immutable:
        # as_uri() percent-encodes '#', '?' and '%', which would otherwise cut the path short.
        uri = path.resolve().as_uri() + "?mode=ro" + ("&immutable=1" if immutable else "")
        conn = module.connect(uri, uri=True, timeout=timeout, check_same_thread=check_same_thread)
    else:
        conn = module.connect(str(path), timeout=timeout, check_same_thread=check_same_thread)
    if key is not None:
        apply_key(conn, key)
    return conn


def apply_key(conn: Any, key: DbKey) -> None:
    """Key a fresh sqlcipher3 connection (must be its first statement)."""
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(key.pragma())


def key_opens(path: Path, key: DbKey) -> bool:
    """Does ``key`` open ``path``? Read-only: the file is never changed (no -wal switch, no header write)."""
    try:
        conn = connect(path, key, read_only=True)
    except database_errors():
        return False
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return True
    except database_errors():
        return False
    finally:
        conn.close()
