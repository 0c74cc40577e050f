"""``fitness-platform``: run the whole pipeline headless, or validate exports without loading."""

from __future__ import annotations

import argparse
import atexit
import gc
import json
import os
import signal
import sys
import threading
import time
from datetime import date
from pathlib import Path

from fitness_platform.processes import tune_collector

# Exit codes: a refusal of some athlete's data (everyone else was still delivered) is told apart
# from a command that could not run at all.
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_WAREHOUSE = 3
EXIT_STORAGE = 4
EXIT_INTERRUPTED = 130  # the shells' code for a command stopped by a signal
INTERRUPTED = "DagsterExecutionInterruptedError"  # what Dagster raises in a step on SIGTERM/SIGINT
FAILURE_EXIT_CODES = {
    "WarehouseUnavailable": EXIT_WAREHOUSE,
    "StorageUnavailable": EXIT_STORAGE,
    INTERRUPTED: EXIT_INTERRUPTED,
}

# Dagster's own switch for runs over many partitions (dagster-io/dagster#29288; the maintainers'
# advice in #32242): one "materialization planned" event per asset for the run's weeks, instead
# of one per week and asset (568 for 142 weeks and four delivery assets, each a write to the local
# SQLite instance: 3.7 of the 10 s a one-edit delivery took). What it costs: if such a run fails,
# Dagster does not mark its weeks failed in the asset views (the run itself shows as failed, and
# the command says so and exits non-zero). ``run`` sets it for its own process unless it is set.
PLANNED_EVENTS_SWITCH = "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"


def _parse_weeks(text: str) -> tuple[str, str]:
    if "..." not in text:
        raise argparse.ArgumentTypeError("use START...END, e.g. 2024-01-01...2024-03-25")
    start, end = (part.strip() for part in text.split("...", 1))
    for value in (start, end):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None
        if day.weekday() != 0:
            raise argparse.ArgumentTypeError(f"{value} is not a Monday (weeks start on Monday)")
    if start > end:
        raise argparse.ArgumentTypeError("START is after END")
    return start, end


def _say(message: str) -> None:
    print(message, flush=True)


class Interrupted(Exception):
    """A run of the command was stopped by SIGTERM or SIGINT: the command stops there too (its
    failed step has been reported)."""


def _execute(job, **kwargs):
    """``job.execute_in_process``, leaving the process's SIGINT and SIGTERM handlers as they were.

    While a run executes, Dagster handles both signals itself (a step then fails as interrupted
    and the run is marked so). On its way out it sets SIGTERM to whatever SIGINT does
    (``dagster._utils.interrupts.setup_interrupt_handlers``, written for its Kubernetes
    processes), so after the command's first run: started in the background of a script, where
    SIGINT is ignored, ``kill`` was ignored too until the command ended; in a terminal, SIGTERM
    became a KeyboardInterrupt and its traceback. Between runs and after them (the delivery plan,
    the summary, the embedded PostgreSQL's exit hook) SIGTERM keeps what it was before: the
    default (end the process) or, with the embedded PostgreSQL, its clean exit."""
    if threading.current_thread() is not threading.main_thread():
        return job.execute_in_process(**kwargs)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return job.execute_in_process(**kwargs)
    finally:
        for sig, handler in handlers.items():
            if handler is not None:  # None: set outside Python, which cannot be restored
                signal.signal(sig, handler)


def _startup_done(*, freeze: bool) -> None:
    """Garbage collection resumes after the command's start (``entry`` turns it off while the
    modules load), less often than Python's default (``processes.COLLECTOR_THRESHOLDS``); with
    ``freeze``, what exists by then (modules, definitions: some 200,000 objects that live as long
    as the process) is never walked by a collection again."""
    if gc.isenabled():  # not started by ``entry`` (a test calling ``main``): left as it is
        return
    if freeze:
        gc.freeze()
    tune_collector()
    gc.enable()


def command_run(args: argparse.Namespace) -> int:
    if args.raw_dir:
        os.environ["FITNESS_RAW_DIR"] = str(args.raw_dir)
    if args.output_dir:
        os.environ["FITNESS_OUTPUT_DIR"] = str(args.output_dir)
    os.environ.setdefault(PLANNED_EVENTS_SWITCH, "true")
    from fitness_platform.definitions import build_definitions
    from fitness_platform.delivery.payload import athlete_keys
    from fitness_platform.delivery.publish import data_weeks, outside_partitions_warning
    from fitness_platform.delivery.schedules import range_run_tags
    from fitness_platform.environment import warehouse_for
    from fitness_platform.partitions import weekly_partitions
    from fitness_platform.raw.hevy_sync import connected_athletes
    from fitness_platform.settings import Settings
    from fitness_platform.site.pending import delivery_last_week

    settings = Settings.from_env()
    defs = build_definitions(settings)
    _startup_done(freeze=True)
    raw_files = defs.resources["raw_files"]
    problem = raw_files.problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    warehouse_for(settings).check_connection()
    quiet = {"loggers": {"terminal": {"config": {"log_level": "WARNING"}}}}
    with _instance(settings) as instance:
        sync_failures = {}
        if connected_athletes(raw_files):
            sync_failures = _sync(defs, instance, athletes=[])
        started = time.perf_counter()
        _say(f"[1/2] ingest: {raw_files.describe()} → warehouse → gold")
        ingest = _execute(
            defs.resolve_job_def("ingest_job"),
            instance=instance,
            run_config=quiet,
            raise_on_error=False,
        )
        _report_steps(ingest)
        if not ingest.success:
            _say("ingestion failed; see the messages above. No weekly outputs were refreshed.")
            return _failure_code(ingest)
        refusals = {**sync_failures, **_refusals(ingest)}
        if _files_found(ingest) == 0:
            _say(f"      no exports found under {raw_files.describe()}")
        _say(f"      done in {time.perf_counter() - started:.1f} s")

        keys = weekly_partitions(settings.partition_start).get_partition_keys()
        if args.weeks:
            first, last = args.weeks
            if first not in keys or last not in keys:
                _say(f"--weeks must lie within {keys[0]}...{keys[-1]} (complete weeks only)")
                return EXIT_USAGE
        else:
            with warehouse_for(settings).connect() as conn:
                weeks = data_weeks(conn, keys)
                athletes = athlete_keys(conn)
            warning = outside_partitions_warning(weeks, settings.partition_start)
            if warning:
                _say(f"      warning: {warning}")
            first, last = weeks.first, weeks.last
            if first is None:
                _say("no training or diet data in the warehouse: nothing to deliver")
                return _refused(refusals)
            last = delivery_last_week(defs.resources["storage"], athletes, last, keys)
        count = keys.index(last) - keys.index(first) + 1
        plan = _delivery_plan(args, settings, defs, first, last)
        if plan is None:
            _say(
                f"[2/2] deliver: {count} weeks {first}...{last} are current: nothing changed "
                "since the last delivery (--force-delivery runs it anyway)"
            )
            return _finish(defs, refusals)
        if plan.unchanged_before:
            count = keys.index(last) - keys.index(plan.first) + 1
            _say(
                f"[2/2] deliver: {count} week(s) {plan.first}...{last} in one run ({plan.reason}; "
                f"the {plan.unchanged_before} weeks before {plan.first} are unchanged)"
            )
        else:
            _say(f"[2/2] deliver: {count} weeks {first}...{last} in one run ({plan.reason})")
        step = time.perf_counter()
        delivery = _execute(
            defs.resolve_job_def("weekly_delivery_job"),
            instance=instance,
            run_config={"loggers": {"terminal": {"config": {"log_level": "INFO"}}}},
            tags=range_run_tags(plan.first, plan.last),
            raise_on_error=False,
        )
        _report_steps(delivery)
        if not delivery.success:
            return _failure_code(delivery)
        _say(f"      done in {time.perf_counter() - step:.1f} s")
    return _finish(defs, refusals)


def _delivery_plan(args, settings, defs, first: str, last: str):
    """The delivery run to start (``site/pending.py``): from the first week that changes, or
    None when it would change nothing; every week of the range when asked to."""
    from fitness_platform.environment import warehouse_for
    from fitness_platform.site.pending import DeliveryPlan, plan_delivery

    if args.force_delivery:
        return DeliveryPlan(first, last, "--force-delivery")
    resources = defs.resources
    return plan_delivery(
        warehouse_for(settings),
        resources["storage"],
        resources["reporter"],
        resources["email"],
        first,
        last,
    )


def _finish(defs, refusals: dict[str, str]) -> int:
    from fitness_platform.site.publish import ROSTER_KEY

    storage = defs.resources["storage"]
    _say(f"payloads: {storage.uri('payloads')}")
    _say(f"reports:  {storage.uri('reports')}")
    _say(f"site:     {storage.uri('site')} (the coach's roster: {storage.uri(ROSTER_KEY)})")
    return _refused(refusals)


def _sync(defs, instance, athletes: list[str]) -> dict[str, str]:
    """Run the Hevy API sync (every connected athlete, or the ones named); failures by athlete."""
    from fitness_platform.raw.assets import HEVY_SYNCS_COMPLETED

    _say("[sync] Hevy API: " + (", ".join(athletes) if athletes else "every connected athlete"))
    result = _execute(
        defs.resolve_job_def("hevy_sync_job"),
        instance=instance,
        run_config={
            "loggers": {"terminal": {"config": {"log_level": "INFO"}}},
            "ops": {"raw__hevy_api": {"config": {"athletes": athletes}}},
        },
        raise_on_error=False,
    )
    if not result.success:
        _report_steps(result)
        if _failure_code(result) == EXIT_INTERRUPTED:
            raise Interrupted
        return {"(sync)": "the Hevy API sync failed; see the messages above"}
    failures: dict[str, str] = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if check.check_name == HEVY_SYNCS_COMPLETED and not check.passed:
                failures.update(check.metadata["failures"].value)
    for event in result.get_asset_materialization_events():
        meta = event.event_specific_data.materialization.metadata
        _say(
            f"      {meta['athletes'].value} athlete(s), {meta['changed'].value} with news, "
            f"{meta['failed'].value} failed, {meta['api_calls'].value} API calls"
        )
    return failures


def command_sync(args: argparse.Namespace) -> int:
    if args.raw_dir:
        os.environ["FITNESS_RAW_DIR"] = str(args.raw_dir)
    from fitness_platform.definitions import build_definitions
    from fitness_platform.raw.hevy_sync import connected_athletes
    from fitness_platform.settings import Settings

    settings = Settings.from_env()
    defs = build_definitions(settings)
    _startup_done(freeze=True)
    raw_files = defs.resources["raw_files"]
    problem = raw_files.problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_USAGE
    connected = connected_athletes(raw_files)
    wanted = [args.athlete] if args.athlete else []
    if args.athlete and args.athlete not in connected:
        print(
            f"error: athlete {args.athlete!r} has no hevy_api_key_env in its athlete.toml "
            f"(connected: {', '.join(sorted(connected)) or 'none'})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if not connected:
        _say("no athlete has connected a Hevy account (hevy_api_key_env in athlete.toml)")
        return 0
    with _instance(settings) as instance:
        failures = _sync(defs, instance, wanted)
    return _refused(failures)


def _instance(settings):
    """The Dagster instance of ``DAGSTER_HOME``, else the persistent one under the state folder
    that ``make dev`` also uses, so every run of the command shows in the UI afterwards."""
    from dagster import DagsterInstance

    from fitness_platform.paths import REPO_ROOT

    if os.environ.get("DAGSTER_HOME"):
        return DagsterInstance.get()
    home = settings.dagster_home.resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text((REPO_ROOT / "dagster.yaml").read_text(encoding="utf-8"))
    # The instance's storage keeps its files under DAGSTER_HOME (fitness_platform/instance.py),
    # as `make dev` sets it: this process's runs are those the UI shows afterwards.
    os.environ["DAGSTER_HOME"] = str(home)
    return DagsterInstance.from_config(str(home))


def _refusals(result) -> dict[str, str]:
    """Athletes refused in an ingestion run (unreadable exports, refused loads), with the reason
    naming the file, line and column: from the failed checks that report them."""
    from fitness_platform.silver.assets import EXPORTS_READABLE
    from fitness_platform.warehouse.assets import ATHLETE_LOADS_COMMITTED

    found: dict[str, str] = {}
    for event in result.all_events:
        if event.event_type_value != "ASSET_CHECK_EVALUATION":
            continue
        check = event.event_specific_data
        if check.check_name in {EXPORTS_READABLE, ATHLETE_LOADS_COMMITTED} and not check.passed:
            found.update(check.metadata["refusals"].value)
    return found


def _refused(refusals: dict[str, str]) -> int:
    if not refusals:
        return 0
    _say(f"refused ({len(refusals)} athlete(s); every other athlete was loaded and delivered):")
    for athlete, reason in sorted(refusals.items()):
        _say(f"  - {athlete}: {reason}")
    return EXIT_REFUSED


def _files_found(result) -> int:
    return sum(
        event.event_specific_data.materialization.metadata["file_count"].value
        for event in result.get_asset_materialization_events()
        if event.event_specific_data.materialization.asset_key.path[0] == "raw"
    )


def _errors(error):
    """An error and its causes, outermost first (Dagster wraps the step's own exception)."""
    while error is not None:
        yield error
        error = error.cause or error.context


def _failure_message(failure) -> str:
    """The platform's own sentence for a failed step when it raised one (never a traceback), else
    the first line of what Dagster reports."""
    from fitness_platform import errors

    ours = {name for name, value in vars(errors).items() if isinstance(value, type)}
    chain = list(_errors(failure.error))
    for error in chain:
        if error.cls_name == INTERRUPTED:
            return (
                "stopped by a signal (SIGTERM or SIGINT); what was committed stays, and the next "
                "run carries on from it"
            )
        if error.cls_name in ours:
            name, _, message = error.message.strip().partition(": ")
            return message if name.endswith(error.cls_name) else error.message.strip()
    if failure.user_failure_data is not None and failure.user_failure_data.description:
        return failure.user_failure_data.description
    return chain[0].message.strip().splitlines()[0] if chain else "unknown error"


def _failure_code(result) -> int:
    """EXIT_WAREHOUSE, EXIT_STORAGE or EXIT_INTERRUPTED when a step failed for that reason, else
    EXIT_REFUSED."""
    for event in result.all_events:
        if event.event_type_value != "STEP_FAILURE":
            continue
        for error in _errors(event.event_specific_data.error):
            if error.cls_name in FAILURE_EXIT_CODES:
                return FAILURE_EXIT_CODES[error.cls_name]
    return EXIT_REFUSED


# What the command prints of each asset that wrote something: the warehouse tables' counts, and
# the delivery assets' run-wide totals (each week's own counts are in its partition's metadata).
TABLE_COUNTS = ("inserted", "updated", "deleted", "unchanged", "dagster/row_count")
RUN_COUNTS = ("run_deleted", "run_written", "run_unchanged")


def _report_steps(result) -> None:
    """One line per asset that wrote something (a range run repeats each event per partition)."""
    seen = set()
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            if mat.asset_key in seen:
                continue
            seen.add(mat.asset_key)
            layer, meta = mat.asset_key.path[0], mat.metadata
            keys = {"fitness": TABLE_COUNTS, "delivery": RUN_COUNTS}.get(layer, ())
            counts = {
                k.removeprefix("run_").split("/")[-1]: meta[k].value for k in keys if k in meta
            }
            if "inserted" in counts or "written" in counts:
                detail = ", ".join(f"{k} {v}" for k, v in counts.items())
                _say(f"      {mat.asset_key.to_user_string()}: {detail}")
        elif event.event_type_value == "STEP_FAILURE":
            _say(f"      FAILED {event.step_key}: {_failure_message(event.event_specific_data)}")
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            check = event.event_specific_data
            if not check.passed:
                _say(
                    f"      check {check.asset_key.to_user_string()}:{check.check_name} "
                    f"did not pass ({check.severity.value.lower()})"
                )


def command_validate(args: argparse.Namespace) -> int:
    from fitness_platform.validate import validate_files

    return validate_files(
        [Path(p) for p in args.files], out=sys.stdout, rejects_csv=args.rejects_csv
    )


def shard_launch_commands(
    weeks: tuple[str, str], shards: int, workspace: Path, job: str = "weekly_delivery_job"
) -> list[list[str]]:
    """One ``dagster job launch`` per athlete shard: each submits a run of the delivery job over
    the whole week range (one run per shard, single-run backfill) to the instance DAGSTER_HOME
    names, whose run coordinator and launcher (ECS, Kubernetes) place it on a worker."""
    from fitness_platform.delivery.schedules import range_run_tags
    from fitness_platform.delivery.shards import MAX_SHARDS, shard_tags
    from fitness_platform.errors import ConfigurationError

    if not 1 <= shards <= MAX_SHARDS:
        raise ConfigurationError(f"--shards must be between 1 and {MAX_SHARDS}")
    commands = []
    for index in range(1, shards + 1):
        tags = {**range_run_tags(*weeks), **shard_tags(index, shards)}
        commands.append(
            [
                "dagster",
                "job",
                "launch",
                "-w",
                str(workspace),
                "-j",
                job,
                "--tags",
                json.dumps(tags, sort_keys=True),
            ]
        )
    return commands


def command_backfill(args: argparse.Namespace) -> int:
    import shlex
    import subprocess

    commands = shard_launch_commands(args.weeks, args.shards, args.workspace)
    if not args.launch:
        for command in commands:
            _say(shlex.join(command))
        return 0
    from fitness_platform.errors import ConfigurationError

    if not os.environ.get("DAGSTER_HOME"):
        raise ConfigurationError(
            "DAGSTER_HOME is not set: name the folder of the instance (deploy/dagster.yaml or "
            "deploy/dagster.ecs.yaml) the runs are submitted to"
        )
    binary = Path(sys.executable).with_name("dagster")
    for index, command in enumerate(commands, start=1):
        command = [str(binary) if binary.exists() else command[0], *command[1:]]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            print(
                f"error: shard {index}/{len(commands)} was not submitted: "
                f"{(done.stderr or done.stdout).strip()[-800:]}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        _say(f"submitted shard {index}/{len(commands)}")
    return 0


def command_sample(args: argparse.Namespace) -> int:
    from fitness_platform.sample.generator import write_sample

    for path in write_sample(args.raw_dir):
        _say(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fitness-platform", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser(
        "run", help="ingest the raw exports, then build every weekly payload and report in one run"
    )
    run.add_argument(
        "--raw-dir",
        type=Path,
        help="athlete folders with exports (default FITNESS_RAW_DIR or data/raw)",
    )
    run.add_argument(
        "--output-dir",
        type=Path,
        help="where payloads and reports go (default FITNESS_OUTPUT_DIR or .fitness/out)",
    )
    run.add_argument(
        "--weeks",
        type=_parse_weeks,
        metavar="START...END",
        help="Mondays of the first and last week to deliver (default: every week with data)",
    )
    run.add_argument(
        "--force-delivery",
        action="store_true",
        help="start the delivery run even when nothing changed since the last delivery",
    )
    run.set_defaults(func=command_run)
    validate = sub.add_parser(
        "validate", help="read exports without loading them and report every problem"
    )
    validate.add_argument("files", nargs="+", metavar="FILE")
    validate.add_argument(
        "--rejects-csv",
        type=Path,
        metavar="PATH",
        help="also write the rows that would be quarantined to a CSV (cells that "
        "look like spreadsheet formulas are escaped)",
    )
    validate.set_defaults(func=command_validate)
    sync = sub.add_parser(
        "sync", help="sync the Hevy accounts of connected athletes into their raw folders"
    )
    sync.add_argument("--athlete", metavar="KEY", help="only this athlete (default: all)")
    sync.add_argument(
        "--raw-dir", type=Path, help="athlete folders (default FITNESS_RAW_DIR or data/raw)"
    )
    sync.set_defaults(func=command_sync)
    backfill = sub.add_parser(
        "backfill",
        help="split a delivery backfill into athlete-shard runs for a deployed instance's run "
        "launcher (docs/deploy.md)",
    )
    backfill.add_argument(
        "--weeks", type=_parse_weeks, required=True, metavar="START...END", help="Mondays"
    )
    backfill.add_argument("--shards", type=int, required=True, help="how many runs (1-1024)")
    backfill.add_argument(
        "--workspace", type=Path, default=Path("workspace.yaml"), help="the Dagster workspace"
    )
    backfill.add_argument(
        "--launch",
        action="store_true",
        help="submit the runs (to the instance DAGSTER_HOME names) instead of printing the "
        "commands that would",
    )
    backfill.set_defaults(func=command_backfill)
    sample = sub.add_parser(
        "sample", help="rewrite the committed sample exports from the seeded generator"
    )
    sample.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    sample.set_defaults(func=command_sample)
    args = parser.parse_args(argv)
    from fitness_platform.errors import FitnessError, StorageUnavailable, WarehouseUnavailable

    if args.func not in (command_run, command_sync):  # they resume it once started
        _startup_done(freeze=False)
    try:
        return args.func(args)
    except WarehouseUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_WAREHOUSE
    except StorageUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_STORAGE
    except FitnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Interrupted:
        _say("stopped before anything else was run")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


def entry() -> None:
    """The command's entry point: ``main``, then an exit that skips tearing the interpreter down.
    A run leaves some 2,500 imported modules and their caches, whose teardown took 0.6 s of every
    command (a twelfth of a one-edit run at 1,000 athletes). By then everything the command wrote
    is closed: files are renamed into place as they are written, warehouse transactions are
    committed and the instance is disposed of. The exit handlers still run (the embedded
    PostgreSQL is stopped by one), and the output streams are flushed.

    Garbage collection is off until the command has started (``_startup_done``): Dagster,
    pandas and the definitions make some 200,000 long-lived objects, and the collector walked
    them again and again, first while they were imported, then in every full collection (about
    0.9 s of a one-edit run at 1,000 athletes). Objects freed by their reference count are
    freed all the same.

    The command's process never imports hypothesis (see below); worker processes it starts may."""
    gc.disable()
    # pandera imports hypothesis, when it is installed (it is for the tests), at its first
    # validation, for data-synthesis strategies the command never uses: 0.1 s of every run. Here
    # it counts as absent, which pandera is written for (its strategies then say so if asked).
    sys.modules.setdefault("hypothesis", None)
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # output piped into `head` and closed early
        pass
    atexit._run_exitfuncs()
    os._exit(code)


if __name__ == "__main__":
    entry()
