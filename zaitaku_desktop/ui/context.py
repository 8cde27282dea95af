"""What every tab and dialog receives instead of globals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zaitaku_desktop.services import Services
from zaitaku_desktop.settings import Settings

from .messages import Messages


@dataclass
class AppContext:
    services: Services
    settings: Settings
    runner: Any  # TaskRunner or SyncTaskRunner
    messages: Messages
    extras: dict[str, Any] = field(default_factory=dict)

    def format_date(self, day, *, weekday: bool = True) -> str:
        from zaitaku_desktop.domain.dates import format_date

        return format_date(day, self.settings.date_style, weekday=weekday)
