"""Failure alerts through Airflow's notifiers: `ThanrakFailureNotifier()` is the nightly DAG's
`on_failure_callback`; it hands a Thai-first bilingual alert to the HTTP provider's `HttpNotifier`
(a webhook, JSON POST) and the SMTP provider's `SmtpNotifier` (e-mail). The channels are Airflow
connections (`AIRFLOW_CONN_*` variables, a secrets backend or the UI):

    thanrak_alert_webhook   HTTP connection: the webhook's whole URL as `host`, headers (such as
                            `Authorization: Bearer ...`) in `extra`, optional `timeout` (10 s)
    thanrak_alert_smtp      SMTP connection: host, port, login, password; `extra` has
                            `from_email`, `disable_ssl`, `disable_tls`, `timeout`, `retry_limit`
    THANRAK_ALERT_EMAIL_TO          recipients, comma-separated (no recipients: no e-mail)
    THANRAK_ALERT_WEBHOOK_FORMAT    `full` (default: every field plus `text`) or `text` (only
                                    `{"text": ...}`, for chat tools that refuse unknown fields)

Nothing configured: one log line, nothing sent. Airflow calls `on_failure_callback` only when a
task has failed for good (its retries used up); a try that will be retried calls
`on_retry_callback`, which Thanrak leaves unset, so one failure gives one alert.

What is still written here, and why:
- The message. Airflow's default e-mail template is English HTML about one task instance; the
  alert is Thai first, names the province of a mapped task (its rendered map index) and the night
  as the DAG computes it, and hides passwords in URLs of the exception text (`redact`). It is
  rendered in Python, not as a Jinja template: the exception text may itself contain `{{`.
- The never-raise guarantee. `BaseNotifier.__call__` logs and re-raises; an alert must never hide
  or change the failure it reports, so `ThanrakFailureNotifier.__call__` logs instead, and each
  channel is tried on its own.
- The webhook's retries. `HttpNotifier.notify` calls `HttpHook.run` once; `_retrying_http_notifier()`
  calls the hook's `run_with_advanced_retry` (tenacity) instead: up to 4 tries, back-off 1, 2, 4 s,
  on network errors, time-outs, 429 and 5xx; other answers are not retried.

The message functions work on a plain dict, so they are tested without Airflow; the providers'
notifiers are imported when an alert is sent, not when the DAG file is parsed.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import logging
import os
import re
import socket
import types
from collections.abc import Callable, Mapping
from typing import Any

from airflow.sdk import BaseHook, BaseNotifier

from thanrak.observe.words import describe

log = logging.getLogger(__name__)

WEBHOOK_CONN_ID = "thanrak_alert_webhook"
SMTP_CONN_ID = "thanrak_alert_smtp"
EXCEPTION_MAX_CHARS = 2000
_SECRET_IN_URL = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]+:)[^@\s]+@")


# ---------------------------------------------------------------- the message (no Airflow)


def redact(text: str) -> str:
    """Hides passwords in URLs (postgresql://user:secret@host -> postgresql://user:***@host)."""
    return _SECRET_IN_URL.sub(r"\1***@", text)


def build_alert(facts: Mapping) -> dict:
    """The alert's JSON body from plain facts (dag_id, run_id, task_id, map_index, province,
    try_number, max_tries, logical_date, night, exception, log_url, reason): the facts, plus a
    one-line Thai and English summary and `text` (both lines) for chat tools."""
    alert = {
        "source": "thanrak",
        "kind": facts.get("kind", "task_failed"),
        "dag_id": facts.get("dag_id"),
        "run_id": facts.get("run_id"),
        "task_id": facts.get("task_id"),
        "map_index": facts.get("map_index"),
        "province": facts.get("province"),
        "try_number": facts.get("try_number"),
        "max_tries": facts.get("max_tries"),
        "logical_date": _iso(facts.get("logical_date")),
        "night": _iso(facts.get("night")),
        "exception": _exception_text(facts.get("exception")),
        "log_url": facts.get("log_url"),
        "hostname": facts.get("hostname") or socket.gethostname(),
        "sent_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    what_th, what_en = _what(alert)
    night_th = f" ของคืน {alert['night']}" if alert["night"] else ""
    night_en = f" for night {alert['night']}" if alert["night"] else ""
    tries_th = f" หลังพยายาม {alert['try_number']} ครั้ง" if alert["try_number"] else ""
    tries_en = f" after {alert['try_number']} tries" if alert["try_number"] else ""
    error = _first_line(alert["exception"] or facts.get("reason") or "")
    alert["summary_th"] = f"🔴 ฐานราก: {what_th}{night_th} ล้มเหลว{tries_th}" + (f": {error}" if error else "")
    alert["summary_en"] = f"🔴 Thanrak: {what_en}{night_en} failed{tries_en}" + (
        f": {error}" if error else ""
    )
    alert["text"] = (
        alert["summary_th"]
        + "\n"
        + alert["summary_en"]
        + (f"\n{alert['log_url']}" if alert["log_url"] else "")
    )
    return alert


def _what(alert: dict) -> tuple[str, str]:
    dag = alert["dag_id"] or "?"
    if alert["kind"] == "dag_failed" or not alert["task_id"]:
        return f"การรัน {dag} ({alert['run_id']})", f"run {dag} ({alert['run_id']})"
    task = alert["task_id"]
    if alert["province"]:
        return (
            f"งาน {dag}.{task} จังหวัด {alert['province']}",
            f"task {dag}.{task} for province {alert['province']}",
        )
    if alert["map_index"] not in (None, -1):
        return f"งาน {dag}.{task}[{alert['map_index']}]", f"task {dag}.{task}[{alert['map_index']}]"
    return f"งาน {dag}.{task}", f"task {dag}.{task}"


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _exception_text(error) -> str | None:
    if error is None or error == "":
        return None
    text = f"{type(error).__name__}: {error}" if isinstance(error, BaseException) else str(error)
    text = redact(text)
    return text if len(text) <= EXCEPTION_MAX_CHARS else text[: EXCEPTION_MAX_CHARS - 1] + "…"


def _first_line(text: str, limit: int = 300) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def webhook_body(alert: Mapping, webhook_format: str = "full") -> bytes:
    """The webhook's JSON as UTF-8 bytes (Thai as sent, not \\u escapes): every field, or only
    `{"text": ...}` for the `text` format."""
    body = dict(alert) if webhook_format == "full" else {"text": alert.get("text", "")}
    return json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")


def email_subject(alert: Mapping) -> str:
    if alert.get("kind") == "unusual_deliveries":
        return f"[Thanrak] ผิดปกติ / unusual: {len(alert['anomalies'])} deliveries, night {alert.get('night')}"
    where = alert.get("task_id") or "run"
    if alert.get("province"):
        where += f" [{alert['province']}]"
    night = f" night {alert['night']}" if alert.get("night") else ""
    return f"[Thanrak] ล้มเหลว / failed: {alert.get('dag_id')} {where}{night}"


def email_text(alert: Mapping) -> str:
    """The e-mail's body as plain text: both summaries, the facts, the exception, the runbook."""
    fields = [
        "dag_id", "run_id", "task_id", "map_index", "province", "try_number", "max_tries",
        "logical_date", "night", "log_url", "hostname", "sent_at",
    ]  # fmt: skip
    body = [alert.get("summary_th", ""), alert.get("summary_en", ""), ""]
    body += [f"{name}: {alert.get(name)}" for name in fields if alert.get(name) not in (None, "")]
    if alert.get("exception"):
        body += ["", "ข้อผิดพลาด / exception:", str(alert["exception"])]
    if alert.get("anomalies"):
        body += ["", *alert["text"].splitlines()[2:]]
    body += ["", "คู่มือ / runbook: docs/runbook.md"]
    return "\n".join(body) + "\n"


def email_html(alert: Mapping) -> str:
    """`email_text` as the HTML `SmtpNotifier` sends: escaped, in a <pre> that keeps its lines."""
    style = "font-family: sans-serif; white-space: pre-wrap"
    return f'<pre style="{style}">{html.escape(email_text(alert))}</pre>\n'


def build_unusual_alert(facts: Mapping, anomalies: list[Mapping]) -> dict:
    """The alert for a night's unusual deliveries at or above the alert level (contracts/
    observe.yaml): the run's facts, the anomalies (as thanrak.observe.night.anomaly_facts), and
    one Thai and one English line for each, at most UNUSUAL_LINES of them in `text`."""
    alert = build_alert({**facts, "kind": "unusual_deliveries"})
    night = alert["night"] or "?"
    alert["anomalies"] = list(anomalies)
    alert["summary_th"] = f"🟠 ฐานราก: คืน {night} พบข้อมูลผิดปกติ {len(anomalies)} รายการ (ไม่ได้ปฏิเสธไฟล์)"
    alert["summary_en"] = (
        f"🟠 Thanrak: night {night}: {len(anomalies)} unusual deliveries (no file was rejected)"
    )
    lines = [line for anomaly in anomalies[:UNUSUAL_LINES] for line in describe(anomaly)]
    if len(anomalies) > UNUSUAL_LINES:
        more = len(anomalies) - UNUSUAL_LINES
        lines.append(f"และอีก {more} รายการในรายงาน · and {more} more in the report")
    alert["text"] = "\n".join([alert["summary_th"], alert["summary_en"], *lines])
    return alert


UNUSUAL_LINES = 10


# ---------------------------------------------------------------- Airflow glue


def alert_from_context(context: Mapping, kind: str = "task_failed") -> dict:
    """Plain facts from an Airflow 3 callback context. A task callback's context has
    `task_instance` (task_id, map_index, rendered_map_index, try_number, max_tries, log_url),
    `run_id`, `logical_date`, `params`, `dag_run` and `exception`; a DAG callback's has `dag`,
    `run_id` and `reason`, and the last task instance when the scheduler knows it."""
    ti = context.get("task_instance") or context.get("ti")
    dag = context.get("dag")
    dag_run = context.get("dag_run")
    facts: dict = {"kind": kind, "run_id": context.get("run_id") or getattr(dag_run, "run_id", None)}
    facts["dag_id"] = (
        getattr(ti, "dag_id", None) or getattr(dag, "dag_id", None) or getattr(dag_run, "dag_id", None)
    )
    if ti is not None and kind == "task_failed":
        facts["task_id"] = getattr(ti, "task_id", None)
        facts["map_index"] = getattr(ti, "map_index", None)
        facts["province"] = getattr(ti, "rendered_map_index", None) or context.get("province")
        facts["try_number"] = getattr(ti, "try_number", None)
        facts["max_tries"] = getattr(ti, "max_tries", None)
        facts["hostname"] = getattr(ti, "hostname", None)
        try:
            facts["log_url"] = ti.log_url
        except Exception:  # the property reads Airflow's configuration
            facts["log_url"] = None
    facts["logical_date"] = context.get("logical_date") or getattr(dag_run, "logical_date", None)
    facts["night"] = _night(context)
    facts["exception"] = context.get("exception")
    facts["reason"] = context.get("reason")
    return facts


def _night(context: Mapping) -> str | None:
    """The night the run processes, as the DAG computes it; None when the context cannot say."""
    from thanrak.orchestration.dag_support import night_of_run

    try:
        return night_of_run(context).isoformat()
    except Exception:
        return None


def _connection(conn_id: str):
    """The Airflow connection, or None when it is not defined anywhere Airflow looks."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return None


def _problem(error: BaseException) -> str:
    return f"{type(error).__name__}: {redact(str(error))}"


class ThanrakFailureNotifier(BaseNotifier):
    """An `on_failure_callback`: `ThanrakFailureNotifier()` in a DAG's default_args alerts when a
    task failed for good; `ThanrakFailureNotifier("dag")` as the DAG's own callback alerts when a
    run failed. The connections and THANRAK_ALERT_* are read when it runs (on the worker), and it
    never raises."""

    template_fields = ()  # rendered in Python: an exception text may contain Jinja's `{{`

    def __init__(
        self,
        kind: str = "task",
        *,
        webhook_conn_id: str = WEBHOOK_CONN_ID,
        smtp_conn_id: str = SMTP_CONN_ID,
        webhook_attempts: int = 4,
        webhook_backoff_seconds: float = 1.0,
        timeout_seconds: float = 10.0,
    ):
        super().__init__()
        self.kind = "dag_failed" if kind == "dag" else "task_failed"
        self.webhook_conn_id = webhook_conn_id
        self.smtp_conn_id = smtp_conn_id
        self.webhook_attempts = webhook_attempts
        self.webhook_backoff_seconds = webhook_backoff_seconds
        self.timeout_seconds = timeout_seconds

    def __call__(self, *args) -> None:
        """What Airflow calls. `BaseNotifier.__call__` renders the template fields (there are
        none) with the DAG's Jinja environment, then calls `notify` and re-raises its errors;
        this calls `notify` and logs them."""
        try:
            self.notify(args[0] if len(args) == 1 else {"dag": args[0]})
        except Exception:  # notify catches its channels' errors; this guards the rest
            log.exception("failure alert could not be sent")

    def notify(self, context: Mapping) -> dict[str, bool]:
        """Sends the failure alert through every configured channel: {channel: delivered}, empty
        when nothing is configured. Never raises."""
        return self.send(context, lambda: build_alert(alert_from_context(context, self.kind)))

    def send(self, context: Mapping, make_alert: Callable[[], dict]) -> dict[str, bool]:
        """Sends the alert `make_alert()` builds (only when a channel is configured) through every
        configured channel: {channel: delivered}. Never raises."""
        webhook = _connection(self.webhook_conn_id)
        smtp = _connection(self.smtp_conn_id)
        recipients = [a.strip() for a in os.getenv("THANRAK_ALERT_EMAIL_TO", "").split(",") if a.strip()]
        if smtp is not None and not recipients:
            log.warning(
                "connection %s is defined but THANRAK_ALERT_EMAIL_TO is empty: no e-mail", smtp.conn_id
            )
        if webhook is None and (smtp is None or not recipients):
            log.info(
                "no alert sent: define the Airflow connection %s and/or %s with "
                "THANRAK_ALERT_EMAIL_TO (docs/runbook.md)%s",
                self.webhook_conn_id,
                self.smtp_conn_id,
                _retired_variables(),
            )
            return {}
        alert = make_alert()
        log.info("alert: %s", alert["summary_en"])
        outcome = {}
        if webhook is not None:
            outcome["webhook"] = self._send_webhook(alert, webhook, context)
        if smtp is not None and recipients:
            outcome["email"] = self._send_email(alert, smtp, recipients, context)
        return outcome

    def _send_webhook(self, alert: Mapping, connection, context: Mapping) -> bool:
        webhook_format = (os.getenv("THANRAK_ALERT_WEBHOOK_FORMAT") or "full").strip().lower()
        if webhook_format not in ("full", "text"):
            log.warning(
                "THANRAK_ALERT_WEBHOOK_FORMAT=%r is neither full nor text; using full", webhook_format
            )
            webhook_format = "full"
        extra_options: dict[str, Any] = {"check_response": False}  # the retry judges the status
        if "timeout" not in connection.extra_dejson:
            extra_options["timeout"] = self.timeout_seconds
        try:
            _retrying_http_notifier()(
                http_conn_id=connection.conn_id,
                data=webhook_body(alert, webhook_format),
                headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "thanrak-alerts"},
                extra_options=extra_options,
                attempts=self.webhook_attempts,
                backoff_seconds=self.webhook_backoff_seconds,
            ).notify(context)
            return True
        except Exception as error:
            log.error("alert webhook NOT delivered (connection %s): %s", connection.conn_id, _problem(error))
            return False

    def _send_email(self, alert: Mapping, connection, recipients: list[str], context: Mapping) -> bool:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        try:
            SmtpNotifier(
                to=recipients,
                from_email=connection.extra_dejson.get("from_email") or f"thanrak@{socket.getfqdn()}",
                subject=email_subject(alert),
                html_content=email_html(alert),
                smtp_conn_id=connection.conn_id,
            ).notify(context)  # not __call__: that would render the finished text as Jinja
            log.info("alert e-mail sent to %s (connection %s)", ", ".join(recipients), connection.conn_id)
            return True
        except Exception as error:
            log.error("alert e-mail NOT sent (connection %s): %s", connection.conn_id, _problem(error))
            return False


def _retired_variables() -> str:
    """A hint when the variables of the hand-written sender are still set: they are not read."""
    kept = ("THANRAK_ALERT_EMAIL_TO", "THANRAK_ALERT_WEBHOOK_FORMAT")
    old = sorted(n for n in os.environ if n.startswith("THANRAK_ALERT_") and n not in kept and os.environ[n])
    return f"; {', '.join(old)} are no longer read" if old else ""


@functools.cache
def _retrying_http_notifier() -> type:
    """`HttpNotifier` whose request goes through `HttpHook.run_with_advanced_retry` (tenacity).
    Made on first use: importing the HTTP provider (requests, aiohttp) takes about 0.7 s, which
    the DAG file's parse does not pay."""
    import requests
    import tenacity
    from airflow.providers.http.notifications.http import HttpNotifier

    def retryable(response) -> bool:
        return response.status_code == 429 or response.status_code >= 500

    def log_retry(state: tenacity.RetryCallState) -> None:
        error = state.outcome.exception()
        what = _problem(error) if error else f"HTTP {state.outcome.result().status_code}"
        log.warning(
            "alert webhook try %d: %s; next try in %.3g s", state.attempt_number, what, state.upcoming_sleep
        )

    class RetryingHttpNotifier(HttpNotifier):
        def __init__(self, *, attempts: int, backoff_seconds: float, **kwargs):
            super().__init__(**kwargs)
            self.retry_args = {
                "stop": tenacity.stop_after_attempt(attempts),
                "wait": tenacity.wait_exponential(multiplier=backoff_seconds),  # 1, 2, 4 s
                "retry": tenacity.retry_if_exception_type((requests.ConnectionError, requests.Timeout))
                | tenacity.retry_if_result(retryable),
                "before_sleep": log_retry,
                # the tries used up: the last error is raised, or the last answer returned
                "retry_error_callback": lambda state: state.outcome.result(),
            }

        def notify(self, context) -> None:
            response = self.hook.run_with_advanced_retry(
                self.retry_args,
                endpoint=self.endpoint,
                data=self.data,
                headers=self.headers,
                extra_options=self.extra_options,
            )
            if not 200 <= response.status_code < 300:
                raise RuntimeError(f"HTTP {response.status_code} {response.reason}")
            log.info("alert webhook delivered (HTTP %s)", response.status_code)

    return RetryingHttpNotifier


def alert_unusual(context: Mapping, anomalies: list[Mapping]) -> dict[str, bool]:
    """Sends the night's unusual deliveries at or above the alert level through the failure
    alerts' channels: {channel: delivered}, empty when there are none or nothing is configured."""
    if not anomalies:
        return {}
    return ThanrakFailureNotifier().send(
        context, lambda: build_unusual_alert(alert_from_context(context, "unusual_deliveries"), anomalies)
    )


def send_test_alert() -> dict[str, bool]:
    """Sends a test alert through every configured channel (docs/runbook.md): {channel: delivered}."""
    context = {
        "dag": types.SimpleNamespace(dag_id="thanrak_nightly"),
        "run_id": "alert_test",
        "params": {"night": dt.date.today().isoformat()},
        "reason": "test alert / ทดสอบการแจ้งเตือน",
    }
    return ThanrakFailureNotifier("dag").notify(context)
