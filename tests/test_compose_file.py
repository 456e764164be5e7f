"""docker-compose.yml cannot be started here (no Docker engine), so it is checked against the
Compose Specification's JSON schema and for the properties a deployment must have."""

import json
import re

import jsonschema
import pytest
import yaml

from thanrak.settings import PROJECT_ROOT

SCHEMA = PROJECT_ROOT.parent / "shared" / "compose-spec.json"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


@pytest.mark.skipif(not SCHEMA.exists(), reason="the Compose schema lives in ../shared")
def test_compose_file_follows_the_compose_specification(compose):
    jsonschema.Draft7Validator(json.loads(SCHEMA.read_text())).validate(compose)


def test_every_long_running_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        if name != "airflow-init":
            assert "healthcheck" in service, name


def test_no_password_is_written_in_the_compose_file():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for line in text.splitlines():
        if re.search(r"PASSWORD[\"']?\s*:", line):
            assert "${" in line, line


def test_env_example_holds_no_secrets():
    for line in (PROJECT_ROOT / ".env.example").read_text().splitlines():
        if "PASSWORD" in line or "SECRET" in line or "KEY" in line:
            assert line.split("=", 1)[1] == "", line
