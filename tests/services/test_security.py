"""Log-in, roles, lock, and converting the database: protect, change the passphrase, unprotect."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import STAFF_NAME, STAFF_PASSWORD, VIEWER_NAME, VIEWER_PASSWORD
from zaitaku_desktop import cli
from zaitaku_desktop.domain.errors import AuthError, PermissionDeniedError, SessionLockedError, StorageError
from zaitaku_desktop.services import open_services
from zaitaku_desktop.services.security import (
    RECOVERY_USER, ROLE_STAFF, ROLE_VIEWER, Gate, validate_passphrase,
)
from zaitaku_desktop.storage import backup as store
from zaitaku_desktop.storage.crypto import DbKey, has_sqlite_header, parse_recovery_key
from zaitaku_desktop.storage.keyfile import keyfile_path


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _open(path: Path, name: str = STAFF_NAME, password: str = STAFF_PASSWORD, backups: Path | None = None):
    services = open_services(path, credentials=Gate(path).login(name, password))
    if backups is not None:
        backups.mkdir(exist_ok=True)
        services.maintenance.folder = backups
    return services


def test_gate_knows_a_protected_file_and_refuses_wrong_passwords_without_touching_it(encrypted_db) -> None:
    path, _ = encrypted_db
    gate = Gate(path)
    assert gate.encrypted and gate.needs_login and gate.user_names() == [STAFF_NAME, VIEWER_NAME]
    before, key_before = _digest(path), _digest(keyfile_path(path))
    for name, password in ((STAFF_NAME, "correct horse 2"), ("だれか", STAFF_PASSWORD), (VIEWER_NAME, STAFF_PASSWORD)):
        with pytest.raises(AuthError, match="利用者名またはパスワードが違います"):
            gate.login(name, password)
    assert _digest(path) == before and _digest(keyfile_path(path)) == key_before
    assert not Path(f"{path}-wal").exists()
    credentials = gate.login(" 山田 ", STAFF_PASSWORD)  # the name is matched after trimming
    assert credentials.user.name == STAFF_NAME and credentials.user.is_staff and credentials.key is not None


def test_a_plain_database_without_users_needs_no_login(db_path: Path) -> None:
    gate = Gate(db_path)
    assert not gate.needs_login and not gate.encrypted
    with pytest.raises(AuthError, match="暗号化されていない"):
        gate.login_with_recovery_key("A" * 56)


def test_recovery_key_opens_the_database_and_a_wrong_one_does_not(encrypted_db) -> None:
    path, recovery = encrypted_db
    credentials = Gate(path).login_with_recovery_key(recovery.lower().replace("-", " "))
    assert credentials.user.name == RECOVERY_USER and credentials.user.role == ROLE_STAFF
    services = open_services(path, credentials=credentials)
    try:
        assert len(services.resources.list_rows()) == 129
    finally:
        services.close()
    from zaitaku_desktop.storage.crypto import format_recovery_key

    with pytest.raises(AuthError, match="この回復キーでは"):
        Gate(path).login_with_recovery_key(format_recovery_key(DbKey.generate().raw()))


def test_a_viewer_reads_the_resource_list_but_cannot_change_anything(encrypted_db) -> None:
    path, _ = encrypted_db
    services = _open(path, VIEWER_NAME, VIEWER_PASSWORD)
    try:
        assert services.role == ROLE_VIEWER and not services.can_see_personal
        assert services.db.query_only
        assert len(services.resources.list_rows()) == 129
        with pytest.raises(PermissionDeniedError, match="閲覧者"):
            with services.db.session() as s:
                s.connection().exec_driver_sql("UPDATE resource SET name = name || 'x'")
        with pytest.raises(PermissionDeniedError, match="担当者だけ"):
            services.security.add_user("田中", ROLE_STAFF, "new password 1")
    finally:
        services.close()


def test_lock_drops_the_key_and_only_the_same_users_password_unlocks(encrypted_db) -> None:
    path, recovery = encrypted_db
    services = _open(path)
    try:
        key = services.db.key
        assert services.security.can_lock
        services.security.lock()
        assert services.security.locked and key.wiped
        with pytest.raises(SessionLockedError):
            services.resources.list_rows()
        with pytest.raises(AuthError):
            services.security.unlock(VIEWER_PASSWORD)
        assert services.security.locked
        services.security.unlock(STAFF_PASSWORD)
        assert len(services.resources.list_rows()) == 129
        services.security.lock()
        services.security.unlock_with_recovery_key(recovery)
        assert not services.security.locked
    finally:
        services.close()


def test_protect_encrypts_the_file_and_every_plain_backup(sample_db_path: Path, tmp_path: Path) -> None:
    services = open_services(sample_db_path)
    backups = tmp_path / "backups"
    backups.mkdir()
    services.maintenance.folder = backups
    old = services.maintenance.backup_now().path
    assert has_sqlite_header(old)
    with pytest.raises(StorageError, match="8文字以上"):
        services.security.protect(STAFF_NAME, "short")
    assert has_sqlite_header(sample_db_path)
    recovery = services.security.protect(STAFF_NAME, STAFF_PASSWORD)
    try:
        assert services.db.encrypted and services.security.status().encrypted
        assert len(services.resources.list_rows()) == 129  # the open services go on working
    finally:
        services.close()
    assert not has_sqlite_header(sample_db_path)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(sample_db_path).execute("SELECT count(*) FROM resource").fetchone()
    made = [p for _, p in store.our_backups(backups)]
    assert any(p.name.startswith("before-protect-") for p in made) and old in made
    key = DbKey(parse_recovery_key(recovery))
    for backup in made:
        assert not has_sqlite_header(backup), backup.name
        assert store.verify(backup, key=key).ok and keyfile_path(backup).exists()
    assert not list(sample_db_path.parent.glob("*.convert*")) and not list(backups.glob("*.part"))


def test_changing_the_passphrase_re_keys_and_keeps_every_user(encrypted_db, tmp_path: Path) -> None:
    path, recovery = encrypted_db
    services = _open(path, backups=tmp_path / "backups")
    try:
        with pytest.raises(AuthError):
            services.security.change_password("wrong password", "battery staple 9")
        new_recovery = services.security.change_password(STAFF_PASSWORD, "battery staple 9")
        assert new_recovery and new_recovery != recovery
        assert len(services.resources.list_rows()) == 129
    finally:
        services.close()
    gate = Gate(path)
    with pytest.raises(AuthError):
        gate.login(STAFF_NAME, STAFF_PASSWORD)
    assert gate.login(STAFF_NAME, "battery staple 9").key is not None
    assert gate.login(VIEWER_NAME, VIEWER_PASSWORD).key is not None  # resealed without knowing the password
    with pytest.raises(AuthError):
        gate.login_with_recovery_key(recovery)
    assert gate.login_with_recovery_key(new_recovery).key is not None
    # the backup taken before the re-key still opens with the old recovery key
    before = [p for _, p in store.our_backups(tmp_path / "backups") if p.name.startswith("before-rekey-")]
    assert before and store.verify(before[0], key=DbKey(parse_recovery_key(recovery))).ok


def test_a_viewer_changing_their_password_does_not_re_key(encrypted_db) -> None:
    path, recovery = encrypted_db
    services = _open(path, VIEWER_NAME, VIEWER_PASSWORD)
    try:
        assert services.security.change_password(VIEWER_PASSWORD, "another viewer 3") is None
    finally:
        services.close()
    assert Gate(path).login(VIEWER_NAME, "another viewer 3").key is not None
    assert Gate(path).login_with_recovery_key(recovery).key is not None


def test_users_and_roles_keep_at_least_one_staff_member(encrypted_db) -> None:
    path, _ = encrypted_db
    services = _open(path)
    security = services.security
    try:
        with pytest.raises(StorageError, match="すでに登録"):
            security.add_user(VIEWER_NAME, ROLE_VIEWER, "whatever 123")
        with pytest.raises(StorageError, match="最後の担当者"):
            security.set_role(STAFF_NAME, ROLE_VIEWER)
        with pytest.raises(StorageError, match="最後の担当者"):
            security.remove_user(STAFF_NAME)
        with pytest.raises(StorageError, match="利用者名を入力"):
            security.add_user("  ", ROLE_STAFF, "whatever 123")
        security.add_user("田中", ROLE_STAFF, "tanaka pass 1")
        security.set_role(VIEWER_NAME, ROLE_STAFF)
        security.reset_password(VIEWER_NAME, "reset pass 44")
        security.remove_user("田中")
        assert [(u.name, u.role) for u in security.users()] == [(STAFF_NAME, ROLE_STAFF), (VIEWER_NAME, ROLE_STAFF)]
    finally:
        services.close()
    assert Gate(path).login(VIEWER_NAME, "reset pass 44").user.role == ROLE_STAFF
    with pytest.raises(AuthError):
        Gate(path).login("田中", "tanaka pass 1")


def test_unprotect_gives_back_a_plain_file_with_the_data(encrypted_db, tmp_path: Path) -> None:
    path, _ = encrypted_db
    services = _open(path, backups=tmp_path / "backups")
    try:
        with pytest.raises(AuthError):
            services.security.unprotect("not the passphrase")
        services.security.unprotect(STAFF_PASSWORD)
        assert not services.db.encrypted and len(services.resources.list_rows()) == 129
    finally:
        services.close()
    assert has_sqlite_header(path)
    gate = Gate(path)
    assert not gate.encrypted and gate.needs_login  # the users stay: log-in still asks for a password
    assert gate.login(STAFF_NAME, STAFF_PASSWORD).key is None


def test_users_on_a_plain_database(db_path: Path) -> None:
    services = open_services(db_path)
    try:
        assert not services.security.can_lock
        with pytest.raises(StorageError, match="最初の利用者"):
            services.security.add_user(VIEWER_NAME, ROLE_VIEWER, VIEWER_PASSWORD)
        services.security.add_user(STAFF_NAME, ROLE_STAFF, STAFF_PASSWORD)
        assert services.security.can_lock and services.security.current.name == STAFF_NAME
    finally:
        services.close()
    assert Gate(db_path).needs_login and Gate(db_path).login(STAFF_NAME, STAFF_PASSWORD).key is None


@pytest.mark.parametrize("text, ok", [("", False), ("short", False), ("aaaaaaaaaaaa", False),
                                      ("correct horse", True), ("在宅医療の連携拠点", True)])
def test_passphrase_rules(text: str, ok: bool) -> None:
    assert (validate_passphrase(text) is None) is ok


# --- the command line ---------------------------------------------------------------------------------------

def _cli(capsys, monkeypatch, path: Path, stdin: str, *args: str) -> tuple[int, str, str]:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = cli.main(["--db", str(path), *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_opens_a_protected_database_with_a_password_from_stdin(encrypted_db, capsys, monkeypatch,
                                                                    tmp_path: Path) -> None:
    path, recovery = encrypted_db
    code, _, err = _cli(capsys, monkeypatch, path, "", "municipalities", "list")
    assert code == 1 and "--user" in err
    code, _, err = _cli(capsys, monkeypatch, path, "wrong password\n", "--user", STAFF_NAME, "--password-stdin",
                        "municipalities", "list")
    assert code == 1 and "パスワードが違います" in err
    code, out, err = _cli(capsys, monkeypatch, path, STAFF_PASSWORD + "\n", "--user", STAFF_NAME,
                          "--password-stdin", "municipalities", "list")
    assert code == 0 and "釜石市" in out, err
    (tmp_path / "usb").mkdir()
    code, out, err = _cli(capsys, monkeypatch, path, recovery + "\n", "--recovery-key-stdin", "backup",
                          str(tmp_path / "usb"))
    assert code == 0, err
    made = store.our_backups(tmp_path / "usb")
    assert made and not has_sqlite_header(made[0][1])


def test_no_passphrase_or_key_reaches_the_log_or_the_settings(sample_db_path: Path, tmp_path: Path, caplog) -> None:
    import logging

    from zaitaku_desktop import paths
    from zaitaku_desktop.settings import Settings

    caplog.set_level(logging.DEBUG)
    services = open_services(sample_db_path)
    services.maintenance.folder = tmp_path
    recovery = services.security.protect(STAFF_NAME, STAFF_PASSWORD)
    key_hex = services.db.key.raw().hex()
    services.security.add_user(VIEWER_NAME, ROLE_VIEWER, VIEWER_PASSWORD)
    services.security.lock()
    services.security.unlock(STAFF_PASSWORD)
    new_recovery = services.security.change_password(STAFF_PASSWORD, "battery staple 9")
    services.close()
    Settings().set("user/name", STAFF_NAME)
    secrets_ = [STAFF_PASSWORD, VIEWER_PASSWORD, "battery staple 9", recovery, new_recovery, key_hex,
                recovery.replace("-", ""), new_recovery.replace("-", "")]
    logged = "\n".join(r.getMessage() for r in caplog.records) + "\n".join(map(repr, caplog.records))
    assert caplog.records and not [s for s in secrets_ if s in logged]
    stored = "".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in paths.config_dir().rglob("*") if p.is_file())
    assert STAFF_NAME in stored and not [s for s in secrets_ if s in stored]
    beside = keyfile_path(sample_db_path).read_text(encoding="utf-8")
    assert not [s for s in secrets_ if s in beside]


def test_security_events_join_the_audit_trail(encrypted_db, tmp_path: Path) -> None:
    path, _ = encrypted_db
    services = _open(path, backups=tmp_path / "backups")
    try:
        services.security.add_user("田中", ROLE_VIEWER, "tanaka pass 1")
        services.security.lock()
        services.security.unlock(STAFF_PASSWORD)
        services.security.change_password(STAFF_PASSWORD, "battery staple 9")
        entries = [(r.action, r.user, r.detail) for r in services.audit.rows()]
        assert services.audit.verify().ok
    finally:
        services.close()
    actions = [a for a, _, _ in reversed(entries)]
    assert actions[-5:] == ["login", "user_add", "lock", "unlock", "rekey"]
    assert all(user == STAFF_NAME for _, user, _ in entries[:5])
    logged = repr(entries)
    assert "tanaka pass 1" not in logged and STAFF_PASSWORD not in logged and "battery" not in logged
