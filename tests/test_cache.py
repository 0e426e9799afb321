"""The user cache of compiled rules and of the division table (pipeline.cache).

A cached value must be the value: reused only while every file it was made
from and the program are unchanged, and a damaged or unwritable cache must
cost time only, never a wrong result or a failed run.
"""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from pipeline import cache, regions
from pipeline import rules as R
from pipeline.extract import extract
from pipeline.output import report_json

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "nankai-gov-office-2025.txt"


@pytest.fixture
def builds(monkeypatch, tmp_path):
    """An empty cache folder, no rules or tables in memory, and a count of real builds."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    R._load_rules_cached.cache_clear()
    regions.load_table.cache_clear()
    count = {"rules": 0, "divisions": 0}
    build_rules, parse_table = R._build_rules, regions._parse_table

    def counted_rules(*a):
        count["rules"] += 1
        return build_rules(*a)

    def counted_table(*a):
        count["divisions"] += 1
        return parse_table(*a)

    monkeypatch.setattr(R, "_build_rules", counted_rules)
    monkeypatch.setattr(regions, "_parse_table", counted_table)
    yield count
    R._load_rules_cached.cache_clear()
    regions.load_table.cache_clear()


def _fresh_process() -> None:
    """What a new process has in memory: nothing."""
    R._load_rules_cached.cache_clear()
    regions.load_table.cache_clear()


def _output(rules) -> bytes:
    return report_json(extract(SEED, rules))


def test_rules_and_table_from_the_cache_give_the_same_outputs(builds):
    first = R.load_rules()
    want = _output(first)
    assert builds == {"rules": 1, "divisions": 1}
    assert len(list(Path(cache.cache_dir()).glob("rules-*.pickle"))) == 1
    assert len(list(Path(cache.cache_dir()).glob("divisions-*.pickle"))) == 1
    _fresh_process()
    again = R.load_rules()
    assert _output(again) == want
    assert builds == {"rules": 1, "divisions": 1}, "a second process built again instead of reading the cache"
    assert again is not first and again.version == first.version


def _touch(path: Path) -> None:
    """Change a file's bytes, not its meaning."""
    data = path.read_bytes()
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(gzip.decompress(data), mtime=12345))
    else:
        path.write_bytes(data + b"\n# edited\n")


def test_any_change_of_any_rules_file_is_a_new_entry(builds, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(R.default_rules_dir(), folder)
    R.load_rules(folder).divisions
    assert builds == {"rules": 1, "divisions": 1}
    # every file, the report types' packs (rules/types/<type>/) included
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert {p.name for p in files} >= {f.name for f in R.FILES if not f.optional} | {"divisions.csv.gz"}
    for n, path in enumerate(files, start=2):
        _touch(path)
        _fresh_process()
        R.load_rules(folder).divisions
        assert builds["rules"] == n, f"a change of {path.name} reused the cached rules"
    assert builds["divisions"] == 2  # the table again only when the table changed


def test_a_change_of_the_program_is_a_new_entry(builds, monkeypatch):
    R.load_rules().divisions
    monkeypatch.setattr(R, "program_version", lambda: "9.9.9+another")
    monkeypatch.setattr(regions, "program_version", lambda: "9.9.9+another")
    _fresh_process()
    R.load_rules().divisions
    assert builds == {"rules": 2, "divisions": 2}


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "flipped", "header"])
def test_a_damaged_cache_is_rebuilt(builds, damage):
    want = _output(R.load_rules())
    for path in Path(cache.cache_dir()).glob("*.pickle"):
        data = path.read_bytes()
        damaged = {"garbage": b"\x80\x05not a pickle" * 50, "empty": b"", "truncated": data[: len(data) // 2],
                   "flipped": data[:-40] + bytes([data[-40] ^ 1]) + data[-39:],
                   "header": b"X" + data[1:]}[damage]
        path.write_bytes(damaged)
    _fresh_process()
    assert _output(R.load_rules()) == want
    assert builds == {"rules": 2, "divisions": 2}
    _fresh_process()
    R.load_rules().divisions
    assert builds == {"rules": 2, "divisions": 2}, "the damaged files were not replaced"


def test_an_unwritable_cache_still_runs(builds, monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # cannot be created, even by root
    want = _output(R.load_rules())
    _fresh_process()
    assert _output(R.load_rules()) == want
    assert builds == {"rules": 2, "divisions": 2}


def test_broken_rules_are_never_cached(builds, tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(R.default_rules_dir(), folder)
    (folder / "units.yaml").write_text("units: [not, a, mapping\n", encoding="utf-8")
    for _ in range(2):
        _fresh_process()
        with pytest.raises(R.RulesError):
            R.load_rules(folder)
    assert builds["rules"] == 2
    assert not list(Path(cache.cache_dir()).glob("rules-*"))


def test_only_the_newest_files_of_a_kind_stay(builds):
    # a new program or rules version writes its own files: the oldest go
    import os

    folder = cache.cache_dir()
    for i in range(cache.KEEP_PER_KIND + 2):
        assert cache.load_or_build("probe", f"version {i}".encode(), lambda i=i: i) == i
        newest = max(folder.glob("probe-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
        os.utime(newest, ns=(i * 10**9, i * 10**9))  # clearly ordered, whatever the clock's resolution
    left = sorted(folder.glob("probe-*.pickle"), key=lambda p: p.stat().st_mtime_ns)
    assert len(left) == cache.KEEP_PER_KIND
    # the newest ones are the ones kept: they still load without a build
    for i in range(2, cache.KEEP_PER_KIND + 2):
        assert cache.load_or_build("probe", f"version {i}".encode(), lambda: "built again") == i
    (folder / "other-kind.pickle").write_bytes(b"x")  # another kind's files are not touched
    cache.prune("probe", keep=0)
    assert not list(folder.glob("probe-*.pickle")) and (folder / "other-kind.pickle").exists()
