"""pipeline.tokenize: jieba's words, exactly, from a cached dictionary read lazily.

The tokenizer must cut every text as jieba itself does (same dictionary, same
user words, no HMM): cue matching depends on it. Its cache must never change a
result: a damaged, stale or unwritable cache costs time only.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import cache
from pipeline import tokenize as T

ROOT = Path(__file__).resolve().parent.parent
TEXTS = sorted((ROOT / "corpus").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "generalise").glob("*.txt"))


@pytest.fixture(scope="module")
def jieba_tk(rules):
    """jieba itself, set up as the pipeline's words say."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer()
    tk.initialize()
    for word, freq in T.user_words(rules):
        tk.add_word(word, freq=freq)
    return tk


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """A process state with no dictionary loaded and an empty cache folder."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(T, "_base", None)
    monkeypatch.setattr(T, "_tokenizers", {})
    return tmp_path / "cache"


@pytest.mark.parametrize("path", TEXTS, ids=[p.stem for p in TEXTS])
def test_same_words_as_jieba_on_reports(path, rules, jieba_tk):
    text = path.read_text(encoding="utf-8")
    assert list(T.tokenizer(rules).cut(text)) == list(jieba_tk.cut(text, HMM=False))


# Report characters, ASCII letters and digits (jieba glues single ones),
# jieba's own block characters (+#&._%-) and every kind of space it keeps apart.
_ALPHABET = "".join(sorted(set(TEXTS[0].read_text(encoding="utf-8")) - {"\n"})) + "abcXYZ0189+#&._%-  \t\r\n\u3000"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_same_words_as_jieba_on_any_text(rules, jieba_tk, text):
    assert list(T.tokenizer(rules).cut(text)) == list(jieba_tk.cut(text, HMM=False))


# Dictionaries made up for the cache tests (jieba's format: word frequency [tag]).
SMALL_DICT = "行政 500 n\n复议 400 n\n行政复议 30 n\n案件 300 n\n复议案件 900 n\n办理 200 v\n"
OTHER_DICT = "行政 500 n\n复议 400 n\n行政复议 9000 n\n案件 300 n\n复议案件 10 n\n办理 200 v\n"
SENTENCE = "办理行政复议案件"


def _small(monkeypatch, tmp_path, content: str) -> Path:
    source = tmp_path / "dict.txt"
    source.write_text(content, encoding="utf-8")
    monkeypatch.setattr(T, "jieba_dictionary_file", lambda: source)
    return source


def _cut(words=()) -> list[str]:
    return list(T.Tokenizer(list(words)).cut(SENTENCE))


def _jieba_cut(source: Path, words=()) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tk = jieba.Tokenizer(str(source))
    tk.tmp_dir = str(source.parent)
    for w, f in words:
        tk.add_word(w, freq=f)
    return list(tk.cut(SENTENCE, HMM=False))


def test_cache_is_built_once_then_read(fresh, monkeypatch, tmp_path):
    source = _small(monkeypatch, tmp_path, SMALL_DICT)
    assert _cut() == _jieba_cut(source) == ["办理", "行政", "复议案件"]
    files = list(fresh.glob("jieba-*.dict"))
    assert len(files) == 1
    monkeypatch.setattr(T, "_base", None)
    monkeypatch.setattr(T, "build_freq", lambda _: pytest.fail("the cache was not used"))
    assert _cut() == ["办理", "行政", "复议案件"]


def test_a_changed_dictionary_is_a_new_cache(fresh, monkeypatch, tmp_path):
    source = _small(monkeypatch, tmp_path, SMALL_DICT)
    assert _cut() == ["办理", "行政", "复议案件"]
    source.write_text(OTHER_DICT, encoding="utf-8")
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    monkeypatch.setattr(T, "_base", None)
    assert _cut() == _jieba_cut(source) == ["办理", "行政复议", "案件"]
    assert len(list(fresh.glob("jieba-*.dict"))) == 2


def test_user_words_as_jieba_add_word(fresh, monkeypatch, tmp_path):
    source = _small(monkeypatch, tmp_path, SMALL_DICT)
    # a new word, a prefix that is also a word, a word given twice (the last frequency wins)
    words = [("理行", 100), ("办理行政复议", 5), ("办理行", 3), ("理行", 100000)]
    assert _cut(words) == _jieba_cut(source, words)


@pytest.mark.parametrize("damage", ["garbage", "empty", "truncated", "flipped"])
def test_a_damaged_cache_is_rebuilt(fresh, monkeypatch, tmp_path, damage, caplog):
    source = _small(monkeypatch, tmp_path, SMALL_DICT)
    want = _cut()
    (path,) = fresh.glob("jieba-*.dict")
    data = path.read_bytes()
    if damage == "garbage":
        data = b"\x00not a dictionary" * 10
    elif damage == "empty":
        data = b""
    elif damage == "truncated":
        data = data[:-7]
    else:  # a block's bytes changed, the file's size and head intact
        data = data[:-3] + bytes(b ^ 0x55 for b in data[-3:])
    path.write_bytes(data)
    monkeypatch.setattr(T, "_base", None)
    with caplog.at_level(logging.DEBUG, logger="pipeline.tokenize"):
        assert _cut() == want
    assert path.read_bytes() != data, "the damaged file was not replaced"


def test_an_unwritable_cache_still_cuts(fresh, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # mkdir fails, even for root
    source = _small(monkeypatch, tmp_path, SMALL_DICT)
    assert _cut() == _jieba_cut(source)


def test_cache_folder_is_the_users(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "govreport"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert cache.cache_dir() == Path.home() / ".cache" / "govreport"
    monkeypatch.setenv(cache.ENV, str(tmp_path / "mine"))
    assert cache.cache_dir() == tmp_path / "mine"


def test_a_process_with_the_cache_never_imports_jieba():
    source = T.jieba_dictionary_file()
    if not (cache.cache_dir() / T._cache_name(source)).is_file():
        T._rebuild(source)  # the session's cache is built
    code = ("import sys; from pipeline.rules import load_rules; from pipeline.tokenize import word_boundaries; "
            "b = word_boundaries('办理行政复议案件12件', load_rules()); "
            "assert 'jieba' not in sys.modules, 'jieba imported'; print(sorted(b))")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_only_office_names_stay_whole(rules):
    """A cue joined to 局 stays one word only where it names an office (行政复议局);
    a verb before 局党组 keeps its own word (召开局党组会议: 召开 | 局)."""
    words = list(T.tokenizer(rules).cut("行政复议局的地址，全年召开局党组会议22次，列席局党组会议7次"))
    assert "行政复议局" in words
    assert "召开" in words and "列席" in words
