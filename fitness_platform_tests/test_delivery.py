"""Weekly delivery end to end: determinism, idempotence, targeted rewrites, reports, the CLI."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from fitness_platform.delivery.numbers import names_in, untraceable_numbers
from fitness_platform.delivery.offline_report import REFERENCE_CONSTANTS, render_report
from fitness_platform.delivery.publish import schema_errors
from fitness_platform_tests import reference as ref
from fitness_platform_tests.conftest import SAMPLE_HEVY
from fitness_platform_tests.helpers import (
    check_results,
    materialization_metadata,
    run_delivery,
    run_ingest,
)

FIRST, LAST = "2023-05-01", "2026-01-12"


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def run_all() -> tuple:
    ingest = run_ingest()
    assert ingest.success
    delivery = run_delivery(FIRST, LAST)
    assert delivery.success
    return ingest, delivery


def test_every_week_gets_a_valid_payload_and_report(platform_env):
    _, delivery = run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    payloads = sorted(out.glob("payloads/athlete=demo/week_start=*/weekly_fitness_context.json"))
    reports = sorted(out.glob("reports/athlete=demo/week_start=*/weekly_report.md"))
    assert len(payloads) == 142 and len(reports) == 142
    # The sample's weeks: every Monday from the first diet week to the last workout's week.
    weeks = {p.parent.name.split("=")[1] for p in payloads}
    assert min(weeks) == FIRST and max(weeks) == LAST
    for path in payloads:
        assert schema_errors(json.loads(path.read_text())) == []
    checks = check_results(delivery)
    assert checks["payload_matches_json_schema"] is True
    assert checks["report_numbers_traceable"] is True
    meta = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    assert meta["written"] == 142 and meta["unchanged"] == 0


def test_replay_and_fresh_database_give_identical_bytes(
    platform_env, pg_admin_url, monkeypatch, tmp_path
):
    run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    first = tree_hashes(out)
    # Replay: nothing is rewritten, no byte changes.
    _, delivery = run_all()
    assert materialization_metadata(delivery, ("delivery", "weekly_payload"))["written"] == 0
    assert materialization_metadata(delivery, ("delivery", "weekly_report"))["written"] == 0
    assert tree_hashes(out) == first
    # A fresh database and a fresh output folder: the same bytes.
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "fresh_" + uuid.uuid4().hex[:8]
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    monkeypatch.setenv(
        "FITNESS_DATABASE_URL", make_url(pg_admin_url).set(database=name).render_as_string(False)
    )
    monkeypatch.setenv("FITNESS_OUTPUT_DIR", str(tmp_path / "out2"))
    run_all()
    assert tree_hashes(tmp_path / "out2") == first


def _expected_changed_weeks(
    sets: pd.DataFrame, edited: pd.DataFrame, title: str, week: date
) -> set[date]:
    """Weeks whose payload must change when one set of ``title`` in ``week`` changes weight."""
    trained = sorted(sets.loc[(sets["exercise_title"] == title) & sets["working"], "week"].unique())
    later = [w for w in trained if w > week]
    changed = {week, week + timedelta(days=7)}
    if later:
        changed.add(later[0])  # its delta against the previous session week
    for metric in ("max_weight_kg", "best_e1rm_kg"):
        before = ref.weekly_series(sets, title, metric)
        after = ref.weekly_series(edited, title, metric)
        changed |= {w for w in later if ref.record_flags(before, w) != ref.record_flags(after, w)}
    return changed


def test_one_edited_set_rewrites_only_the_weeks_it_affects(platform_env, raw_dir):
    run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    before = tree_hashes(out)
    path = raw_dir / "demo" / SAMPLE_HEVY.name
    with path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    col = {name: i for i, name in enumerate(header)}
    title, start = "Leg Press (Machine)", "15 Aug 2024"
    target = next(
        i
        for i, r in enumerate(body)
        if r[col["exercise_title"]] == title
        and r[col["start_time"]].startswith(start)
        and r[col["set_type"]] == "normal"
    )
    body[target][col["weight_kg"]] = "300"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerows([header, *body])

    sets = ref.sets_frame()
    edited = sets.copy()
    edited.loc[
        (edited["exercise_title"] == title)
        & edited["start_time"].str.startswith(start)
        & (edited["set_index"] == int(body[target][col["set_index"]])),
        "weight_kg",
    ] = 300.0
    week = date(2024, 8, 12)
    expected = _expected_changed_weeks(sets, edited, title, week)

    _, delivery = run_all()
    after = tree_hashes(out)
    changed = {k for k in after if before.get(k) != after[k] and k.startswith("payloads/")}
    changed_weeks = {date.fromisoformat(k.split("week_start=")[1][:10]) for k in changed}
    assert changed_weeks == expected
    meta = materialization_metadata(delivery, ("delivery", "weekly_payload"))
    assert meta["written"] == len(expected)
    reports = {k for k in after if before.get(k) != after[k] and k.endswith("weekly_report.md")}
    assert len(reports) <= len(expected)


def test_offline_report_states_only_payload_numbers(platform_env):
    run_all()
    out = Path(platform_env["FITNESS_OUTPUT_DIR"])
    payload = json.loads(
        (
            out / "payloads/athlete=demo/week_start=2024-05-13/weekly_fitness_context.json"
        ).read_text()
    )
    report = (out / "reports/athlete=demo/week_start=2024-05-13/weekly_report.md").read_text()
    assert report == render_report(payload)
    assert (
        untraceable_numbers(
            report, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload)
        )
        == []
    )
    tampered = report + "\nYou squatted 187.5 kg for 3 reps.\n"
    assert "187.5" in untraceable_numbers(
        tampered, payload, constants=REFERENCE_CONSTANTS, ignore_text=names_in(payload)
    )


def test_cli_run_twice(database_url, raw_dir, tmp_path):
    env = dict(os.environ, FITNESS_DATABASE_URL=database_url)
    command = [
        sys.executable,
        "-m",
        "fitness_platform.cli",
        "run",
        "--raw-dir",
        str(raw_dir),
        "--output-dir",
        str(tmp_path / "out"),
    ]
    first = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert first.returncode == 0, first.stdout + first.stderr
    assert "142 weeks 2023-05-01...2026-01-12" in first.stdout
    assert f"reports:  {tmp_path / 'out' / 'reports'}" in first.stdout
    hashes = tree_hashes(tmp_path / "out")
    second = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path
    )
    assert second.returncode == 0, second.stderr
    assert "delivery/weekly_payload: deleted 0, written 0, unchanged 142" in second.stdout
    assert tree_hashes(tmp_path / "out") == hashes
