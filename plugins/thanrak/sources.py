"""Where submissions land. A source lists delivered files and reads their bytes; the local
folder is the default (THANRAK_LANDING_DIR)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


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
