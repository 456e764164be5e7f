"""Python code run in a new interpreter (a fresh Airflow import, as its own processes do), its
answer the JSON object on the last line it prints."""

from __future__ import annotations

import json
import subprocess
import sys


def answer_of(code: str, *args: str, env: dict[str, str]) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, timeout=300, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])
