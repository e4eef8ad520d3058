"""FastVader gives exactly NLTK's VADER scores (analysis.sentiment.vader_analyzer)."""
from __future__ import annotations

import string
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.sentiment import vader_analyzer
from analysis.vader_fast import FastVader, fast_vader

KEYS = ("neg", "neu", "pos", "compound")
CORPUS_FOLDERS = ("ru_ua_war_2022", "us_ru_ua_talks_2025_whitehouse")


@lru_cache(maxsize=None)
def _fast(**kwargs) -> FastVader:
    return FastVader.from_analyzer(vader_analyzer(), **kwargs)


@lru_cache(maxsize=None)
def _fast_generic_tokens() -> FastVader:
    # The literal-port tokenizer that FastVader falls back to if nltk's punctuation rule changes.
    fast = FastVader.from_analyzer(vader_analyzer(), cache_size=0)
    fast._fast_tokens = False
    return fast


def _mismatch(text, fast=None):
    """None when FastVader and NLTK agree exactly (same keys, same floats, same repr so that
    even the sign of a zero agrees), else a description."""
    ref = vader_analyzer().polarity_scores(text)
    got = (fast or _fast()).polarity_scores(text)
    if list(got) != list(ref) or any(got[k] != ref[k] or repr(got[k]) != repr(ref[k])
                                     for k in KEYS):
        return (text, ref, got)
    return None


# -- (1) every sentence of the shared corpus ---------------------------------------------------
@pytest.mark.slow
@pytest.mark.shared
def test_identical_to_nltk_on_every_corpus_sentence(corpus_sources):
    from analysis import load_corpus, sentences_table
    texts = []
    for folder in CORPUS_FOLDERS:
        texts += sentences_table(load_corpus(corpus_sources / folder))["text"].tolist()
    assert len(texts) > 20_000
    analyzer = vader_analyzer()
    reference = [tuple(analyzer.polarity_scores(t)[k] for k in KEYS) for t in texts]

    for fast in (FastVader.from_analyzer(analyzer), FastVader.from_analyzer(analyzer, cache_size=0)):
        many = fast.score_many(texts)
        one_by_one = [tuple(fast.polarity_scores(t)[k] for k in KEYS) for t in texts]
        bad = [(t, r, m, o) for t, r, m, o in zip(texts, reference, many, one_by_one)
               if not (r == m == o and repr(r) == repr(m) == repr(o))]
        assert not bad, f"{len(bad)} of {len(texts)} sentences differ, e.g. {bad[:3]}"


# -- (2) hand-written tricky strings ----------------------------------------------------------
TRICKY = [
    # empty, blank, punctuation only, one-character tokens
    "", " ", "   \t\n  ", "\u00a0\u2003\u3000", ".", "!", "?", "!!!", "???", "?!?!", "...", "a",
    "I", "a b c", "! ? . , ; :", "-- -- --", "'\"'\"", string.punctuation, "#", "#BAD",
    # plain words and punctuation emphasis
    "good", "The talks were good.", "The strikes were terrible.", "good!", "good!!", "good!!!",
    "good!!!!", "good!!!!!!!!", "bad!!!!!!", "good?", "good??", "good???", "good????", "good?!?",
    "good !!! ???", "Is it good?? Is it bad??", "good. bad! ugly?",
    "VADER is smart, handsome, and funny.", "VADER is smart, handsome, and funny!",
    # negation
    "not good", "not bad", "isn't bad", "isnt bad", "It isn't bad at all.", "never good",
    "never so good", "never this good", "never so bad", "Never so good", "never SO good",
    "not so good", "not very good", "not the best", "this is not the worst", "no doubt",
    "no doubt it was good", "without doubt", "without a doubt the best", "nothing good",
    "nowhere near good", "neither good nor bad", "hardly good", "rarely good", "seldom bad",
    "despite the good news", "won't help", "wouldn't hurt", "can't stand it", "cannot complain",
    "ain't nothin good", "don't like", "doesn't love", "uh-uh good", "nope good",
    "I do n't like it", "shouldn't've loved",
    # "least"
    "least good", "the least good", "at least good", "very least good", "at least it is bad",
    "least", "LEAST good", "not least good", "good least",
    # "but"
    "good but bad", "bad but good", "The food was great but the service was awful.",
    "but good", "good but", "BUT good", "good BUT bad", "but but good", "good, but bad, but ugly",
    "good butter", "but", "But they failed, but they tried.",
    # caps
    "GOOD", "GOOD bad", "good BAD", "GOOD BAD", "The food is GREAT!", "VERY good", "very GOOD",
    "VERY GOOD food", "EXTREMELY bad idea", "it is BAD and GOOD", "KIND of good", "I LOVE it",
    "I love IT", "WAR", "NOT good", "not GOOD", "Never SO good", "THE BOMB",
    # boosters, dampeners, "kind of", "sort of"
    "very good", "extremely good", "extremely bad", "very very good", "so good", "really bad",
    "kind of good", "kinda good", "kind-of good", "sort of good", "sorta bad", "sort of bad",
    "kind of kind", "kind", "He is kind", "He is kind of kind", "a kind man, kind of",
    "kind of a kind person", "just enough good", "it was just enough to be good",
    "barely good", "slightly bad", "somewhat good", "little good", "more good", "most bad",
    "good very", "it was so so good", "this good", "this is so good", "so this is good",
    "The service was extremely, really, very good",
    # idioms
    "the bomb", "this is the bomb", "It was the bomb!", "The bomb exploded", "the shit",
    "that is the shit", "bad ass", "a bad ass movie", "yeah right", "oh yeah right",
    "cut the mustard", "it does not cut the mustard", "kiss of death", "the kiss of death",
    "living hand to mouth", "hand to mouth", "the bomb is the bomb", "bomb the bomb",
    # emoticons and emoji (NLTK's port has no emoji lexicon; emoji are plain tokens)
    ":)", ":-)", ":(", ":-(", ";)", ":D", ":d", "XD", "xd", "<3", "</3", ":P", ":p", "(:",
    "):", "D:", "=)", "good :)", "bad :(", "I <3 it", "good:)", ":)good", "\U0001F600",
    "good \U0001F600", "\U0001F621 bad \U0001F621", "\u2764\ufe0f love", "lol", "LOL", "lmao",
    "ok", "OK", "fav", "sob", "muah",
    # attached punctuation (NLTK's punctuation map)
    "(good)", "good.", ".good", "'good'", "\"good\"", "good,", ",good", "good!?!", "good?!?!",
    "good!?!?", "good!!!?", "--good--", "-good-", "good...", "...good", "''good", "good''",
    "good.bad", "good-bad", "good's", "good'", "'good", "(bad", "bad)", "[good]", "*good*",
    "#good", "@good", "good#", "hello!!!!", "!!!!hello", "good!!!! bad", ":good:",
    # unicode
    "caf\u00e9 tr\u00e8s bon", "\uff27\uff2f\uff2f\uff24", "\u01c5", "\u0130yi good",
    "good\u200bbad", "good\u00a0bad", "na\u00efve good", "\u201cgood\u201d", "\u2018bad\u2019",
    "\u00ab good \u00bb", "good \u2014 bad", "\u041f\u0443\u0442\u0438\u043d good",
    "\u0423\u043a\u0440\u0430\u0457\u043d\u0430", "good\u2026", "GOOD \u00e9t\u00e9",
    # repeated tokens (NLTK scores repeats in the context of their first occurrence)
    "good good good", "not good good", "good not good", "very good. very good.",
    "no no no", "no", "No.", "NO", "the the the bomb", "least least good",
    # long
    " ".join(["The talks were good, but the strikes were terrible and not helpful."] * 40),
    "good " * 500 + "bad " * 300 + "not " * 50 + "!" * 10,
    " ".join(["VERY", "good", "KIND", "of", "bad", "never", "so", "great", "but", "awful"] * 100),
    "x" * 10_000, "!" * 5_000, "GOOD " * 1000,
]


@pytest.mark.parametrize("text", TRICKY)
def test_identical_to_nltk_on_tricky_strings(text):
    assert _mismatch(text) is None
    assert _mismatch(text, _fast(cache_size=0)) is None
    assert _mismatch(text, _fast_generic_tokens()) is None


def test_score_many_and_repeated_calls_agree():
    fast = _fast()
    many = fast.score_many(TRICKY)
    assert many == [tuple(fast.polarity_scores(t)[k] for k in KEYS) for t in TRICKY]
    first = fast.polarity_scores("The food was great!")
    first["compound"] = 99.0  # callers may mutate the dict; the cache must not see it
    assert fast.polarity_scores("The food was great!") == \
        vader_analyzer().polarity_scores("The food was great!")


def test_same_lexicon_and_constants_as_nltk():
    analyzer = vader_analyzer()
    fast = fast_vader()
    assert fast.lexicon == analyzer.lexicon and list(fast.lexicon) == list(analyzer.lexicon)
    assert fast._fast_tokens  # the proven fast tokenizer is active for this nltk
    assert fast._NEGATE == analyzer.constants.NEGATE
    assert fast._BOOSTER == analyzer.constants.BOOSTER_DICT


def test_non_str_input_behaves_like_nltk():
    class Text:
        def __init__(self, s):
            self.s = s

        def encode(self, encoding):
            return self.s.encode(encoding)

        def count(self, sub):
            return self.s.count(sub)

    for s in ["good!!", "not bad", ""]:
        ref = vader_analyzer().polarity_scores(Text(s))
        assert _fast().polarity_scores(Text(s)) == ref
    with pytest.raises(AttributeError):
        vader_analyzer().polarity_scores(b"good")
    with pytest.raises(AttributeError):
        _fast().polarity_scores(b"good")


# -- (3) property test ------------------------------------------------------------------------
def _vocabulary():
    c = vader_analyzer().constants
    lexicon = sorted(vader_analyzer().lexicon)
    special = ["but", "kind", "of", "sort", "least", "at", "very", "never", "so", "this", "the",
               "no", "doubt", "not", "yeah", "right", "bomb", "shit", "bad", "ass", "cut",
               "mustard", "kiss", "death", "hand", "to", "mouth", "just", "enough", "war",
               "talks", "peace", "x", "I", "a"]
    words = special + sorted(c.NEGATE) + sorted(c.BOOSTER_DICT) + sorted(c.SPECIAL_CASE_IDIOMS)
    return lexicon, words, list(c.PUNC_LIST)


_LEXICON, _WORDS, _PUNC = _vocabulary()
_word = st.one_of(st.sampled_from(_LEXICON), st.sampled_from(_WORDS), st.sampled_from(_WORDS),
                  st.text(alphabet="abcXYZ'-", min_size=1, max_size=4))
_case = st.sampled_from([str, str, str.upper, str.title, str.lower])
_affix = st.one_of(st.just(""), st.just(""), st.sampled_from(_PUNC),
                   st.text(alphabet=string.punctuation, min_size=1, max_size=4))
_token = st.one_of(
    st.builds(lambda pre, w, case, post: pre + case(w) + post, _affix, _word, _case, _affix),
    st.sampled_from(_PUNC + ["!!!!", "?", "??", "!?", ":)", ":(", "<3", ":D", "\U0001F600"]),
)
_sep = st.sampled_from([" ", " ", " ", "  ", "\t", "\n", "\u00a0", ", ", "! ", "? "])
_text = st.builds(lambda parts: "".join(tok + sep for tok, sep in parts),
                  st.lists(st.tuples(_token, _sep), max_size=40))


@settings(max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text)
def test_identical_to_nltk_on_random_vader_text(text):
    assert _mismatch(text) is None
    assert _mismatch(text, _fast_generic_tokens()) is None


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_identical_to_nltk_on_arbitrary_unicode(text):
    assert _mismatch(text) is None


# -- (4) the batch path (score_array / score_many) ----------------------------------------------
def _nltk_rows(texts):
    analyzer = vader_analyzer()
    return [tuple(analyzer.polarity_scores(t)[k] for k in KEYS) for t in texts]


def _same_rows(got, ref):
    return got == ref and [list(map(repr, g)) for g in got] == [list(map(repr, r)) for r in ref]


def test_batch_identical_to_nltk_on_tricky_strings():
    fast = FastVader.from_analyzer(vader_analyzer())
    texts = TRICKY + TRICKY[::-1]  # duplicates take the by-text path
    rows = fast.score_many(texts)
    assert _same_rows(rows, _nltk_rows(texts))
    assert fast.score_array(texts).shape == (len(texts), 4)
    assert fast.score_array([]).shape == (0, 4) and fast.score_many([]) == []


def test_batch_separator_inside_a_text_falls_back_to_per_text_split():
    # "\x00" is the batch path's boundary token; a text holding it must not shift boundaries.
    texts = ["good \x00 bad", "\x00", "not \x00 good!!", "terrible"]
    assert _same_rows(FastVader.from_analyzer(vader_analyzer()).score_many(texts),
                      _nltk_rows(texts))


def test_batch_token_memo_bound_is_respected(monkeypatch):
    # The token memo belongs to the pure-Python batch path: hide the compiled scorer.
    import analysis.vader_fast
    monkeypatch.setattr(analysis.vader_fast, "_native_vader", None)
    fast = FastVader.from_analyzer(vader_analyzer(), token_cache_size=5)
    texts = ["The talks were good.", "The strikes were terrible!!", "not so bad", "good"]
    for _ in range(2):  # second round starts from a memo emptied by the bound
        assert _same_rows(fast.score_many(texts), _nltk_rows(texts))
    others = ["Peace is welcome.", "War is awful."]
    assert _same_rows(fast.score_many(others), _nltk_rows(others))
    # Over the bound, the first batches' tokens were dropped to make room for the new ones.
    assert "terrible!!" not in fast._tok_id and "welcome." in fast._tok_id


def test_python_round_emulation_on_near_ties():
    from analysis.vader_fast import _round
    import numpy as np
    values = [0.0005, 0.0015, 0.0025, 0.1235, -0.00005, -0.00004, 0.00004, 0.9995, 1 / 3,
              -0.12345, 0.12345, 2.675, -2.675, 0.0, -0.0]
    for digits in (3, 4):
        got = _round(np.array(values), digits).tolist()
        assert [repr(g) for g in got] == [repr(round(v, digits)) for v in values]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_text, max_size=25))
def test_batch_identical_to_nltk_on_random_vader_text(texts):
    fast = FastVader.from_analyzer(vader_analyzer())
    assert _same_rows(fast.score_many(texts), _nltk_rows(texts))


def test_compensated_builtin_sum_routes_batches_to_the_per_text_path(monkeypatch):
    """Where builtin sum compensates (CPython 3.12+), NLTK's score follows it; the batch paths
    reproduce a left-to-right sum, so they must then step aside for the per-text path."""
    import numpy as np
    from analysis import vader_fast
    monkeypatch.setattr(vader_fast, "_NAIVE_SUM", False)
    fast = FastVader.from_analyzer(vader_analyzer(), cache_size=0)

    def batch(*args, **kwargs):
        raise AssertionError("a batch path ran")

    monkeypatch.setattr(fast, "_score_unique", batch)
    monkeypatch.setattr(fast, "_native_for", batch)
    texts = [t for t in TRICKY if isinstance(t, str)][:40] + ["The talks were GOOD, but tense!!"]
    expected = [tuple(vader_analyzer().polarity_scores(t)[k] for k in KEYS) for t in texts]
    assert fast.score_many(texts) == expected
    assert fast.score_array(texts).tolist() == [list(e) for e in expected]
