"""Alembic environment for zaitaku-desktop.

The program runs migrations itself at start-up (storage/migrations.py) and hands
its own connection in through ``config.attributes["connection"]``. Run by hand
with ``alembic -c db/alembic.ini upgrade head`` and ``-x db=PATH``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import URL, create_engine
from sqlmodel import SQLModel

import zaitaku_desktop.models  # noqa: F401  (registers the tables on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    db = context.get_x_argument(as_dictionary=True).get("db")
    url = URL.create("sqlite", database=db) if db else config.get_main_option("sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
