"""Keyed pseudonyms (issue 11, defect 7): the household key is stored only as HMAC under secret
keys, in raw and quarantine, so a dictionary of every house ID's SHA-256 finds nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os

import psycopg
import pytest

from thanrak.demo.generator import generate_night
from thanrak.load.pseudonyms import KEYS_ENV, Pseudonymiser, rekey
from thanrak.pipeline import Stages
from thanrak.settings import Settings


def test_the_same_value_gets_the_same_pseudonym_and_each_key_chain_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv(KEYS_ENV, "first-key-of-sixteen")
    one = Pseudonymiser.from_settings(Settings.in_folder(tmp_path))
    monkeypatch.setenv(KEYS_ENV, "first-key-of-sixteen,second-key-of-sixteen")
    rotated = Pseudonymiser.from_settings(Settings.in_folder(tmp_path))
    sha = hashlib.sha256(b"30010012345").hexdigest()
    assert one.one(sha) == one.one(sha) != sha
    assert rotated.one(sha) == Pseudonymiser((b"second-key-of-sixteen",)).one(one.one(sha))
    monkeypatch.setenv(KEYS_ENV, "short")
    with pytest.raises(ValueError, match="shorter than 16"):
        Pseudonymiser.from_settings(Settings.in_folder(tmp_path))


def test_a_pseudonym_is_hmac_sha256_of_the_value_under_each_key_in_turn():
    sha = hashlib.sha256(b"30010012345").hexdigest()
    short, long = b"first-key-of-sixteen", b"a key longer than SHA-256's 64-byte block " * 3
    chained = hmac.new(long, hmac.new(short, sha.encode(), "sha256").hexdigest().encode(), "sha256")
    assert Pseudonymiser((short,)).one(sha) == hmac.new(short, sha.encode(), "sha256").hexdigest()
    assert Pseudonymiser((short, long)).one(sha) == chained.hexdigest()


def test_without_configured_keys_a_local_key_is_made_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv(KEYS_ENV)
    first = Pseudonymiser.from_settings(Settings.in_folder(tmp_path))
    again = Pseudonymiser.from_settings(Settings.in_folder(tmp_path))
    key_file = tmp_path / "secrets" / "pseudonym.key"
    assert first == again and len(first.keys[0]) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_no_delivered_household_hash_is_stored(warehouse, tmp_path):
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    options = {"scale": 0.05, "defect_rate": 0.1, "file_defects": 0, "xlsx_share": 0}
    night = generate_night(
        settings.landing_dir, dt.date(2026, 11, 22), provinces=["30"], datasets=("bmn_households",), **options
    )
    delivered = set()
    for key in night.files:
        for line in (settings.landing_dir / key).read_bytes().decode("utf-8-sig", "replace").splitlines()[1:]:
            delivered.update(cell for cell in line.split(",") if len(cell) == 64)
    assert delivered
    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", night.night):
        stages.process_batch("test", night.night, batch)
    with psycopg.connect(warehouse) as conn:
        stored = {h for (h,) in conn.execute("select household_hash from raw.bmn_households")}
        quarantined = {
            h for (h,) in conn.execute("select record ->> 'household_hash' from quarantine.row") if h
        }
        reasons = " ".join(r for (r,) in conn.execute("select reasons::text from quarantine.row"))
    assert stored and quarantined
    assert not (stored | quarantined) & delivered
    assert not any(value in reasons for value in delivered)
    assert stored <= {Pseudonymiser.from_settings(settings).one(h) for h in delivered}


def test_rotating_keys_rekeys_what_is_stored_and_loading_refuses_to_mix(warehouse, tmp_path, monkeypatch):
    settings = Settings.in_folder(tmp_path / "var", warehouse)
    options = {"scale": 0.03, "defect_rate": 0.1, "file_defects": 0, "xlsx_share": 0}
    first_night, second_night = dt.date(2026, 10, 22), dt.date(2026, 9, 22)
    generate_night(
        settings.landing_dir, first_night, provinces=["40"], datasets=("bmn_households",), **options
    )
    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", first_night):
        stages.process_batch("test", first_night, batch)

    def stored(conn) -> set[str]:
        return {
            h
            for (h,) in conn.execute(
                """select household_hash from raw.bmn_households
                   where submission_id in (select submission_id from ops.submission where province_code = '40')"""
            )
        }

    with psycopg.connect(warehouse) as conn:
        before = stored(conn)
    old_chain = Pseudonymiser.from_settings(settings)
    monkeypatch.setenv(KEYS_ENV, f"{os.environ[KEYS_ENV]},a-second-key-for-rotation")
    rotated = Pseudonymiser.from_settings(settings)

    # A new file while the warehouse still carries the old chain: refused, nothing half-loaded.
    generate_night(
        settings.landing_dir, second_night, provinces=["40"], datasets=("bmn_households",), **options
    )
    with pytest.raises(RuntimeError, match="rekey-pseudonyms"):
        for batch in Stages(warehouse, settings).discover_by_province("test", second_night):
            Stages(warehouse, settings).process_batch("test", second_night, batch)

    with psycopg.connect(warehouse) as conn:
        done = rekey(conn, rotated)
        again = rekey(conn, rotated)
        after = stored(conn)
    assert done["keys_now"] == 2 and again["values_rekeyed"] >= len(before)
    second_key = Pseudonymiser(rotated.keys[1:])
    assert after == {second_key.one(h) for h in before}
    assert old_chain.keys == rotated.keys[:1]

    stages = Stages(warehouse, settings)
    for batch in stages.discover_by_province("test", second_night):
        stages.process_batch("test", second_night, batch)
    with psycopg.connect(warehouse) as conn:
        statuses = {
            s for (s,) in conn.execute("select status from ops.submission where province_code = '40'")
        }
    assert statuses == {"loaded"}
