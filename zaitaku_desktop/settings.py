"""User preferences, declared once, stored with QSettings (INI) in the config folder.

Versioned: ``SETTINGS_VERSION`` is written with the file and ``_upgrade`` moves old
keys forward when it changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QByteArray, QSettings

from zaitaku_desktop import paths

SETTINGS_VERSION = 1

THEMES: dict[str, str] = {
    "light_teal.xml": "ライト（青緑）",
    "light_blue.xml": "ライト（青）",
    "light_amber.xml": "ライト（琥珀）",
    "dark_teal.xml": "ダーク（青緑）",
    "native": "標準（OSの見た目）",
}
DATE_STYLES: dict[str, str] = {"wareki": "和暦（令和8年12月5日（土））", "seireki": "西暦（2026/12/05（土））"}


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    kind: type


DECLARED: dict[str, Setting] = {s.key: s for s in (
    Setting("ui/theme", "light_teal.xml", str),
    Setting("ui/date_style", "wareki", str),
    Setting("resources/stale_months", 12, int),
    Setting("user/name", "", str),
    Setting("ui/last_tab", 0, int),
    Setting("ui/offer_sample", True, bool),
    Setting("database/url", "", str),  # a shared PostgreSQL server (postgresql://…); empty: the local SQLite file
    Setting("ui/first_run_done", False, bool),  # the first-run wizard (ui/first_run.py) was finished or put off
    Setting("issues/view", 0, int),
    Setting("meetings/view", 0, int),
    Setting("backup/folder", "", str),  # "" = the backups folder in the user's data folder
    Setting("backup/keep_daily", 7, int),
    Setting("backup/keep_weekly", 4, int),
    Setting("backup/keep_monthly", 12, int),
    Setting("handouts/hub_name", "", str),
    Setting("handouts/hub_phone", "", str),
    Setting("handouts/hub_fax", "", str),
    Setting("security/idle_minutes", 5, int),  # 自動ロック; 0 = never
    Setting("security/last_user", "", str),  # the log-in's last user name (never a password)
)}


class Settings:
    def __init__(self, store: QSettings | None = None) -> None:
        if store is None:
            folder = paths.config_dir()
            folder.mkdir(parents=True, exist_ok=True)
            store = QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat)
        self._store = store
        self._upgrade()

    def _upgrade(self) -> None:
        version = int(self._store.value("meta/version", 0) or 0)
        if version < SETTINGS_VERSION:
            self._store.setValue("meta/version", SETTINGS_VERSION)

    def get(self, key: str) -> Any:
        decl = DECLARED[key]
        value = self._store.value(key, decl.default)
        if decl.kind is bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        try:
            return decl.kind(value)
        except (TypeError, ValueError):
            return decl.default

    def set(self, key: str, value: Any) -> None:
        DECLARED[key]  # unknown keys are a programming error
        self._store.setValue(key, value)

    # Window and table layouts are opaque Qt blobs, kept under their own names.
    def get_state(self, name: str) -> QByteArray | None:
        value = self._store.value(f"state/{name}")
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    def set_state(self, name: str, value: QByteArray) -> None:
        self._store.setValue(f"state/{name}", value)

    def sync(self) -> None:
        self._store.sync()

    @property
    def theme(self) -> str:
        value = self.get("ui/theme")
        return value if value in THEMES else "light_teal.xml"

    @property
    def date_style(self) -> str:
        value = self.get("ui/date_style")
        return value if value in DATE_STYLES else "wareki"

    @property
    def stale_months(self) -> int:
        return max(1, min(120, self.get("resources/stale_months")))
