"""The key file ``<database>.keys.json``: who may open the database, their role, and the wrapped key.

Nothing in it is secret in the clear. For each user:
- ``kdf``: scrypt parameters and salt; scrypt(password) is the key that seals the user's X25519 private key
  (AES-256-GCM, the user's name as associated data), so a wrong password fails the GCM tag and nothing else;
- ``public``: the user's X25519 public key;
- ``slots``: the database key sealed to that public key (ephemeral X25519 + HKDF + AES-GCM), one per key id.
  Sealing needs only the public key, so re-keying the file (a new database key after a passphrase change)
  gives every user a slot for the new key without knowing their passwords.
A plain database with users has no slots: the password then only proves who is logging in.
``macs``: per key id, an HMAC under a subkey of that database key over the users' names, roles and public
keys, checked at each log-in of an encrypted database, so an edited role or an added user is noticed.

Written atomically (temporary file, fsync, replace). Old key ids stay in the slots until the new key is
in place (see services/security.py), so a crash during a re-key never leaves a file nobody can open.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from zaitaku_desktop.domain.errors import AuthError, StorageError

from .crypto import DbKey

FORMAT = "zaitaku-desktop keys"
VERSION = 1
SUFFIX = ".keys.json"
SCRYPT = {"n": 2 ** 15, "r": 8, "p": 1}
_RAW = serialization.Encoding.Raw


def keyfile_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + SUFFIX)


def normalize_name(name: str) -> str:
    return unicodedata.normalize("NFKC", name or "").strip()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _kek(password: str, kdf: dict) -> bytes:
    data = unicodedata.normalize("NFC", password).encode("utf-8")
    return hashlib.scrypt(data, salt=_unb64(kdf["salt"]), n=kdf["n"], r=kdf["r"], p=kdf["p"],
                          maxmem=256 * 1024 * 1024, dklen=32)


def _slot_key(shared: bytes, public: bytes) -> bytes:
    return HKDF(SHA256(), 32, salt=None, info=b"zaitaku-slot" + public).derive(shared)


@dataclass
class UserEntry:
    name: str
    role: str
    kdf: dict
    public: str
    private: dict
    slots: dict[str, dict] = field(default_factory=dict)

    @classmethod
    def create(cls, name: str, role: str, password: str) -> "UserEntry":
        kdf = {"name": "scrypt", **SCRYPT, "salt": _b64(secrets.token_bytes(16))}
        private = X25519PrivateKey.generate()
        nonce = secrets.token_bytes(12)
        sealed = AESGCM(_kek(password, kdf)).encrypt(
            nonce, private.private_bytes(_RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption()),
            _aad(name))
        public = private.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)
        return cls(normalize_name(name), role, kdf, _b64(public), {"nonce": _b64(nonce), "data": _b64(sealed)})

    def private_key(self, password: str) -> X25519PrivateKey:
        """The user's private key; :class:`AuthError` when the password is wrong."""
        try:
            raw = AESGCM(_kek(password, self.kdf)).decrypt(
                _unb64(self.private["nonce"]), _unb64(self.private["data"]), _aad(self.name))
        except (InvalidTag, KeyError, ValueError) as exc:
            raise AuthError("利用者名またはパスワードが違います。") from exc
        return X25519PrivateKey.from_private_bytes(raw)

    def seal(self, key: DbKey) -> None:
        """Add a slot holding ``key`` for this user (needs only the public key)."""
        ephemeral = X25519PrivateKey.generate()
        public = _unb64(self.public)
        wrap = _slot_key(ephemeral.exchange(X25519PublicKey.from_public_bytes(public)), public)
        nonce = secrets.token_bytes(12)
        self.slots[key.key_id()] = {
            "ephemeral": _b64(ephemeral.public_key().public_bytes(_RAW, serialization.PublicFormat.Raw)),
            "nonce": _b64(nonce), "data": _b64(AESGCM(wrap).encrypt(nonce, key.raw(), _aad(self.name)))}

    def open_slots(self, private: X25519PrivateKey) -> list[DbKey]:
        """Every database key this user holds (newest last); a damaged slot is skipped."""
        public = _unb64(self.public)
        keys = []
        for slot in self.slots.values():
            try:
                shared = private.exchange(X25519PublicKey.from_public_bytes(_unb64(slot["ephemeral"])))
                raw = AESGCM(_slot_key(shared, public)).decrypt(_unb64(slot["nonce"]), _unb64(slot["data"]),
                                                               _aad(self.name))
            except (InvalidTag, KeyError, ValueError):
                continue
            keys.append(DbKey(raw))
        return keys

    def to_json(self) -> dict:
        return {"name": self.name, "role": self.role, "kdf": self.kdf, "public": self.public,
                "private": self.private, "slots": self.slots}


def _aad(name: str) -> bytes:
    return b"zaitaku-user:" + normalize_name(name).encode("utf-8")


@dataclass
class KeyFile:
    users: list[UserEntry] = field(default_factory=list)
    macs: dict[str, str] = field(default_factory=dict)

    # --- reading and writing -------------------------------------------------------------------------
    @classmethod
    def load(cls, db_path: Path) -> "KeyFile | None":
        """The key file beside ``db_path``; None when there is none. A damaged file is a StorageError."""
        path = keyfile_path(db_path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StorageError(f"鍵ファイルを読み込めません（壊れているか、別のファイルです）。\n{path}") from exc
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise StorageError(f"鍵ファイルの形式が正しくありません。\n{path}")
        if data.get("version") != VERSION:
            raise StorageError(f"この鍵ファイルは新しい版のプログラムで作られています。\n{path}")
        try:
            users = [UserEntry(u["name"], u["role"], u["kdf"], u["public"], u["private"], dict(u.get("slots") or {}))
                     for u in data.get("users", [])]
        except (KeyError, TypeError) as exc:
            raise StorageError(f"鍵ファイルの内容が正しくありません。\n{path}") from exc
        macs = data.get("macs") or {}
        return cls(users, {str(k): str(v) for k, v in macs.items()} if isinstance(macs, dict) else {})

    def save(self, db_path: Path) -> Path:
        return self.save_as(keyfile_path(db_path))

    def save_as(self, path: Path) -> Path:
        text = json.dumps({"format": FORMAT, "version": VERSION, "users": [u.to_json() for u in self.users],
                           "macs": self.macs}, ensure_ascii=False, indent=1)
        tmp = path.with_name(path.name + ".part")
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            try:
                tmp.unlink()
            except OSError:
                pass
            raise StorageError(f"鍵ファイルを保存できませんでした（{exc.strerror}）。\n{path}") from exc
        return path

    # --- users -----------------------------------------------------------------------------------------
    def find(self, name: str) -> UserEntry | None:
        wanted = normalize_name(name)
        return next((u for u in self.users if u.name == wanted), None)

    def names(self) -> list[str]:
        return [u.name for u in self.users]

    # --- integrity of names and roles ------------------------------------------------------------------
    def compute_mac(self, key: DbKey) -> str:
        subkey = HKDF(SHA256(), 32, salt=None, info=b"zaitaku-roles").derive(key.raw())
        body = json.dumps([[u.name, u.role, u.public] for u in self.users], ensure_ascii=False).encode("utf-8")
        return hmac.new(subkey, body, hashlib.sha256).hexdigest()

    def sign(self, key: DbKey) -> None:
        self.macs[key.key_id()] = self.compute_mac(key)

    def signature_ok(self, key: DbKey) -> bool:
        mac = self.macs.get(key.key_id(), "")
        return bool(mac) and hmac.compare_digest(mac, self.compute_mac(key))

    def keep_only(self, key: DbKey) -> None:
        """Drop every slot that does not hold ``key`` (after a re-key is complete)."""
        wanted = key.key_id()
        for user in self.users:
            user.slots = {k: v for k, v in user.slots.items() if k == wanted}
        self.macs = {k: v for k, v in self.macs.items() if k == wanted}

    def strip_slots(self) -> None:
        for user in self.users:
            user.slots = {}
        self.macs = {}
