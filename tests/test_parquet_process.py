"""The Parquet converter process (`pipeline.parquet_process`).

Each case runs in a fresh interpreter, as the command line does: this test
process has imported pyarrow already, and a converter is only started by a
process that has not (`Converter.start` gives one without a process here).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import store
from pipeline.batch import run_batch
from pipeline.parquet_process import Converter

from conftest import ROOT, SEED, write_reports

# A fresh interpreter: do {before}, start a converter, do {action}, stage the
# tables of {out}, print what was staged as JSON (or the type of the error raised).
SCRIPT = """
import json, sys
from pathlib import Path
from pipeline.parquet_process import Converter
from pipeline.store import TABLES
out = Path({out!r})
{before}
converter = Converter.start()
had_process = converter.fileno() is not None
started_by = type(converter._proc).__name__
{action}
pairs = [(out / f"{{name}}.csv", out / "staged" / f"{{name}}.parquet") for name in TABLES]
try:
    staged = converter.stage(pairs)
except Exception as exc:
    print(json.dumps({{"had_process": had_process, "error": type(exc).__name__}}))
else:
    print(json.dumps({{"had_process": had_process, "staged": [[str(a), str(b)] for a, b in staged],
                       "pyarrow_here": "pyarrow" in sys.modules, "started_by": started_by}}))
converter.close()
"""


def _run(out: Path, action: str = "pass", before: str = "pass") -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", SCRIPT.format(out=str(out), action=action, before=before)], env=env,
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture()
def tables(tmp_path: Path) -> Path:
    """An output folder with the CSV tables of the bundled report and one more."""
    src = write_reports(tmp_path / "in", {"short": "某区2024年法治政府建设年度报告\n全年出庭应诉12次，培训2.5万人次。"},
                        copies=(SEED,))
    out = tmp_path / "out"
    run_batch([str(src)], out, jobs=1, formats=("csv",))
    (out / "staged").mkdir()
    return out


def _expected(out: Path, tmp_path: Path) -> dict[str, bytes]:
    """Each table converted in this process."""
    got = {}
    for name in store.TABLES:
        target = tmp_path / f"{name}.parquet"
        store.csv_to_parquet(out / f"{name}.csv", target)
        got[name] = target.read_bytes()
    return got


# Where no process can be forked (Windows; macOS's default): spawned instead
SPAWN_ONLY = ("import multiprocessing as mp\n"
              "spawning = mp.get_context('spawn')\n"
              "mp.get_all_start_methods = lambda: ['spawn']\n"
              "mp.get_context = lambda method=None: spawning")
CASES = {
    # (what is done before the converter starts, what happens to it before `stage`)
    "converts": ("pass", "pass"),
    "spawned": (SPAWN_ONLY, "pass"),
    # it died (the kernel killed it, a crash): converted in the asking process instead
    "died": ("pass", "converter._proc.kill(); converter._proc.join()"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_converter_stages_the_same_files_as_a_conversion_here(case: str, tables: Path, tmp_path: Path):
    before, action = CASES[case]
    answer = _run(tables, action, before)
    assert answer["had_process"]
    assert answer["started_by"] == ("SpawnProcess" if case == "spawned" else "ForkProcess")
    # converted by the converter process, the asking process never imports pyarrow;
    # when it died, the asking process converts
    assert answer["pyarrow_here"] is (case == "died")
    expected = _expected(tables, tmp_path)
    staged = {Path(target).stem: Path(tmp) for tmp, target in answer["staged"]}
    assert sorted(staged) == sorted(store.TABLES)
    for name, tmp in staged.items():
        assert tmp.parent == tables / "staged" and tmp.name.endswith(".tmp")
        assert tmp.read_bytes() == expected[name], name


def test_a_conversion_that_fails_raises_its_own_error_and_leaves_nothing(tables: Path):
    # a value no Parquet type holds: the converter answers that it failed, and
    # the asking process meets the error itself, as it did before converters
    (tables / "indicators.csv").write_text("\ufeffdoc_id,value\r\nx,not-a-number\r\n", encoding="utf-8")
    answer = _run(tables)
    assert answer == {"had_process": True, "error": "ArrowInvalid"}
    assert list((tables / "staged").iterdir()) == []


def test_an_unused_converter_stops_at_once():
    # a run with nothing to convert (every document current) stops it while it may still be importing
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = ("import time\nfrom pipeline.parquet_process import Converter\nc = Converter.start()\n"
            "proc = c._proc\nt = time.monotonic()\nc.close()\n"
            "print(proc.is_alive(), round(time.monotonic() - t, 3), c.fileno())")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=ROOT)
    alive, seconds, fileno = done.stdout.split()
    assert (alive, fileno) == ("False", "None") and float(seconds) < 2, done.stderr


def test_a_process_that_has_pyarrow_converts_itself(tables: Path, tmp_path: Path):
    # this test process imported pyarrow: a converter process would gain nothing
    import pyarrow  # noqa: F401

    converter = Converter.start()
    assert converter.fileno() is None
    pairs = [(tables / f"{name}.csv", tables / "staged" / f"{name}.parquet") for name in store.TABLES]
    staged = converter.stage(pairs)
    expected = _expected(tables, tmp_path)
    assert {Path(target).stem: Path(tmp).read_bytes() for tmp, target in staged} == expected
