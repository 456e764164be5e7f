"""Discover: find the files delivered up to a night's cut-off that are not yet processed, and
register each in the manifest by content hash.

Every delivered file is an event in ops.delivery. Its slot is the folder it lands in
(province, dataset, period): new bytes for a slot are a submission (ops.submission), the slot's
next revision; the same bytes in the same slot again are a re-delivery of that submission
(recorded, not processed again); the same bytes in another slot are that slot's own submission.
New files are registered in the order they were delivered (ties by name), so revisions follow
delivery, not path names.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass

import psycopg

from thanrak.contract.declarations import DATASETS
from thanrak.contract.messages import message
from thanrak.landing.sources import LandedFile, Source

_PERIOD = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])$", re.ASCII)
HASHING_THREADS = 2


@dataclass(frozen=True)
class Submission:
    """A registered file waiting to be processed: what the mapped tasks pass along."""

    submission_id: int
    key: str
    province_code: str
    dataset: str
    period: str
    revision: int
    delivered_at: dt.datetime
    byte_size: int

    def to_dict(self) -> dict:
        return asdict(self)


def discover(
    conn: psycopg.Connection,
    source: Source,
    night: dt.date,
    cutoff: dt.datetime,
    since: dt.datetime | None = None,
) -> list[Submission]:
    """Registers new deliveries up to `cutoff` and returns every submission still waiting
    (new ones, and any a crashed run left half-done). With `since` (a backfill), only files
    delivered after it count: exactly one night's window."""
    cdd_provinces = {
        code for (code,) in conn.execute("select province_code from ref.province where in_cdd_network")
    }
    landed_files = sorted(source.list_files(), key=lambda f: (f.delivered_at, f.key))
    new = [
        landed
        for landed in landed_files
        if not (landed.delivered_at > cutoff or (since is not None and landed.delivered_at <= since))
        and not _seen(conn, landed)
    ]
    # Files are hashed HASHING_THREADS at a time (hashlib lets go of the GIL; a national survey
    # year is 8.5 GB) and registered one by one in delivery order, which numbers the revisions.
    with ThreadPoolExecutor(HASHING_THREADS, "hash") as hashing:
        digests = hashing.map(lambda landed: _sha256(source, landed.key), new)
        for landed, digest in zip(new, digests, strict=True):
            _register(conn, landed, digest, night, cdd_provinces)
    rows = conn.execute(
        """select submission_id, source_key, province_code, dataset, period, revision, delivered_at,
                  byte_size
           from ops.submission where status = 'discovered' and delivered_at <= %s
             and (%s::timestamptz is null or delivered_at > %s)
           order by submission_id""",
        (cutoff, since, since),
    ).fetchall()
    return [Submission(*row) for row in rows]


def slot_problem(
    province: str, dataset: str, period: str, cdd_provinces: set[str], *, where: str
) -> tuple[str, str] | None:
    """Why a file cannot be taken for this slot (Thai, English), or None: the one verdict on where
    a file belongs, for the nightly discovery and for `thanrak check` alike. `where` is what the
    officer sees of the location (the file's path, or the period as typed)."""
    if not _PERIOD.match(period):
        return message("bad_location", detail=where)
    if province not in cdd_provinces:
        return message("unknown_province", detail=province)
    if dataset not in DATASETS:
        return message("unknown_dataset", detail=dataset)
    return None


def _sha256(source: Source, key: str) -> str:
    return hashlib.sha256(source.read_bytes(key)).hexdigest()


def _seen(conn: psycopg.Connection, landed: LandedFile) -> bool:
    """A delivery already recorded (same name, size and delivery time) is not read again."""
    return (
        conn.execute(
            "select 1 from ops.delivery where source_key = %s and byte_size = %s and delivered_at = %s",
            (landed.key, landed.size, landed.delivered_at),
        ).fetchone()
        is not None
    )


def _register(
    conn: psycopg.Connection, landed: LandedFile, sha256: str, night: dt.date, cdd_provinces: set[str]
) -> None:
    parts = landed.key.split("/")
    province, dataset, period = (parts + ["", "", ""])[:3] if len(parts) == 4 else ("?", "?", "?")
    problem = (
        slot_problem(province, dataset, period, cdd_provinces, where=landed.key)
        if len(parts) == 4
        else message("bad_location", detail=landed.key)
    )
    with conn.transaction():
        # Serialise revision numbering per slot; the slot's (slot, hash) index makes the same bytes
        # in the same slot a re-delivery of the submission already there.
        conn.execute("select pg_advisory_xact_lock(hashtext(%s))", (f"{province}/{dataset}/{period}",))
        new = conn.execute(
            """insert into ops.submission
                 (content_sha256, source_key, province_code, dataset, period, revision, byte_size,
                  delivered_at, night, status, reject_reason_th, reject_reason_en, processed_at)
               select %(sha)s, %(key)s, %(province)s, %(dataset)s, %(period)s,
                      coalesce(max(revision), 0) + 1, %(size)s, %(delivered_at)s, %(night)s,
                      %(status)s, %(th)s, %(en)s, case when %(status)s = 'rejected' then now() end
               from ops.submission
               where province_code = %(province)s and dataset = %(dataset)s and period = %(period)s
               on conflict (province_code, dataset, period, content_sha256) where province_code <> '?'
               do nothing
               returning submission_id""",
            {
                "sha": sha256,
                "key": landed.key,
                "province": province,
                "dataset": dataset,
                "period": period,
                "size": landed.size,
                "delivered_at": landed.delivered_at,
                "night": night,
                "status": "rejected" if problem else "discovered",
                "th": problem[0] if problem else None,
                "en": problem[1] if problem else None,
            },
        ).fetchone()
        if new:
            submission_id = new[0]
        else:
            (submission_id,) = conn.execute(
                """select submission_id from ops.submission where province_code = %s and dataset = %s
                     and period = %s and content_sha256 = %s""",
                (province, dataset, period, sha256),
            ).fetchone()
        conn.execute(
            """insert into ops.delivery (submission_id, source_key, byte_size, delivered_at, night)
               values (%s, %s, %s, %s, %s)""",
            (submission_id, landed.key, landed.size, landed.delivered_at, night),
        )
