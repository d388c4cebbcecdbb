"""PostgreSQL: the connection pool and per-service schema migrations."""

from cstatus.platform.db.migrations import Migration, apply_migrations, load_migrations
from cstatus.platform.db.pool import create_pool

__all__ = ["Migration", "apply_migrations", "create_pool", "load_migrations"]
