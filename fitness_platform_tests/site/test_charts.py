"""The report's charts drawn without a plotting library: round ticks, shapes where the payload's
numbers put them (worked out here from the payload), gaps for missing weeks, and the same picture
as SVG and PNG, byte for byte the same every time."""

from __future__ import annotations

import copy
import re
from datetime import date

import pytest

from fitness_platform.delivery.reference import HARD_SET_RANGE
from fitness_platform.site.charts import (
    PALETTE,
    hard_sets_chart,
    main_lifts_chart,
    nice_ticks,
    report_charts,
)
from fitness_platform.site.units import Units

WEEK = date(2024, 5, 13)
RECT = re.compile(r'<path d="M([\d.]+) ([\d.]+)h([\d.]+)v([\d.]+)h-[\d.]+z" fill="(#[0-9a-f]{6})"')


@pytest.fixture(scope="module")
def payload(sample_week_payloads) -> dict:
    return sample_week_payloads[WEEK]


@pytest.mark.parametrize(
    "low, high, integer, expected",
    [
        # 5 steps at most: 226 / 5 = 45.1, so steps of 50 from the multiple of 50 below 54.75.
        (54.75, 280.25, False, [50, 100, 150, 200, 250, 300]),
        # 52,000 / 5 = 10,400: steps of 20,000 (10,000 would make six).
        (0, 52_000, False, [0, 20_000, 40_000, 60_000]),
        # 71.0 to 73.1: 0.42 a step, so 0.5.
        (71.0, 73.1, False, [71.0, 71.5, 72.0, 72.5, 73.0, 73.5]),
        # Sessions: whole numbers only; 6 / 5 = 1.2, so steps of 2.
        (0, 6, True, [0, 2, 4, 6]),
        # One value: a span of two around it.
        (4, 4, True, [3, 4, 5]),
    ],
)
def test_ticks_are_round_numbers_covering_the_span(low, high, integer, expected):
    assert nice_ticks(low, high, integer=integer) == expected


def test_each_muscle_groups_bar_is_as_long_as_its_hard_sets(payload):
    chart = hard_sets_chart(payload, Units())
    bars = [(float(x), float(w), fill) for x, _, w, _, fill in RECT.findall(chart.svg())]
    groups = payload["muscle_groups"]
    bars = [b for b in bars if b[2] in (PALETTE[0], PALETTE[1])]
    assert len(bars) == len(groups)
    low, high = HARD_SET_RANGE
    # Every bar starts at the axis; lengths in the ratio of the payload's hard sets (to the
    # SVG's one decimal), blue inside the 10-20 band and orange outside it.
    assert len({x for x, _, _ in bars}) == 1
    biggest = max(range(len(groups)), key=lambda i: groups[i]["hard_sets"])
    per_set = bars[biggest][1] / groups[biggest]["hard_sets"]
    for (_, width, fill), group in zip(bars, groups, strict=True):
        assert width == pytest.approx(group["hard_sets"] * per_set, abs=0.11)
        inside = low <= group["hard_sets"] <= high
        assert fill == (PALETTE[0] if inside else PALETTE[1]), group


def test_a_week_without_the_lift_is_a_gap_in_its_line(payload):
    lifts = copy.deepcopy(payload)
    first = lifts["history"]["main_lifts"][0]
    assert None not in first["best_e1rm_kg"]
    whole = main_lifts_chart(lifts, Units()).svg()
    first["best_e1rm_kg"][5] = None
    gapped = main_lifts_chart(lifts, Units()).svg()
    colour = PALETTE[0]
    lines = re.compile(rf'<path d="(M[^"]*L[^"]*)" fill="none" stroke="{colour}"')
    dots = re.compile(rf'<path d="M[^"]*a[^"]*" fill="{colour}"/>')
    # The lift's line (and the legend's sample of it): one run more, one marker fewer.
    assert len(lines.findall(gapped)) == len(lines.findall(whole)) + 1
    assert len(dots.findall(gapped)) == len(dots.findall(whole)) - 1


def test_every_chart_is_the_same_svg_and_png_every_time(payload):
    first = report_charts(payload, Units())
    second = report_charts(copy.deepcopy(payload), Units())
    assert [c.chart_id for c in first] == [
        "chart-main-lifts",
        "chart-volume",
        "chart-hard-sets",
        "chart-body",
    ]
    for a, b in zip(first, second, strict=True):
        assert a.svg() == b.svg()
        png = a.png()
        assert png == b.png() and png.startswith(b"\x89PNG\r\n\x1a\n")
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
        view = re.search(r'viewBox="0 0 ([\d.]+) ([\d.]+)"', a.svg()).groups()
        assert (width, height) == (round(float(view[0]) * 2), round(float(view[1]) * 2))
