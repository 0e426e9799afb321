"""The README's example sessions are real: every ```console block is run and
its shown output must be the output.

In a console block, `$ govreport …` lines are commands (a line ending in a
backslash continues on the next), the lines after a command are what it
prints: lines starting with `govreport: ` on stderr (in order), the others on
stdout (exactly). Commands run in a folder holding the repository's corpus/,
as on a fresh clone; `govreport extract corpus/ -o outputs/ -q` is the
session's one extraction of the sample archive (the `sample_archive` fixture).
`tools/readme_examples.py` parses and runs the blocks, and rewrites their
outputs after an intended change (`--write`).
"""
from __future__ import annotations

import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT, missing

sys.path.insert(0, str(ROOT / "tools"))
from readme_examples import EXTRACT, console_blocks, run_command  # noqa: E402

README = ROOT / "README.md"
BLOCKS = console_blocks(README.read_text(encoding="utf-8"))


def test_the_readme_has_example_sessions() -> None:
    commands = [cmd for _, session in BLOCKS for cmd, _ in session]
    for needed in ("govreport compare", "govreport audit", "govreport view", "govreport query",
                   "govreport indicators", "report_values", "finding_indicators"):
        assert any(needed in c for c in commands), f"no README example runs {needed}"


@pytest.fixture()
def clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder that looks like a fresh clone: corpus/ and nothing else."""
    (tmp_path / "corpus").symlink_to(CORPUS, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("line_no, session", BLOCKS, ids=[f"README.md:{n}" for n, _ in BLOCKS])
def test_readme_example(line_no: int, session, clone: Path, sample_archive: Path) -> None:
    # every session starts from the extraction (shown in the first block, assumed by later ones)
    shutil.copytree(sample_archive, clone / "outputs")
    for cmd, shown in session:
        if shlex.split(cmd)[1:] == EXTRACT:
            assert shown == [], f"README.md:{line_no}: extract -q prints nothing"
            continue
        if "--chart" in shlex.split(cmd):
            from pipeline import fonts

            if fonts.chart_font() is None:
                pytest.skip(f"README.md:{line_no} draws a chart: {missing('cjk-font')}")
        status, got_out, got_err = run_command(cmd)
        assert status == 0, f"README.md:{line_no}: {cmd} exited {status}: {got_err}"
        fix = "(if the change is right: python tools/readme_examples.py --write)"
        assert got_out == [ln for ln in shown if not ln.startswith("govreport: ")], \
            f"README.md:{line_no}: {cmd}: stdout differs {fix}"
        assert got_err == [ln for ln in shown if ln.startswith("govreport: ")], \
            f"README.md:{line_no}: {cmd}: stderr differs {fix}"


def test_readme_lists_the_columns_of_every_table() -> None:
    """The column order and names are documented once, in the README, and it matches the code."""
    from pipeline.store import TABLES

    text = README.read_text(encoding="utf-8")
    section = text[text.index('<a id="columns"></a>'):]
    listed = dict(re.findall(r"^- `(\w+)`: ([\w ]+)$", section, re.M))
    assert {name: listed.get(name, "").split() for name in TABLES} == {n: list(c) for n, c in TABLES.items()}
