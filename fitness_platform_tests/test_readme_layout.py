"""The README's layout section names every module where it is, and every folder of the suite."""

from __future__ import annotations

import re

from fitness_platform.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "fitness_platform"
TESTS = REPO_ROOT / "fitness_platform_tests"


def _layout_entries() -> dict[str, str]:
    """The layout block's entries: the first word of each line that starts an entry (at the
    margin, or indented by two spaces under ``fitness_platform/``) → that line and its
    deeper-indented continuation lines."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Layout", 1)[1].split("```", 2)[1]
    entries: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        if re.match(r"^(  )?\S", line):  # a package entry, or a top-level one
            current = line.split()[0]
            entries[current] = line
        elif current is not None:
            entries[current] += "\n" + line
    return entries


def test_every_module_of_the_package_is_named_in_its_folder():
    entries = _layout_entries()
    top_level = "\n".join(text for name, text in entries.items() if not name.endswith("/"))
    missing = []
    for module in sorted(PACKAGE.rglob("*.py")):
        if module.name == "__init__.py":
            continue
        folder = module.parent.relative_to(PACKAGE).as_posix()
        text = top_level if folder == "." else entries.get(f"{folder}/", "")
        if not re.search(rf"(?<![\w/]){re.escape(module.name)}", text):
            missing.append(module.relative_to(PACKAGE).as_posix())
    assert missing == [], f"README layout does not name: {missing}"


def test_every_folder_of_the_suite_is_named():
    text = _layout_entries()["fitness_platform_tests/"]
    folders = sorted(p.name for p in TESTS.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert folders, "the suite has test folders"
    assert [f for f in folders if f"{f}/" not in text] == []
