"""Keyed pseudonyms (PDPA): a household arrives as the SHA-256 of its 11-digit house ID, which
anyone can reverse by hashing every possible ID. The warehouse stores only HMAC-SHA-256 of it
under secret keys, so the stored value means nothing without them, yet the same household gets
the same pseudonym every year (poverty transitions still follow it).

Keys come from THANRAK_PSEUDONYM_KEYS: one secret or several, comma-separated, applied in order
(key rotation appends a key and re-keys what is stored: docs/runbook.md). Unset, a random key is
made once in <var>/secrets/pseudonym.key, for the demo and tests; production sets the variable.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import psycopg

from thanrak.settings import Settings

KEYS_ENV = "THANRAK_PSEUDONYM_KEYS"
MIN_KEY_CHARS = 16
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Pseudonymiser:
    keys: tuple[bytes, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> Pseudonymiser:
        configured = os.environ.get(KEYS_ENV, "").strip()
        if configured:
            keys = tuple(k.strip() for k in configured.split(",") if k.strip())
            short = [i for i, k in enumerate(keys, 1) if len(k) < MIN_KEY_CHARS]
            if short:
                raise ValueError(f"{KEYS_ENV}: key {short[0]} is shorter than {MIN_KEY_CHARS} characters")
            return cls(tuple(k.encode() for k in keys))
        return cls((_local_key(settings.var_dir / "secrets" / "pseudonym.key"),))

    def one(self, value: str) -> str:
        for inner, outer in self._keyed:
            digest = inner.copy()
            digest.update(value.encode())
            mac = outer.copy()
            mac.update(digest.digest())
            value = mac.hexdigest()
        return value

    @functools.cached_property
    def _keyed(self) -> tuple[tuple[hashlib._Hash, hashlib._Hash], ...]:
        """Each key's HMAC-SHA-256 (RFC 2104) as its inner and outer SHA-256 states, set up once:
        copying two hashlib states costs a third of copying an `hmac` object, and a national
        survey year is 12.8 million keys (issue 13). Tested equal to `hmac.new`."""
        return tuple(_hmac_states(key) for key in self.keys)

    def column(self, values: pd.Series) -> pd.Series:
        """Every value replaced by its pseudonym (missing stays missing). Row by row: a personal
        key column is unique per row, so looking values up by distinct value only costs more."""
        missing = values.isna().to_numpy()
        shown = values.to_numpy(dtype=object, na_value=None)
        pseudonyms = [None if gone else self.one(str(v)) for v, gone in zip(shown, missing, strict=True)]
        return pd.Series(pseudonyms, index=values.index, dtype=values.dtype)


def _hmac_states(key: bytes) -> tuple[hashlib._Hash, hashlib._Hash]:
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return hashlib.sha256(key.translate(hmac.trans_36)), hashlib.sha256(key.translate(hmac.trans_5C))


def _local_key(path: Path) -> bytes:
    """The key of this installation's var folder, made on first use (readable by its owner only)."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w") as out:
                out.write(secrets.token_hex(32))
            log.warning("%s is not set: made a local pseudonym key in %s", KEYS_ENV, path)
        except FileExistsError:  # another worker made it just now
            pass
    return path.read_text().strip().encode()


class KeysOutOfStep(RuntimeError):
    """The configured keys are not the ones the stored pseudonyms carry: loading would mix them."""


def check_keys(conn: psycopg.Connection, pseudonymiser: Pseudonymiser) -> None:
    """Before households are stored: the warehouse's pseudonyms carry exactly the configured keys
    (a warehouse with none yet takes them now)."""
    conn.execute(
        "insert into ops.pseudonym_state (keys_applied) values (%s) on conflict do nothing",
        (len(pseudonymiser.keys),),
    )
    (applied,) = conn.execute("select keys_applied from ops.pseudonym_state").fetchone()
    if applied != len(pseudonymiser.keys):
        raise KeysOutOfStep(
            f"the stored household pseudonyms carry {applied} key(s), {KEYS_ENV} has "
            f"{len(pseudonymiser.keys)}: run `thanrak rekey-pseudonyms` (docs/runbook.md)"
        )


def rekey(conn: psycopg.Connection, pseudonymiser: Pseudonymiser) -> dict[str, int]:
    """Brings every stored household pseudonym (raw and quarantine) to the configured key chain by
    applying the keys it does not carry yet, in one transaction. Idempotent."""
    with conn.transaction():
        conn.execute("insert into ops.pseudonym_state (keys_applied) values (0) on conflict do nothing")
        (applied,) = conn.execute("select keys_applied from ops.pseudonym_state for update").fetchone()
        if applied > len(pseudonymiser.keys):
            raise KeysOutOfStep(f"the stored pseudonyms carry {applied} keys, more than {KEYS_ENV} lists")
        further = Pseudonymiser(pseudonymiser.keys[applied:])
        stored = {h for (h,) in conn.execute("select distinct household_hash from raw.bmn_households")}
        stored |= {
            h
            for (h,) in conn.execute(
                "select distinct record ->> 'household_hash' from quarantine.row where dataset = 'bmn_households'"
            )
            if h
        }
        if further.keys and stored:
            conn.execute("create temporary table rekeyed (old text primary key, new text) on commit drop")
            with conn.cursor().copy("copy rekeyed (old, new) from stdin") as copy:
                for value in stored:
                    copy.write_row((value, further.one(value)))
            conn.execute(
                "update raw.bmn_households r set household_hash = k.new from rekeyed k where r.household_hash = k.old"
            )
            conn.execute(
                """update quarantine.row q
                   set record = jsonb_set(q.record, '{household_hash}', to_jsonb(k.new))
                   from rekeyed k
                   where q.dataset = 'bmn_households' and q.record ->> 'household_hash' = k.old"""
            )
        conn.execute(
            "update ops.pseudonym_state set keys_applied = %s, changed_at = now()", (len(pseudonymiser.keys),)
        )
    return {
        "keys_applied_before": applied,
        "keys_now": len(pseudonymiser.keys),
        "values_rekeyed": len(stored),
    }
