"""Apply the Alembic migrations in db/migrations, with a verified backup first."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from zaitaku_desktop import paths
from zaitaku_desktop.domain.errors import StorageError

from .backup import backup_database, timestamped_name
from .crypto import DbKey

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MigrationResult:
    before: str | None
    after: str
    backup: Path | None


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(paths.migrations_dir()))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def foreign_file_message(db_path: Path) -> str:
    return f"このファイルは本プログラムのデータベースではないようです（管理情報がありません）。\n{db_path}"


def upgrade(engine: Engine, db_path: Path, backup_dir: Path | None, target: str = "head",
            key: DbKey | None = None) -> MigrationResult:
    """Bring the database to ``target``; back the file up first when it has data to lose."""
    before = current_revision(engine)
    wanted = head_revision() if target == "head" else target
    if before == wanted:
        return MigrationResult(before, wanted, None)
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    if before is None and tables - {"alembic_version"}:
        raise StorageError(foreign_file_message(db_path))
    if before is not None:
        known = {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}
        if before not in known:
            raise StorageError(
                "このデータベースは新しい版のプログラムで作られています。最新版のプログラムで開いてください。\n"
                f"{db_path}（版：{before}）"
            )
    backup: Path | None = None
    if before is not None and backup_dir is not None and db_path.exists():
        backup = backup_database(db_path, backup_dir / timestamped_name(f"before-upgrade-{before}"), key)
        log.info("backed up database before migration %s -> %s", before, wanted)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    after = current_revision(engine)
    assert after is not None
    log.info("database migrated %s -> %s", before, after)
    return MigrationResult(before, after, backup)
