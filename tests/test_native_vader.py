"""The compiled VADER scorer (analysis/_native/vader.c) gives exactly the pure-Python batch path's
floats, and NLTK's: on every sentence of the shared corpus, on tricky and adversarial strings and
on generated text."""
from __future__ import annotations

import string

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.vader_fast as vader_fast
from analysis.sentiment import vader_analyzer
from analysis.vader_fast import FastVader

from test_vader_fast import CORPUS_FOLDERS, TRICKY, _nltk_rows, _text

native = vader_fast._native_vader
pytestmark = pytest.mark.skipif(native is None, reason="analysis._native.vader is not built")


def _new():
    return FastVader.from_analyzer(vader_analyzer())


def _python_path(texts, monkeypatch):
    """score_array through the pure-Python reference (compiled module hidden)."""
    with monkeypatch.context() as m:
        m.setattr(vader_fast, "_native_vader", None)
        return _new().score_array(texts)


def _assert_same(got, ref, texts):
    """Equal floats, zeros of the same sign, row by row."""
    got, ref = np.asarray(got, float).reshape(-1, 4), np.asarray(ref, float).reshape(-1, 4)
    assert got.shape == ref.shape == (len(texts), 4)
    same = ((got == ref) & (np.signbit(got) == np.signbit(ref))).all(axis=1)
    bad = [(texts[k], got[k].tolist(), ref[k].tolist()) for k in np.flatnonzero(~same)[:3]]
    assert same.all(), f"{int((~same).sum())} of {len(texts)} texts differ, e.g. {bad}"


def _nltk_unrounded(texts, monkeypatch):
    """NLTK's neg, neu, pos, compound before ``round`` (its module-level name shadowed)."""
    import nltk.sentiment.vader as nltk_vader
    analyzer = vader_analyzer()
    with monkeypatch.context() as m:
        m.setattr(nltk_vader, "round", lambda x, digits: x, raising=False)
        return [[d[k] for k in ("neg", "neu", "pos", "compound")]
                for d in map(analyzer.polarity_scores, texts)]


def _check(texts, monkeypatch):
    """Rounded scores equal to the Python path's and NLTK's, and the compiled scorer's raw
    doubles equal to NLTK's before rounding (a stricter test than the rounded output)."""
    fast = _new()
    scorer = fast._native_for(vader_fast._native_vader)
    assert scorer is not None  # the compiled path is used
    got = fast.score_array(texts)
    _assert_same(got, _python_path(texts, monkeypatch), texts)
    _assert_same(got, _nltk_rows(texts), texts)
    raw = np.empty((len(texts), 4))
    native.score(scorer, texts, raw)
    _assert_same(raw, _nltk_unrounded(texts, monkeypatch), texts)


@pytest.mark.slow
@pytest.mark.shared
def test_native_identical_on_every_corpus_sentence(corpus_sources, monkeypatch):
    from analysis import load_corpus, sentences_table
    texts = []
    for folder in CORPUS_FOLDERS:
        texts += sentences_table(load_corpus(corpus_sources / folder))["text"].tolist()
    assert len(texts) > 20_000
    _check(texts, monkeypatch)


ADVERSARIAL = [
    # case rules that only Python's str.lower / str.isupper get right
    "\u212aind of good", "\u212aIND of GOOD", "\u212aind \u212af good", "good \u212a\u212a",
    "\u0130yi good", "BUT \u0130 good", "\u03a3\u039f\u03a3 good", "\u1e9e GOOD bad",
    "\u01c4 GOOD", "\u01c5 good", "\ufb00 good", "NEVER \uff33\uff2f good", "b\u00fct good",
    "n\u2019t good", "don\u2019t like", "DON\u2019T LIKE it", "isn\u2019t bad", "\u00e9n't good",
    "L\u00c9AST good", "n'\u0442 good", "\u212aISS of death", "cut the must\u00e4rd",
    # lone surrogates, non-BMP, controls, every kind of whitespace
    "\ud800 good", "good \udfff bad", "\U0001F600\U0001F600 good \U0010FFFF",
    "good\x1cbad", "good\x1fbad\x85not\u2028good\u2029\u3000bad\u200bok",
    "\x00good\x00", "good\x00 bad", "\t\n\x0b\x0c\r good \r\n",
    # punctuation edges: runs longer than PUNC_LIST entries, inner punctuation, one letter left
    "good!!!!", "good!!!!!", "good ! ! ! ! !", "good?? ??", "!!!!good", "good!?!?!", "?!?!good",
    "g!", "!g", "go!", "!go", "'go'", "'go",
    "good.bad.", ".good.", "-good", "good-", "--good", "good--", "good'''", "'''good",
    "!!", "??", "!?", "a!", "!!!!!!!!!!!!!!!!!!!!!!!", "?" * 1000, "good" + "!" * 1000,
    # 0-valued lexicon words, negations with n't, "least" and "kind of" at the edges
    "least", "at least", "very least good", "kind of", "of kind", "kind of", "KIND OF GOOD",
    "Kind Of good", "kind\u00a0of good", "the kind of good", "not least but good",
    # a huge sentence with many distinct words (the word table grows many times)
    " ".join(f"w{k} good{k} not bad" for k in range(20_000)),
    " ".join(["\u00e9" + str(k) for k in range(5000)]) + " GOOD",
]


@pytest.mark.parametrize("chunk", [TRICKY, ADVERSARIAL, TRICKY + ADVERSARIAL + TRICKY])
def test_native_identical_on_tricky_and_adversarial_strings(chunk, monkeypatch):
    _check(chunk, monkeypatch)


def test_native_one_text_at_a_time(monkeypatch):
    # Each call starts an empty word table: results cannot depend on the batch.
    for text in TRICKY[:80] + ADVERSARIAL[:30]:
        _check([text], monkeypatch)


def test_native_empty_and_blank_batches(monkeypatch):
    assert _new().score_array([]).shape == (0, 4)
    _check(["", " ", "\n"], monkeypatch)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_text, max_size=25))
def test_native_identical_on_random_vader_text(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _check(texts, monkeypatch)


_any_char = st.characters(blacklist_categories=(), codec=None)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.text(max_size=80),
                          st.text(alphabet=_any_char, max_size=40),
                          st.text(alphabet=string.punctuation + " aAbBnNtT'\u212a\u0130\u00e9",
                                  max_size=40)), max_size=20))
def test_native_identical_on_arbitrary_unicode(texts):
    with pytest.MonkeyPatch.context() as monkeypatch:
        _check(texts, monkeypatch)


def test_native_rejects_bad_arguments():
    fast = _new()
    scorer = fast._native_for(native)
    with pytest.raises(ValueError):
        native.score(scorer, ["good"], np.empty((2, 4)))
    with pytest.raises(ValueError):
        native.score(scorer, ["good"], np.empty((1, 4), dtype=np.float32))
    with pytest.raises((ValueError, BufferError)):
        native.score(scorer, ["good", "bad"], np.empty((2, 8))[:, ::2])  # not C-contiguous
    with pytest.raises(TypeError):
        native.score(scorer, ["good", b"bad"], np.empty((2, 4)))
    with pytest.raises(TypeError):
        native.score(object(), ["good"], np.empty((1, 4)))
    with pytest.raises(ValueError):
        native.make({}, {}, frozenset(), ["never"], [], [], [], "", 0.0, 0.0, 0.0, 15.0, 0)
    # Non-str items never reach the compiled path: score_array takes NLTK's per-object route.
    class Sub(str):
        pass

    texts = ["good", Sub("not bad!!")]
    assert fast.score_array(texts).tolist() == [list(r) for r in _nltk_rows(texts)]


def test_native_does_not_leak():
    import tracemalloc
    fast = _new()
    texts = TRICKY + ADVERSARIAL[:-2]
    fast.score_array(texts)
    tracemalloc.start()
    try:
        fast.score_array(texts)
        before = tracemalloc.get_traced_memory()[0]
        for _ in range(20):
            fast.score_array(texts)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert after - before < 100_000


# -- regressions of the review of the compiled module (memory safety on hostile arguments) ----
KEYWORDS = ["never", "so", "this", "kiss", "of", "death", "sort"]
IDIOM_TEXTS = ["the kiss of death was good", "a kiss of death", "it was sort of good",
               "sort of bad", "kiss of death good bad", "good"]


def _make(lexicon, idioms, pairs):
    fast = _new()
    return native.make(lexicon, fast._BOOSTER, fast._NEGATE, list(KEYWORDS), idioms, pairs,
                       list(fast.constants.PUNC_LIST), fast._PUNCT_STR, float(fast._B_DECR),
                       float(fast._C_INCR), float(fast._N_SCALAR), float(fast._ALPHA), 7)


def _raw(scorer, texts):
    out = np.empty((len(texts), 4))
    native.score(scorer, texts, out)
    return out


@pytest.mark.parametrize("which", ["idioms", "pairs"])
def test_make_survives_entry_lists_changed_while_parsed(which):
    # Parsing an entry runs __index__, which may change the caller's list: make() must parse a
    # private copy of the entries as they were at the call (it read freed items before).
    lexicon = dict(_new().lexicon)
    idioms, pairs = [(3, 3, 4, 5, -2.5), (2, 6, 4, -1, 1.5)], [(6, 4)]

    class Index:
        def __init__(self, value):
            self.value = value

        def __index__(self):
            (hostile_idioms if which == "idioms" else hostile_pairs).clear()
            return self.value

    hostile_idioms = [(3, Index(3), 4, 5, -2.5), (2, 6, 4, -1, 1.5)] if which == "idioms" \
        else list(idioms)
    hostile_pairs = [(Index(6), 4)] if which == "pairs" else list(pairs)
    hostile = _make(lexicon, hostile_idioms, hostile_pairs)
    assert (hostile_idioms if which == "idioms" else hostile_pairs) == []  # the trigger ran
    _assert_same(_raw(hostile, IDIOM_TEXTS), _raw(_make(lexicon, idioms, pairs), IDIOM_TEXTS),
                 IDIOM_TEXTS)


def test_lexicon_value_that_drops_itself_is_read_safely():
    # A non-float lexicon value converts through __float__, which may delete the value from
    # the dict (it was read while borrowed, then freed). The conversion's result is used.
    class Sub(float):
        pass

    class Drops:
        def __float__(self):
            lexicon.clear()
            return Sub(2.0)

    texts = ["\u00e9t\u00e9 day", "good \u00e9t\u00e9"]
    lexicon = {"\u00e9t\u00e9": Drops()}
    scorer = _make(lexicon, [], [])
    with pytest.warns(DeprecationWarning):
        got = _raw(scorer, texts)
    assert lexicon == {}
    _assert_same(got, _raw(_make({"\u00e9t\u00e9": 2.0}, [], []), texts), texts)


def test_lexicon_is_fixed_after_first_use(monkeypatch):
    # The compiled scorer copies the lexicon's ASCII words once and reads the others from the
    # dict; the Python path memoises per-token look-ups. A lexicon changed after first use would
    # be seen by some of these and not others, so it cannot be changed: both paths keep
    # scoring with the lexicon the analyzer was built from.
    import copy
    analyzer = copy.copy(vader_analyzer())
    analyzer.lexicon = dict(analyzer.lexicon)
    fast = FastVader.from_analyzer(analyzer)
    texts = ["good", "GOOD day", "\u00e9t\u00e9 good", "not bad at all", "caf\u00e9 good",
             "the kiss of death", "\u212aind of good"]
    before = fast.score_array(texts)  # builds the compiled scorer
    assert fast._native_for(native) is not None
    with pytest.raises(TypeError):
        fast.lexicon["good"] = -3.0
    with pytest.raises(TypeError):
        fast.lexicon["caf\u00e9"] = 3.0  # a non-ASCII word: read from the dict by both paths
    with pytest.raises(TypeError):
        del fast.lexicon["good"]
    with pytest.raises(AttributeError):
        fast.lexicon = {"good": -3.0}
    # The NLTK analyzer it was built from keeps its own dict (as in NLTK).
    analyzer.lexicon["good"] = -3.0
    analyzer.lexicon["caf\u00e9"] = 3.0
    got = fast.score_array(texts)
    with monkeypatch.context() as m:
        m.setattr(vader_fast, "_native_vader", None)
        ref = fast.score_array(texts)
    _assert_same(got, before, texts)
    _assert_same(got, ref, texts)
    _assert_same(got, _nltk_rows(texts), texts)
    assert fast.lexicon["good"] == vader_analyzer().lexicon["good"]
