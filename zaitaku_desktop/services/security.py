"""Who may open the database and what they may do: log-in, lock, users and roles, encryption at rest.

- :class:`Gate` runs before the database is opened: it reads only the key file and the first bytes of
  the database, checks a password (or the recovery key) and hands back :class:`Credentials`.
- :class:`SecurityService` works on the open database: lock/unlock (the key is dropped while locked),
  users and roles, and converting the file: plain → encrypted (:meth:`protect`), back (:meth:`unprotect`),
  and re-keying when a 担当者 changes the passphrase. Each conversion makes a verified backup first,
  writes the new file beside the old one, checks it (integrity and row counts) and swaps it in with one
  rename; the key file always holds slots for every key a file on disk may be under.

Passwords and keys are never stored, logged or put in settings; see storage/keyfile.py for what is kept.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from zaitaku_desktop.domain.errors import (
    AuthError, EncryptionUnavailableError, PermissionDeniedError, StorageError,
)
from zaitaku_desktop.storage import backup as store
from zaitaku_desktop.storage.crypto import (
    DbKey, connect, format_recovery_key, has_sqlite_header, key_opens, parse_recovery_key, sqlcipher_available,
    unavailable_reason,
)
from zaitaku_desktop.storage.database import Database
from zaitaku_desktop.storage.keyfile import KeyFile, UserEntry, keyfile_path, normalize_name

log = logging.getLogger(__name__)

ROLE_STAFF = "担当者"
ROLE_VIEWER = "閲覧者"
ROLES = (ROLE_STAFF, ROLE_VIEWER)
RECOVERY_USER = "回復キー"
PASSPHRASE_MIN = 8
WRONG_PASSWORD = "利用者名またはパスワードが違います。"


def validate_passphrase(text: str) -> str | None:
    """A Japanese problem text, or None when the passphrase (or password) is acceptable."""
    if not text or not text.strip():
        return "パスワードを入力してください。"
    if len(text) < PASSPHRASE_MIN:
        return f"パスワードは{PASSPHRASE_MIN}文字以上にしてください（長い文やことばの組み合わせがおすすめです）。"
    if len(set(text)) < 3:
        return "同じ文字の繰り返しは推測されやすいため使えません。"
    return None


def _validate_name(name: str) -> str:
    name = normalize_name(name)
    if not name:
        raise StorageError("利用者名を入力してください。")
    if len(name) > 40:
        raise StorageError("利用者名は40文字以内にしてください。")
    if name == RECOVERY_USER:
        raise StorageError(f"「{RECOVERY_USER}」は利用者名に使えません。")
    return name


def _require_password(text: str) -> None:
    problem = validate_passphrase(text)
    if problem:
        raise StorageError(problem)


@dataclass(frozen=True)
class UserRead:
    name: str
    role: str

    @property
    def is_staff(self) -> bool:
        return self.role == ROLE_STAFF


@dataclass(frozen=True)
class SecurityStatus:
    available: bool
    encrypted: bool
    has_users: bool
    current: UserRead | None
    locked: bool
    unavailable_reason: str = ""


@dataclass
class Credentials:
    user: UserRead | None
    key: DbKey | None


SERVER_SECURITY_MESSAGE = ("このデータベースはサーバー（PostgreSQL）にあります。利用者とパスワード、暗号化は"
                           "サーバー側で管理します（サーバーの管理者に依頼してください）。")


def file_is_encrypted(db_path: Path) -> bool:
    """An existing, non-empty file that is not plain SQLite and has our key file beside it."""
    try:
        size = db_path.stat().st_size
    except OSError:
        return False
    return size > 0 and not has_sqlite_header(db_path) and keyfile_path(db_path).exists()


class Gate:
    """The step before the database opens. Reads only; never changes a file."""

    def __init__(self, db_path: Path) -> None:
        self.db_path = Path(db_path)
        self.keyfile = KeyFile.load(self.db_path)
        self.encrypted = file_is_encrypted(self.db_path)
        # Not plain SQLite and no key file: an encrypted database whose key file was lost (the recovery key
        # opens it) — or a file damaged at its start. Only the user can tell; the log-in asks.
        try:
            unknown = self.db_path.stat().st_size > 0 and not has_sqlite_header(self.db_path)
        except OSError:
            unknown = False
        self.key_file_missing = unknown and self.keyfile is None and sqlcipher_available()

    @property
    def needs_login(self) -> bool:
        return self.encrypted or self.key_file_missing or bool(self.keyfile and self.keyfile.users)

    def user_names(self) -> list[str]:
        return self.keyfile.names() if self.keyfile else []

    def login(self, name: str, password: str) -> Credentials:
        entry = self.keyfile.find(name) if self.keyfile else None
        if entry is None:
            raise AuthError(WRONG_PASSWORD)
        private = entry.private_key(password)
        user = UserRead(entry.name, entry.role)
        if not self.encrypted:
            return Credentials(user, None)
        if not sqlcipher_available():
            raise EncryptionUnavailableError(unavailable_reason())
        for key in entry.open_slots(private):
            if key_opens(self.db_path, key):
                assert self.keyfile is not None
                if not self.keyfile.signature_ok(key):
                    key.wipe()
                    raise AuthError("鍵ファイルの利用者や役割が書き換えられているため、開けません。"
                                    "回復キーで開いて、利用者を登録し直してください。")
                return Credentials(user, key)
            key.wipe()
        raise AuthError("パスワードは正しいのですが、この鍵ファイルではデータベースを開けません"
                        "（別のデータベースの鍵ファイルの可能性があります）。回復キーで開いてください。")

    def login_with_recovery_key(self, text: str) -> Credentials:
        if not (self.encrypted or self.key_file_missing):
            raise AuthError("このデータベースは暗号化されていないため、回復キーはありません。")
        raw = parse_recovery_key(text)
        if not sqlcipher_available():
            raise EncryptionUnavailableError(unavailable_reason())
        key = DbKey(raw)
        if not key_opens(self.db_path, key):
            key.wipe()
            raise AuthError("この回復キーではデータベースを開けません。別のデータベースの回復キーでないか確認してください。")
        return Credentials(UserRead(RECOVERY_USER, ROLE_STAFF), key)


class SecurityService:
    def __init__(self, db: Database, *, credentials: Credentials | None = None, maintenance=None) -> None:
        self.db = db
        self.current: UserRead | None = credentials.user if credentials else None
        self.maintenance = maintenance  # MaintenanceService: the verified backup before a conversion
        self.audit = None  # AuditService: security events join the audit trail

    def record(self, action: str, detail: str = "") -> None:
        """A security event in the audit trail (who is in the entry; ``detail`` holds no secret)."""
        if self.audit is None or self.db.locked or self.db.query_only or self.db.read_only:
            return
        try:
            self.audit.append(action, "security", "", detail)
        except StorageError as exc:  # the event is secondary to what was just done
            log.warning("could not record security event %s: %s", action, exc.message)

    # --- state ---------------------------------------------------------------------------------------
    def _keyfile(self) -> KeyFile | None:
        return None if self.db.server else KeyFile.load(self.db.path)

    def _refuse_on_server(self) -> None:
        if self.db.server:
            raise StorageError(SERVER_SECURITY_MESSAGE)

    @property
    def role(self) -> str:
        return self.current.role if self.current else ROLE_STAFF

    def status(self) -> SecurityStatus:
        keyfile = self._keyfile()
        return SecurityStatus(sqlcipher_available(), self.db.encrypted, bool(keyfile and keyfile.users),
                              self.current, self.db.locked, unavailable_reason())

    @property
    def can_lock(self) -> bool:
        keyfile = self._keyfile()
        return self.db.encrypted or bool(keyfile and keyfile.users and self.current)

    @property
    def locked(self) -> bool:
        return self.db.locked

    def users(self) -> list[UserRead]:
        keyfile = self._keyfile()
        return [UserRead(u.name, u.role) for u in keyfile.users] if keyfile else []

    def _require_staff(self) -> None:
        if self.role != ROLE_STAFF:
            raise PermissionDeniedError("この操作は担当者だけが行えます。")

    # --- lock ----------------------------------------------------------------------------------------
    def lock(self) -> None:
        self.record("lock")
        self.db.lock()
        log.info("window locked; database key dropped")

    def unlock(self, password: str) -> None:
        if self.current is None:
            raise AuthError("ロックを解除する利用者がいません。")
        if self.current.name == RECOVERY_USER:
            raise AuthError("回復キーで開いているため、回復キーで解除してください。")
        credentials = Gate(self.db.path).login(self.current.name, password)
        self.db.unlock(credentials.key)
        self.record("unlock")
        log.info("window unlocked")

    def unlock_with_recovery_key(self, text: str) -> None:
        credentials = Gate(self.db.path).login_with_recovery_key(text)
        self.db.unlock(credentials.key)
        self.record("unlock", "回復キー")
        log.info("window unlocked with the recovery key")

    # --- users ---------------------------------------------------------------------------------------
    def _save(self, keyfile: KeyFile) -> None:
        if self.db.encrypted:
            keyfile.sign(self.db.key)  # type: ignore[arg-type]
        if keyfile.users or self.db.encrypted:
            keyfile.save(self.db.path)
        else:
            keyfile_path(self.db.path).unlink(missing_ok=True)

    def _new_entry(self, name: str, role: str, password: str) -> UserEntry:
        entry = UserEntry.create(name, role, password)
        if self.db.encrypted:
            entry.seal(self.db.key)  # type: ignore[arg-type]
        return entry

    def add_user(self, name: str, role: str, password: str) -> UserRead:
        self._require_staff()
        self._refuse_on_server()
        name = _validate_name(name)
        if role not in ROLES:
            raise StorageError("役割は「担当者」か「閲覧者」を選んでください。")
        _require_password(password)
        keyfile = self._keyfile() or KeyFile()
        if keyfile.find(name):
            raise StorageError(f"「{name}」はすでに登録されています。")
        if not keyfile.users and role != ROLE_STAFF:
            raise StorageError("最初の利用者は「担当者」にしてください（閲覧者だけでは設定を変えられなくなります）。")
        keyfile.users.append(self._new_entry(name, role, password))
        self._save(keyfile)
        self.record("user_add", f"{name}（{role}）")
        if self.current is None:  # the first user: from now on the window locks with this password
            self.current = UserRead(name, role)
        return UserRead(name, role)

    def _staff_left(self, keyfile: KeyFile, without: str) -> int:
        return sum(1 for u in keyfile.users if u.role == ROLE_STAFF and u.name != without)

    def remove_user(self, name: str) -> None:
        self._require_staff()
        keyfile = self._existing(name)
        entry = keyfile.find(name)
        assert entry is not None
        if entry.role == ROLE_STAFF and not self._staff_left(keyfile, entry.name):
            raise StorageError("最後の担当者は削除できません。先にほかの担当者を登録してください。")
        keyfile.users.remove(entry)
        self._save(keyfile)
        self.record("user_remove", entry.name)
        if self.current and self.current.name == entry.name:
            self.current = None

    def set_role(self, name: str, role: str) -> None:
        self._require_staff()
        if role not in ROLES:
            raise StorageError("役割は「担当者」か「閲覧者」を選んでください。")
        keyfile = self._existing(name)
        entry = keyfile.find(name)
        assert entry is not None
        if entry.role == ROLE_STAFF and role != ROLE_STAFF and not self._staff_left(keyfile, entry.name):
            raise StorageError("最後の担当者を閲覧者にはできません。先にほかの担当者を登録してください。")
        entry.role = role
        self._save(keyfile)
        self.record("user_role", f"{entry.name}（{role}）")

    def reset_password(self, name: str, new_password: str) -> None:
        """A 担当者 sets another user's password (the user forgot it); their slot is sealed anew."""
        self._require_staff()
        _require_password(new_password)
        keyfile = self._existing(name)
        entry = keyfile.find(name)
        assert entry is not None
        keyfile.users[keyfile.users.index(entry)] = self._new_entry(entry.name, entry.role, new_password)
        self._save(keyfile)
        self.record("user_reset", entry.name)

    def _existing(self, name: str) -> KeyFile:
        keyfile = self._keyfile()
        if not keyfile or not keyfile.find(name):
            raise StorageError(f"利用者「{normalize_name(name)}」は登録されていません。")
        return keyfile

    def change_password(self, old: str, new: str) -> str | None:
        """The current user's password. A 担当者 of an encrypted file re-keys it: returns the new recovery key."""
        if self.current is None or self.current.name == RECOVERY_USER:
            raise StorageError("回復キーで開いているときは、利用者の一覧から「パスワードの再設定」を行ってください。")
        Gate(self.db.path).login(self.current.name, old)  # AuthError when the old password is wrong
        _require_password(new)
        if self.db.encrypted and self.current.is_staff:
            return self._rekey(self.current.name, new)
        keyfile = self._existing(self.current.name)
        entry = keyfile.find(self.current.name)
        assert entry is not None
        keyfile.users[keyfile.users.index(entry)] = self._new_entry(entry.name, entry.role, new)
        self._save(keyfile)
        self.record("password")
        return None

    # --- encryption ----------------------------------------------------------------------------------
    def protect(self, user_name: str, passphrase: str) -> str:
        """Encrypt the database under a new key; ``user_name`` (a 担当者) opens it with ``passphrase``.

        Our plain backups in the backup folder are encrypted as well (each checked before it replaces the
        plain one). Returns the recovery key — shown once, never stored.
        """
        self._require_staff()
        self._refuse_on_server()
        if not sqlcipher_available():
            raise EncryptionUnavailableError(unavailable_reason())
        if self.db.encrypted:
            raise StorageError("このデータベースはすでに暗号化されています。")
        name = _validate_name(user_name)
        _require_password(passphrase)
        keyfile = self._keyfile() or KeyFile()
        existing = keyfile.find(name)
        if existing and existing.role != ROLE_STAFF:
            raise StorageError(f"「{name}」は閲覧者のため、データベースを保護できません。担当者の名前を入力してください。")
        self._backup_first("protect")
        key = DbKey.generate()
        entry = UserEntry.create(name, ROLE_STAFF, passphrase)
        if existing:
            keyfile.users[keyfile.users.index(existing)] = entry
        else:
            keyfile.users.insert(0, entry)
        for user in keyfile.users:
            user.seal(key)
        keyfile.sign(key)
        keyfile.save(self.db.path)  # slots first: the file is still plain, so they are only a promise
        self._convert(key)
        self.current = UserRead(name, ROLE_STAFF)
        count = self._encrypt_plain_backups()
        self.record("protect", f"バックアップ{count}件も暗号化")
        log.info("database encrypted")
        return format_recovery_key(key.raw())

    def unprotect(self, passphrase: str) -> None:
        """Decrypt the database (a 担当者, with the passphrase). Users stay; backups already made stay encrypted."""
        self._require_staff()
        if not self.db.encrypted:
            raise StorageError("このデータベースは暗号化されていません。")
        if self.current is None or self.current.name == RECOVERY_USER:
            raise StorageError("回復キーで開いているときは保護を解除できません。先にパスワードを設定してください。")
        Gate(self.db.path).login(self.current.name, passphrase)
        self._backup_first("unprotect")
        self._convert(None)
        self.record("unprotect")
        keyfile = self._keyfile()
        if keyfile:
            keyfile.strip_slots()
            self._save(keyfile)
        log.info("database decrypted")

    def _rekey(self, name: str, new_password: str) -> str:
        old = self.db.key
        assert old is not None
        key = DbKey.generate()
        keyfile = self._existing(name)
        entry = keyfile.find(name)
        assert entry is not None
        fresh = UserEntry.create(entry.name, entry.role, new_password)
        fresh.seal(old)
        keyfile.users[keyfile.users.index(entry)] = fresh
        for user in keyfile.users:
            user.seal(key)
        keyfile.sign(old)
        keyfile.sign(key)
        keyfile.save(self.db.path)  # both keys open it until the new file is in place
        self._backup_first("rekey")
        self._convert(key)
        keyfile.keep_only(key)
        keyfile.save(self.db.path)
        old.wipe()
        self.record("rekey")
        log.info("database re-keyed")
        return format_recovery_key(key.raw())

    def _backup_first(self, step: str) -> None:
        if self.maintenance is not None:
            self.maintenance.backup_before(step)

    def _convert(self, new_key: DbKey | None) -> None:
        """Write the file under ``new_key`` beside the live one, check it and swap it in; then reopen."""
        path, old_key = self.db.path, self.db.key
        part = path.with_name(path.name + ".convert")
        self.db.engine.dispose()
        try:
            conn = connect(path, old_key)
            try:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                conn.close()
            store.copy_database(path, part, old_key, dest_key=new_key)
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            os.replace(part, path)
        except BaseException:
            part.unlink(missing_ok=True)
            self.db.reopen(old_key)
            raise
        self.db.reopen(new_key)

    def _encrypt_plain_backups(self) -> int:
        if self.maintenance is None or self.db.key is None:
            return 0
        done = 0
        folder = self.maintenance.backup_folder()
        for _when, path in store.our_backups(folder):
            if not has_sqlite_header(path):
                continue
            try:
                store.copy_database(path, path, None, dest_key=self.db.key)
                store.copy_keyfile(self.db.path, path)
                done += 1
            except StorageError as exc:
                log.warning("could not encrypt backup %s: %s", path.name, exc.message)
        log.info("encrypted %d plain backups", done)
        return done
