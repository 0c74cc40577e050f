"""Replay by metadata: unchanged files are not read again; anything that may have changed is."""

import hashlib
import os
import shutil
import time

from fitness_platform.ingest.athlete import discover
from fitness_platform.ingest.scan_cache import RACY_NS, ScanCache
from fitness_platform_tests.helpers import SAMPLE_HEVY


def _age(path, seconds: float) -> None:
    """Move a file's modification time into the past (as if written that long ago)."""
    then = time.time_ns() - int(seconds * 1e9)
    os.utime(path, ns=(then, then))


def _scan(raw, cache_file):
    cache = ScanCache(cache_file)
    found = {f.path.name: f for f in discover(raw, cache)}
    cache.save()
    return found, cache


def test_unchanged_files_are_known_by_metadata_and_changed_ones_are_read(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_HEVY.parent, raw / "demo")
    for path in (raw / "demo").iterdir():
        _age(path, 60)
    files = len(list((raw / "demo").iterdir()))
    cache_file = tmp_path / "state" / "scan.json"

    first, cache = _scan(raw, cache_file)
    assert (cache.hits, cache.misses) == (0, files)
    again, cache = _scan(raw, cache_file)
    assert (cache.hits, cache.misses) == (files, 0)
    assert {n: (f.sha256, f.kind, f.rows) for n, f in again.items()} == {
        n: (f.sha256, f.kind, f.rows) for n, f in first.items()
    }

    # The same size and the same modification time, different bytes: the change time moved,
    # so the file is read again and its new hash is the truth.
    export = raw / "demo" / SAMPLE_HEVY.name
    stat = export.stat()
    data = bytearray(export.read_bytes())
    at = data.index(b"Leg Press")
    data[at : at + 3] = b"LEG"
    export.write_bytes(bytes(data))
    os.utime(export, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert export.stat().st_size == stat.st_size and export.stat().st_mtime_ns == stat.st_mtime_ns
    edited, cache = _scan(raw, cache_file)
    assert (cache.hits, cache.misses) == (files - 1, 1)
    assert edited[export.name].sha256 == hashlib.sha256(bytes(data)).hexdigest()
    assert edited[export.name].sha256 != first[export.name].sha256


def test_a_file_written_within_the_clock_resolution_of_its_scan_is_hashed_again(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_HEVY.parent, raw / "demo")
    export = raw / "demo" / SAMPLE_HEVY.name
    for path in (raw / "demo").iterdir():
        _age(path, 60)
    _age(export, RACY_NS / 1e9 / 4)  # written a moment before the scan: racily clean
    cache_file = tmp_path / "scan.json"
    _scan(raw, cache_file)
    _, cache = _scan(raw, cache_file)
    files = len(list((raw / "demo").iterdir()))
    assert (cache.hits, cache.misses) == (files - 1, 1)


def test_a_damaged_cache_only_costs_reads(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_HEVY.parent, raw / "demo")
    cache_file = tmp_path / "scan.json"
    cache_file.write_text("{not json", encoding="utf-8")
    found, cache = _scan(raw, cache_file)
    assert cache.hits == 0 and found[SAMPLE_HEVY.name].kind != "unknown"
