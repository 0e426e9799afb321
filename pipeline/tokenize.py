"""jieba, loaded once per process, with the rules' domain terms as its user words.

A private `jieba.Tokenizer` is used, never jieba's global one: importing
govreport changes no global state, and a user's own jieba setup is untouched.
Its dictionary loads on first use (about half a second, from jieba's cache),
then once per process; workers of a batch each load it once.

Cues must match whole words: 行政复议 is a cue in "办理行政复议12件" but not in
"行政复议局的地址". The user dictionary holds every cue, plus each cue joined
to an organisation suffix (行政复议局, 信访中心) so jieba keeps such names whole
and the cue inside them does not line up with word boundaries.
"""
from __future__ import annotations

import logging
import threading

from .rules import Rules

log = logging.getLogger(__name__)

# Suffixes that turn a domain term into the name of an office. Kept short on
# purpose: 处/所/科/室 start common words (处理, 所有, 科学) and would mislead jieba.
ORG_SUFFIXES = ("局", "委员会", "中心", "厅", "办公室")

_lock = threading.Lock()
_tokenizers: dict[str, object] = {}


def tokenizer(rules: Rules):
    """The process-wide jieba tokenizer for these rules (built on first call)."""
    tk = _tokenizers.get(rules.version)
    if tk is not None:
        return tk
    with _lock:
        tk = _tokenizers.get(rules.version)
        if tk is None:
            tk = _build(rules)
            _tokenizers[rules.version] = tk
    return tk


def _build(rules: Rules):
    import jieba  # imported here: loading it is the slowest step of start-up

    jieba.setLogLevel(logging.WARNING)  # jieba logs its cache load at INFO to stderr
    tk = jieba.Tokenizer()
    tk.initialize()
    for term in rules.indicators.domain_terms:
        # A high frequency makes jieba prefer the whole term over its pieces.
        tk.add_word(term, freq=50000)
        for suffix in ORG_SUFFIXES:
            tk.add_word(term + suffix, freq=80000)
    log.debug("jieba ready with %d domain terms", len(rules.indicators.domain_terms))
    return tk


def word_boundaries(text: str, rules: Rules) -> set[int]:
    """Offsets in `text` where a jieba word starts or ends."""
    bounds = {0, len(text)}
    pos = 0
    for word in tokenizer(rules).cut(text, HMM=False):
        pos += len(word)
        bounds.add(pos)
    return bounds
