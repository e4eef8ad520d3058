"""The matches table and per-document rates, against counts made by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import sentences_table, tokens_table
from analysis.errors import ParameterError
from analysis.lexicon import bundled_lexicon, load_lexicon
from analysis.measures import (MATCH_COLUMNS, MEASURES, CompiledLexicon, match_lexicon,
                               match_measures, match_sentence, rates_by_document)
from helpers import docs_from, run_measures

# Hand count: 8 + 9 = 17 word tokens; hedges: "may", "perhaps", "about" (before 30) = 3;
# boosters: "clearly" = 1; reporting verbs: "said" = 1 (neutral).
TEXT = ("The talks may perhaps resume, the Kremlin said. About 30 delegates clearly want peace "
        "talks in May.")


def test_matches_table_by_hand():
    docs, sents, toks, matches = run_measures(TEXT)
    assert list(matches.columns) == MATCH_COLUMNS
    assert len(toks) == 17
    got = {(m, r.lower()) for m, r in zip(matches["measure"], matches["matched"])}
    assert {("hedge", "may"), ("hedge", "perhaps"), ("hedge", "about"), ("booster", "clearly"),
            ("reporting_verb", "said")} <= got
    hedges = matches[matches["measure"] == "hedge"]
    assert sorted(hedges["matched"].str.lower()) == ["about", "may", "perhaps"]
    for row in matches.itertuples():
        assert TEXT[row.start:row.end] == row.matched
    assert not matches["negated"].any()


def test_rates_per_thousand_tokens_by_hand():
    docs, sents, toks, matches = run_measures(TEXT, "")
    rates = rates_by_document(docs, toks, matches, level="measure")
    hedge = rates[(rates.doc_id == "d0") & (rates.measure == "hedge")].iloc[0]
    assert (hedge["hits"], hedge["tokens"]) == (3, 17)
    assert hedge["per_1k"] == pytest.approx(1000 * 3 / 17)
    empty = rates[rates.doc_id == "d1"]
    assert len(empty) == rates["measure"].nunique()  # documents in = documents out
    assert (empty["hits"] == 0).all() and (empty["per_1k"] == 0).all()


def test_rates_include_zero_categories_for_every_document():
    docs, sents, toks, matches = run_measures("Nothing relevant here at all.", "The Kremlin said so.")
    rates = rates_by_document(docs, toks, matches)
    per_doc = rates.groupby("doc_id").size()
    assert per_doc["d0"] == per_doc["d1"] > 20  # every measure x category, zeros included
    said = rates[(rates.doc_id == "d1") & (rates.category == "neutral")]
    assert said["hits"].tolist() == [1] and said["tokens"].tolist() == [4]


def test_voice_comes_from_document_metadata():
    docs, sents, toks, matches = run_measures("The Kremlin said so.", "I think they lied.",
                                              "Officials said so.",
                                              kind=["official", "commentary", None])
    assert dict(zip(matches["doc_id"], matches["voice"])) == {
        "d0": "official", "d1": "commentary", "d2": "reporting"}


def test_user_lexicon_replaces_a_measure(tmp_path):
    path = tmp_path / "frames.yaml"
    path.write_text("name: tiny\nmeasure: frame\nversion: '1'\nprovenance: {source: s, citation: c, "
                    "licence: CC0-1.0}\ncategories:\n  peace:\n    description: d\n    terms: [peace]\n")
    docs = docs_from("Peace and war and peace.")
    sents = sentences_table(docs)
    found = match_measures(docs, sents, tokens_table(docs, sents), measures=["frame"],
                           lexicons={"frame": str(path)})
    assert found["matched"].tolist() == ["Peace", "peace"] and set(found["lexicon"]) == {"tiny"}


def test_unknown_measure_is_a_parameter_error():
    docs = docs_from("x")
    sents = sentences_table(docs)
    with pytest.raises(ParameterError) as err:
        match_measures(docs, sents, tokens_table(docs, sents), measures=["hedges"])
    assert "hedges" in str(err.value) and "hedge" in str(err.value) and "allowed" in str(err.value)


def test_registry_is_explicit():
    assert set(MEASURES) == {"frame", "hedge", "booster", "reporting_verb"}


def test_measures_are_deterministic_on_shared_corpus(corpus_sources):
    from analysis import load_corpus
    docs = load_corpus(corpus_sources / "us_ru_ua_talks_2025_whitehouse")
    sents = sentences_table(docs)
    toks = tokens_table(docs, sents)
    first = match_measures(docs, sents, toks)
    second = match_measures(docs, sents, toks)
    pd.testing.assert_frame_equal(first, second)
    assert set(first["measure"]) == {"frame", "hedge", "booster", "reporting_verb"}
    text = dict(zip(docs["doc_id"], docs["text"]))
    assert all(text[d][a:b] == m for d, a, b, m in
               zip(first["doc_id"], first["start"], first["end"], first["matched"]))
    rates = rates_by_document(docs, toks, first, level="measure")
    assert set(rates["doc_id"]) == set(docs["doc_id"])


_TINY_FRAMES = """name: tiny
measure: frame
version: '1'
provenance: {source: s, citation: c, licence: CC0-1.0}
categories:
  peace:
    terms:
      - peace
      - {term: peace talks, forms: ["peace talk*"]}
  war:
    terms:
      - {term: war, forms: [war, war of attrition]}
      - {term: russia war, forms: [russia war]}
"""
_TINY_TEXT = ("Peace talks resumed. The war of attrition goes on, and Russia's war planners; peace, "
              "talks. Russia war. The war's end.")


def test_whole_corpus_matcher_by_hand(tmp_path):
    # By hand: a wildcard last word ("talk*"), a possessive first word ("Russia's war"), a
    # possessive last word ("war's"); "peace, talks" may not jump the comma; every shorter
    # hit inside a longer one ("Peace", "war" x3) is dropped.
    path = tmp_path / "tiny.yaml"
    path.write_text(_TINY_FRAMES)
    docs = docs_from(_TINY_TEXT)
    sents = sentences_table(docs)
    found = match_lexicon(docs, sents, tokens_table(docs, sents), lexicon=str(path))
    assert found["matched"].tolist() == ["Peace talks", "war of attrition", "Russia's war",
                                         "peace", "Russia war", "war's"]
    assert found["term"].tolist() == ["peace talks", "war", "russia war", "peace", "russia war",
                                      "war"]
    assert all(_TINY_TEXT[a:b] == m for a, b, m in zip(found["start"], found["end"],
                                                       found["matched"]))


def test_whole_corpus_matcher_agrees_with_match_sentence(tmp_path):
    # attribution.py matches one sentence at a time with match_sentence; both paths must agree.
    path = tmp_path / "tiny.yaml"
    path.write_text(_TINY_FRAMES)
    docs = docs_from(_TINY_TEXT, "They said it would not be clearly about 30 people, I think.")
    sents = sentences_table(docs)
    toks = tokens_table(docs, sents)
    for lexicon in (load_lexicon(str(path)), bundled_lexicon("hedges"),
                    bundled_lexicon("reporting_verbs")):
        compiled = CompiledLexicon(lexicon)
        expected = []
        for (doc_id, _), group in toks.groupby(["doc_id", "sent_id"], sort=False):
            text = docs.set_index("doc_id").loc[doc_id, "text"]
            sentence = list(zip(group["start"], group["end"], group["norm"]))
            expected += [(doc_id, sentence[i][0], sentence[j - 1][1], entry.term)
                         for i, j, entry, _ in match_sentence(compiled, text, sentence)]
        found = match_lexicon(docs, sents, toks, lexicon=lexicon)
        assert expected, lexicon.name
        assert sorted(expected) == sorted(zip(found["doc_id"], found["start"], found["end"],
                                              found["term"]))


def test_compiled_lexicon_is_reused_per_lexicon_object():
    import dataclasses
    from analysis.lexicon import bundled_lexicon
    from analysis.measures import _compile
    hedges = bundled_lexicon("hedges")
    assert _compile(hedges) is _compile(hedges) is _compile("hedges")
    fewer = dataclasses.replace(hedges, entries=hedges.entries[:3])
    # Another Lexicon (Lexicon is frozen: new entries mean a new object) compiles on its own.
    assert len(_compile(fewer).forms) < len(_compile(hedges).forms)
    assert {e.term for _, e in _compile(fewer).forms} == {e.term for e in hedges.entries[:3]}
