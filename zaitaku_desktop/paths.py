"""Where things live: the user's data, config and log folders, and bundled resources.

Every path the program uses comes from here. ``ZAITAKU_HOME`` moves all user
folders at once (tests use it so they never touch real data); ``--db`` and
``ZAITAKU_DB`` pick the database file, or a PostgreSQL server by its URL.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from zaitaku_desktop import APP_NAME

DB_FILENAME = "zaitaku.sqlite3"


def _home_override() -> Path | None:
    value = os.environ.get("ZAITAKU_HOME")
    return Path(value).expanduser() if value else None


def _user_dir(kind: str) -> Path:
    """One of the user's folders ('data', 'config', 'logs', 'cache'), honouring ZAITAKU_HOME."""
    override = _home_override()
    if override:
        return override / kind
    import platformdirs

    finder = {"data": platformdirs.user_data_dir, "config": platformdirs.user_config_dir,
              "logs": platformdirs.user_log_dir, "cache": platformdirs.user_cache_dir}[kind]
    return Path(finder(APP_NAME, appauthor=False))


def data_dir() -> Path:
    return _user_dir("data")


def config_dir() -> Path:
    return _user_dir("config")


def log_dir() -> Path:
    return _user_dir("logs")


def cache_dir() -> Path:
    return _user_dir("cache")


def backup_dir() -> Path:
    return data_dir() / "backups"


def default_db_path() -> Path:
    return data_dir() / DB_FILENAME


SERVER_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")


def is_server_url(value: object) -> bool:
    """True for a PostgreSQL URL (``postgresql://user:pass@host/dbname``), False for a file path."""
    return isinstance(value, str) and value.lower().startswith(SERVER_SCHEMES)


def resolve_db_path(cli_value: str | None = None, setting: str | None = None) -> Path | str:
    """--db beats ZAITAKU_DB beats the database setting beats the default file in the data folder.

    A PostgreSQL URL is returned as it is (a string); anything else is a file path.
    """
    value = cli_value or os.environ.get("ZAITAKU_DB") or setting
    if is_server_url(value):
        return value
    if value:
        return Path(value).expanduser().resolve()
    return default_db_path()


def resource_root() -> Path:
    """The folder holding resources/ and db/: the bundle when frozen, else the source tree."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def migrations_dir() -> Path:
    return resource_path("db", "migrations")


def seed_dir() -> Path:
    return resource_path("db", "seed")


def fonts_dir() -> Path:
    return resource_path("resources", "fonts")


def icons_dir() -> Path:
    return resource_path("resources", "icons")
