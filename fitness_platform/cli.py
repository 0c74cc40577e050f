"""``fitness-platform``: run the whole pipeline headless, or validate exports without loading."""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

EXIT_REFUSED = 1
EXIT_USAGE = 2


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


def command_run(args: argparse.Namespace) -> int:
    if args.raw_dir:
        os.environ["FITNESS_RAW_DIR"] = str(args.raw_dir)
    if args.output_dir:
        os.environ["FITNESS_OUTPUT_DIR"] = str(args.output_dir)
    from dagster import DagsterInstance

    from fitness_platform.definitions import build_definitions
    from fitness_platform.delivery.schedules import range_run_tags
    from fitness_platform.partitions import weekly_partitions
    from fitness_platform.settings import Settings

    settings = Settings.from_env()
    defs = build_definitions(settings)
    quiet = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
    instance = (
        DagsterInstance.get() if os.environ.get("DAGSTER_HOME") else DagsterInstance.ephemeral()
    )
    started = time.perf_counter()
    _say(f"[1/2] ingest: {settings.raw_dir} → warehouse → gold")
    ingest = defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance, run_config=quiet, raise_on_error=False
    )
    _report_steps(ingest)
    if not ingest.success:
        _say("ingestion failed; see the messages above. No weekly outputs were refreshed.")
        return EXIT_REFUSED
    _say(f"      done in {time.perf_counter() - started:.1f} s")

    keys = weekly_partitions(settings.partition_start).get_partition_keys()
    if args.weeks:
        first, last = args.weeks
        if first not in keys or last not in keys:
            _say(f"--weeks must lie within {keys[0]}...{keys[-1]} (complete weeks only)")
            return EXIT_USAGE
    else:
        first, last = _data_range(settings, keys)
        if first is None:
            _say("no training or diet data: nothing to deliver")
            return 0
    count = keys.index(last) - keys.index(first) + 1
    _say(f"[2/2] deliver: {count} weeks {first}...{last} in one run")
    step = time.perf_counter()
    delivery = defs.resolve_job_def("weekly_delivery_job").execute_in_process(
        instance=instance,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        tags=range_run_tags(first, last),
        raise_on_error=False,
    )
    _report_steps(delivery)
    if not delivery.success:
        return EXIT_REFUSED
    _say(f"      done in {time.perf_counter() - step:.1f} s")
    storage = defs.resources["storage"]
    _say(f"payloads: {storage.uri('payloads')}")
    _say(f"reports:  {storage.uri('reports')}")
    return 0


def _data_range(settings, keys: list[str]) -> tuple[str | None, str | None]:
    """The partitions spanned by the weeks that have data, clipped to complete weeks."""
    from sqlalchemy import text

    from fitness_platform.environment import warehouse_for

    with warehouse_for(settings).connect() as conn:
        low, high = conn.execute(
            text("SELECT min(week_start), max(week_start) FROM fitness.gold_weekly_fitness_summary")
        ).one()
    if low is None:
        return None, None
    inside = [k for k in keys if low.isoformat() <= k <= high.isoformat()]
    return (inside[0], inside[-1]) if inside else (None, None)


def _report_steps(result) -> None:
    """One line per asset that wrote something (a range run repeats each event per partition)."""
    seen = set()
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.event_specific_data.materialization
            meta = mat.metadata
            interesting = {
                k: meta[k].value
                for k in (
                    "inserted",
                    "updated",
                    "deleted",
                    "written",
                    "unchanged",
                    "dagster/row_count",
                )
                if k in meta
            }
            if mat.asset_key in seen:
                continue
            seen.add(mat.asset_key)
            if (
                interesting
                and mat.asset_key.path[0] in {"fitness", "delivery"}
                and ("inserted" in interesting or "written" in interesting)
            ):
                detail = ", ".join(f"{k.split('/')[-1]} {v}" for k, v in interesting.items())
                _say(f"      {mat.asset_key.to_user_string()}: {detail}")
        elif event.event_type_value == "STEP_FAILURE":
            error = event.event_specific_data.error
            _say(f"      FAILED {event.step_key}: {error.message.strip() if error else ''}")
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
    sample = sub.add_parser(
        "sample", help="rewrite the committed sample exports from the seeded generator"
    )
    sample.add_argument("--raw-dir", type=Path, default=Path("data/raw"))
    sample.set_defaults(func=command_sample)
    args = parser.parse_args(argv)
    from fitness_platform.errors import FitnessError

    try:
        return args.func(args)
    except FitnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into `head` and closed early
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
