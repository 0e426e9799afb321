"""The README's example sessions (```console blocks): parse, run, and rewrite their outputs.

    python tools/readme_examples.py           # check: exit 1 and show what differs
    python tools/readme_examples.py --write   # put the real outputs into README.md

`tests/test_readme_examples.py` runs the same sessions and fails when a shown
output is not the real one. When an extraction or rules change moves a figure
of the sample archive on purpose, review the difference (the first form) and
write it (the second); the README then shows what a fresh clone prints.

Block format: `$ govreport …` lines are commands (a trailing backslash
continues one on the next line); the lines after a command are its output —
lines starting with `govreport: ` are its stderr (in order), the rest its
stdout. Every session runs in a folder with corpus/ and the outputs of
`govreport extract corpus/ -o outputs/ -q` (done once).
"""
from __future__ import annotations

import contextlib
import difflib
import io
import logging
import os
import re
import shlex
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
EXTRACT = ["extract", "corpus/", "-o", "outputs/", "-q"]
_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)


def console_blocks(text: str) -> list[tuple[int, list[tuple[str, list[str]]]]]:
    """[(line number, [(command, output lines)])] of every ```console block of `text`."""
    blocks = []
    for m in _BLOCK.finditer(text):
        line_no = text.count("\n", 0, m.start()) + 1
        session: list[tuple[str, list[str]]] = []
        pending: str | None = None
        for line in m.group(1).splitlines():
            if pending is not None:
                pending += " " + line.strip()
            elif line.startswith("$ "):
                pending = line[2:].strip()
            else:
                if not session:
                    raise ValueError(f"README.md:{line_no}: output before any command")
                session[-1][1].append(line)
                continue
            if pending.endswith("\\"):
                pending = pending[:-1].rstrip()
            else:
                session.append((pending, []))
                pending = None
        blocks.append((line_no, session))
    return blocks


def run_command(cmd: str) -> tuple[int, list[str], list[str]]:
    """Run one `govreport …` command in-process: (status, stdout lines, stderr lines)."""
    from pipeline.cli import main

    argv = shlex.split(cmd)
    if argv[0] != "govreport":
        raise ValueError(f"{cmd!r} is not a govreport command")
    out, err = io.StringIO(), io.StringIO()
    root_handlers = logging.getLogger().handlers[:]
    logging.getLogger().handlers.clear()  # main() attaches its handler to this run's stderr
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv[1:])
    finally:
        logging.getLogger().handlers[:] = root_handlers
    lines = out.getvalue().rstrip("\n").split("\n") if out.getvalue() else []
    return status, lines, [ln for ln in err.getvalue().split("\n") if ln]


def rewrite(text: str) -> str:
    """`text` with every console block's outputs replaced by the real ones (run in the current folder)."""
    def fill(m: re.Match) -> str:
        (_, session), = console_blocks(m.group(0))
        lines: list[str] = []
        body = m.group(1).splitlines()
        i = 0
        for cmd, _ in session:
            while not body[i].startswith("$ "):  # old output lines
                i += 1
            lines.append(body[i])
            while body[i].rstrip().endswith("\\"):
                i += 1
                lines.append(body[i])
            i += 1
            if shlex.split(cmd)[1:] != EXTRACT:
                _, out, err = run_command(cmd)
                lines.extend(out + err)  # stdout, then stderr: the test tells them apart
        return "```console\n" + "\n".join(lines) + "\n```"

    return _BLOCK.sub(fill, text)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    sys.path.insert(0, str(ROOT))
    from pipeline.cli import main as govreport

    text = README.read_text(encoding="utf-8")
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory() as work:
        (Path(work) / "corpus").symlink_to(ROOT / "corpus", target_is_directory=True)
        os.chdir(work)
        try:
            govreport(EXTRACT)
            new = rewrite(text)
        finally:
            os.chdir(cwd)
    if new == text:
        print("README.md: every example shows its real output")
        return 0
    if "--write" in args:
        README.write_text(new, encoding="utf-8")
        print("README.md: example outputs rewritten; review `git diff README.md`")
        return 0
    sys.stdout.writelines(difflib.unified_diff(text.splitlines(True), new.splitlines(True), "README.md",
                                               "README.md (real outputs)"))
    return 1


if __name__ == "__main__":
    sys.exit(main())
