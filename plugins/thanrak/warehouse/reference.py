"""Reference data: the area hierarchy from geothai (DOPA codes) and the Thai calendar.

Loaded into `ref.*` by `thanrak migrate`, replaced as a whole when its source version changes.
"""

from __future__ import annotations

import datetime as dt

import geothai
import psycopg
from geothai.abolished import abolished_areas

from thanrak.thai.dates import CALENDAR_COLUMNS, calendar_rows

BANGKOK = "10"  # a special local government, outside the CDD network; kept and flagged
CALENDAR_RANGE = (dt.date(2010, 1, 1), dt.date(2040, 12, 31))
_CALENDAR_VERSION = f"{CALENDAR_RANGE[0]}..{CALENDAR_RANGE[1]}/v1"


def cdd_province_codes() -> set[str]:
    """The provinces of the CDD network (every province but Bangkok), from geothai as ref.province."""
    return {p.code for p in geothai.provinces() if p.code != BANGKOK}


def area_rows() -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Province, amphoe and tambon rows for every province, Bangkok included."""
    provinces, amphoes, tambons = [], [], []
    for p in geothai.provinces():
        provinces.append((p.code, p.name_th, p.name_en, p.code != BANGKOK))
        for d in geothai.districts(p.code):
            amphoes.append((d.code, p.code, d.name_th, d.name_en))
            tambons.extend(
                (s.code, d.code, p.code, s.name_th, s.name_en, list(s.postal_codes))
                for s in geothai.subdistricts(d.code)
            )
    return provinces, amphoes, tambons


def load_reference(conn: psycopg.Connection) -> dict[str, str]:
    """Loads areas and the calendar when their versions differ from what is loaded."""
    loaded = dict(conn.execute("select source, version from ref.load_state").fetchall())
    done = {}
    if loaded.get("geothai") != geothai.DATA_VERSION:
        with conn.transaction():
            _load_areas(conn)
            _mark(conn, "geothai", geothai.DATA_VERSION)
        done["geothai"] = geothai.DATA_VERSION
    if loaded.get("calendar") != _CALENDAR_VERSION:
        with conn.transaction():
            conn.execute("delete from ref.calendar")
            _copy(conn, "ref.calendar", CALENDAR_COLUMNS, calendar_rows(*CALENDAR_RANGE))
            _mark(conn, "calendar", _CALENDAR_VERSION)
        done["calendar"] = _CALENDAR_VERSION
    return done


def _load_areas(conn: psycopg.Connection) -> None:
    provinces, amphoes, tambons = area_rows()
    conn.execute("truncate ref.tambon, ref.amphoe, ref.province, ref.abolished_area")
    _copy(conn, "ref.province", ("province_code", "name_th", "name_en", "in_cdd_network"), provinces)
    _copy(conn, "ref.amphoe", ("amphoe_code", "province_code", "name_th", "name_en"), amphoes)
    _copy(
        conn,
        "ref.tambon",
        ("tambon_code", "amphoe_code", "province_code", "name_th", "name_en", "postal_codes"),
        tambons,
    )
    _copy(
        conn,
        "ref.abolished_area",
        ("area_code", "level", "name_th", "name_en", "abolished_on", "successor_codes"),
        [
            (a.code, a.level, a.name_th, a.name_en, a.abolished_on, list(a.successors))
            for a in abolished_areas()
        ],
    )


def _copy(conn: psycopg.Connection, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    with conn.cursor().copy(f"copy {table} ({', '.join(columns)}) from stdin") as copy:
        for row in rows:
            copy.write_row(row)


def _mark(conn: psycopg.Connection, source: str, version: str) -> None:
    conn.execute(
        "insert into ref.load_state (source, version) values (%s, %s) "
        "on conflict (source) do update set version = excluded.version, loaded_at = now()",
        (source, version),
    )
