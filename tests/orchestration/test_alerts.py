"""Failure alerts through Airflow's notifiers, against a real HTTP receiver and a real (tiny) SMTP
server on 127.0.0.1, configured as Airflow connections (AIRFLOW_CONN_* variables), and one real
Airflow task failure run through `airflow dags test` with the notifier as its callback."""

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

from thanrak.orchestration import alerts
from thanrak.orchestration.alerts import (
    ThanrakFailureNotifier,
    alert_from_context,
    alert_unusual,
    build_alert,
    redact,
)

LOGGER = "thanrak.orchestration.alerts"
LOG_URL = "http://airflow:8080/dags/thanrak_nightly/runs/x/tasks/ingest/mapped/12?try_number=3"
ERROR = RuntimeError(
    "files not loaded: 40/otop_sales/2026-11/a.csv (load: OperationalError: "
    "postgresql://thanrak:s3cret@db:5432/thanrak refused)"
)


class _FakeTI:
    """The task instance of a callback's context: ingest's mapped try for Khon Kaen (40)."""

    dag_id = "thanrak_nightly"
    task_id = "ingest"
    map_index = 12
    rendered_map_index = "40"
    try_number = 3
    max_tries = 2
    hostname = "worker-1"
    log_url = LOG_URL


def _context(**overrides) -> dict:
    """An Airflow 3 task callback's context for ingest[40] of night 2026-11-22 that failed."""
    return {
        "task_instance": _FakeTI(),
        "run_id": "scheduled__2026-11-22T18:00:00+00:00",
        "logical_date": "2026-11-22T18:00:00+00:00",
        "params": {"night": "2026-11-22"},
        "exception": ERROR,
        **overrides,
    }


def _notifier(**kwargs) -> ThanrakFailureNotifier:
    return ThanrakFailureNotifier(**{"webhook_backoff_seconds": 0.01, "timeout_seconds": 5, **kwargs})


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch):
    """No proxy, and no alert channel but the ones a test defines."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith(("THANRAK_ALERT_", "AIRFLOW_CONN_THANRAK_ALERT_")):
            monkeypatch.delenv(name)


def _webhook_connection(monkeypatch, url: str, **extra) -> None:
    connection = {"conn_type": "http", "host": url, "extra": extra}
    monkeypatch.setenv("AIRFLOW_CONN_THANRAK_ALERT_WEBHOOK", json.dumps(connection))


def _smtp_connection(monkeypatch, port: int, to: str = "oncall@cdd.example", **extra) -> None:
    connection = {
        "conn_type": "smtp",
        "host": "127.0.0.1",
        "port": port,
        "extra": {"disable_ssl": True, "disable_tls": True, "timeout": 5, "retry_limit": 0, **extra},
    }
    monkeypatch.setenv("AIRFLOW_CONN_THANRAK_ALERT_SMTP", json.dumps(connection))
    monkeypatch.setenv("THANRAK_ALERT_EMAIL_TO", to)


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


def test_webhook_posts_every_field_thai_text_and_the_connections_headers(monkeypatch):
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url, Authorization="Bearer tok-123")
        outcome = _notifier().notify(_context())
    assert outcome == {"webhook": True}
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request["path"] == "/hooks/thanrak"
    assert request["headers"]["Authorization"] == "Bearer tok-123"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    body = receiver.json()
    assert body["dag_id"] == "thanrak_nightly" and body["task_id"] == "ingest"
    assert body["map_index"] == 12 and body["province"] == "40" and body["try_number"] == 3
    assert body["run_id"] == "scheduled__2026-11-22T18:00:00+00:00" and body["log_url"] == LOG_URL
    assert body["night"] == "2026-11-22" and body["logical_date"] == "2026-11-22T18:00:00+00:00"
    assert body["exception"].startswith("RuntimeError: files not loaded: 40/otop_sales")
    assert "จังหวัด 40" in body["summary_th"] and "ของคืน 2026-11-22" in body["summary_th"]
    assert "ล้มเหลว" in body["summary_th"] and "หลังพยายาม 3 ครั้ง" in body["summary_th"]
    assert body["summary_en"].startswith("🔴 Thanrak: task thanrak_nightly.ingest for province 40")
    assert body["text"].splitlines() == [body["summary_th"], body["summary_en"], LOG_URL]
    # the raw bytes are UTF-8 Thai, not \u escapes: chat tools show them as sent
    assert "ล้มเหลว".encode() in request["body"]


def test_the_password_in_an_exceptions_url_is_hidden(monkeypatch):
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url)
        _notifier().notify(_context())
    assert b"s3cret" not in receiver.requests[0]["body"]
    assert "postgresql://thanrak:***@db:5432/thanrak" in receiver.json()["exception"]
    assert "postgresql://thanrak:***@db:5432/thanrak" in receiver.json()["summary_en"]


def test_webhook_text_format_sends_only_text(monkeypatch):
    monkeypatch.setenv("THANRAK_ALERT_WEBHOOK_FORMAT", "text")
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url)
        assert _notifier().notify(_context()) == {"webhook": True}
    body = receiver.json()
    assert list(body) == ["text"]
    assert body["text"].splitlines()[0].startswith("🔴 ฐานราก: งาน thanrak_nightly.ingest จังหวัด 40")
    assert "Authorization" not in receiver.requests[0]["headers"]


def test_an_exception_with_jinja_braces_is_sent_as_it_is(monkeypatch):
    """The alert is rendered in Python: an error text that looks like a template stays text."""
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url)
        _notifier().notify(_context(exception=ValueError("bad cell {{ 1 + 1 }} {% raw %}")))
    assert receiver.json()["exception"] == "ValueError: bad cell {{ 1 + 1 }} {% raw %}"


def test_webhook_is_delivered_after_a_503_and_a_429(monkeypatch, caplog):
    with Receiver(statuses=[503, 429]) as receiver, caplog.at_level(logging.INFO, LOGGER):
        _webhook_connection(monkeypatch, receiver.url)
        outcome = _notifier(webhook_backoff_seconds=0.05).notify(_context())
    assert outcome == {"webhook": True}
    assert len(receiver.requests) == 3
    assert receiver.json(0) == receiver.json(2)  # the same alert, tried again
    assert "try 1: HTTP 503; next try in 0.05 s" in caplog.text
    assert "try 2: HTTP 429; next try in 0.1 s" in caplog.text  # exponential back-off
    assert "alert webhook delivered (HTTP 200)" in caplog.text


def test_webhook_gives_up_after_four_server_errors(monkeypatch, caplog):
    with Receiver(statuses=[500, 502, 503, 504, 200]) as receiver, caplog.at_level(logging.INFO, LOGGER):
        _webhook_connection(monkeypatch, receiver.url)
        assert _notifier().notify(_context()) == {"webhook": False}
    assert len(receiver.requests) == 4
    assert (
        "alert webhook NOT delivered (connection thanrak_alert_webhook): RuntimeError: HTTP 504"
        in caplog.text
    )


def test_webhook_gives_up_on_a_client_error_without_retrying(monkeypatch, caplog):
    with Receiver(statuses=[401]) as receiver, caplog.at_level(logging.INFO, LOGGER):
        _webhook_connection(monkeypatch, receiver.url)
        assert _notifier().notify(_context()) == {"webhook": False}
    assert len(receiver.requests) == 1
    assert "NOT delivered" in caplog.text and "HTTP 401" in caplog.text


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed when the block ends: connections are refused


def test_an_unreachable_webhook_is_tried_four_times_and_the_callback_never_raises(monkeypatch, caplog):
    _webhook_connection(monkeypatch, f"http://127.0.0.1:{_closed_port()}/hook")
    with caplog.at_level(logging.INFO, LOGGER):
        assert _notifier()(_context()) is None  # the callback, as Airflow calls it
    webhook = [r.getMessage() for r in caplog.records if r.name == LOGGER and "webhook" in r.getMessage()]
    assert [line.partition(": ")[0] for line in webhook] == [
        "alert webhook try 1",
        "alert webhook try 2",
        "alert webhook try 3",
        "alert webhook NOT delivered (connection thanrak_alert_webhook)",
    ]
    assert all("ConnectionError" in line and "Connection refused" in line for line in webhook)


def test_a_webhook_that_hangs_times_out(monkeypatch, caplog):
    """A receiver that accepts the connection and never answers: the connection's time-out ends
    each try."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        _webhook_connection(monkeypatch, f"http://127.0.0.1:{listener.getsockname()[1]}/hook", timeout=0.3)
        started = time.monotonic()
        with caplog.at_level(logging.INFO, LOGGER):
            assert _notifier(webhook_attempts=2).notify(_context()) == {"webhook": False}
        assert time.monotonic() - started < 5
    assert "try 1: ReadTimeout" in caplog.text and "NOT delivered" in caplog.text


def test_nothing_configured_logs_one_line_and_sends_nothing(monkeypatch, caplog):
    with Receiver() as receiver, caplog.at_level(logging.INFO, LOGGER):
        monkeypatch.setenv("THANRAK_ALERT_WEBHOOK_URL", receiver.url)  # the hand-written sender's
        assert _notifier().notify(_context()) == {}
    assert receiver.requests == []
    [line] = [r.getMessage() for r in caplog.records if r.name == LOGGER]
    assert line.startswith("no alert sent: define the Airflow connection thanrak_alert_webhook")
    assert line.endswith("; THANRAK_ALERT_WEBHOOK_URL are no longer read")


def test_the_callback_never_raises_whatever_breaks(monkeypatch, caplog):
    def broken(facts):
        raise KeyError("broken")

    _webhook_connection(monkeypatch, f"http://127.0.0.1:{_closed_port()}/hook")
    monkeypatch.setattr(alerts, "build_alert", broken)
    with caplog.at_level(logging.INFO, LOGGER):
        assert _notifier()(_context()) is None
        assert ThanrakFailureNotifier("dag")("not a context") is None
    assert caplog.text.count("failure alert could not be sent") == 2


def test_redact():
    assert redact("x postgresql://thanrak:s%40cret@db:5432/t y") == "x postgresql://thanrak:***@db:5432/t y"
    assert redact("https://hooks.example/abc?x=1") == "https://hooks.example/abc?x=1"


# ---------------------------------------------------------------- the Airflow context


def test_facts_from_an_airflow_3_task_context():
    import datetime as dt

    logical = dt.datetime(2026, 11, 22, 18, 0, tzinfo=dt.UTC)  # 01:00 Bangkok on the 23rd
    context = _context(logical_date=logical, params={}, exception=ValueError("bad"))
    facts = alert_from_context(context)
    assert facts["task_id"] == "ingest" and facts["map_index"] == 12 and facts["province"] == "40"
    assert facts["night"] == "2026-11-22"  # the night before the run, as the DAG computes it
    alert = build_alert(facts)
    assert alert["exception"] == "ValueError: bad"
    assert "จังหวัด 40" in alert["summary_th"]
    # a given night wins; a DAG-level failure (reason, no task) says "run"
    context["params"] = {"night": "2026-10-01"}
    assert alert_from_context(context)["night"] == "2026-10-01"
    dag_alert = build_alert(
        alert_from_context({"run_id": "r", "reason": "task_failure", "dag": _FakeTI()}, "dag_failed")
    )
    assert dag_alert["summary_en"].startswith("🔴 Thanrak: run thanrak_nightly (r) failed: task_failure")
    assert dag_alert["task_id"] is None


def test_the_dag_level_notifier_alerts_a_failed_run(monkeypatch):
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url)
        context = {
            "dag": _FakeTI(),
            "run_id": "r",
            "reason": "task_failure",
            "params": {"night": "2026-11-22"},
        }
        ThanrakFailureNotifier("dag", webhook_backoff_seconds=0.01)(context)
    body = receiver.json()
    assert body["kind"] == "dag_failed" and body["task_id"] is None
    assert body["summary_th"] == "🔴 ฐานราก: การรัน thanrak_nightly (r) ของคืน 2026-11-22 ล้มเหลว: task_failure"


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


def _sent_message(sent: dict) -> email.message.EmailMessage:
    return email.message_from_bytes(sent["data"], policy=email.policy.default)


def test_email_through_a_local_smtp_server_in_thai(monkeypatch):
    with SMTPReceiver() as smtp:
        _smtp_connection(
            monkeypatch,
            smtp.port,
            to="oncall@cdd.example, data@cdd.example",
            from_email="thanrak@cdd.example",
        )
        connection = json.loads(os.environ["AIRFLOW_CONN_THANRAK_ALERT_SMTP"])
        connection.update(login="alerts", password="pw")
        monkeypatch.setenv("AIRFLOW_CONN_THANRAK_ALERT_SMTP", json.dumps(connection))
        assert _notifier().notify(_context()) == {"email": True}
    assert smtp.logins == [("alerts", "pw")]
    [sent] = smtp.messages
    assert sent["from"] == "thanrak@cdd.example"
    assert sent["to"] == ["oncall@cdd.example", "data@cdd.example"]
    message = _sent_message(sent)
    assert message["Subject"] == "[Thanrak] ล้มเหลว / failed: thanrak_nightly ingest [40] night 2026-11-22"
    body = message.get_body(("html",)).get_content()
    assert "🔴 ฐานราก: งาน thanrak_nightly.ingest จังหวัด 40 ของคืน 2026-11-22 ล้มเหลว" in body
    assert "province: 40" in body and "try_number: 3" in body and "night: 2026-11-22" in body
    assert "RuntimeError: files not loaded" in body and "s3cret" not in body
    assert LOG_URL in body and "คู่มือ / runbook: docs/runbook.md" in body


def test_the_email_body_is_escaped_html(monkeypatch):
    with SMTPReceiver() as smtp:
        _smtp_connection(monkeypatch, smtp.port)
        _notifier().notify(_context(exception=ValueError("column <amount> & more")))
    body = _sent_message(smtp.messages[0]).get_body(("html",)).get_content()
    assert body.startswith("<pre") and "column &lt;amount&gt; &amp; more" in body
    assert _sent_message(smtp.messages[0])["From"].startswith("thanrak@")  # no from_email: the host's


def test_email_and_webhook_together(monkeypatch):
    with Receiver() as receiver, SMTPReceiver() as smtp:
        _webhook_connection(monkeypatch, receiver.url)
        _smtp_connection(monkeypatch, smtp.port)
        assert _notifier().notify(_context()) == {"webhook": True, "email": True}
    assert len(receiver.requests) == 1 and len(smtp.messages) == 1


def test_an_smtp_connection_without_recipients_sends_nothing(monkeypatch, caplog):
    with SMTPReceiver() as smtp, caplog.at_level(logging.INFO, LOGGER):
        _smtp_connection(monkeypatch, smtp.port, to=" ")
        assert _notifier().notify(_context()) == {}
    assert smtp.messages == []
    assert "THANRAK_ALERT_EMAIL_TO is empty" in caplog.text and "no alert sent" in caplog.text


def test_starttls_required_but_not_offered_sends_nothing_and_does_not_raise(monkeypatch, caplog):
    with SMTPReceiver() as smtp, caplog.at_level(logging.INFO, LOGGER):
        _smtp_connection(monkeypatch, smtp.port, disable_tls=False)  # the connection's default
        assert _notifier().notify(_context()) == {"email": False}
    assert smtp.messages == []
    assert "alert e-mail NOT sent (connection thanrak_alert_smtp): SMTPNotSupportedError" in caplog.text
    assert "STARTTLS" in caplog.text


def test_an_unreachable_smtp_server_does_not_raise(monkeypatch, caplog):
    _smtp_connection(monkeypatch, _closed_port())
    with caplog.at_level(logging.INFO, LOGGER):
        assert _notifier()(_context()) is None
    assert "alert e-mail NOT sent (connection thanrak_alert_smtp): ConnectionRefusedError" in caplog.text


def test_the_runbooks_test_alert(monkeypatch):
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url)
        assert alerts.send_test_alert() == {"webhook": True}
    body = receiver.json()
    assert body["kind"] == "dag_failed" and body["dag_id"] == "thanrak_nightly"
    assert body["summary_th"].endswith("ล้มเหลว: test alert / ทดสอบการแจ้งเตือน")


# ---------------------------------------------------------------- a real Airflow task failure

PROBE_DAG = '''
"""A DAG for the alerts test: one mapped task fails twice (Airflow DAG file)."""
import datetime as dt

import pendulum
from airflow.sdk import dag, task

from thanrak.orchestration.alerts import ThanrakFailureNotifier


@dag(
    dag_id="thanrak_alert_probe",
    schedule=None,
    start_date=pendulum.datetime(2026, 1, 1, tz="Asia/Bangkok"),
    catchup=False,
    default_args={"owner": "thanrak-data", "retries": 0, "on_failure_callback": ThanrakFailureNotifier()},
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
    }
    airflow = str(Path(sys.executable).with_name("airflow"))
    with Receiver() as receiver:
        connection = {"conn_type": "http", "host": receiver.url, "extra": {"Authorization": "Bearer probe"}}
        env["AIRFLOW_CONN_THANRAK_ALERT_WEBHOOK"] = json.dumps(connection)
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
    assert receiver.requests[0]["headers"]["Authorization"] == "Bearer probe"
    assert body["dag_id"] == "thanrak_alert_probe"
    assert body["task_id"] == "explode"
    assert body["province"] == "40" and body["map_index"] == 1
    assert body["try_number"] == 2 and body["max_tries"] == 1  # the final try, alerted once
    assert body["night"] == "2026-11-22"
    assert body["exception"] == "RuntimeError: ข้อมูลเสีย / probe failure 40"
    assert "/dags/thanrak_alert_probe/runs/" in body["log_url"]
    assert "ล้มเหลว" in body["summary_th"]
    assert "alert webhook delivered (HTTP 200)" in output


UNUSUAL = [
    {
        "submission_id": 7, "province": "40", "dataset": "otop_sales", "period": "2026-11", "check": "rows",
        "observed": 120.0, "expected": 250.0, "expected_low": 176.0, "expected_high": 355.0, "score": -7.3,
        "direction": "lower", "level": "high", "baseline": "own", "history_periods": 6, "detail": {},
    },
    {
        "submission_id": 8, "province": "34", "dataset": "otop_sales", "period": "2026-11",
        "check": "code_shift:channel", "observed": 0.6, "expected": 0.03, "expected_low": 0.0,
        "expected_high": 0.2, "score": 11.0, "direction": "shifted", "level": "high", "baseline": "peers",
        "history_periods": 5, "detail": {"code": "online", "share": 0.7, "usual_share": 0.1},
    },
]  # fmt: skip


def test_unusual_deliveries_alert_through_the_same_channels_thai_first(monkeypatch):
    """The night's anomalies at the alert level: one webhook POST and one e-mail, each anomaly
    one Thai and one English line with the value, the usual range and the direction."""
    with Receiver() as receiver, SMTPReceiver() as smtp:
        _webhook_connection(monkeypatch, receiver.url)
        _smtp_connection(monkeypatch, smtp.port)
        outcome = alert_unusual(
            {"dag": _FakeTI(), "run_id": "r1", "params": {"night": "2026-11-22"}}, UNUSUAL
        )
    assert outcome == {"webhook": True, "email": True}
    body = receiver.json()
    assert body["kind"] == "unusual_deliveries" and body["night"] == "2026-11-22"
    assert body["anomalies"] == UNUSUAL
    lines = body["text"].splitlines()
    assert lines[0] == "🟠 ฐานราก: คืน 2026-11-22 พบข้อมูลผิดปกติ 2 รายการ (ไม่ได้ปฏิเสธไฟล์)"
    assert lines[2] == (
        "ยอดจำหน่ายผลิตภัณฑ์ OTOP จังหวัด 40 งวด 2026-11: จำนวนแถว 120 ปกติ 176–355 (ต่ำกว่าปกติ, ระดับสูง)"
    )
    assert (
        lines[3]
        == "OTOP sales, province 40, 2026-11: Rows 120, usually 176–355 (lower than usual, level high)"
    )
    assert "ออนไลน์" in lines[4] and "70%" in lines[4] and "ปกติ 10%" in lines[4]
    message = _sent_message(smtp.messages[0])
    assert message["Subject"] == "[Thanrak] ผิดปกติ / unusual: 2 deliveries, night 2026-11-22"
    assert lines[3] in message.get_body(("html",)).get_content()


def test_no_unusual_delivery_sends_nothing(monkeypatch):
    with Receiver() as receiver:
        _webhook_connection(monkeypatch, receiver.url)
        assert alert_unusual({"run_id": "r1"}, []) == {}
    assert receiver.requests == []
