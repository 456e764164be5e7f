"""Superset's configuration for Thanrak's five-gear dashboard (docs/bi.md, "Superset").

Superset reads this file through SUPERSET_CONFIG_PATH, which `bi/superset/manage.py` sets. Every
secret comes from the environment: the session key (SUPERSET_SECRET_KEY, which manage.py keeps in
var/superset/secret_key when unset) and the warehouse's bi_reader password (only at import).
Superset's own metadata (users, dashboards, the encrypted connection) is a SQLite file in
var/superset/ unless SUPERSET_METADATA_URL names another database, e.g. a PostgreSQL database of
its own: never the warehouse.
"""

from __future__ import annotations

import os
from pathlib import Path

_VAR = Path(os.environ.get("THANRAK_VAR_DIR") or Path(__file__).resolve().parents[2] / "var")
SUPERSET_HOME = Path(os.environ.get("SUPERSET_HOME") or _VAR / "superset")

SECRET_KEY = os.environ["SUPERSET_SECRET_KEY"]
SQLALCHEMY_DATABASE_URI = os.environ.get("SUPERSET_METADATA_URL") or (
    f"sqlite:///{SUPERSET_HOME / 'superset.db'}?check_same_thread=false"
)
DATA_DIR = str(SUPERSET_HOME)

APP_NAME = "Thanrak ฐานราก"
# Superset has no Thai translation: the interface stays English, the dashboard's titles, labels and
# descriptions are Thai first with English second.
BABEL_DEFAULT_LOCALE = "en"
LANGUAGES: dict = {}

# Thai glyphs: Inter has none, so name Thai faces before the generic family (Noto Sans Thai,
# Leelawadee UI on Windows, Thonburi on macOS, the TLWG fonts on Debian) for the interface; the
# charts' text falls back to the browser's Thai font.
THEME_DEFAULT = {
    "token": {
        "brandAppName": APP_NAME,
        "fontFamily": "Inter, 'Noto Sans Thai', 'Leelawadee UI', Thonburi, Loma, Garuda, "
        "Helvetica, Arial, sans-serif",
    },
    "algorithm": "default",
}
THEME_DARK = None

# No SQLite or other local-file database as a data source (the import checks the connection).
PREVENT_UNSAFE_DB_CONNECTIONS = True

# A dashboard's queries are cached for an hour (the marts change once a night), in Superset's
# metadata database, so that no Redis is needed for a single server.
CACHE_DEFAULT_TIMEOUT = 3600
DATA_CACHE_CONFIG = {
    "CACHE_TYPE": "SupersetMetastoreCache",
    "CACHE_DEFAULT_TIMEOUT": CACHE_DEFAULT_TIMEOUT,
    "CACHE_KEY_PREFIX": "thanrak_data_",
}

# The server listens on 127.0.0.1 only (manage.py serve); a deployment behind HTTPS should set
# SESSION_COOKIE_SECURE and TALISMAN's force_https through its own config.
SESSION_COOKIE_SAMESITE = "Lax"

# Superset 6.1's menu bar loads a telemetry pixel from apachesuperset.gateway.scarf.sh on every
# page, built into its frontend with no setting to turn it off; the dashboard's standalone view
# (?standalone=1, docs/bi.md) has no menu bar and so no pixel.
