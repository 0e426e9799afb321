"""The README's example sessions are real: every ```console block is run and
its shown output must be the output.

In a console block, `$ govreport …` lines are commands (a line ending in a
backslash continues on the next), the lines after a command are what it
prints: lines starting with `govreport: ` on stderr (in order), the others on
stdout (exactly). Commands run in a folder holding the repository's corpus/,
as on a fresh clone; `govreport extract corpus/ -o outputs/ -q` is the
session's one extraction of the sample archive (the `sample_archive` fixture).
"""
from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from pipeline.cli import main

README = ROOT / "README.md"
EXTRACT = ["extract", "corpus/", "-o", "outputs/", "-q"]


def console_blocks(text: str) -> list[tuple[int, list[tuple[str, list[str]]]]]:
    """[(line number, [(command, output lines)])] of every ```console block."""
    blocks = []
    for m in re.finditer(r"^```console\n(.*?)^```$", text, re.S | re.M):
        line_no = text.count("\n", 0, m.start()) + 1
        session: list[tuple[str, list[str]]] = []
        pending = None
        for line in m.group(1).splitlines():
            if pending is not None:
                pending += " " + line.strip()
                if not pending.endswith("\\"):
                    session.append((pending, []))
                    pending = None
                else:
                    pending = pending[:-1].rstrip()
                continue
            if line.startswith("$ "):
                cmd = line[2:].strip()
                if cmd.endswith("\\"):
                    pending = cmd[:-1].rstrip()
                else:
                    session.append((cmd, []))
            else:
                assert session, f"README.md:{line_no}: output before any command"
                session[-1][1].append(line)
        blocks.append((line_no, session))
    return blocks


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
def test_readme_example(line_no: int, session, clone: Path, sample_archive: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    # every session starts from the extraction (shown in the first block, assumed by later ones)
    shutil.copytree(sample_archive, clone / "outputs")
    for cmd, shown in session:
        argv = shlex.split(cmd)
        assert argv[0] == "govreport", f"README.md:{line_no}: {cmd!r} is not a govreport command"
        if argv[1:] == EXTRACT:
            assert shown == [], f"README.md:{line_no}: extract -q prints nothing"
            continue
        capsys.readouterr()
        status = main(argv[1:])
        out, err = capsys.readouterr()
        assert status == 0, f"README.md:{line_no}: {cmd} exited {status}: {err}"
        want_err = [ln for ln in shown if ln.startswith("govreport: ")]
        want_out = [ln for ln in shown if not ln.startswith("govreport: ")]
        got_out = out.rstrip("\n").split("\n") if out else []
        assert got_out == want_out, f"README.md:{line_no}: {cmd}"
        got_err = [ln for ln in err.rstrip("\n").split("\n") if ln]
        assert got_err == want_err, f"README.md:{line_no}: {cmd}"


def test_readme_lists_the_columns_of_every_table() -> None:
    """The column order and names are documented once, in the README, and it matches the code."""
    from pipeline.store import TABLES

    text = README.read_text(encoding="utf-8")
    section = text[text.index('<a id="columns"></a>'):]
    listed = dict(re.findall(r"^- `(\w+)`: ([\w ]+)$", section, re.M))
    assert {name: listed.get(name, "").split() for name in TABLES} == {n: list(c) for n, c in TABLES.items()}
