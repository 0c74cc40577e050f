"""The warehouse resource: versioned schema files and connection URLs."""

from __future__ import annotations

import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from fitness_platform.errors import ConfigurationError
from fitness_platform.paths import SCHEMA_SQL_DIR
from fitness_platform.resources.warehouse import WarehouseResource, apply_migrations, normalise_url


def test_schema_files_apply_once_and_are_recorded(database_url, tmp_path):
    schema = tmp_path / "schema"
    shutil.copytree(SCHEMA_SQL_DIR, schema)
    shipped = sorted(p.name for p in schema.glob("*.sql"))
    engine = create_engine(WarehouseResource(database_url=database_url).url())
    try:
        with engine.begin() as conn:
            assert apply_migrations(conn, schema) == shipped
        with engine.begin() as conn:
            assert apply_migrations(conn, schema) == []  # a second start applies nothing
        (schema / "999_extra.sql").write_text(
            "-- An added file.\nCREATE TABLE fitness.extra (x integer);\n"
        )
        with engine.begin() as conn:
            assert apply_migrations(conn, schema) == ["999_extra.sql"]
        with engine.begin() as conn:
            assert apply_migrations(conn, schema) == []
            recorded = [
                r[0]
                for r in conn.execute(
                    text("SELECT version FROM fitness.schema_migrations ORDER BY version")
                )
            ]
        assert recorded == [*shipped, "999_extra.sql"]
        # Editing an applied file is refused: schema changes go in a new file.
        (schema / "999_extra.sql").write_text("-- Edited.\nCREATE TABLE fitness.other (y int);\n")
        with (
            pytest.raises(ConfigurationError, match="999_extra.sql changed after it was applied"),
            engine.begin() as conn,
        ):
            apply_migrations(conn, schema)
    finally:
        engine.dispose()


def test_rds_urls_keep_tls_settings_and_hide_the_password():
    url = (
        "postgresql://app:s3cr3t@db.abc.eu-west-1.rds.amazonaws.com:5432/fitness"
        "?sslmode=verify-full&sslrootcert=/etc/ssl/rds.pem"
    )
    normalised = normalise_url(url)
    assert normalised.startswith("postgresql+psycopg://app:s3cr3t@db.abc.eu-west-1.rds")
    assert dict(make_url(normalised).query) == {
        "sslmode": "verify-full",
        "sslrootcert": "/etc/ssl/rds.pem",
    }
    described = WarehouseResource(database_url=url).describe()
    assert described == "postgresql://db.abc.eu-west-1.rds.amazonaws.com:5432/fitness"
    assert "s3cr3t" not in described
    with pytest.raises(ConfigurationError, match="must be a PostgreSQL URL"):
        normalise_url("mysql://x@y/z")
