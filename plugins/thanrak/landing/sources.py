"""Where submissions land. A source lists delivered files and reads their bytes; the local
folder is the default (THANRAK_LANDING_DIR), an S3-compatible bucket the alternative
(THANRAK_LANDING_URL)."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from thanrak.settings import Settings


@dataclass(frozen=True)
class LandedFile:
    """A file in the landing zone. `key` is its path inside the zone, '/'-separated."""

    key: str
    uri: str
    size: int
    delivered_at: dt.datetime


class Source(Protocol):
    def list_files(self) -> Iterator[LandedFile]: ...

    def read_bytes(self, key: str) -> bytes: ...


class LocalFolderSource:
    """A landing zone on a local or mounted disk; a file's delivery time is its mtime."""

    def __init__(self, root: Path):
        self.root = root

    def list_files(self) -> Iterator[LandedFile]:
        if not self.root.exists():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                yield LandedFile(
                    key=path.relative_to(self.root).as_posix(),
                    uri=path.as_uri(),
                    size=stat.st_size,
                    delivered_at=dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC),
                )

    def read_bytes(self, key: str) -> bytes:
        return (self.root / key).read_bytes()


class S3Source:
    """A landing zone in an S3-compatible bucket, so provinces can deliver without a shared disk;
    a file's delivery time is the object's LastModified."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None):
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = client if client is not None else _s3_client_from_env()

    def _full_key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def list_files(self) -> Iterator[LandedFile]:
        # The trailing '/' keeps prefix "landing" from also matching "landing-old/...".
        listed_prefix = f"{self.prefix}/" if self.prefix else ""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=listed_prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                full_key = obj["Key"]
                key = full_key[len(listed_prefix) :]
                # Keys ending in '/' are the empty "folder" objects consoles create; names starting
                # with '.' are skipped as hidden, as in the local folder.
                if key.endswith("/") or key.rsplit("/", 1)[-1].startswith("."):
                    continue
                yield LandedFile(
                    key=key,
                    uri=f"s3://{self.bucket}/{full_key}",
                    size=obj["Size"],
                    delivered_at=obj["LastModified"].astimezone(dt.UTC),
                )

    def read_bytes(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.bucket, Key=self._full_key(key))["Body"].read()


def _s3_client_from_env() -> Any:
    """boto3 is imported here, not at module level, so code that only needs the local folder
    (and Airflow parsing the DAG) does not pay for it. Credentials come from the standard AWS_*
    variables; THANRAK_S3_ENDPOINT_URL points at MinIO or another S3-compatible store."""
    import boto3

    return boto3.client("s3", endpoint_url=os.environ.get("THANRAK_S3_ENDPOINT_URL") or None)


_S3_URL = re.compile(r"^s3://([^/?#]+)(?:/([^?#]*))?$")


def parse_s3_url(url: str) -> tuple[str, str]:
    """Splits s3://bucket/optional/prefix into (bucket, prefix)."""
    match = _S3_URL.match(url)
    if not match:
        raise ValueError(f"THANRAK_LANDING_URL must look like s3://bucket or s3://bucket/prefix, not {url!r}")
    return match.group(1), (match.group(2) or "").strip("/")


def landing_source(settings: Settings) -> Source:
    """The landing zone the settings name: the S3 bucket when THANRAK_LANDING_URL is set,
    otherwise the local folder."""
    if settings.landing_url:
        bucket, prefix = parse_s3_url(settings.landing_url)
        return S3Source(bucket, prefix)
    return LocalFolderSource(settings.landing_dir)
