"""E-mail delivery against moto's SES: the message, its recipients, once per content, a failure and
its retry, and nothing at all when FITNESS_EMAIL is unset."""

from __future__ import annotations

import email
import email.policy

import boto3
import pytest
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from sqlalchemy import create_engine

from fitness_platform.paths import EMAIL_SQL_DIR
from fitness_platform.sqlfiles import fetch_mappings
from fitness_platform_tests.helpers import (
    check_results,
    materialization_metadata,
    run_delivery,
    run_ingest,
)

REGION = "eu-west-1"
SENDER = "coach@example.com"
# The sample's athlete.toml names no recipient; these tests give it two (example.com is reserved).
RECIPIENTS = ["demo.athlete@example.com", "demo.coach@example.org"]
WEEKS = ("2024-05-06", "2024-05-13")


@pytest.fixture
def ses(monkeypatch, platform_env, raw_dir):
    settings = raw_dir / "demo" / "athlete.toml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text + "\n[report]\nemail_to = [" + ", ".join(f'"{r}"' for r in RECIPIENTS) + "]\n",
        encoding="utf-8",
    )
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "FITNESS_EMAIL": "ses",
        "FITNESS_EMAIL_FROM": SENDER,
    }.items():
        monkeypatch.setenv(key, value)
    with mock_aws():
        client = boto3.client("sesv2", region_name=REGION)
        yield client


def sent_messages():
    return ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages


def email_log(database_url: str) -> list[dict]:
    engine = create_engine(database_url)
    with engine.connect() as conn:
        rows = fetch_mappings(conn, EMAIL_SQL_DIR / "log.sql", {"athlete": "demo"})
    engine.dispose()
    return [dict(r) for r in rows]


def test_the_newest_report_is_sent_once_with_its_charts_and_a_text_part(ses, platform_env):
    ses.create_email_identity(EmailIdentity=SENDER)
    assert run_ingest().success
    delivery = run_delivery(*WEEKS)
    assert delivery.success
    messages = sent_messages()
    assert len(messages) == 1  # the newest week of the run, not every week
    sent = messages[0]
    assert sent.source == SENDER
    # moto lists the Destination addresses and those of the To header, hence a set.
    assert set(sent.destinations) == set(RECIPIENTS)
    message = email.message_from_string(sent.raw_data, policy=email.policy.default)
    assert message["Subject"] == "Weekly report: demo, week of 13 May 2024"
    assert sorted(a.strip() for a in message["To"].split(",")) == sorted(RECIPIENTS)
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("# Weekly coaching report: demo, week of 2024-05-13")
    html_part = message.get_body(("html",))
    html = html_part.get_content()
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    cids = {p["Content-ID"].strip("<>") for p in images}
    # Every chart of the HTML body is an inline PNG part, and every PNG is shown by the body.
    shown = {part.split('"')[0] for part in html.split('src="cid:')[1:]}
    assert shown == cids and len(cids) == 4
    assert all(p.get_content().startswith(b"\x89PNG") for p in images)
    assert "<svg" not in html  # mail clients block SVG
    log = email_log(platform_env["FITNESS_DATABASE_URL"])
    assert [(r["week_start"].isoformat(), r["status"], r["attempts"]) for r in log] == [
        ("2024-05-13", "sent", 1)
    ]
    assert log[0]["message_id"] == sent.id
    meta = materialization_metadata(delivery, ("delivery", "report_email"))
    assert meta["run_sent"] == 1 and meta["run_failed"] == 0

    # A replay sends nothing: the same content is in the sent-log.
    again = run_delivery(*WEEKS)
    assert again.success and len(sent_messages()) == 1
    assert materialization_metadata(again, ("delivery", "report_email"))["run_unchanged"] == 1


def test_a_failed_send_is_recorded_and_retried_never_sent_twice(ses, platform_env):
    assert run_ingest().success
    # The sender is not a verified SES identity: SES refuses the message (MessageRejected).
    first = run_delivery(*WEEKS)
    assert not sent_messages()
    log = email_log(platform_env["FITNESS_DATABASE_URL"])
    assert [(r["status"], r["attempts"]) for r in log] == [("failed", 1)]
    assert "MessageRejected" in log[0]["last_error"]
    assert first.success  # one failed e-mail never fails the run (nor other athletes' e-mail)
    assert check_results(first)["report_emails_sent"] is False
    # Once the identity is verified, the next run retries and sends it, once.
    ses.create_email_identity(EmailIdentity=SENDER)
    second = run_delivery(*WEEKS)
    assert len(sent_messages()) == 1
    log = email_log(platform_env["FITNESS_DATABASE_URL"])
    assert [(r["status"], r["attempts"]) for r in log] == [("sent", 2)]
    assert check_results(second)["report_emails_sent"] is True
    run_delivery(*WEEKS)
    assert len(sent_messages()) == 1


def test_nothing_is_sent_when_email_is_off(ses, platform_env, monkeypatch):
    monkeypatch.delenv("FITNESS_EMAIL")
    ses.create_email_identity(EmailIdentity=SENDER)
    assert run_ingest().success
    delivery = run_delivery(*WEEKS)
    assert delivery.success and not sent_messages()
    assert email_log(platform_env["FITNESS_DATABASE_URL"]) == []
    assert materialization_metadata(delivery, ("delivery", "report_email"))["email"] == "off"
