"""Alembic environment: runs on the connection that codebench hands over."""

from alembic import context

from codebench.store.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - codebench always passes a connection
    raise RuntimeError("run migrations through codebench (codebench init / any command)")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
