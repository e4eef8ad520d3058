"""KWIC lines and the highlighted document view; corpus text is always escaped."""
from __future__ import annotations

import pytest

from analysis.errors import ParameterError
from analysis.kwic import kwic
from analysis.views import highlight_document
from helpers import run_measures

TEXT = "First sentence here. The Kremlin said the talks may resume soon. Last one."


def test_kwic_for_a_measure_with_window():
    docs, sents, toks, matches = run_measures(TEXT)
    lines = kwic(docs, toks, matches, measure="hedge", window=2)
    assert lines["match"].tolist() == ["may"]
    assert lines.iloc[0]["left"] == "the talks" and lines.iloc[0]["right"] == "resume soon"


def test_kwic_sentence_bounded_stops_at_the_sentence():
    docs, sents, toks, matches = run_measures(TEXT)
    wide = kwic(docs, toks, matches, term="said", window=5)
    bounded = kwic(docs, toks, matches, term="said", window=5, sentence_bounded=True)
    assert wide.iloc[0]["left"] == "First sentence here. The Kremlin"
    assert bounded.iloc[0]["left"] == "The Kremlin"
    assert bounded.iloc[0]["right"] == "the talks may resume soon"


def test_kwic_term_is_case_insensitive_with_the_matches_table():
    docs, sents, toks, matches = run_measures(TEXT)
    lines = kwic(docs, toks, matches, term="May", window=1)
    assert lines["match"].tolist() == ["may"]
    assert lines.iloc[0]["left"] == "talks" and lines.iloc[0]["right"] == "resume"


def test_kwic_searches_free_terms_and_wildcards_without_matches():
    docs, sents, toks, _ = run_measures("Talks resumed. More talking. The talk.")
    assert kwic(docs, toks, term="talk*", window=1)["match"].tolist() == ["Talks", "talking", "talk"]


def test_kwic_html_escapes_corpus_text():
    docs, sents, toks, matches = run_measures("<script>alert(1)</script> The Kremlin said <b>so</b>.")
    markup = kwic(docs, toks, matches, term="said")._repr_html_()
    assert "</script>" not in markup and "&lt;/script&gt;" in markup
    assert "<b>" not in markup and "&lt;b&gt;so&lt;/b" in markup


def test_kwic_needs_something_to_look_for():
    docs, sents, toks, matches = run_measures(TEXT)
    with pytest.raises(ParameterError):
        kwic(docs, toks, matches)


def test_highlight_escapes_and_colours_each_measure():
    text = "The Kremlin said peace may come. <script>alert('x')</script>"
    docs, sents, toks, matches = run_measures(text)
    markup = str(highlight_document(docs, "d0", matches))
    assert "<script>" not in markup and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in markup
    assert "dk-reporting_verb" in markup and "dk-hedge" in markup
    assert "reporting_verb/neutral: say" in markup or "reporting_verb/neutral: said" in markup


def test_highlight_unknown_doc_is_a_parameter_error():
    docs, *_ = run_measures(TEXT)
    with pytest.raises(ParameterError, match="nope"):
        highlight_document(docs, "nope")


@pytest.mark.parametrize("term", ["", "   "])
def test_kwic_empty_term_is_a_parameter_error(term):
    docs, sents, toks, matches = run_measures(TEXT)
    with pytest.raises(ParameterError):
        kwic(docs, toks, matches, term=term)
