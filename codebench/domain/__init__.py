"""Pure-Python core: parsing, harmonisation, agreement, saturation, codebook rows.

Nothing here imports textual, typer, rich, sqlalchemy or alembic.
"""
