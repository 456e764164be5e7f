"""The five-gear dashboard for Apache Superset (bi/superset/, docs/bi.md "Superset").

Its YAML agrees with the bi views dbt declares (names, types, descriptions), and Superset 6.1, in
its own environment made by `make superset`, imports it and shows it in headless Chromium to an
admin whose database connection runs as bi_reader: every chart drawn with data, the datasets'
descriptions arrived, no console message, no failed request. The screenshot goes to
var/superset/superset-five-gear.png (docs/images/superset-five-gear.png was taken so).

Time on the project's 2-core machine (shared, load average 2-3): the checks of the YAML under a
second; the Superset tests 3.5-4.5 minutes (206 s and 267 s measured), nearly all of it their fixtures: two
nights of all 76 provinces at 1 % scale through the pipeline and dbt (about 2.5 minutes), `make
superset` (about 10 s from uv's cache, nothing when the environment is current), Superset's
metadata migrated and the dashboard imported (about 40 s) and the server's start; the render
itself about 20 s.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import importlib.util
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
import uuid
import zipfile
from pathlib import Path
from urllib.parse import quote

import httpx
import psycopg
import pytest
import yaml
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict
from websockets.sync.client import connect as websocket_connect

from support.nights import ingest_night
from thanrak.demo.entities import cdd_provinces
from thanrak.demo.generator import generate_night
from thanrak.pipeline import Stages
from thanrak.settings import PROJECT_ROOT, Settings
from thanrak.transform.dbt_build import build_marts

SUPERSET_DIR = PROJECT_ROOT / "bi" / "superset"
SUPERSET_PYTHON = PROJECT_ROOT / ".venv-superset" / "bin" / "python"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOT = PROJECT_ROOT / "var" / "superset" / "superset-five-gear.png"
NIGHTS = [dt.date(2026, 8, 22), dt.date(2026, 11, 22)]  # fiscal quarters 2569-Q4 and 2570-Q1
THAI = re.compile("[\u0e00-\u0e7f]")
VIEWPORT_WIDTH = 1600


def load_manage():
    """bi/superset/manage.py as a module (it imports only the standard library and PyYAML)."""
    spec = importlib.util.spec_from_file_location("thanrak_superset_manage", SUPERSET_DIR / "manage.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


manage = load_manage()


def bundle_yaml(folder: str) -> dict[str, dict]:
    return {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((manage.BUNDLE_DIR / folder).rglob("*.yaml"))
    }


DATASETS = {d["uuid"]: d for d in bundle_yaml("datasets").values()}
CHARTS = bundle_yaml("charts")
[DASHBOARD] = bundle_yaml("dashboards").values()


def thai_then_english(text: str) -> bool:
    thai, sep, english = text.partition(" / ")
    return bool(sep and THAI.search(thai) and re.search("[A-Za-z]{3}", english))


# -- the YAML ------------------------------------------------------------------------------------


def test_dataset_files_hold_the_descriptions_columns_and_types_dbt_declares():
    """Superset copies a view's column comments into a dataset made in its UI but never the
    view's own comment, and an imported dataset has only what its YAML says: so the YAML carries
    both, the same texts as the comments dbt writes (Thai, then English)."""
    models = manage.dbt_bi_models()
    assert manage.dataset_paths()
    for path in manage.dataset_paths():
        dataset = yaml.safe_load(path.read_text(encoding="utf-8"))
        model = models[dataset["table_name"]]
        expected = manage.dataset_yaml(manage.synced_dataset(dataset, model))
        assert path.read_text(encoding="utf-8") == expected, (
            f"{path.name} differs from dbt_project/models/bi/{dataset['table_name']}.yml: "
            "run `.venv-superset/bin/python bi/superset/manage.py sync-datasets`"
        )
        assert dataset["schema"] == "bi"
        assert thai_then_english(dataset["description"]), dataset["description"]
        physical = [c["column_name"] for c in dataset["columns"] if not c.get("expression")]
        assert physical == [c["name"] for c in model["columns"]]
        for column in dataset["columns"]:
            assert column["description"], f"{path.name}: {column['column_name']}"
            if column.get("verbose_name"):
                assert thai_then_english(column["verbose_name"]), column["verbose_name"]
        for metric in dataset.get("metrics") or []:
            assert thai_then_english(metric["verbose_name"]) and metric["description"], metric


def chart_references(params: dict) -> tuple[set[str], set[str]]:
    """(columns, saved metrics) a chart's params name."""
    columns = {params[key] for key in ("x_axis",) if isinstance(params.get(key), str)}
    for key in ("groupby", "all_columns"):
        columns |= set(params.get(key) or [])
    columns |= {json.loads(order)[0] for order in params.get("order_by_cols") or []}
    columns |= set(params.get("column_config") or {})
    columns |= {rule["column"] for rule in params.get("conditional_formatting") or []}
    metrics = set(params.get("metrics") or []) | ({params["metric"]} if params.get("metric") else set())
    return columns, metrics


def test_charts_name_only_columns_and_metrics_their_dataset_has_and_titles_are_thai_first():
    assert thai_then_english(DASHBOARD["dashboard_title"])
    assert len(CHARTS) == 9
    for name, chart in CHARTS.items():
        dataset = DATASETS[chart["dataset_uuid"]]
        columns, metrics = chart_references(chart["params"])
        assert columns <= {c["column_name"] for c in dataset["columns"]}, name
        assert metrics <= {m["metric_name"] for m in dataset.get("metrics") or []}, name
        assert chart["params"]["viz_type"] == chart["viz_type"], name
        assert thai_then_english(chart["slice_name"]) and thai_then_english(chart["description"]), name
    placed = {
        item["meta"]["uuid"]: item["meta"]["sliceName"]
        for item in DASHBOARD["position"].values()
        if isinstance(item, dict) and item.get("type") == "CHART"
    }
    assert placed == {chart["uuid"]: chart["slice_name"] for chart in CHARTS.values()}
    for native_filter in DASHBOARD["metadata"]["native_filter_configuration"]:
        assert thai_then_english(native_filter["name"])
        for target in native_filter["targets"]:
            columns = {c["column_name"] for c in DATASETS[target["datasetUuid"]]["columns"]}
            assert target["column"]["name"] in columns


def test_the_bundle_is_a_dashboard_export_without_the_password():
    uri = manage.warehouse_uri(
        {
            "THANRAK_WAREHOUSE_URL": "postgresql://owner:owner-secret@db.example:6432/thanrak?sslmode=require",
            "THANRAK_BI_READER_PASSWORD": "p@ss/word",
        }
    )
    assert uri == "postgresql+psycopg2://bi_reader:p%40ss%2Fword@db.example:6432/thanrak?sslmode=require"
    masked, password = manage.split_password(uri)
    assert password == "p@ss/word"
    assert masked == "postgresql+psycopg2://bi_reader:XXXXXXXXXX@db.example:6432/thanrak?sslmode=require"
    with zipfile.ZipFile(io.BytesIO(manage.bundle_zip(masked))) as bundle:
        names = bundle.namelist()
        texts = {name: bundle.read(name).decode() for name in names}
    assert all(name.startswith("thanrak_five_gear/") for name in names)
    assert {name.split("/")[1] for name in names} == {
        "metadata.yaml", "databases", "datasets", "charts", "dashboards"
    }  # fmt: skip
    assert yaml.safe_load(texts["thanrak_five_gear/metadata.yaml"])["type"] == "Dashboard"
    [database] = [yaml.safe_load(t) for n, t in texts.items() if "/databases/" in n]
    assert database["sqlalchemy_uri"] == masked
    assert not any("p@ss" in text or "owner-secret" in text for text in texts.values())


# -- Superset itself -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(warehouse, tmp_path_factory) -> str:
    """A warehouse with every CDD province delivering two nights in two fiscal quarters."""
    settings = Settings.in_folder(tmp_path_factory.mktemp("superset-var"), warehouse)
    stages = Stages(warehouse, settings)
    for night in NIGHTS:
        generate_night(settings.landing_dir, night, provinces=cdd_provinces(), scale=0.01, file_defects=1)
        ingest_night(stages, night)
    build_marts(warehouse, settings)
    return warehouse


@pytest.fixture(scope="module")
def bi_login(built):
    """A SQLAlchemy URI of a new login that is a member of bi_reader and, through the connection
    option `role`, works as bi_reader itself (current_user = bi_reader). bi_reader's own LOGIN is
    left alone: roles belong to the whole server, which other tests share."""
    name, password = f"thanrak_test_superset_{uuid.uuid4().hex[:8]}", secrets.token_urlsafe(16)
    with psycopg.connect(built, autocommit=True) as admin:
        admin.execute(
            sql.SQL("create role {} login password {} in role bi_reader").format(
                sql.Identifier(name), sql.Literal(password)
            )
        )
    info = conninfo_to_dict(built)
    host, port, database = info.get("host", "127.0.0.1"), info.get("port", "5432"), info["dbname"]
    options = f"options={quote('-c role=bi_reader', safe='')}"
    if host.startswith("/"):  # the embedded server of tests/conftest.py listens on a socket
        where, options = "", f"host={quote(host, safe='')}&port={port}&{options}"
    else:
        where = f"{host}:{port}"
    yield f"postgresql+psycopg2://{name}:{quote(password, safe='')}@{where}/{database}?{options}"
    with psycopg.connect(built, autocommit=True) as admin:
        admin.execute(sql.SQL("drop owned by {}").format(sql.Identifier(name)))
        admin.execute(sql.SQL("drop role {}").format(sql.Identifier(name)))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def superset(bi_login, tmp_path_factory):
    """Superset from `make superset`, set up and imported by manage.py, served on a free port of
    127.0.0.1. Yields (base URL, admin user, admin password)."""
    subprocess.run(["make", "superset"], cwd=PROJECT_ROOT, check=True, timeout=900)
    home = tmp_path_factory.mktemp("superset-home")
    admin_password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "SUPERSET_HOME": str(home),
        "SUPERSET_SECRET_KEY": secrets.token_urlsafe(48),
        "SUPERSET_ADMIN_USER": "thanrak_admin",
        "SUPERSET_ADMIN_PASSWORD": admin_password,
        "THANRAK_SUPERSET_WAREHOUSE_URI": bi_login,
    }
    manage_py = str(SUPERSET_DIR / "manage.py")
    setup_log = home / "setup.log"
    with setup_log.open("w") as log:
        done = subprocess.run(
            [str(SUPERSET_PYTHON), manage_py, "setup"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=600,
        )
    assert done.returncode == 0, setup_log.read_text()[-4000:]
    assert "warehouse connection as bi_reader" in setup_log.read_text()
    port = free_port()
    server_log = (home / "server.log").open("w")
    server = subprocess.Popen(
        [str(SUPERSET_PYTHON), manage_py, "serve", "--port", str(port)],
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:

        def healthy() -> bool:
            assert server.poll() is None, (home / "server.log").read_text()[-4000:]
            with contextlib.suppress(httpx.HTTPError):
                return httpx.get(f"{base}/health", timeout=5).text == "OK"
            return False

        wait_for(healthy, 180, "Superset's /health")
        yield base, "thanrak_admin", admin_password
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        server_log.close()


@contextlib.contextmanager
def logged_in(base: str, user: str, password: str):
    """An HTTP client with Superset's session cookie, logged in through its login form."""
    with httpx.Client(base_url=base, timeout=60) as client:
        form = client.get("/login/").text
        csrf = re.search(r'id="csrf_token"\s+value="([^"]+)"', form).group(1)
        response = client.post("/login/", data={"username": user, "password": password, "csrf_token": csrf})
        redirect = response.headers.get("location", "")
        assert response.status_code == 302 and "/login" not in redirect, response.text[:500]
        yield client


def warehouse_comments(url: str, view: str) -> tuple[str, dict[str, str]]:
    """The comments dbt wrote on a bi view and on its columns."""
    with psycopg.connect(url) as conn:
        [(relation,)] = conn.execute("select obj_description(%s::regclass, 'pg_class')", (f"bi.{view}",))
        columns = dict(
            conn.execute(
                "select attname, col_description(attrelid, attnum) from pg_attribute"
                " where attrelid = %s::regclass and attnum > 0 and not attisdropped",
                (f"bi.{view}",),
            ).fetchall()
        )
    return relation, columns


def test_the_datasets_arrive_in_superset_with_the_descriptions_the_warehouse_has(superset, built):
    """The user's report: column descriptions arrived in Superset, dataset descriptions did not."""
    base, user, password = superset
    with logged_in(base, user, password) as client:
        listing = client.get("/api/v1/dataset/", params={"q": "(page_size:100)"}).json()["result"]
        by_name = {d["table_name"]: d["id"] for d in listing}
        assert set(by_name) == {d["table_name"] for d in DATASETS.values()}
        for view, dataset_id in by_name.items():
            dataset = client.get(f"/api/v1/dataset/{dataset_id}").json()["result"]
            relation_comment, column_comments = warehouse_comments(built, view)
            assert relation_comment and dataset["description"] == relation_comment, view
            described = {
                c["column_name"]: c["description"] for c in dataset["columns"] if not c["expression"]
            }
            assert described == column_comments, view
            assert all(thai_then_english(c["verbose_name"]) for c in dataset["columns"]), view


def test_superset_queries_the_warehouse_as_bi_reader(superset):
    base, user, password = superset
    with logged_in(base, user, password) as client:
        [scorecard] = client.get(
            "/api/v1/dataset/", params={"q": "(filters:!((col:table_name,opr:eq,value:scorecard)))"}
        ).json()["result"]
        query = {
            "datasource": {"id": scorecard["id"], "type": "table"},
            "queries": [
                {
                    "metrics": [
                        {"expressionType": "SQL", "sqlExpression": "MIN(CURRENT_USER::text)", "label": "who"},
                        {"expressionType": "SQL", "sqlExpression": "COUNT(*)", "label": "rows"},
                    ],
                    "columns": [],
                    "filters": [],
                }
            ],
            "result_format": "json",
            "result_type": "full",
        }
        response = client.post("/api/v1/chart/data", json=query)
        assert response.status_code == 200, response.text[:1000]
        [row] = response.json()["result"][0]["data"]
    assert row["who"] == "bi_reader" and row["rows"] > 0


class DevTools:
    """One Chromium tab driven over the DevTools protocol's websocket: commands and the events
    that arrive in between (console, exceptions, network)."""

    def __init__(self, websocket):
        self.websocket = websocket
        self.events: list[dict] = []
        self._next_id = 0

    def call(self, method: str, **params):
        self._next_id += 1
        self.websocket.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.websocket.recv(timeout=120))
            if message.get("id") == self._next_id:
                assert "error" not in message, (method, message["error"])
                return message.get("result", {})
            self.events.append(message)

    def listen(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                self.events.append(json.loads(self.websocket.recv(timeout=left)))

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        assert "exceptionDetails" not in result, result["exceptionDetails"]
        return result["result"].get("value")

    def problems(self) -> list[str]:
        """Console messages, uncaught exceptions, browser log errors and failed requests."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
                found.append(
                    f"console {params['type']}: {[a.get('value', a.get('description')) for a in params['args']]}"
                )
            elif method == "Runtime.exceptionThrown":
                found.append(
                    f"exception: {params['exceptionDetails'].get('exception', {}).get('description')}"
                )
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(
                    f"log {params['entry']['level']}: {params['entry']['text']} {params['entry'].get('url')}"
                )
            elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
                found.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
            elif method == "Network.loadingFailed" and not params.get("canceled"):
                found.append(f"request failed: {params.get('errorText')}")
        return found


@contextlib.contextmanager
def chromium_tab(profile: Path, height: int):
    browser = subprocess.Popen(
        [
            CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-background-networking", "--hide-scrollbars",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            f"--user-data-dir={profile}", f"--window-size={VIEWPORT_WIDTH},{height}", "about:blank",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    try:
        port_file = profile / "DevToolsActivePort"
        port = wait_for(lambda: port_file.exists() and port_file.read_text().split()[:1], 60, "Chromium")[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as answer:
            [tab] = [t for t in json.load(answer) if t["type"] == "page"]
        with websocket_connect(tab["webSocketDebuggerUrl"], max_size=None, open_timeout=30) as websocket:
            yield DevTools(websocket)
    finally:
        os.killpg(browser.pid, signal.SIGTERM)
        browser.wait(timeout=30)


# Each chart holder of the dashboard: its title and what it drew (ECharts draws on a canvas, tables
# have rows, a big number has its header line), and any chart error shown in it.
CHART_STATE_JS = """(() => JSON.stringify({
  loading: document.querySelectorAll('.loading, [data-test="loading-indicator"]').length,
  charts: [...document.querySelectorAll('.dashboard-component-chart-holder')]
    .filter(holder => holder.querySelector('[data-test="slice-header"], .header-title'))
    .map(holder => ({
      title: holder.querySelector('.header-title, [data-test="editable-title"]').innerText.trim(),
      canvases: holder.querySelectorAll('canvas').length,
      rows: holder.querySelectorAll('tbody tr').length,
      big_number: (holder.querySelector('.header-line') || {}).innerText || null,
      errors: [...holder.querySelectorAll('.alert-danger, .ant-alert-error')]
        .map(e => e.innerText.trim()),
    })),
}))()"""


def drawn(chart: dict) -> bool:
    return chart["canvases"] > 0 or chart["rows"] > 0 or bool(chart["big_number"])


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_the_dashboard_renders_in_chromium_with_data_in_every_chart(superset, built, tmp_path):
    base, user, password = superset
    with logged_in(base, user, password) as client:
        session = client.cookies["session"]
    # Tall enough for the whole dashboard: Superset draws only the charts in the viewport.
    height = 2800
    with chromium_tab(tmp_path / "chromium", height) as tab:
        for domain in ("Page", "Runtime", "Network", "Log"):
            tab.call(f"{domain}.enable")
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            width=VIEWPORT_WIDTH,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        tab.call(
            "Network.setCookie", name="session", value=session, domain="127.0.0.1", path="/", httpOnly=True
        )
        # standalone=1: the dashboard and its filter bar without Superset's menu, whose logo
        # fetches a telemetry pixel from scarf.sh on every page (Superset 6.1 has no switch for it).
        tab.call("Page.navigate", url=f"{base}/superset/dashboard/{manage.DASHBOARD_SLUG}/?standalone=1")

        def settled():
            tab.listen(1)
            state = json.loads(tab.evaluate(CHART_STATE_JS))
            done = len(state["charts"]) == len(CHARTS) and not state["loading"]
            return state if done and all(drawn(c) or c["errors"] for c in state["charts"]) else None

        state = wait_for(settled, 180, "every chart of the dashboard to be drawn", interval=0)
        tab.listen(2)  # late requests and messages
        size = tab.call("Page.getLayoutMetrics")["cssContentSize"]
        tab.call(
            "Emulation.setDeviceMetricsOverride",
            width=VIEWPORT_WIDTH,
            height=int(size["height"]),
            deviceScaleFactor=1,
            mobile=False,
        )
        tab.listen(3)  # the charts redraw at the new size
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(base64.b64decode(tab.call("Page.captureScreenshot", format="png")["data"]))

        chart_data = [
            e["params"]
            for e in tab.events
            if e.get("method") == "Network.responseReceived"
            and "/api/v1/chart/data" in e["params"]["response"]["url"]
        ]
        bodies = [
            json.loads(tab.call("Network.getResponseBody", requestId=r["requestId"])["body"])
            for r in chart_data
        ]
        problems = tab.problems()

    assert {c["title"] for c in state["charts"]} == {c["slice_name"] for c in CHARTS.values()}
    for chart in state["charts"]:
        assert not chart["errors"] and drawn(chart), chart
    assert problems == []
    # one query per chart, and one per native filter for its choices; every one returned rows
    filters = len(DASHBOARD["metadata"]["native_filter_configuration"])
    assert len(bodies) >= len(CHARTS) + filters
    for body in bodies:
        assert all(result["rowcount"] > 0 for result in body["result"]), body["result"][0].get("query")
    by_title = {c["title"]: c for c in state["charts"]}
    provinces = by_title["จังหวัดที่มีข้อมูล ไตรมาสล่าสุด / Provinces with data, latest quarter"]
    assert provinces["big_number"].strip() == str(len(cdd_provinces()))
    ranks = by_title["อันดับและเป้าหมายรายจังหวัด ไตรมาสล่าสุด / Province ranks and targets, latest quarter"]
    with psycopg.connect(built) as conn:
        [(cells,)] = conn.execute("select count(*) from bi.scorecard where is_latest_quarter and has_data")
        statuses = {
            s
            for (s,) in conn.execute(
                "select distinct delivery_status_th || ' / ' || delivery_status_en from bi.data_completeness"
            )
        }
    assert ranks["rows"] == cells
    assert statuses <= set(DASHBOARD["metadata"]["label_colors"]), "a delivery status without its colour"
    assert SCREENSHOT.stat().st_size > 100_000
