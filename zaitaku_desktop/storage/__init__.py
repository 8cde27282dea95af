"""Persistence: engine set-up, migrations, backups and one repository per entity.

Repositories take a session and never commit; the service that owns the session does.
"""
