"""Failure alerts: a real HTTP receiver and a real (tiny) SMTP server on 127.0.0.1, and one real
Airflow task failure run through `airflow dags test` with the callback."""

from __future__ import annotations

import base64
import email
import email.policy
import http.server
import json
import logging
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from thanrak.orchestration.alerts import (
    AlertConfig,
    alert_from_context,
    build_alert,
    deliver,
    failure_callback,
    redact,
)

FACTS = {
    "dag_id": "thanrak_nightly",
    "run_id": "scheduled__2026-11-22T18:00:00+00:00",
    "task_id": "ingest",
    "map_index": 12,
    "province": "40",
    "try_number": 3,
    "max_tries": 2,
    "logical_date": "2026-11-22T18:00:00+00:00",
    "night": "2026-11-22",
    "exception": RuntimeError(
        "files not loaded: 40/otop_sales/2026-11/a.csv (load: OperationalError: "
        "postgresql://thanrak:s3cret@db:5432/thanrak refused)"
    ),
    "log_url": "http://airflow:8080/dags/thanrak_nightly/runs/x/tasks/ingest/mapped/12?try_number=3",
}


# ---------------------------------------------------------------- a real HTTP receiver


class Receiver:
    """An HTTP server on 127.0.0.1 (random port) that records every POST and answers with the
    next status of `statuses` (then 200)."""

    def __init__(self, statuses: list[int] | None = None):
        self.requests: list[dict] = []
        self.statuses = list(statuses or [])
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/thanrak"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def json(self, i: int = 0) -> dict:
        return json.loads(self.requests[i]["body"].decode("utf-8"))


def _config(**kwargs) -> AlertConfig:
    return AlertConfig(**{"backoff_seconds": 0.01, "timeout_seconds": 5, **kwargs})


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_webhook_posts_every_field_thai_text_and_bearer_token():
    with Receiver() as receiver:
        outcome = deliver(FACTS, _config(webhook_url=receiver.url, webhook_token="tok-123"))
    assert outcome == {"webhook": True}
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/thanrak"
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Content-Type"].startswith("application/json")
    body = receiver.json()
    for name in ("dag_id", "run_id", "task_id", "map_index", "province", "try_number", "night", "log_url"):
        assert body[name] == FACTS[name], name
    assert body["logical_date"] == "2026-11-22T18:00:00+00:00"
    assert body["exception"].startswith("RuntimeError: files not loaded: 40/otop_sales")
    assert "s3cret" not in request["body"].decode("utf-8")  # the password in the URL is hidden
    assert "postgresql://thanrak:***@db" in body["exception"]
    assert "จังหวัด 40" in body["summary_th"] and "ของคืน 2026-11-22" in body["summary_th"]
    assert "ล้มเหลว" in body["summary_th"] and "หลังพยายาม 3 ครั้ง" in body["summary_th"]
    assert body["summary_en"].startswith("🔴 Thanrak: task thanrak_nightly.ingest for province 40")
    assert body["text"].splitlines() == [body["summary_th"], body["summary_en"], FACTS["log_url"]]
    # the raw bytes are UTF-8 Thai, not \u escapes: chat tools show them as sent
    assert "ล้มเหลว".encode() in request["body"]


def test_webhook_text_format_sends_only_text():
    with Receiver() as receiver:
        deliver(FACTS, _config(webhook_url=receiver.url, webhook_format="text"))
    body = receiver.json()
    assert list(body) == ["text"]
    assert "ล้มเหลว" in body["text"]
    assert "Authorization" not in receiver.requests[0]["headers"]


def test_webhook_is_delivered_after_two_server_errors(caplog):
    slept = []
    with (
        Receiver(statuses=[500, 503]) as receiver,
        caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"),
    ):
        outcome = deliver(FACTS, _config(webhook_url=receiver.url, sleep=slept.append, backoff_seconds=1))
    assert outcome == {"webhook": True}
    assert len(receiver.requests) == 3
    assert receiver.json(0) == {**receiver.json(2), "sent_at": receiver.json(0)["sent_at"]}
    assert slept == [1, 2]  # exponential back-off
    assert "HTTP 500" in caplog.text and "HTTP 503" in caplog.text and "delivered" in caplog.text


def test_webhook_gives_up_on_a_client_error_without_retrying(caplog):
    with Receiver(statuses=[401]) as receiver, caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"):
        outcome = deliver(FACTS, _config(webhook_url=receiver.url))
    assert outcome == {"webhook": False}
    assert len(receiver.requests) == 1
    assert "HTTP 401" in caplog.text and "NOT delivered" in caplog.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: connections are refused


def test_unreachable_webhook_never_raises_and_logs(caplog, monkeypatch):
    url = f"http://127.0.0.1:{_closed_port()}/hook"
    monkeypatch.setenv("THANRAK_ALERT_WEBHOOK_URL", url)
    monkeypatch.setenv("THANRAK_ALERT_WEBHOOK_TOKEN", "tok")
    sleeps = []
    monkeypatch.setattr(
        "thanrak.orchestration.alerts.time.sleep", sleeps.append
    )  # the default back-off, not waited
    context = {"task_instance": _FakeTI(), "run_id": "manual__1", "params": {"night": "2026-11-22"}}
    with caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"):
        assert failure_callback()(context) is None
    assert caplog.text.count("unreachable") == 4  # 1 try + 3 retries
    assert sleeps == [1.0, 2.0, 4.0]
    assert "NOT delivered" in caplog.text


def test_a_webhook_that_hangs_times_out(caplog):
    """A receiver that accepts the connection and never answers: the time-out ends each try."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/hook"
        started = time.monotonic()
        with caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"):
            outcome = deliver(FACTS, _config(webhook_url=url, timeout_seconds=0.3, webhook_attempts=2))
        assert outcome == {"webhook": False}
        assert time.monotonic() - started < 5
    assert "timed out" in caplog.text


def test_nothing_configured_logs_one_line_and_sends_nothing(caplog, monkeypatch):
    for name in list(os.environ):
        if name.startswith("THANRAK_ALERT_"):
            monkeypatch.delenv(name)
    with caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"):
        assert deliver(FACTS) == {}
        failure_callback()({})
    assert caplog.text.count("no failure alert sent") == 2


def test_config_from_env():
    config = AlertConfig.from_env(
        {
            "THANRAK_ALERT_SMTP_HOST": "smtp.cdd.go.th",
            "THANRAK_ALERT_EMAIL_TO": " a@cdd.go.th, b@cdd.go.th ,",
            "THANRAK_ALERT_WEBHOOK_URL": " ",
        }
    )
    assert config.email_enabled and not config.webhook_enabled
    assert config.email_to == ("a@cdd.go.th", "b@cdd.go.th")
    assert config.smtp_port == 587 and config.smtp_starttls
    config = AlertConfig.from_env({"THANRAK_ALERT_SMTP_PORT": "25", "THANRAK_ALERT_SMTP_HOST": "relay"})
    assert not config.smtp_starttls and not config.email_enabled  # no recipients
    assert AlertConfig.from_env(
        {"THANRAK_ALERT_SMTP_PORT": "25", "THANRAK_ALERT_SMTP_STARTTLS": "true"}
    ).smtp_starttls


def test_redact():
    assert redact("x postgresql://thanrak:s%40cret@db:5432/t y") == "x postgresql://thanrak:***@db:5432/t y"
    assert redact("https://hooks.example/abc?x=1") == "https://hooks.example/abc?x=1"


# ---------------------------------------------------------------- the Airflow context


class _FakeTI:
    dag_id = "thanrak_nightly"
    task_id = "ingest"
    map_index = 5
    rendered_map_index = "30"
    try_number = 3
    max_tries = 2
    hostname = "worker-1"
    log_url = "http://localhost:8080/dags/thanrak_nightly/runs/r/tasks/ingest/mapped/5?try_number=3"


def test_facts_from_an_airflow_3_task_context():
    import datetime as dt

    logical = dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC)  # 01:00 Bangkok on the 23rd
    context = {"task_instance": _FakeTI(), "run_id": "r", "logical_date": logical, "params": {}}
    context["exception"] = ValueError("bad")
    facts = alert_from_context(context)
    assert facts["task_id"] == "ingest" and facts["map_index"] == 5 and facts["province"] == "30"
    assert facts["night"] == "2026-11-22"  # the night before the run, as the DAG computes it
    alert = build_alert(facts)
    assert alert["exception"] == "ValueError: bad"
    assert "จังหวัด 30" in alert["summary_th"]
    # a given night wins; a DAG-level failure (reason, no task) says "run"
    context["params"] = {"night": "2026-10-01"}
    assert alert_from_context(context)["night"] == "2026-10-01"
    dag_alert = build_alert(
        alert_from_context({"run_id": "r", "reason": "task_failure", "dag": _FakeTI()}, "dag_failed")
    )
    assert dag_alert["summary_en"].startswith("🔴 Thanrak: run thanrak_nightly (r) failed: task_failure")
    assert dag_alert["task_id"] is None


# ---------------------------------------------------------------- a real (tiny) SMTP server


class SMTPReceiver(socketserver.ThreadingTCPServer):
    """Enough SMTP for smtplib: EHLO (8BITMIME, AUTH PLAIN), AUTH PLAIN, MAIL, RCPT, DATA, QUIT."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        self.messages: list[dict] = []
        self.logins: list[tuple[str, str]] = []
        super().__init__(("127.0.0.1", 0), _SMTPHandler)
        self.port = self.server_address[1]
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.shutdown()
        self.server_close()


class _SMTPHandler(socketserver.StreamRequestHandler):
    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 test ESMTP")
        sender, recipients = None, []
        while line := self.rfile.readline():
            command = line.decode("utf-8", "replace").strip()
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-test")
                self.reply("250-8BITMIME")
                self.reply("250 AUTH PLAIN")
            elif command.upper().startswith("AUTH PLAIN"):
                _, user, password = base64.b64decode(command.split()[2]).decode().split("\0")
                self.server.logins.append((user, password))
                self.reply("235 ok")
            elif verb == "MAIL":
                sender, recipients = command.split(":", 1)[1].split()[0].strip("<>"), []
                self.reply("250 ok")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>"))
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 go on")
                data = bytearray()
                while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                self.server.messages.append({"from": sender, "to": recipients, "data": bytes(data)})
                self.reply("250 queued")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            elif verb in ("RSET", "NOOP"):
                self.reply("250 ok")
            else:
                self.reply("502 not implemented")


def test_email_through_a_local_smtp_server():
    with SMTPReceiver() as smtp:
        config = _config(
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_starttls=False,
            smtp_user="alerts",
            smtp_password="pw",
            smtp_from="thanrak@cdd.example",
            email_to=("oncall@cdd.example", "data@cdd.example"),
        )
        assert deliver(FACTS, config) == {"email": True}
    assert smtp.logins == [("alerts", "pw")]
    [sent] = smtp.messages
    assert sent["from"] == "thanrak@cdd.example"
    assert sent["to"] == ["oncall@cdd.example", "data@cdd.example"]
    message = email.message_from_bytes(sent["data"], policy=email.policy.default)
    assert message["Subject"] == "[Thanrak] ล้มเหลว / failed: thanrak_nightly ingest [40] night 2026-11-22"
    body = message.get_content()
    assert "ล้มเหลว" in body and "province: 40" in body and "try_number: 3" in body
    assert "RuntimeError: files not loaded" in body and "s3cret" not in body
    assert FACTS["log_url"] in body


def test_email_and_webhook_together():
    with Receiver() as receiver, SMTPReceiver() as smtp:
        config = _config(
            webhook_url=receiver.url,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            smtp_starttls=False,
            email_to=("oncall@cdd.example",),
        )
        assert deliver(FACTS, config) == {"webhook": True, "email": True}
    assert len(receiver.requests) == 1 and len(smtp.messages) == 1


def test_starttls_required_but_not_offered_sends_nothing_and_does_not_raise(caplog):
    with SMTPReceiver() as smtp, caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"):
        config = _config(
            smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_starttls=True, email_to=("a@b.example",)
        )
        assert deliver(FACTS, config) == {"email": False}
    assert smtp.messages == []
    assert "alert e-mail NOT sent" in caplog.text and "STARTTLS" in caplog.text


def test_unreachable_smtp_server_does_not_raise(caplog):
    config = _config(
        smtp_host="127.0.0.1", smtp_port=_closed_port(), smtp_starttls=False, email_to=("a@b.example",)
    )
    with caplog.at_level(logging.INFO, "thanrak.orchestration.alerts"):
        assert deliver(FACTS, config) == {"email": False}
    assert "alert e-mail NOT sent" in caplog.text


# ---------------------------------------------------------------- a real Airflow task failure

PROBE_DAG = '''
"""A DAG for the alerts test: one mapped task fails twice (Airflow DAG file)."""
import datetime as dt

import pendulum
from airflow.sdk import dag, task

from thanrak.orchestration.alerts import failure_callback


@dag(
    dag_id="thanrak_alert_probe",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Bangkok"),
    catchup=False,
    default_args={"owner": "thanrak-data", "retries": 0, "on_failure_callback": failure_callback()},
)
def thanrak_alert_probe():
    @task
    def fine():
        return 1

    # one retry: Airflow calls on_retry_callback (unset) after the first try and
    # on_failure_callback only after the last, so one alert is expected
    @task(map_index_template="{{ province }}", retries=1, retry_delay=dt.timedelta(0))
    def explode(value, province):
        from airflow.sdk import get_current_context

        get_current_context()["province"] = province
        if province == "40":
            raise RuntimeError("ข้อมูลเสีย / probe failure " + province)
        return value

    explode.partial(value=fine()).expand(province=["30", "40"])


thanrak_alert_probe()
'''


@pytest.mark.slow
def test_a_real_airflow_task_failure_sends_one_alert_after_its_retries(tmp_path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "thanrak_alert_probe.py").write_text(PROBE_DAG)
    home = tmp_path / "airflow"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "THANRAK_ALERT_"))},
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__LOGGING__LOGGING_LEVEL": "INFO",
        "DO_NOT_TRACK": "1",
        "THANRAK_ALERT_WEBHOOK_TOKEN": "probe-token",
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    with Receiver() as receiver:
        env["THANRAK_ALERT_WEBHOOK_URL"] = receiver.url
        migrate = subprocess.run(
            [airflow, "db", "migrate"], env=env, capture_output=True, text=True, timeout=300
        )
        assert migrate.returncode == 0, migrate.stdout[-3000:] + migrate.stderr[-3000:]
        run = subprocess.run(
            [airflow, "dags", "test", "thanrak_alert_probe", "2026-11-22T18:00:00+00:00"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    output = run.stdout + run.stderr
    assert len(receiver.requests) == 1, output[-5000:]
    body = receiver.json()
    assert receiver.requests[0]["headers"]["Authorization"] == "Bearer probe-token"
    assert body["dag_id"] == "thanrak_alert_probe"
    assert body["task_id"] == "explode"
    assert body["province"] == "40" and body["map_index"] == 1
    assert body["try_number"] == 2 and body["max_tries"] == 1  # the final try, alerted once
    assert body["night"] == "2026-11-22"
    assert body["exception"] == "RuntimeError: ข้อมูลเสีย / probe failure 40"
    assert "/dags/thanrak_alert_probe/runs/" in body["log_url"]
    assert "ล้มเหลว" in body["summary_th"]
