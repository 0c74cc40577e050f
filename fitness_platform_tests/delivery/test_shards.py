"""A delivery split into athlete-shard runs writes exactly what one run writes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from dagster import DagsterInstance, DagsterRunStatus

from fitness_platform.cli import main as cli_main
from fitness_platform.delivery.schedules import range_run_tags
from fitness_platform.delivery.shards import SHARD_TAG, parse_shard, shard_tags
from fitness_platform.errors import ConfigurationError
from fitness_platform.paths import REPO_ROOT
from fitness_platform.site.publish import built_key
from fitness_platform_tests.helpers import QUIET, definitions, materialization_metadata, run_ingest

FIRST, LAST = "2024-01-01", "2024-01-22"
ATHLETES = ("anna", "carla", "demo")
# What the delivery job writes (the ingestion writes features/ beside them).
DELIVERED = ("payloads/", "reports/", "site/", "delivery_state/", "site_state/")


def _tree(root):
    """What was delivered, but for the stamp of a whole site, which only an unsharded run
    writes (``site_stamp``: shard runs leave the next ``fitness-platform run`` to deliver)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
        and str(p.relative_to(root)).startswith(DELIVERED)
        and str(p.relative_to(root)) != built_key()
    }


def _deliver(tags):
    return (
        definitions()
        .resolve_job_def("weekly_delivery_job")
        .execute_in_process(
            instance=DagsterInstance.ephemeral(),
            run_config=QUIET,
            tags={**range_run_tags(FIRST, LAST), **tags},
            raise_on_error=False,
        )
    )


def test_shard_runs_together_write_what_one_run_writes(
    platform_env, raw_dir, tmp_path, monkeypatch
):
    for athlete in ATHLETES[:2]:
        shutil.copytree(raw_dir / "demo", raw_dir / athlete)
    assert run_ingest().success
    whole = _deliver({})
    assert whole.success
    one_run = tmp_path / "out"
    expected = _tree(one_run)
    assert (one_run / built_key()).is_file()
    # Every athlete has its pages and payloads in the one-run output.
    for athlete in ATHLETES:
        assert any(k.startswith(f"payloads/athlete={athlete}/") for k in expected)

    sharded = tmp_path / "sharded"
    monkeypatch.setenv("FITNESS_OUTPUT_DIR", str(sharded))
    seen = {}
    for index in (1, 2):
        result = _deliver(shard_tags(index, 2))
        assert result.success
        meta = materialization_metadata(result, ("delivery", "weekly_payload"))
        assert meta["run_athlete_shard"] == f"{index}/2"
        seen[index] = {
            k.split("/")[1].removeprefix("athlete=")
            for k in _tree(sharded)
            if k.startswith("payloads/")
        } - set().union(*seen.values())
    # Each athlete was delivered by exactly one shard, and both shards had work.
    assert seen[1] and seen[2] and not seen[1] & seen[2]
    assert seen[1] | seen[2] == set(ATHLETES)
    assert _tree(sharded) == expected
    assert not (sharded / built_key()).exists()


def test_shard_tags_are_checked():
    assert str(parse_shard("2/8")) == "2/8" and parse_shard(None) is None
    for bad in ("0/4", "5/4", "two/4", "1/0"):
        with pytest.raises(ConfigurationError, match=SHARD_TAG):
            parse_shard(bad)
    members = {a: [parse_shard(f"{i}/3").holds(a) for i in (1, 2, 3)] for a in ATHLETES}
    assert all(sum(flags) == 1 for flags in members.values())


def test_backfill_submits_one_tagged_run_per_shard(platform_env, tmp_path, monkeypatch, capsys):
    """``fitness-platform backfill --launch`` submits through the instance's run coordinator
    (queued here; the daemon hands queued runs to the run launcher: ECS, Kubernetes)."""
    assert cli_main(["backfill", "--weeks", f"{FIRST}...{LAST}", "--shards", "3"]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert len(printed) == 3 and all("dagster job launch" in line for line in printed)
    assert '"fitness/athlete_shard": "3/3"' in printed[2]

    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text(
        "run_coordinator:\n  module: dagster._core.run_coordinator\n"
        "  class: QueuedRunCoordinator\ntelemetry:\n  enabled: false\n"
    )
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    monkeypatch.chdir(REPO_ROOT)
    command = [sys.executable, "-m", "fitness_platform.cli", "backfill", "--launch"]
    command += ["--weeks", f"{FIRST}...{LAST}", "--shards", "2"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    with DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
        assert len(runs) == 2
        assert {r.tags[SHARD_TAG] for r in runs} == {"1/2", "2/2"}
        for run in runs:
            assert run.status == DagsterRunStatus.QUEUED
            assert run.job_name == "weekly_delivery_job"
            assert json.loads(json.dumps(run.tags)) | range_run_tags(FIRST, LAST) == run.tags
