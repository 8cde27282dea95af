"""Import and export of the resource list (Excel / CSV). Filled in by the importers work."""

from __future__ import annotations

from zaitaku_desktop.storage.database import Database

from .resources import ResourceService
from .vocab import VocabService


class TransferService:
    def __init__(self, db: Database, vocab: VocabService, resources: ResourceService) -> None:
        self.db = db
        self.vocab = vocab
        self.resources = resources
