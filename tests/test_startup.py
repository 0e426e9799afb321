"""Start-up: each command imports only what it uses, and the fast start changes no output.

Timings are in benchmarks/startup.py, never here; these tests check what makes
them: which modules a process has loaded, and that the outputs are those of the
plain, uncached way (jieba itself, the rules read afresh), byte for byte.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import tokenize as T
from pipeline.batch import run_batch

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "nankai-gov-office-2025.txt"
GOLDEN = ROOT / "tests" / "golden" / "outputs.sha256"
INPUTS = {"corpus": ROOT / "corpus", "generalise": ROOT / "tests" / "data" / "generalise"}

HEAVY = ("pandas", "pyarrow", "numpy", "duckdb", "matplotlib", "spacy", "dask", "distributed", "pdfplumber",
         "pypdfium2", "docx", "trafilatura", "lxml", "openpyxl", "jieba", "tqdm")


def _modules_after(code: str) -> set[str]:
    """The top-level modules a fresh interpreter has loaded after running `code`."""
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=300,
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _warm_jieba_cache() -> None:
    """The session's cache holds jieba's dictionary (building it is jieba's work, once)."""
    from pipeline import cache

    source = T.jieba_dictionary_file()
    if not (cache.cache_dir() / T._cache_name(source)).is_file():
        T._rebuild(source)


HELP = "from pipeline.cli import main\ntry:\n    main([{arg!r}])\nexcept SystemExit:\n    pass"
EXTRACT = "from pipeline.cli import main\nmain(['extract', {seed!r}, '-o', {out!r}, '-q'{more}])"
CASES = {
    # what runs: (heavy modules it may load, whether it may load the extraction's own libraries)
    "import pipeline": ((), False),
    HELP.format(arg="--help"): ((), False),
    HELP.format(arg="--version"): ((), False),
    "import pipeline\npipeline.extract({seed!r})": ((), True),
    EXTRACT.replace("{more}", ", '--format', 'json,csv'"): ((), True),
    # Parquet needs pyarrow, which the converter process imports (`parquet_process`), never this one
    EXTRACT.replace("{more}", ""): ((), True),
}


@pytest.mark.parametrize("code", CASES, ids=["import", "help", "version", "api-extract", "extract-csv",
                                             "extract-parquet"])
def test_a_command_imports_only_what_it_uses(code, tmp_path):
    _warm_jieba_cache()
    allowed, extracts = CASES[code]
    loaded = _modules_after(code.format(seed=str(SEED), out=str(tmp_path / "out")))
    unwanted = (set(HEAVY) - set(allowed)) & loaded
    assert not unwanted, f"imported: {sorted(unwanted)}"
    if not extracts:  # nothing but the package and the command line
        assert not {"regex", "yaml", "orjson", "csv", "multiprocessing"} & loaded


def test_the_package_names_stay_the_api():
    import pipeline
    import pipeline.extract  # noqa: F401 - the submodule of the same name must not hide the function

    assert callable(pipeline.extract) and not isinstance(pipeline.extract, type(pipeline))
    assert pipeline.records.Report is pipeline.Report
    assert set(pipeline.__all__) <= set(dir(pipeline))
    with pytest.raises(AttributeError):
        pipeline.no_such_name  # noqa: B018


# --- workers share what the parent loaded ------------------------------------------------

@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork here")
def test_forked_workers_inherit_rules_jieba_and_divisions(tmp_path, monkeypatch):
    """With --jobs 2 the parent loads everything once; no worker loads anything again."""
    from pipeline import cache, regions
    from pipeline import rules as R

    log = tmp_path / "loads.txt"

    def recorded(what, real):
        def wrapper(*a, **k):
            with open(log, "a", encoding="utf-8") as f:
                f.write(f"{what} {os.getpid()}\n")
            return real(*a, **k)
        return wrapper

    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))  # nothing cached yet: every load is a build
    monkeypatch.setattr(R, "_build_rules", recorded("rules", R._build_rules))
    monkeypatch.setattr(regions, "_parse_table", recorded("divisions", regions._parse_table))
    monkeypatch.setattr(T, "Tokenizer", recorded("tokenizer", T.Tokenizer))
    monkeypatch.setattr(T, "_tokenizers", {})
    R._load_rules_cached.cache_clear()
    regions.load_table.cache_clear()
    src = tmp_path / "in"
    src.mkdir()
    text = SEED.read_text(encoding="utf-8")
    for i in range(8):
        (src / f"doc{i}.txt").write_text(text.replace("2025", str(2000 + i)), encoding="utf-8")
    try:
        result = run_batch([str(src)], tmp_path / "out", jobs=2, formats=("json",))
    finally:
        R._load_rules_cached.cache_clear()
        regions.load_table.cache_clear()
    assert result.processed == 8 and not result.failed
    loads = log.read_text(encoding="utf-8").split("\n")[:-1]
    assert sorted(w.split()[0] for w in loads) == ["divisions", "rules", "tokenizer"]
    assert {w.split()[1] for w in loads} == {str(os.getpid())}, "a worker loaded again"


# --- the same outputs -------------------------------------------------------------------

def _outputs(out: Path) -> dict[str, str]:
    """sha256 of every output file (not Parquet, whose bytes name the pyarrow version)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir())
            if p.is_file() and p.suffix in (".json", ".csv")}


def _run_all(tmp_path: Path, tag: str) -> dict[str, str]:
    got = {}
    for name, folder in INPUTS.items():
        out = tmp_path / f"{tag}-{name}"
        # relative input paths: the outputs record them, and must not depend on the checkout's place
        cwd = os.getcwd()
        os.chdir(ROOT)
        try:
            run_batch([str(folder.relative_to(ROOT))], out, jobs=1, formats=("json", "csv"))
        finally:
            os.chdir(cwd)
        got.update({f"{name}/{k}": v for k, v in _outputs(out).items()})
    return got


class _JiebaItself:
    """The plain way: jieba's own Tokenizer with the pipeline's user words."""

    def __init__(self, words):
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tk = jieba.Tokenizer()
        self._tk.initialize()
        for w, f in words:
            self._tk.add_word(w, freq=f)

    def cut(self, text):
        return self._tk.cut(text, HMM=False)


def test_outputs_are_those_of_jieba_itself(tmp_path, monkeypatch):
    fast = _run_all(tmp_path, "fast")
    monkeypatch.setattr(T, "_tokenizers", {})
    monkeypatch.setattr(T, "Tokenizer", _JiebaItself)
    plain = _run_all(tmp_path, "plain")
    assert fast == plain


def test_outputs_are_byte_identical_to_the_recorded_ones(tmp_path):
    """tests/golden/outputs.sha256: the outputs before start-up was made fast.

    A deliberate change of the outputs updates it:
        python tests/test_startup.py --update
    """
    got = _run_all(tmp_path, "now")
    want = dict(line.split("  ", 1)[::-1] for line in GOLDEN.read_text(encoding="utf-8").splitlines() if line)
    changed = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
    assert not changed, f"outputs changed: {changed} (if deliberate: python tests/test_startup.py --update)"


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        hashes = _run_all(Path(tmp), "update")
    GOLDEN.write_text("".join(f"{h}  {k}\n" for k, h in sorted(hashes.items())), encoding="utf-8")
    print(f"{GOLDEN}: {len(hashes)} files")


def test_a_spawned_worker_loads_the_rules_once_for_all_its_documents(tmp_path):
    """Where workers are spawned (no fork: Windows, macOS), each loads the
    rules once when it starts, then keeps them for every document: with its
    rules folder gone after the first document, the next ones still go."""
    import multiprocessing as mp
    import shutil

    from pipeline import batch
    from pipeline.rules import default_rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), rules)
    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe()
    proc = ctx.Process(target=batch._worker_main, args=(child, str(rules), []), daemon=True)
    proc.start()
    child.close()
    try:
        for i in range(3):
            doc = tmp_path / f"d{i}.txt"
            doc.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
            conn.send((i, str(doc), str(doc)))
            index, outcome = conn.recv()
            assert index == i and outcome.error is None and outcome.json_bytes
            shutil.rmtree(rules, ignore_errors=True)  # loaded again, it would fail
    finally:
        conn.send(None)
        proc.join(10)
