"""docker-compose.yml cannot be started here (no Docker engine), so it is checked against the
Compose Specification's JSON schema and for the properties a deployment must have. The same
processes are started natively, with Celery and Redis, by tests/test_celery_distributed.py."""

from __future__ import annotations

import json
import re
from urllib.parse import urlsplit

import jsonschema
import pytest
import yaml

from thanrak.settings import PROJECT_ROOT

# The Compose Specification's JSON schema (compose-spec/compose-spec, Apache-2.0), kept in the
# repository so the check runs on any clone.
SCHEMA = PROJECT_ROOT / "tests" / "data" / "compose-spec.json"
COMPOSE_TEXT = (PROJECT_ROOT / "docker-compose.yml").read_text()
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"

# Services that run once and exit: the others wait for them to have completed successfully.
ONE_SHOT = {"airflow-init", "minio-init", "metabase-init"}
AIRFLOW_LONG_RUNNING = {
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
}
SECRET_NAME = re.compile(r"PASSWORD|PASS$|SECRET|_KEY$|_KEY_|TOKEN")
# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?message}, ${NAME?message}; $${...} is a
# literal "$" for the container's shell, not interpolation.
REFERENCE = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def interpolate(node, env: dict[str, str]):
    """Compose's variable interpolation (of values, not keys or comments), for the forms this
    file uses."""
    if isinstance(node, dict):
        return {key: interpolate(value, env) for key, value in node.items()}
    if isinstance(node, list):
        return [interpolate(item, env) for item in node]
    if not isinstance(node, str):
        return node

    def value(match: re.Match) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        unset = current is None or (current == "" and op and op.startswith(":"))
        if op and op.endswith("?") and unset:
            raise ValueError(f"required variable {name} is missing a value: {arg}")
        if op and op.endswith("-") and unset:
            return arg
        return current or ""

    return REFERENCE.sub(value, node).replace("$$", "$")


def env_example() -> dict[str, str]:
    pairs = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            assert name not in pairs, f"{name} is set twice in .env.example"
            pairs[name] = value
    return pairs


def filled_env() -> dict[str, str]:
    """.env.example with every empty value filled in, as a team's .env would be."""
    return {name: value or f"filled-{name.lower()}" for name, value in env_example().items()}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_TEXT)


def _strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)
    elif isinstance(node, str):
        yield node


def _airflow_env(service: dict) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def test_compose_file_follows_the_compose_specification(compose):
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator(schema).validate(compose)
    # ... and so it does once .env's values are put in, as `docker compose` does.
    jsonschema.Draft7Validator(schema).validate(interpolate(compose, filled_env()))


def test_the_deployment_has_every_component(compose):
    services = set(compose["services"])
    assert {"warehouse-db", "airflow-db", "redis", "minio", *AIRFLOW_LONG_RUNNING} <= services
    assert services >= ONE_SHOT
    env = _airflow_env(compose["services"]["airflow-scheduler"])
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")
    assert env["THANRAK_LANDING_URL"].startswith("s3://")
    assert urlsplit(env["THANRAK_S3_ENDPOINT_URL"]).hostname == "minio"
    # Workers reach the api-server's execution API by its service name.
    assert urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]).hostname == "airflow-apiserver"


def test_the_warehouse_is_not_airflows_metadata_database(compose):
    env = _airflow_env(compose["services"]["airflow-scheduler"])
    env = interpolate(env, filled_env())
    metadata = urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
    warehouse = urlsplit(env["THANRAK_WAREHOUSE_URL"])
    assert metadata.hostname == "airflow-db"
    assert warehouse.hostname == "warehouse-db"


def test_every_airflow_service_shares_one_configuration(compose):
    """Scheduler, api-server and workers must agree on the executor, broker, databases, fernet key
    and JWT secret, or tasks are queued where nobody listens or refused by the execution API."""
    shared = ("AIRFLOW__", "THANRAK_WAREHOUSE_URL", "THANRAK_LANDING_URL", "THANRAK_VAR_DIR")
    configs = {
        name: {k: v for k, v in _airflow_env(compose["services"][name]).items() if k.startswith(shared)}
        for name in AIRFLOW_LONG_RUNNING | {"airflow-init"}
    }
    first = configs["airflow-scheduler"]
    assert "AIRFLOW__API_AUTH__JWT_SECRET" in first and "AIRFLOW__CORE__FERNET_KEY" in first
    for name, config in configs.items():
        assert config == first, name


def test_every_long_running_service_has_a_health_check(compose):
    for name, service in compose["services"].items():
        if name in ONE_SHOT:
            assert "healthcheck" not in service and service.get("restart") == "no", name
        else:
            assert service["healthcheck"]["test"], name
            assert service.get("restart") == "always", name


def test_the_api_server_health_check_is_airflows_health_endpoint(compose):
    check = compose["services"]["airflow-apiserver"]["healthcheck"]["test"]
    assert any("/api/v2/monitor/health" in part for part in check)
    assert _airflow_env(compose["services"]["airflow-scheduler"])["AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK"]


def test_services_wait_for_healthy_or_completed_dependencies(compose):
    services = compose["services"]
    for name, service in services.items():
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on needs conditions"
        for dependency, how in depends_on.items():
            if dependency in ONE_SHOT:
                assert how["condition"] == "service_completed_successfully", (name, dependency)
            else:
                assert how["condition"] == "service_healthy", (name, dependency)
                assert "healthcheck" in services[dependency], (name, dependency)
    for name in AIRFLOW_LONG_RUNNING:
        assert {"airflow-init", "airflow-db", "redis", "warehouse-db"} <= set(services[name]["depends_on"])
    assert services["airflow-worker"]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"


def test_the_worker_can_be_scaled(compose):
    worker = compose["services"]["airflow-worker"]
    assert "container_name" not in worker
    assert "ports" not in worker
    assert "celery worker" in worker["command"]


def test_bi_is_an_optional_profile_connected_as_bi_reader(compose):
    services = compose["services"]
    bi = {name for name, service in services.items() if "bi" in service.get("profiles", [])}
    assert {"metabase", "metabase-init", "metabase-db"} <= bi
    for name, service in services.items():
        if name not in bi:
            assert "profiles" not in service, name
            assert not bi & set(service.get("depends_on", {})), name
    setup = services["metabase-init"]
    assert '"user": "bi_reader"' in setup["command"][-1]
    assert setup["environment"]["BI_READER_PASSWORD"].startswith("${THANRAK_BI_READER_PASSWORD:?")


def test_airflow_is_behind_authentication_with_no_default_user(compose):
    env = _airflow_env(compose["services"]["airflow-apiserver"])
    assert env["AIRFLOW__CORE__AUTH_MANAGER"].endswith("FabAuthManager")
    assert not any(key.startswith("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER") for key in env)
    init = compose["services"]["airflow-init"]
    assert init["environment"]["AIRFLOW_ADMIN_USER"].startswith("${AIRFLOW_ADMIN_USER:?")
    assert init["environment"]["AIRFLOW_ADMIN_PASSWORD"].startswith("${AIRFLOW_ADMIN_PASSWORD:?")
    assert "airflow users create" in init["command"][-1]


def _secret_settings(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            yield name, key, str(value)


def test_no_secret_is_written_in_the_compose_file(compose):
    for service, key, value in _secret_settings(compose):
        if SECRET_NAME.search(key):
            references = list(REFERENCE.finditer(value))
            assert references, f"{service}: {key} is written in the file: {value}"
            # no default value for a secret: ${X:?message}, or ${X:-} for an optional one
            for ref in references:
                assert ref["op"] in (":?", "?") or ref["arg"] == "", (service, key, value)
        # credentials inside URLs too
        for password in re.findall(r"://[^/:@\s]+:([^@\s]+)@", value):
            assert REFERENCE.fullmatch(password) and password.startswith("${"), (service, key, value)
            assert REFERENCE.fullmatch(password)["op"] in (":?", "?"), (service, key, value)


def test_every_variable_the_compose_file_reads_is_in_env_example(compose):
    used = {m["name"] for text in _strings(compose) for m in REFERENCE.finditer(text)}
    missing = used - set(env_example())
    assert not missing, f"add to .env.example: {sorted(missing)}"


def test_env_example_holds_no_secrets():
    for name, value in env_example().items():
        if SECRET_NAME.search(name):
            assert value == "", f"{name} must be empty in .env.example"


def test_compose_stops_with_a_clear_message_when_a_secret_is_missing(compose):
    interpolate(compose, filled_env())  # a complete .env is accepted
    for name in ("AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_JWT_SECRET", "WAREHOUSE_PASSWORD", "MINIO_ROOT_PASSWORD"):
        env = filled_env() | {name: ""}
        with pytest.raises(ValueError, match=f"{name} is missing a value: set {name} in .env"):
            interpolate(compose, env)
