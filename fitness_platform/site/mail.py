"""Composing and sending the weekly report e-mail, once per content.

The message: the report's HTML page with its charts as inline PNG parts (``cid:`` images, which
mail clients show where they would block SVG), the report's Markdown as the plain-text alternative,
and, when the site lives in S3, a presigned link to the online page that expires.

Idempotence lives in ``fitness.report_emails`` (the sent-log): one row per athlete, week and content
hash. A row is claimed (``sending``) and committed before SES is called, then marked ``sent`` or
``failed``. ``sent`` is never sent again; ``failed`` is retried by the next run; a ``sending`` row
left by a run that died mid-call is reported and not resent (SES may have accepted it): at most once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage
from email.policy import SMTP

from sqlalchemy import Connection

from fitness_platform.delivery.payload import payload_key, report_key
from fitness_platform.errors import EmailFailed
from fitness_platform.paths import EMAIL_SQL_DIR as EMAIL_SQL
from fitness_platform.resources.email import EmailResource
from fitness_platform.resources.storage import StorageResource
from fitness_platform.site.charts import report_charts
from fitness_platform.site.publish import generated_from, report_weeks, week_page_key
from fitness_platform.site.render import RENDERER_VERSION, athlete_name, report_page, week_label
from fitness_platform.site.units import Units
from fitness_platform.sqlfiles import fetch_all, fetch_mappings, run_file


def content_sha256(payload_bytes: bytes, report_bytes: bytes) -> str:
    """What "the same report" means for the sent-log: the payload and the report text it was
    rendered from, and the renderer. (Not the message bytes: a presigned link differs per send.)"""
    digest = hashlib.sha256(RENDERER_VERSION.encode() + b"\0")
    digest.update(payload_bytes + b"\0" + report_bytes)
    return digest.hexdigest()


@dataclass(frozen=True)
class Email:
    subject: str
    html: str
    text: str
    images: dict[str, bytes]
    """Content id → PNG bytes."""

    def mime(self, sender: str, recipients: list[str]) -> bytes:
        msg = EmailMessage(policy=SMTP)
        msg["Subject"] = self.subject
        msg["From"] = sender
        msg["To"] = ", ".join(recipients)
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        html_part = msg.get_payload()[1]
        for cid, png in sorted(self.images.items()):
            html_part.add_related(png, "image", "png", cid=f"<{cid}>", filename=f"{cid}.png")
        return msg.as_bytes()


def compose(
    payload: dict, report_md: str, *, online_url: str | None, expiry: str | None, stamp: str
) -> Email:
    units = Units.of(payload)
    charts = report_charts(payload, units)
    cids = {c.chart_id: f"{c.chart_id}@fitness-platform" for c in charts}
    html = report_page(
        payload,
        report_md,
        links=[],
        generated_from=stamp,
        cids=cids,
        online_url=online_url,
        online_expiry=expiry,
        charts=charts,
    )
    text = report_md
    if online_url:
        text += f"\nOpen this report in the browser (the link expires {expiry}):\n{online_url}\n"
    return Email(
        subject=f"Weekly report: {athlete_name(payload)}, week of {week_label(payload['week_start'])}",
        html=html,
        text=text,
        images={cids[c.chart_id]: c.png() for c in charts},
    )


@dataclass
class EmailSummary:
    sent: list[dict] = field(default_factory=list)
    unchanged: int = 0
    failed: list[dict] = field(default_factory=list)
    unknown: list[dict] = field(default_factory=list)
    """Claimed by an earlier run that stopped during the call: maybe sent, so never resent."""
    skipped: list[dict] = field(default_factory=list)


def _recipients(conn: Connection) -> dict[str, tuple[int, list[str]]]:
    return {
        r["athlete_key"]: (r["athlete_id"], list(r["report_recipients"]))
        for r in fetch_mappings(conn, EMAIL_SQL / "recipients.sql")
    }


def send_reports(
    conn: Connection,
    storage: StorageResource,
    email: EmailResource,
    athletes: list[str],
    first: date,
    last: date,
) -> EmailSummary:
    """E-mail each athlete's newest report in [first, last] to the athlete's recipients, unless
    that content was already sent; a failed send is recorded and retried by the next run."""
    summary = EmailSummary()
    if not email.enabled:
        return summary
    recipients = _recipients(conn)
    for athlete in athletes:
        athlete_id, to = recipients.get(athlete, (None, []))
        weeks = [
            w for w in report_weeks(storage, athlete) if first.isoformat() <= w <= last.isoformat()
        ]
        if not weeks:
            continue
        week = weeks[0]
        if not to:
            summary.skipped.append(
                {"athlete": athlete, "week_start": week, "reason": "no recipients"}
            )
            continue
        payload_bytes = storage.read_bytes(payload_key(athlete, week))
        report_bytes = storage.read_bytes(report_key(athlete, week))
        if payload_bytes is None or report_bytes is None:
            continue
        content = content_sha256(payload_bytes, report_bytes)
        item = {"athlete": athlete, "week_start": week, "content_sha256": content[:12]}
        row = fetch_all(
            conn,
            EMAIL_SQL / "status.sql",
            {"athlete_id": athlete_id, "week": week, "sha": content},
        )
        status = row[0][0] if row else None
        if status == "sent":
            summary.unchanged += 1
            continue
        if status == "sending":
            summary.unknown.append(item)
            continue
        hours = email.link_expiry_hours
        url = storage.share_url(week_page_key(athlete, week), expires_in=hours * 3600)
        message = compose(
            json.loads(payload_bytes),
            report_bytes.decode(),
            online_url=url,
            expiry=f"{hours} hours after it was sent" if url else None,
            stamp=generated_from(payload_bytes, report_bytes),
        )
        run_file(
            conn,
            EMAIL_SQL / "claim.sql",
            {
                "athlete_id": athlete_id,
                "week": week,
                "sha": content,
                "recipients": to,
                "subject": message.subject,
            },
        )
        conn.commit()  # the claim is durable before SES is called: a crash never resends
        try:
            message_id = email.send_raw(to, message.mime(email.sender, to))
        except EmailFailed as exc:
            run_file(
                conn,
                EMAIL_SQL / "failed.sql",
                {"athlete_id": athlete_id, "week": week, "sha": content, "error": str(exc)},
            )
            conn.commit()
            summary.failed.append({**item, "error": str(exc)})
            continue
        run_file(
            conn,
            EMAIL_SQL / "sent.sql",
            {"athlete_id": athlete_id, "week": week, "sha": content, "message_id": message_id},
        )
        conn.commit()
        summary.sent.append({**item, "recipients": len(to), "message_id": message_id})
    return summary
