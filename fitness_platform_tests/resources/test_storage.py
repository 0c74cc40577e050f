"""The local output store under failure: a full disk, an unusable folder, concurrent writers."""

from __future__ import annotations

import errno
import os
import threading

import pytest

from fitness_platform.errors import StorageUnavailable
from fitness_platform.resources.storage import LocalStorageResource

KEY = "payloads/athlete=demo/week_start=2024-05-13/weekly_fitness_context.json"


def test_a_full_disk_is_a_clear_error_and_leaves_nothing_behind(tmp_path, monkeypatch):
    storage = LocalStorageResource(root=str(tmp_path / "out"))
    storage.write_bytes(KEY, b"old\n", content_type="application/json")

    def full(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full)  # the rename that would put the new bytes in place
    with pytest.raises(StorageUnavailable) as caught:
        storage.write_bytes(KEY, b"new\n", content_type="application/json")
    assert str(caught.value).startswith(f"cannot write {tmp_path / 'out' / KEY}: No space left")
    monkeypatch.undo()
    folder = (tmp_path / "out" / KEY).parent
    assert sorted(p.name for p in folder.iterdir()) == ["weekly_fitness_context.json"]
    assert storage.read_bytes(KEY) == b"old\n"  # the stored file is whole, as it was


def test_an_output_folder_that_cannot_exist_is_a_clear_error(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output folder should be")
    storage = LocalStorageResource(root=str(blocker))
    with pytest.raises(StorageUnavailable, match="Not a directory"):
        storage.write_bytes(KEY, b"{}\n", content_type="application/json")


def test_two_writers_of_one_key_never_collide(tmp_path):
    storage = LocalStorageResource(root=str(tmp_path / "out"))
    errors: list[BaseException] = []

    def write(content: bytes) -> None:
        try:
            for _ in range(200):
                storage.write_bytes(KEY, content, content_type="application/json")
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(c,)) for c in (b"a\n", b"b\n")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert storage.read_bytes(KEY) in {b"a\n", b"b\n"}
    assert storage.list_keys("payloads/") == [KEY]


def test_a_key_cannot_climb_out_of_the_output_folder(tmp_path):
    storage = LocalStorageResource(root=str(tmp_path / "out"))
    for key in ("../outside.json", "payloads/../../outside.json", "/etc/passwd"):
        with pytest.raises(ValueError, match="escapes the output folder"):
            storage.write_bytes(key, b"{}", content_type="application/json")
    assert not (tmp_path / "outside.json").exists()
    uri = storage.write_bytes("payloads/a/../b.json", b"{}", content_type="application/json")
    assert (tmp_path / "out" / "payloads" / "b.json").read_bytes() == b"{}"
    assert uri.endswith("b.json")


def test_listing_gives_every_file_below_a_prefix_and_no_temporary_one(tmp_path):
    """Keys below a prefix, at any depth and sorted; never a temporary file of a write in
    progress, an empty folder, a file beside the prefix, or anything for a prefix that is absent
    or is a file. The expected keys are the files written, listed by hand."""
    storage = LocalStorageResource(root=str(tmp_path / "out") + "/")  # a root with its slash
    keys = [
        "reports/athlete=b/week_start=2024-05-13/weekly_report.md",
        "reports/athlete=a/week_start=2024-05-20/weekly_report.meta.json",
        "reports/athlete=a/week_start=2024-05-13/weekly_report.md",
        "reports/athlete=a/notes.json",
        "reports.json",
    ]
    for key in keys:
        storage.write_bytes(key, b"{}\n", content_type="application/json")
    (tmp_path / "out" / "reports/athlete=a/week_start=2024-05-13/.x.json.1.tmp").write_bytes(b"")
    (tmp_path / "out" / "reports/athlete=a/week_start=2024-06-03").mkdir()
    assert storage.list_keys("reports/athlete=a/") == [
        "reports/athlete=a/notes.json",
        "reports/athlete=a/week_start=2024-05-13/weekly_report.md",
        "reports/athlete=a/week_start=2024-05-20/weekly_report.meta.json",
    ]
    assert storage.list_keys("reports/") == sorted(keys[:4])
    assert storage.list_keys("") == sorted(keys)
    assert storage.list_keys("payloads/") == []
    assert storage.list_keys("reports.json/") == []


def test_deleting_the_last_file_of_a_folder_removes_the_empty_folders_up_to_the_root(tmp_path):
    """A week whose outputs all went leaves no empty folder; a folder with anything left in it
    stays, the output folder itself stays, and a key can be written again where it was."""
    root = tmp_path / "out"
    storage = LocalStorageResource(root=str(root))
    week1 = "payloads/athlete=a/week_start=2024-05-13"
    week2 = "payloads/athlete=a/week_start=2024-05-20"
    for key in (f"{week1}/p.json", f"{week1}/p.meta.json", f"{week2}/p.json"):
        storage.write_bytes(key, b"{}\n", content_type="application/json")

    storage.delete(f"{week1}/p.json")
    assert (root / week1).is_dir()  # its sidecar is still there
    storage.delete(f"{week1}/p.meta.json")
    assert not (root / week1).exists()
    assert (root / week2 / "p.json").is_file()
    storage.delete(f"{week2}/p.json")
    assert sorted(p.name for p in root.iterdir()) == []  # payloads/ and athlete=a/ went too
    assert root.is_dir()

    storage.delete(f"{week2}/p.json")  # already gone, folders and all: nothing to do
    storage.write_bytes(f"{week1}/p.json", b"[]\n", content_type="application/json")
    assert (root / week1 / "p.json").read_bytes() == b"[]\n"
    assert storage.list_keys("payloads/") == [f"{week1}/p.json"]
