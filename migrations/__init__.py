"""Alembic migrations of the codebench schema (installed as ``codebench.migrations``)."""
