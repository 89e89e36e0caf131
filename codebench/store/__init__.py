"""The only place that talks SQL: SQLAlchemy 2.0 models, engine, migrations runner."""
