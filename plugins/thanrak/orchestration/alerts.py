"""Failure alerts: a webhook (JSON POST) and/or an e-mail when a task of the nightly DAG has
failed for good, configured from the environment only.

    THANRAK_ALERT_WEBHOOK_URL       POST the alert as JSON here
    THANRAK_ALERT_WEBHOOK_TOKEN     optional: sent as `Authorization: Bearer <token>`
    THANRAK_ALERT_WEBHOOK_FORMAT    `full` (default: every field plus `text`) or `text`
                                    (only `{"text": ...}`, for chat tools that refuse unknown fields)
    THANRAK_ALERT_SMTP_HOST         e-mail through this SMTP server ...
    THANRAK_ALERT_SMTP_PORT         ... on this port (default 587; 465 is implicit TLS)
    THANRAK_ALERT_SMTP_USER / THANRAK_ALERT_SMTP_PASSWORD   optional login
    THANRAK_ALERT_SMTP_STARTTLS     `true`/`false` (default: true on port 587, else false);
                                    when true and the server cannot STARTTLS, nothing is sent
    THANRAK_ALERT_SMTP_FROM         sender (default thanrak@<host name>)
    THANRAK_ALERT_EMAIL_TO          recipients, comma-separated

Nothing configured: one log line, nothing sent. Airflow calls `on_failure_callback` only when a
task has failed for good (its retries used up); a try that will be retried calls
`on_retry_callback`, which Thanrak leaves unset, so one failure gives one alert.

An alert must never hide the failure it reports: `failure_callback()` never raises. The webhook
is tried up to four times (10 s time-out each, back-off 1, 2, 4 s) on network errors, 429 and
5xx; every problem is logged.

Only `failure_callback` knows Airflow; `alert_from_context` reads the context defensively and
everything else works on a plain dict, so it is tested without Airflow.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage

log = logging.getLogger(__name__)

EXCEPTION_MAX_CHARS = 2000
_SECRET_IN_URL = re.compile(r"(\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]+:)[^@\s]+@")


@dataclass(frozen=True)
class AlertConfig:
    webhook_url: str | None = None
    webhook_token: str | None = None
    webhook_format: str = "full"
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_from: str | None = None
    email_to: tuple[str, ...] = ()
    timeout_seconds: float = 10.0
    webhook_attempts: int = 4
    backoff_seconds: float = 1.0
    sleep: Callable[[float], None] | None = field(default=None, repr=False, compare=False)  # time.sleep

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> AlertConfig:
        env = os.environ if env is None else env

        def get(name: str) -> str | None:
            return (env.get(name) or "").strip() or None

        port_text = get("THANRAK_ALERT_SMTP_PORT")
        try:
            port = int(port_text) if port_text else 587
        except ValueError:
            log.warning("THANRAK_ALERT_SMTP_PORT=%r is not a number; using 587", port_text)
            port = 587
        starttls = get("THANRAK_ALERT_SMTP_STARTTLS")
        webhook_format = (get("THANRAK_ALERT_WEBHOOK_FORMAT") or "full").lower()
        if webhook_format not in ("full", "text"):
            log.warning(
                "THANRAK_ALERT_WEBHOOK_FORMAT=%r is neither full nor text; using full", webhook_format
            )
            webhook_format = "full"
        return cls(
            webhook_url=get("THANRAK_ALERT_WEBHOOK_URL"),
            webhook_token=get("THANRAK_ALERT_WEBHOOK_TOKEN"),
            webhook_format=webhook_format,
            smtp_host=get("THANRAK_ALERT_SMTP_HOST"),
            smtp_port=port,
            smtp_user=get("THANRAK_ALERT_SMTP_USER"),
            smtp_password=get("THANRAK_ALERT_SMTP_PASSWORD"),
            smtp_starttls=(starttls.lower() in ("1", "true", "yes", "on")) if starttls else port == 587,
            smtp_from=get("THANRAK_ALERT_SMTP_FROM"),
            email_to=tuple(a.strip() for a in (get("THANRAK_ALERT_EMAIL_TO") or "").split(",") if a.strip()),
        )

    @property
    def webhook_enabled(self) -> bool:
        return self.webhook_url is not None

    @property
    def email_enabled(self) -> bool:
        return self.smtp_host is not None and bool(self.email_to)


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


def email_message(alert: Mapping, config: AlertConfig) -> EmailMessage:
    message = EmailMessage()
    where = alert.get("task_id") or "run"
    if alert.get("province"):
        where += f" [{alert['province']}]"
    night = f" night {alert['night']}" if alert.get("night") else ""
    message["Subject"] = f"[Thanrak] ล้มเหลว / failed: {alert.get('dag_id')} {where}{night}"
    message["From"] = config.smtp_from or f"thanrak@{socket.getfqdn()}"
    message["To"] = ", ".join(config.email_to)
    fields = [
        "dag_id", "run_id", "task_id", "map_index", "province", "try_number", "max_tries",
        "logical_date", "night", "log_url", "hostname", "sent_at",
    ]  # fmt: skip
    body = [alert.get("summary_th", ""), alert.get("summary_en", ""), ""]
    body += [f"{name}: {alert.get(name)}" for name in fields if alert.get(name) not in (None, "")]
    if alert.get("exception"):
        body += ["", "ข้อผิดพลาด / exception:", str(alert["exception"])]
    body += ["", "คู่มือ / runbook: docs/runbook.md"]
    message.set_content("\n".join(body) + "\n", charset="utf-8")
    return message


# ---------------------------------------------------------------- sending (no Airflow)


def send_webhook(alert: Mapping, config: AlertConfig) -> bool:
    """POSTs the alert; True once the receiver answered 2xx. Never raises."""
    body = dict(alert) if config.webhook_format == "full" else {"text": alert.get("text", "")}
    data = json.dumps(body, ensure_ascii=False, default=str).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "thanrak-alerts"}
    if config.webhook_token:
        headers["Authorization"] = f"Bearer {config.webhook_token}"
    where = redact(config.webhook_url or "")
    for attempt in range(1, config.webhook_attempts + 1):
        retry = False
        try:
            request = urllib.request.Request(config.webhook_url, data=data, headers=headers, method="POST")
            with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:
                log.info("alert webhook delivered to %s (HTTP %s, try %d)", where, response.status, attempt)
                return True
        except urllib.error.HTTPError as error:
            retry = error.code == 429 or error.code >= 500
            log.warning("alert webhook %s answered HTTP %s (try %d)", where, error.code, attempt)
        except (urllib.error.URLError, OSError) as error:  # refused, DNS, time-out, TLS
            retry = True
            log.warning("alert webhook %s unreachable (try %d): %s", where, attempt, error)
        except Exception:  # a malformed URL, say: retrying will not help
            log.exception("alert webhook %s failed (try %d)", where, attempt)
        if not retry or attempt == config.webhook_attempts:
            break
        (config.sleep or time.sleep)(config.backoff_seconds * 2 ** (attempt - 1))
    log.error("alert webhook NOT delivered to %s", where)
    return False


def send_email(alert: Mapping, config: AlertConfig) -> bool:
    """Sends the alert by SMTP; True when the server accepted it. Never raises."""
    try:
        message = email_message(alert, config)
        if config.smtp_port == 465:
            smtp = smtplib.SMTP_SSL(
                config.smtp_host,
                config.smtp_port,
                timeout=config.timeout_seconds,
                context=ssl.create_default_context(),
            )
        else:
            smtp = smtplib.SMTP(config.smtp_host, config.smtp_port, timeout=config.timeout_seconds)
        with smtp:
            smtp.ehlo()
            if config.smtp_starttls and config.smtp_port != 465:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if config.smtp_user:
                smtp.login(config.smtp_user, config.smtp_password or "")
            smtp.send_message(message)
        log.info(
            "alert e-mail sent to %s via %s:%s",
            ", ".join(config.email_to),
            config.smtp_host,
            config.smtp_port,
        )
        return True
    except Exception as error:
        log.error(
            "alert e-mail NOT sent via %s:%s: %s: %s",
            config.smtp_host,
            config.smtp_port,
            type(error).__name__,
            redact(str(error)),
        )
        return False


def deliver(facts: Mapping, config: AlertConfig | None = None) -> dict[str, bool]:
    """Builds the alert from plain facts and sends it through every configured channel.
    Returns {channel: delivered}; empty when nothing is configured. Never raises."""
    try:
        config = config or AlertConfig.from_env()
        if not (config.webhook_enabled or config.email_enabled):
            log.info(
                "no failure alert sent: set THANRAK_ALERT_WEBHOOK_URL or THANRAK_ALERT_SMTP_HOST "
                "and THANRAK_ALERT_EMAIL_TO (docs/runbook.md)"
            )
            return {}
        alert = build_alert(facts)
        log.info("failure alert: %s", alert["summary_en"])
        outcome = {}
        if config.webhook_enabled:
            outcome["webhook"] = send_webhook(alert, config)
        if config.email_enabled:
            outcome["email"] = send_email(alert, config)
        return outcome
    except Exception:
        log.exception("failure alert could not be sent")
        return {}


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


def failure_callback(kind: str = "task") -> Callable[[Mapping], None]:
    """An `on_failure_callback`: `failure_callback()` in a DAG's default_args alerts when a task
    failed for good; `failure_callback("dag")` as the DAG's own callback alerts when a run failed.
    The configuration is read from the environment when the callback runs (on the worker)."""
    alert_kind = "dag_failed" if kind == "dag" else "task_failed"

    def thanrak_failure_alert(context: Mapping) -> None:
        try:
            deliver(alert_from_context(context, alert_kind))
        except Exception:  # deliver never raises; this guards alert_from_context
            log.exception("failure alert could not be sent")

    return thanrak_failure_alert
