"""Landing-zone sources. The S3 source is tested against a real S3 API (moto's server on
127.0.0.1), and the behaviour both sources share is tested on both, so either can stand in
for the other behind the `Source` protocol."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest

from thanrak.landing.discovery import discover
from thanrak.landing.sources import LocalFolderSource, S3Source, Source, landing_source
from thanrak.settings import Settings

THAI_CP874 = "ตำบลบ้านใหม่,ต้นทาง\r\n".encode("cp874")
UTF8_BOM = "\ufeffรหัสกิจกรรม,ตำบล\nA-001,100101\n".encode()
DUMMY_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3(s3_endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1", **DUMMY_CREDENTIALS)


@pytest.fixture
def bucket(s3: Any) -> str:
    """A fresh bucket per test, so one test's objects never show up in another's listing."""
    name = f"landing-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@dataclasses.dataclass
class Landing:
    """A source plus a way to deliver a file into it and the URI that file should get."""

    source: Source
    put: Callable[[str, bytes], None]
    uri: Callable[[str], str]


@pytest.fixture(params=["local", "s3"])
def landing(request: pytest.FixtureRequest, tmp_path: Path) -> Landing:
    if request.param == "local":
        root = tmp_path / "landing"

        def put_local(key: str, data: bytes) -> None:
            (root / key).parent.mkdir(parents=True, exist_ok=True)
            (root / key).write_bytes(data)

        return Landing(LocalFolderSource(root), put_local, lambda key: (root / key).as_uri())
    s3 = request.getfixturevalue("s3")
    name = request.getfixturevalue("bucket")
    return Landing(
        S3Source(name, "incoming", client=s3),
        lambda key, data: s3.put_object(Bucket=name, Key=f"incoming/{key}", Body=data),
        lambda key: f"s3://{name}/incoming/{key}",
    )


def test_listing_gives_relative_keys_sizes_and_utc_delivery_times(landing: Landing):
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    landing.put("30/activities/2026-11/a.csv", b"abc")
    landing.put("10/activities/2026-11/b.csv", b"hello")
    files = sorted(landing.source.list_files(), key=lambda f: f.key)
    assert [(f.key, f.size) for f in files] == [
        ("10/activities/2026-11/b.csv", 5),
        ("30/activities/2026-11/a.csv", 3),
    ]
    assert [f.uri for f in files] == [landing.uri(f.key) for f in files]
    for f in files:
        assert f.delivered_at.utcoffset() == dt.timedelta(0)
        assert before <= f.delivered_at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)


def test_hidden_files_are_not_listed(landing: Landing):
    landing.put(".DS_Store", b"x")
    landing.put("30/activities/2026-11/.~lock.a.csv#", b"x")
    landing.put("30/activities/2026-11/a.csv", b"x")
    assert [f.key for f in landing.source.list_files()] == ["30/activities/2026-11/a.csv"]


@pytest.mark.parametrize(
    "data", [THAI_CP874, UTF8_BOM, b"", bytes(range(256))], ids=["cp874", "utf8-bom", "empty", "binary"]
)
def test_read_bytes_returns_exactly_what_was_delivered(landing: Landing, data: bytes):
    landing.put("30/activities/2026-11/a.csv", data)
    assert landing.source.read_bytes("30/activities/2026-11/a.csv") == data


def test_an_empty_landing_zone_lists_nothing(landing: Landing):
    assert list(landing.source.list_files()) == []


def test_s3_listing_stays_inside_the_prefix(s3: Any, bucket: str):
    for key in ["landing/30/activities/2026-11/a.csv", "landing-old/x.csv", "other/y.csv", "top.csv"]:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    # Leading and trailing slashes in the prefix are the same prefix.
    for prefix in ["landing", "/landing/"]:
        source = S3Source(bucket, prefix, client=s3)
        [landed] = source.list_files()
        assert landed.key == "30/activities/2026-11/a.csv"
        assert landed.uri == f"s3://{bucket}/landing/30/activities/2026-11/a.csv"
        assert source.read_bytes(landed.key) == b"landing/30/activities/2026-11/a.csv"
    assert sorted(f.key for f in S3Source(bucket, client=s3).list_files()) == [
        "landing-old/x.csv",
        "landing/30/activities/2026-11/a.csv",
        "other/y.csv",
        "top.csv",
    ]


def test_s3_folder_markers_are_not_listed(s3: Any, bucket: str):
    for key in ["30/", "30/activities/", "30/activities/2026-11/"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    s3.put_object(Bucket=bucket, Key="30/activities/2026-11/a.csv", Body=b"x")
    assert [f.key for f in S3Source(bucket, client=s3).list_files()] == ["30/activities/2026-11/a.csv"]


def test_s3_lists_every_object_beyond_the_first_page_of_1000(s3: Any, bucket: str):
    keys = [f"30/activities/2026-11/{i:04d}.csv" for i in range(1005)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=bucket, Key=key, Body=b"1"), keys))
    assert [f.key for f in S3Source(bucket, client=s3).list_files()] == keys


def test_s3_client_comes_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, s3_endpoint: str, s3: Any, bucket: str
):
    monkeypatch.setenv("THANRAK_S3_ENDPOINT_URL", s3_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    s3.put_object(Bucket=bucket, Key="30/activities/2026-11/a.csv", Body=THAI_CP874)
    source = S3Source(bucket)
    assert [f.key for f in source.list_files()] == ["30/activities/2026-11/a.csv"]
    assert source.read_bytes("30/activities/2026-11/a.csv") == THAI_CP874


def _slot_rows(url: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            """select source_key, province_code, dataset, period, revision, status
               from ops.submission order by submission_id"""
        ).fetchall()


def test_discovery_from_s3_registers_each_content_once_and_revises_changes(
    warehouse: str, s3: Any, bucket: str
):
    source = S3Source(bucket, "landing", client=s3)
    night = dt.date(2026, 12, 1)
    # moto stamps LastModified with the current time, so the cut-off must lie ahead of it.
    cutoff = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    first = "รหัสกิจกรรม,ตำบล\r\nA-001,100101\r\n".encode("cp874")

    def deliver(key: str, data: bytes) -> list:
        s3.put_object(Bucket=bucket, Key=f"landing/{key}", Body=data)
        with psycopg.connect(warehouse, autocommit=True) as conn:
            return discover(conn, source, night, cutoff)

    [submission] = deliver("30/activities/2026-11/a.csv", first)
    assert (submission.key, submission.province_code, submission.dataset, submission.period) == (
        "30/activities/2026-11/a.csv",
        "30",
        "activities",
        "2026-11",
    )
    assert submission.revision == 1
    one_row = [("30/activities/2026-11/a.csv", "30", "activities", "2026-11", 1, "discovered")]
    assert _slot_rows(warehouse) == one_row

    with psycopg.connect(warehouse, autocommit=True) as conn:
        discover(conn, source, night, cutoff)
    assert _slot_rows(warehouse) == one_row, "a second look at the same delivery registers nothing"

    deliver("30/activities/2026-11/a-copy.csv", first)
    assert _slot_rows(warehouse) == one_row, "the same bytes under another name are the same submission"

    # Changed bytes, and a different length, so the change does not hinge on LastModified alone.
    deliver("30/activities/2026-11/a.csv", first + "A-002,100102\r\n".encode("cp874"))
    assert _slot_rows(warehouse) == one_row + [
        ("30/activities/2026-11/a.csv", "30", "activities", "2026-11", 2, "discovered")
    ]


def test_landing_source_is_s3_for_an_s3_url(settings: Settings, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("THANRAK_S3_ENDPOINT_URL", "http://minio.example:9000")
    source = landing_source(dataclasses.replace(settings, landing_url="s3://cdd-landing/nightly/in/"))
    assert isinstance(source, S3Source)
    assert (source.bucket, source.prefix) == ("cdd-landing", "nightly/in")
    assert source.client.meta.endpoint_url == "http://minio.example:9000"
    bare = landing_source(dataclasses.replace(settings, landing_url="s3://cdd-landing"))
    assert (bare.bucket, bare.prefix) == ("cdd-landing", "")


def test_landing_source_is_the_local_folder_without_a_url(settings: Settings):
    source = landing_source(settings)
    assert isinstance(source, LocalFolderSource)
    assert source.root == settings.landing_dir


@pytest.mark.parametrize(
    "url", ["s3://", "s3:///prefix", "http://bucket/prefix", "/srv/landing", "cdd-landing/in", "s3://b/x?y=1"]
)
def test_landing_source_rejects_a_url_that_is_not_s3_bucket(settings: Settings, url: str):
    with pytest.raises(ValueError, match="THANRAK_LANDING_URL must look like s3://bucket"):
        landing_source(dataclasses.replace(settings, landing_url=url))


def test_landing_url_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("THANRAK_LANDING_URL", "s3://cdd-landing/in")
    assert Settings.from_env().landing_url == "s3://cdd-landing/in"
    monkeypatch.setenv("THANRAK_LANDING_URL", "")
    assert Settings.from_env().landing_url is None
