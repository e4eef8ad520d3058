"""The compiled tokenizer and matcher helpers (analysis/_native/tokenmatch.c) give exactly the
pure-Python paths' tables: tokens_table and match_measures on the shared corpus, on generated and
adversarial text and on malformed sentence and tokens tables; \\w agrees with Python's re on every
code point. The matcher's array code (candidate codes, sentence voices, the sorted matches frame)
is checked against per-sentence match_sentence and plain dict look-ups."""
from __future__ import annotations

import re
import sys
from contextlib import contextmanager

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.measures as measures_module
import analysis.tokens as tokens_module
from analysis.measures import (_matches_frame, _sentence_voice_of, _TokenIndex, _compile,
                               match_measures, match_sentence, sentence_voices)
from analysis.rules import FLIPS, is_negated
from analysis.tokens import TOKEN_PATTERN, sentences_table, tokens_table

native = tokens_module._native_tokenmatch
pytestmark = pytest.mark.skipif(native is None, reason="analysis._native.tokenmatch is not built")

LEXICONS = ("frames", "hedges", "boosters", "reporting_verbs")
# Word characters of every kind (non-BMP letters, superscript digits, ligatures, letters whose
# lowercase differs in Python and Arrow), joiners, and what is neither (combining marks, spaces
# of all widths, surrogates, quotes, clause breaks).
TRICKY = ("aZ09_\u00e9\u00df\u0130\u03a3\u03c2\ufb01\u00b2\u0663\u4e2d\U0001d400\U0001d7ce"
          "\U00010400'\u2019.-\u0301 \t\n\u00a0\u2009\u3000\ud800,;:!?\u2014\"\u201c\u201d()$")
ENCODABLE = TRICKY.replace("\ud800", "")  # what an Arrow string column can hold
PHRASES = ["the truth is", "in the neighborhood of", "according to the", "it appears that"]
WORDS = ("may might would said says told not never about some around the I we it is according "
         "to claim claims appear appears think believe suspect clearly certainly May MAY "
         "U.S. don't can't report reports state 30 a third prisoners-of-war 3.5 Kyiv\u2019s "
         "co-operate _x_ \u00e9t\u00e9-l\u00e0 \u0130stanbul \u03a3\u039f\u03a3").split()
# Hand-made edge cases: joiners at ends, doubled, between non-words; empty and blank texts.
ADVERSARIAL = ["", " ", "-", "a-", "-a", "a--b", "a-.b", "a.-b", "a'\u2019b", "a.b.c.", "'a'",
               "\u2019s", "a\u0301b", "\U0001d400-\U0001d7ce", "\ud800a\ud800", "x_y-z.w'v",
               "May 5. MAY said, \u201cnot\u201d about 30 \u2014 would think",
               "\u00a0\u2009\u3000word\u3000", "\u0663\u00b2\ufb01"]


@contextmanager
def _without_native():
    """A block where both stage modules run their pure-Python paths."""
    with pytest.MonkeyPatch.context() as m:
        m.setattr(tokens_module, "_native_tokenmatch", None)
        m.setattr(measures_module, "_native_tokenmatch", None)
        yield


def _both(run):
    """run() with the compiled module, then with the pure-Python path."""
    got = run()
    with _without_native():
        ref = run()
    return got, ref


def test_word_class_is_python_re_w_on_every_code_point():
    text = " ".join(map(chr, range(0x110000)))
    interner = native.Interner()
    interner.scan(text, np.array([0]), np.array([len(text)]), 0)
    _, starts, ends, _, _ = (np.frombuffer(b, dtype=np.int64) for b in interner.columns())
    found = [(m.start(), m.end()) for m in re.finditer(TOKEN_PATTERN, text)]
    assert len(found) > 100_000
    assert list(zip(starts.tolist(), ends.tolist())) == found


def test_interner_codes_each_distinct_text_once():
    interner = native.Interner()
    text = "a b \u00e9 a \U0001d400 b \u00e9"
    assert interner.scan(text, np.array([0, 4]), np.array([len(text), len(text)]), 7) == 12
    assert interner.scan("B a", np.array([0]), np.array([3]), 20) == 2
    rows, starts, _, tok_ids, codes = (np.frombuffer(b, dtype=np.int64)
                                       for b in interner.columns())
    assert interner.words == ["a", "b", "\u00e9", "\U0001d400", "B"]
    assert codes.tolist() == [0, 1, 2, 0, 3, 1, 2, 2, 0, 3, 1, 2, 4, 0]
    assert rows.tolist() == [7] * 7 + [8] * 5 + [20] * 2
    assert tok_ids.tolist() == list(range(12)) + [0, 1]
    assert starts.tolist()[-2:] == [0, 2]


def test_compiled_functions_reject_bad_buffers():
    with pytest.raises(TypeError):
        native.Interner().scan("a b", np.array([0], dtype=np.int32), np.array([3]), 0)
    with pytest.raises(ValueError):
        native.Interner().scan("a b", np.array([0, 1]), np.array([3]), 0)
    with pytest.raises(IndexError):
        native.gather_utf8(["a"], np.array([1]))
    with pytest.raises(TypeError):
        native.gather_utf8(["a", 1], np.array([0]))
    with pytest.raises(UnicodeEncodeError):
        native.gather_utf8(["\ud800"], np.array([0]))
    with pytest.raises(IndexError):
        native.token_lists(np.array([0]), np.array([1]), np.array([5]), ["x"],
                           np.array([0]), np.array([1]))
    with pytest.raises(IndexError):
        native.token_lists(np.array([0]), np.array([1]), np.array([0]), ["x"],
                           np.array([0]), np.array([2]))
    with pytest.raises(IndexError):
        native.gap_flags(["ab"], np.array([3]), np.array([0]), np.array([1]), np.array([0]), ".")


def _assert_same_tables(docs, sentences):
    tokens, ref_tokens = _both(lambda: tokens_table(docs, sentences))
    pd.testing.assert_frame_equal(tokens, ref_tokens, check_exact=True)
    matches, ref_matches = _both(lambda: match_measures(docs, sentences, tokens))
    pd.testing.assert_frame_equal(matches, ref_matches, check_exact=True)
    return tokens, matches


@pytest.mark.slow
@pytest.mark.shared
def test_native_identical_on_shared_corpus(shared_corpus):
    docs = shared_corpus
    sentences = sentences_table(docs)
    tokens, matches = _assert_same_tables(docs, sentences)
    assert len(tokens) > 300_000 and len(matches) > 20_000
    # Sentences cut at arbitrary places (inside words, overlapping, out of order) go through the
    # whole-document scan's fallback in Python: still the same tokens.
    rng = np.random.default_rng(0)
    cut = sentences.sample(frac=1.0, random_state=1).sort_values("doc_id", kind="stable")
    shift = rng.integers(-3, 4, size=(len(cut), 2))
    cut = cut.assign(start=cut["start"] + shift[:, 0], end=cut["end"] + shift[:, 1])
    _assert_same_tables(docs, cut.reset_index(drop=True))


def _sentence_rows(draw, doc_ids, lengths):
    rows = []
    for doc_id, n in zip(doc_ids, lengths):
        bounds = sorted(draw(st.lists(st.integers(0, n), max_size=8)))
        if draw(st.booleans()):  # well-formed: consecutive sentences
            spans = list(zip(bounds[0::2], bounds[1::2]))
        else:  # anything: reversed, overlapping, outside the text
            spans = draw(st.lists(st.tuples(st.integers(-3, n + 3), st.integers(-3, n + 3)),
                                  max_size=5))
        rows += [(doc_id, k, 0, a, b) for k, (a, b) in enumerate(spans)]
    return pd.DataFrame(rows, columns=["doc_id", "sent_id", "seg_id", "start", "end"])


@st.composite
def _docs_and_sentences(draw):
    piece = st.one_of(st.sampled_from(WORDS), st.text(TRICKY, max_size=6),
                      st.sampled_from([" ", ", ", ". ", "\n", " \u2014 ", "'s "]))
    texts = [draw(st.lists(piece, max_size=30).map("".join))
             for _ in range(draw(st.integers(1, 3)))]
    doc_ids = [f"d{k}" for k in range(len(texts))]
    docs = pd.DataFrame({"doc_id": doc_ids, "text": pd.Series(texts, dtype=object)})
    return docs, _sentence_rows(draw, doc_ids, [len(t) for t in texts])


def test_native_identical_on_adversarial_text():
    docs = pd.DataFrame({"doc_id": [f"d{k}" for k in range(len(ADVERSARIAL))],
                         "text": pd.Series(ADVERSARIAL, dtype=object)})
    # sentences_table cannot hold a lone surrogate in its text column; the other tables can.
    encodable = docs[[not re.search("[\ud800-\udfff]", t) for t in docs["text"]]]
    for sentences in (sentences_table(encodable),
                      pd.DataFrame({"doc_id": docs["doc_id"], "sent_id": 0, "seg_id": 0,
                                    "start": 0, "end": docs["text"].str.len()}),
                      pd.DataFrame({"doc_id": docs["doc_id"], "sent_id": 0, "seg_id": 0,
                                    "start": 1, "end": docs["text"].str.len() - 1})):
        _assert_same_tables(docs, sentences)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs_and_sentences())
def test_native_identical_on_generated_text(case):
    docs, sentences = case
    _assert_same_tables(docs, sentences)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_docs_and_sentences(), st.data())
def test_gap_flags_and_token_lists_identical_on_malformed_tokens(case, data):
    docs, sentences = case
    tokens = tokens_table(docs, sentences)
    if len(tokens):
        # Offsets moved off their words, beyond their document, onto a document not in docs.
        n = len(tokens)
        moved = data.draw(st.lists(st.integers(-5, 40), min_size=n, max_size=n))
        tokens = tokens.assign(start=tokens["start"] + np.array(moved, dtype=np.int64),
                               end=tokens["end"] + np.array(moved, dtype=np.int64)[::-1])
        if data.draw(st.booleans()):
            tokens.loc[n - 1, "doc_id"] = "not-in-docs"
    index, ref = _both(lambda: _TokenIndex(docs, sentences, tokens, None))
    assert index.punct_before_count.tolist() == ref.punct_before_count.tolist()
    assert index.break_before.tolist() == ref.break_before.tolist()
    every = np.arange(len(index.edges) - 1)
    got = dict(index.sentence_tokens(every))
    with _without_native():
        expected = ref.sentence_tokens(every)
    assert got.keys() == expected.keys()
    for k in got:
        assert [t[:2] for t in got[k]] == [t[:2] for t in expected[k]]
        assert all(a[2] is b[2] or a[2] == b[2] for a, b in zip(got[k], expected[k]))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(WORDS + ["maybe's", "would's", "'s", ""]),
                          # (a norm is a str an Arrow column can hold: no surrogates)
                          st.text(ENCODABLE, max_size=4)),
                min_size=1, max_size=40))
def test_candidate_codes_are_the_candidate_mask(norms):
    tokens = pd.DataFrame({"doc_id": "d", "sent_id": 0, "seg_id": 0, "tok_id": range(len(norms)),
                           "start": 0, "end": 0, "text": norms, "norm": norms})
    docs = pd.DataFrame({"doc_id": ["d"], "text": pd.Series([""], dtype=object)})
    index = _TokenIndex(docs, tokens[["doc_id", "sent_id", "seg_id"]].head(1), tokens, None)
    for name in LEXICONS:
        compiled = _compile(name)
        expected = np.flatnonzero(compiled.candidate_mask(index.word_series))
        assert index.candidate_codes(compiled).tolist() == expected.tolist()


def _per_sentence_matches(docs, sentences, tokens, lexicons=LEXICONS):
    """The matches table as match_sentence finds hits, sentence by sentence: the reference the
    whole-corpus matcher follows (negation by is_negated, flips relabel, voice by sentence)."""
    voice_of = dict(zip(zip(sentences["doc_id"], sentences["sent_id"]),
                        sentence_voices(sentences, docs, None)))
    texts = dict(zip(docs["doc_id"], docs["text"]))
    rows = []
    for name in lexicons:
        compiled = _compile(name)
        lexicon = compiled.lexicon
        for (doc_id, sent_id), group in tokens.groupby(["doc_id", "sent_id"], sort=False):
            toks = list(zip(group["start"].tolist(), group["end"].tolist(),
                            group["norm"].tolist()))
            for i, j, entry, ctx in match_sentence(compiled, texts[doc_id], toks):
                negated = is_negated(ctx)
                label = (lexicon.measure, entry.category)
                for rule in entry.rules:
                    if negated and rule in FLIPS:
                        label = FLIPS[rule]
                start, end = toks[i][0], toks[j - 1][1]
                rows.append((doc_id, sent_id, start, end, *label, entry.term,
                             texts[doc_id][start:end], negated, voice_of.get((doc_id, sent_id)),
                             lexicon.name))
    return _matches_frame(rows, docs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.one_of(st.sampled_from(WORDS + PHRASES),
                                   st.text(ENCODABLE, max_size=4),
                                   st.sampled_from([" ", ", ", ". ", "\n\n", " \u2014 "])),
                         max_size=40).map("".join), min_size=1, max_size=3),
       st.lists(st.sampled_from(["official", "commentary", "news", "quoted_other"]),
                min_size=3, max_size=3))
def test_matches_are_the_per_sentence_matches(texts, kinds):
    _check_per_sentence(texts, kinds)


def test_matches_nested_across_lexicons_are_the_per_sentence_matches():
    # A booster holding a frame word and a hedge holding one: sorted by start, then end.
    _check_per_sentence(["The truth is, it costs in the neighborhood of $30. The truth is "
                         "near.", "Truth is in the neighborhood."], ["official", "news"])


def _check_per_sentence(texts, kinds):
    docs = pd.DataFrame({"doc_id": [f"d{k}" for k in range(len(texts))],
                         "text": pd.Series(texts, dtype=object),
                         "kind": kinds[:len(texts)]})
    sentences = sentences_table(docs)
    tokens = tokens_table(docs, sentences)
    pd.testing.assert_frame_equal(match_measures(docs, sentences, tokens),
                                  _per_sentence_matches(docs, sentences, tokens),
                                  check_exact=True)
    pd.testing.assert_frame_equal(match_measures(docs, sentences, tokens, measures=["hedge"]),
                                  _per_sentence_matches(docs, sentences, tokens, ["hedges"]),
                                  check_exact=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(-2, 3),
                          st.sampled_from(["official", "reporting", None])), max_size=12),
       st.lists(st.tuples(st.integers(-1, 2), st.integers(-2, 3)), max_size=12))
def test_sentence_voice_lookup_is_the_dict_lookup(rows, wanted):
    sentences = pd.DataFrame(rows, columns=["doc_id", "sent_id", "voice"]).astype(
        {"doc_id": "str", "sent_id": np.int64})
    voices = np.array(sentences["voice"].tolist(), dtype=object)
    doc_names = ["b", "a", "z"]
    codes = np.array([c for c, _ in wanted], dtype=np.int64)
    ids = np.array([i for _, i in wanted], dtype=np.int64)
    docs_of = [doc_names[c] for c in codes.tolist()]
    by_key = dict(zip(zip(sentences["doc_id"].tolist(), sentences["sent_id"].tolist()), voices))
    expected = [by_key.get(key) for key in zip(docs_of, ids.tolist())]
    got = _sentence_voice_of(sentences, voices, doc_names, codes, docs_of, ids)
    assert len(got) == len(expected)
    assert all(g is e for g, e in zip(got, expected))


def test_gap_flags_wrap_offsets_as_numpy_does():
    # Offsets near the int64 limit wrap around when the document's base is added, in numpy and
    # in C alike; a token whose gap then spans the wrapped range reads the same characters.
    big = np.iinfo(np.int64).max
    docs = pd.DataFrame({"doc_id": ["a", "b"],
                         "text": pd.Series(["ab, c;d", "x;y z"], dtype=object)})
    sentences = pd.DataFrame({"doc_id": ["a", "b"], "sent_id": 0, "seg_id": 0, "start": 0,
                              "end": 5})
    tokens = pd.DataFrame({"doc_id": ["a", "a", "b", "b", "b"], "sent_id": 0, "seg_id": 0,
                           "tok_id": [0, 1, 0, 1, 2],
                           "start": [0, 5, big - 2, 3, -big], "end": [big - 1, 6, big, 4, 9],
                           "text": "x", "norm": "x"})
    index, ref = _both(lambda: _TokenIndex(docs, sentences, tokens, None))
    assert index.punct_before_count.tolist() == ref.punct_before_count.tolist()
    assert index.break_before.tolist() == ref.break_before.tolist()


# -- regressions of the review of the compiled module (memory safety on hostile arguments) ----
@pytest.mark.skipif(sys.version_info < (3, 12), reason="Python-level __buffer__ needs 3.12")
def test_gap_flags_reads_the_texts_of_the_call_when_a_buffer_changes_the_list():
    # Acquiring a buffer runs __buffer__, which may empty the texts list: gap_flags read the
    # list's size before and its items after (a crash); it now reads the texts of the call.
    class Shrinking:
        def __init__(self, values):
            self.values = np.asarray(values, dtype=np.int64)

        def __buffer__(self, flags):
            texts.clear()
            return memoryview(self.values)

    texts = ["ab, c;d " * 20, "x;y z", "", "\U0001d400 \u2014 q"] * 3
    codes, starts = [0, 1, 3, 7, -1], [0, 3, 1, 4, 2]
    ends, first = [1, 4, 3, 6, 5], [0, 0, 2, 2, 3]
    arrays = [np.asarray(a, dtype=np.int64) for a in (codes, starts, ends, first)]
    expected = native.gap_flags(list(texts), *arrays, ".;")
    got = native.gap_flags(texts, Shrinking(codes), *arrays[1:], ".;")
    assert texts == []  # the trigger ran
    assert got == expected


# ---------------------------------------------------------------- the compiled context rules

# Words the rules look at (every word set of rules.NATIVE_WORD_SETS, some in capitals, some with
# a final newline that the reporting-verb pattern also matches), and gaps of every kind the
# rules read (clause, sentence and subject breaks, quotes, currency signs, spaces).
_RULE_WORDS = sorted({w for words in measures_module.NATIVE_WORD_SETS for w in words if w}
                     | {"May", "MAY", "Said", "SAID", "States", "Report", "appears", "appeared",
                        "claims", "claimed", "believed", "thought", "don't", "isn't", "30",
                        "\u0663", "Kyiv", "U.S.", "\u00c9t\u00e9", "\u01c5x"})
_RULE_GAPS = [" ", "  ", ", ", ". ", "; ", ": ", "! ", "? ", " \u2014 ", " \u201c", "\u201d ",
              ' "', " $", " \u20ac", "\u00a3", " (", "\u00a0", "\n"]
# The words that trigger a rule and their commonest neighbours, drawn as often as all the rest.
_RULE_KEYS = ("may May MAY would wouldn't appear appears claim claims said Said report states "
              "according told think believe thought about some around not never could can the a to "
              "that I we it is was in of all 30 third one").split()
_NATIVE_RULE_NAMES = list(measures_module.NATIVE_RULES)


def _rule_answers(index, name, first, stop):
    """(compiled, Python) answers of one rule for the hits rows first:stop of an index."""
    bit = 1 << _NATIVE_RULE_NAMES.index(name)
    texts = [index.texts.get(d) for d in index.doc_names]
    doc = index.sentence_doc_code[index.sentence_of[first]]
    got = np.frombuffer(native.eval_rules(
        texts, index.words, measures_module.NATIVE_CHARACTER_SETS,
        len(measures_module.NATIVE_WORD_SETS) + 1,
        *map(measures_module._int64s, (
            index.rule_flags(), index.codes, index.starts, index.ends, doc, first, stop,
            index.sentence_first[first], index.sentence_stop[first],
            np.full(len(first), bit)))), dtype=np.uint8)
    sentence = index.sentence_of[first]
    with _without_native():
        lists = index.sentence_tokens(sentence)
    rule = measures_module.RULES[name]
    ref = [rule(measures_module.Context(index.texts[index.sentence_doc[s]], lists[s], i - b, j - b))
           for s, i, j, b in zip(sentence.tolist(), first.tolist(), stop.tolist(),
                                 index.sentence_first[first].tolist())]
    return got, np.array(ref, dtype=np.uint8)


def _every_span(index, width):
    """Rows first:first+width of every hit of that width inside a sentence."""
    first = np.flatnonzero(np.arange(index.size) + width <= index.sentence_stop)
    return first, first + width


def _assert_rules_identical(docs, sentences=None) -> int:
    """Compare every compiled rule with its Python twin on every span; the spans compared."""
    sentences = sentences_table(docs) if sentences is None else sentences
    index = _TokenIndex(docs, sentences, tokens_table(docs, sentences), None)
    compared = 0
    for width in (1, 2):
        first, stop = _every_span(index, width)
        compared += len(first)
        for name in _NATIVE_RULE_NAMES:
            got, ref = _rule_answers(index, name, first, stop)
            assert (got != 2).all(), name  # well-formed tables never need Python
            assert got.tolist() == ref.tolist(), name
    return compared


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.tuples(st.sampled_from(_RULE_WORDS) | st.sampled_from(_RULE_KEYS),
                                   st.sampled_from(_RULE_GAPS)),
                         max_size=14).map(lambda ws: "".join(w + g for w, g in ws)),
                min_size=1, max_size=3))
def test_compiled_rules_are_the_python_rules(texts):
    docs = pd.DataFrame({"doc_id": [f"d{k}" for k in range(len(texts))], "text": texts})
    _assert_rules_identical(docs)


@pytest.mark.parametrize("text", [
    "I think so. We believe it. It is believed. Analysts believe. It was thought. I also think.",
    "He would go. She said he would go. He said. Would you? I would like it. It would often.",
    "It appears that. It appeared. They claim that. The claim. It was claimed. Claims to be.",
    "About 30. About $5. Some \u20ac5. Around a third. About a 3. About one. About the same.",
    "In May. May 5. MAY 5. In MAY. may be. It may not. May and June. to May. It may.",
    "could not. could never. not likely could. no, could. never could. It could.",
    "Said the man. SAID. \u201cYes,\u201d said he. The said deal. The report. Reports of war. "
    "Member states. He states that. They report, \u201cno\u201d. All told. Not told. "
    "According to the plan. According to officials. According to the treaty. "
    "We report that. I said. I reported. Could not say. Declined to comment. The United States.",
    "\u00c9T\u00c9 said. \u01c5x said. \u0663 about. A \u0130 said.",
    ""])
def test_compiled_rules_on_hand_made_sentences(text):
    compared = _assert_rules_identical(pd.DataFrame({"doc_id": ["d"], "text": [text]}))
    # The empty document only checks that no span is no error; every other text has spans.
    assert compared > 0 or not text


@pytest.mark.slow
@pytest.mark.shared
def test_compiled_rules_identical_on_shared_corpus(shared_corpus):
    _assert_rules_identical(shared_corpus.iloc[::7].reset_index(drop=True))


def test_compiled_rules_leave_odd_tables_to_python():
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["I think he said it may be about 30."]})
    sentences = sentences_table(docs)
    tokens = tokens_table(docs, sentences)
    # A missing norm and a negative offset (Python slices wrap it) are Python's to read.
    odd = tokens.assign(norm=tokens["norm"].astype(object))
    odd.loc[0, "norm"] = np.nan
    odd.loc[3, "start"] = -2
    index = _TokenIndex(docs, sentences, odd, None)
    first, stop = _every_span(index, 1)
    texts = [index.texts.get(d) for d in index.doc_names]
    got = np.frombuffer(native.eval_rules(
        texts, index.words, measures_module.NATIVE_CHARACTER_SETS,
        len(measures_module.NATIVE_WORD_SETS) + 1,
        *map(measures_module._int64s, (
            index.rule_flags(), index.codes, index.starts, index.ends,
            index.sentence_doc_code[index.sentence_of[first]], first, stop,
            index.sentence_first[first], index.sentence_stop[first],
            np.full(len(first), (1 << len(_NATIVE_RULE_NAMES)) - 1)))), dtype=np.uint8)
    assert got[1] == 2  # reads token 0 (the missing norm) as the word before it
    assert got[3] == 2  # reads its own surface
    with pytest.raises(ValueError):
        native.eval_rules(texts, index.words, measures_module.NATIVE_CHARACTER_SETS,
                          len(measures_module.NATIVE_WORD_SETS),
                          *map(measures_module._int64s, (index.rule_flags(), index.codes,
                                                         index.starts, index.ends) + (first,) * 6))


def test_a_replaced_rule_runs_in_python(monkeypatch):
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["He would go. It may be. They said so."]})
    sentences = sentences_table(docs)
    tokens = tokens_table(docs, sentences)
    before = match_measures(docs, sentences, tokens)
    # The replacement drops what the bundled rule keeps: the compiled twin must not stand in.
    monkeypatch.setitem(measures_module.RULES, "reporting_use", lambda ctx: False)
    after = match_measures(docs, sentences, tokens)
    assert "say" in set(before["term"]) and "say" not in set(after["term"])
    with _without_native():
        assert after.equals(match_measures(docs, sentences, tokens))


def test_native_word_sets_are_the_report_pattern():
    from analysis.rules import _REPORT_BEFORE_WOULD
    report = measures_module.NATIVE_WORD_SETS[13]
    words = set(_RULE_WORDS) | {w + "\n" for w in _RULE_WORDS} | {w + "x" for w in report}
    assert all(bool(_REPORT_BEFORE_WOULD.match(w)) == (w in report) for w in words)


# ---------------------------------------------------------------- factorizing, slices, forms

@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(WORDS + ["", "x"]) | st.text(ENCODABLE, max_size=5), max_size=60),
       st.integers(0, 5), st.booleans())
def test_factorize_is_pandas_factorize(values, cut, with_null):
    column = pd.Series(values + (["n"] if with_null else []), dtype="str")
    if with_null:
        column.iloc[-1] = np.nan  # a null: pandas.factorize's path, codes -1
    column = column.iloc[min(cut, len(column)):]  # an Arrow slice: offsets not from 0
    codes, uniques = measures_module._factorize(column)
    ref_codes, ref_uniques = pd.factorize(column)
    assert codes.tolist() == ref_codes.tolist()
    assert uniques == ref_uniques.tolist()
    assert all(type(u) is str for u in uniques)


def test_factorize_of_other_columns_is_pandas_factorize():
    for column in (pd.Series(["b", "a", "b"], dtype=object), pd.Series([3, 1, 3]),
                   pd.Series(["b", "a", "b"], dtype="str").iloc[:0],
                   pd.concat([pd.Series(["a"], dtype="str"), pd.Series(["b", "a"], dtype="str")])):
        codes, uniques = measures_module._factorize(column)
        ref_codes, ref_uniques = pd.factorize(column)
        assert codes.tolist() == ref_codes.tolist() and uniques == ref_uniques.tolist()
    with pytest.raises(ValueError):
        native.factorize_utf8(np.array([0, 5]), b"abc")
    with pytest.raises(ValueError):
        native.factorize_utf8(np.array([2, 1]), b"abc")
    with pytest.raises(UnicodeDecodeError):
        native.factorize_utf8(np.array([0, 1]), b"\xff")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(TRICKY, max_size=12), min_size=1, max_size=3),
       st.lists(st.tuples(st.integers(0, 3), st.integers(-2, 15), st.integers(-2, 15)),
                min_size=1, max_size=20))
def test_text_slices_are_python_slices(texts, hits):
    names = [f"d{k}" for k in range(len(texts))] + ["not-in-docs"]
    by_name = dict(zip(names, texts))
    doc, start, end = (np.array(column, dtype=np.int64) for column in zip(*hits))
    doc = doc % len(names)

    def slices():
        try:
            return list(measures_module._text_slices(by_name, names, doc, start, end))
        except KeyError:
            return "KeyError"
    got, ref = _both(slices)
    assert got == ref


def test_strings_by_code_is_the_take():
    for values in (["b", "a"], ["\U0001d400", ""], ["a", None], [1, 2], ["\ud800", "a"]):
        codes = np.array([1, 0, 1, 1], dtype=np.int64)

        def column():
            try:
                return tokens_module._strings_by_code(values, codes)
            except UnicodeEncodeError:  # an Arrow column cannot hold a surrogate
                return None
        got, ref = _both(column)
        assert (got is None) == (ref is None)
        if got is not None:
            assert got.dtype == ref.dtype and list(got) == list(ref)


def test_match_forms_rejects_bad_tables():
    one = np.array([0], dtype=np.int64)
    ok = (one, np.array([1]), np.array([0, 0]), np.array([1]), one, one, np.array([1]))
    rows, forms = native.match_forms(*ok, (), 1)
    assert np.frombuffer(rows, dtype=np.int64).tolist() == [0]
    for k, bad in [(0, np.array([5])), (3, np.array([2])), (5, np.array([7])),
                   (6, np.array([2])), (2, np.array([0]))]:
        args = list(ok)
        args[k] = bad
        with pytest.raises((IndexError, ValueError)):
            native.match_forms(*args, (), 1)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 6).flatmap(lambda n: st.lists(
    st.lists(st.integers(-2 ** 63, 2 ** 63 - 1) | st.integers(-3, 3) | st.integers(0, 10 ** 6),
             min_size=n, max_size=n), min_size=1, max_size=30)))
def test_packed_lexsort_is_lexsort(rows):
    keys = [np.array(column, dtype=np.int64) for column in zip(*rows)]
    assert (measures_module._lexsort_packed(keys).tolist()
            == np.lexsort(keys[::-1]).tolist())


def _form_pairs_reference(index, compiled):
    """The (row, form) pairs whose whole form matches, checked word by word as match_sentence
    checks them (on the candidate pairs of the numpy path)."""
    row, form = measures_module._candidate_pairs(index, compiled)
    norms = index.word_series.tolist()
    pairs = []
    for r, f in zip(row.tolist(), form.tolist()):
        words = compiled.forms[f][0]
        stop = r + len(words)
        if stop > index.sentence_stop[r]:
            continue
        if len(words) > 1:
            if not all(measures_module._word_matches(w, norms[index.codes[r + k]],
                                                     k == len(words) - 1)
                       for k, w in enumerate(words[1:], start=1)):
                continue
            if index.punct_before_count[stop] != index.punct_before_count[r + 1]:
                continue
        pairs.append((r, f))
    return pairs


def _assert_form_pairs_identical(docs) -> int:
    """Compare compiled form matching with the word-by-word reference; the pairs found."""
    found = 0
    sentences = sentences_table(docs)
    index = _TokenIndex(docs, sentences, tokens_table(docs, sentences), None)
    for name in LEXICONS:
        compiled = _compile(name)
        lengths = np.array([len(w) for w, _ in compiled.forms] + [0], dtype=np.int64)
        rows, forms = measures_module._native_form_hits(index, compiled, lengths)
        assert list(zip(rows.tolist(), forms.tolist())) == _form_pairs_reference(index, compiled)
        found += len(rows)
    return found


# The words of every multiword form (wildcards spelled out), to meet many partial matches.
_FORM_WORDS = sorted({w.rstrip("*") + ("ing" if w.endswith("*") else "")
                      for name in LEXICONS for words, _ in _compile(name).forms if len(words) > 1
                      for w in words})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_FORM_WORDS) | st.sampled_from(WORDS),
                          st.sampled_from([" ", " ", " ", ", ", ". ", "'s ", " \u2014 "])),
                max_size=40).map(lambda ws: "".join(w + g for w, g in ws)))
def test_compiled_form_matching_is_word_by_word_matching(text):
    _assert_form_pairs_identical(pd.DataFrame({"doc_id": ["d"], "text": [text]}))


@pytest.mark.slow
@pytest.mark.shared
def test_compiled_form_matching_identical_on_shared_corpus(shared_corpus):
    assert _assert_form_pairs_identical(shared_corpus) > 1000


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_RULE_KEYS) | st.sampled_from(_FORM_WORDS),
                          st.sampled_from(_RULE_GAPS)), min_size=1, max_size=30)
       .map(lambda ws: "".join(w + g for w, g in ws)), st.data())
def test_matches_identical_on_malformed_tokens(text, data):
    docs = pd.DataFrame({"doc_id": ["d"], "text": [text]})
    sentences = sentences_table(docs)
    tokens = tokens_table(docs, sentences)
    n = len(tokens)
    if n:
        # Offsets moved off their words, before the text (Python slices wrap them), beyond it.
        moved = np.array(data.draw(st.lists(st.integers(-8, 8), min_size=n, max_size=n)))
        tokens = tokens.assign(start=tokens["start"] + moved, end=tokens["end"] + moved[::-1])
        if data.draw(st.booleans()):
            tokens = tokens.assign(norm=tokens["norm"].astype(object))
            tokens.loc[data.draw(st.integers(0, n - 1)), "norm"] = np.nan

    def run():
        try:
            return match_measures(docs, sentences, tokens)
        except Exception as error:  # the same failure on both paths
            return type(error).__name__
    got, ref = _both(run)
    if isinstance(ref, str):
        assert got == ref
    else:
        pd.testing.assert_frame_equal(got, ref)


def test_text_lists_emptied_by_a_collection():
    # The texts lists are read from a private copy: a finalizer that empties the caller's list
    # while the copy is allocated stops the call (RuntimeError) or leaves the copy as it was;
    # nothing is read from a list that no longer holds its items.
    from helpers import emptied_by_a_collection

    texts = [f"Text number {i}, with words; and more." for i in range(30)]
    doc = np.arange(30, dtype=np.int64)
    start, end = np.zeros(30, np.int64), np.full(30, 4, np.int64)

    def as_bytes(buffers):
        return None if buffers is None else tuple(bytes(b) for b in buffers)

    whole = as_bytes(native.slices_utf8(list(texts), doc, start, end))
    assert whole[1] == b"Text" * 30
    emptied_by_a_collection(
        lambda: list(texts), lambda victim: as_bytes(native.slices_utf8(victim, doc, start, end)),
        (RuntimeError, whole, as_bytes(native.slices_utf8([], doc, start, end))))
    # gap_flags over one token per text; an emptied list raises a clean error of its own.
    first = np.arange(30, dtype=np.int64)
    arrays = (doc, np.full(30, 5, np.int64), np.full(30, 11, np.int64), first)
    flags = as_bytes(native.gap_flags(list(texts), *arrays, ".;"))

    def gap_outcome(victim):
        try:
            return as_bytes(native.gap_flags(victim, *arrays, ".;"))
        except (ValueError, IndexError):
            return "rejected"

    emptied_by_a_collection(lambda: list(texts), gap_outcome, (RuntimeError, flags, "rejected"))


def test_match_forms_rejects_sentence_stops_before_their_row():
    # A malformed sentence_stop far below the row must not wrap around in "stop - row" and
    # let the word reads run past the table; the numpy twin rejects such hits (row + 1 > stop).
    ints = lambda *values: np.array(values, dtype=np.int64)  # noqa: E731
    low = np.iinfo(np.int64).min
    for length in (1, 3):
        rows, forms = native.match_forms(ints(0, 0), ints(2, low), ints(0, 0, 0), ints(1), ints(0),
                                         ints(0), ints(length), (ints(0), ints(0)), 1)
        got = sorted(zip(np.frombuffer(rows, np.int64).tolist(),
                         np.frombuffer(forms, np.int64).tolist()))
        assert got == ([(0, 0)] if length == 1 else [])


def test_factorize_checks_offsets_after_a_finalizer_could_change_them():
    # Offsets rewritten by a finalizer during the call's allocations are either rejected or
    # never read: the check runs once nothing can change them any more.
    import gc
    offsets = np.array([0, 1, 2], dtype=np.int64)

    class Rewrites:
        def __del__(self):
            offsets[1], offsets[2] = 1 << 40, (1 << 40) + 8

    saved = gc.get_threshold()
    gc.collect()
    gc.set_threshold(1, 1, 1)
    try:
        cycle = Rewrites()
        cycle.self = cycle
        del cycle
        try:
            result = native.factorize_utf8(offsets, b"ab")
        except ValueError as error:
            result = str(error)
    finally:
        gc.set_threshold(*saved)
    gc.collect()
    assert result == "factorize_utf8: offsets out of bounds" or \
        (np.frombuffer(result[0], np.int64).tolist(), result[1]) == ([0, 1], ["a", "b"])

