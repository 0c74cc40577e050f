"""Filesystem anchors: every path the package reads is derived from this one constant."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = REPO_ROOT / "sql"
SCHEMA_SQL_DIR = SQL_DIR / "schema"
GOLD_SQL_DIR = SQL_DIR / "gold"
LOAD_SQL_DIR = SQL_DIR / "load"
STATE_SQL_DIR = SQL_DIR / "state"
PAYLOAD_SQL_DIR = SQL_DIR / "payload"
CHECKS_SQL_DIR = SQL_DIR / "checks"
FEATURES_SQL_DIR = SQL_DIR / "features"
EMAIL_SQL_DIR = SQL_DIR / "email"
DATA_DIR = REPO_ROOT / "data"
CATALOG_PATH = DATA_DIR / "reference" / "exercise_catalog.csv"
CORRECTIONS_PATH = DATA_DIR / "corrections.csv"
CONTRACTS_DIR = Path(__file__).resolve().parent / "contracts"
