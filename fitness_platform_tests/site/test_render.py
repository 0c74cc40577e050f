"""The weekly report as HTML: the same bytes for the same payload, every chart present, weights in
the athlete's unit, and the report's text escaped (it may come from a model)."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from fitness_platform.delivery.numbers import names_in, untraceable_numbers
from fitness_platform.delivery.offline_report import render_report
from fitness_platform.delivery.reference import REFERENCE_CONSTANTS
from fitness_platform.site.publish import link_errors
from fitness_platform.site.render import Link, report_page

WEEK = date(2024, 5, 13)
CHART_IDS = ["chart-main-lifts", "chart-volume", "chart-hard-sets", "chart-body"]
POUND = 0.45359237  # kg, exactly (the 1959 international pound)


@pytest.fixture(scope="module")
def payload(sample_week_payloads) -> dict:
    return sample_week_payloads[WEEK]


def page(payload: dict, text: str | None = None) -> str:
    return report_page(
        payload,
        render_report(payload) if text is None else text,
        links=[Link("../index.html", "All weeks")],
        generated_from="test",
    )


def figures(html: str) -> list[str]:
    return re.findall(r'<figure class="chart" id="([^"]+)">\s*<svg', html)


def test_the_same_payload_gives_the_same_bytes_with_every_chart(payload):
    first, second = page(payload), page(copy.deepcopy(payload))
    assert first == second
    assert figures(first) == CHART_IDS
    # Self-contained: no script, no stylesheet or image fetched, charts inline.
    assert "<script" not in first and '<link rel="stylesheet"' not in first
    assert link_errors("site/athlete=demo/weeks/2024-05-13.html", first) == []
    # The charts' text takes the page's colour (light and dark themes), never a fixed black.
    svg = first[first.index("<svg") : first.index("</svg>")]
    assert "currentColor" in svg and "#010203" not in svg


def test_an_athlete_who_reads_pounds_gets_pounds(payload):
    pounds = copy.deepcopy(payload)
    pounds["display"]["weight_unit"] = "lb"
    html = page(pounds)
    tonnage_lb = round(payload["training_overview"]["tonnage_kg"] / POUND)
    assert f"{tonnage_lb:,} lb" in html  # the tonnage tile, worked out here from the kg value
    trend = round(payload["body"]["trend_weight_kg"] / POUND, 1)
    assert f"{trend:g} lb" in html
    assert "best e1RM (lb)" in html and "tonnage (lb)" in html and "trend weight (lb)" in html
    text = render_report(pounds)
    # No weight is written in kg any more ("g per kg" is protein per kg of bodyweight).
    assert not re.search(r"\d kg\b", text)
    assert f"Trend weight {trend:g} lb" in text
    # ... and every number of the report in pounds is still traced to its payload.
    found = untraceable_numbers(
        text, pounds, constants=REFERENCE_CONSTANTS, ignore_text=names_in(pounds)
    )
    assert found == []
    # The payload itself stays in kg: only the display changes.
    assert pounds["training_overview"] == payload["training_overview"]


def test_the_reports_text_is_escaped_never_run(payload):
    text = (
        "## Focus\n\n<script>alert(1)</script> <img src=https://example.com/x.png>\n\n"
        "| a |\n|---|\n| 1 |\n"
    )
    html = page(payload, text)
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "<img src=https://example.com" not in html
    assert '<div class="table"><table>' in html  # tables scroll on a phone, not the page


def test_the_link_check_catches_a_page_that_reaches_another_athlete():
    html = '<a href="../athlete=other/latest.html">x</a><img src="https://cdn.example.com/a.png">'
    errors = link_errors("site/athlete=demo/latest.html", html)
    assert len(errors) == 2
    # The roster may link to every athlete, never outside the site.
    roster = '<a href="../athlete=demo/latest.html">d</a><a href="../../payloads/x.json">p</a>'
    assert link_errors("site/coach/roster.html", roster) == [
        "site/coach/roster.html: links outside site/: ../../payloads/x.json"
    ]
