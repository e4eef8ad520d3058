"""VADER through NLTK, offline, one sentence at a time."""
from __future__ import annotations

import os

import pytest

from analysis.sentiment import score_sentences, sentiment_by_document, sentiment_model, vader_analyzer
from helpers import docs_from
from analysis import sentences_table


def test_published_vader_example():
    # Hutto & Gilbert's README example: "VADER is smart, handsome, and funny." -> compound 0.8316
    assert vader_analyzer().polarity_scores("VADER is smart, handsome, and funny.")["compound"] \
        == pytest.approx(0.8316, abs=1e-4)


def test_same_scores_as_nltk_constructed_its_own_way(corpus_sources):
    import nltk
    import vaderSentiment
    from nltk.sentiment.vader import SentimentIntensityAnalyzer
    from analysis import load_corpus
    folder = os.path.dirname(vaderSentiment.__file__)
    if folder not in nltk.data.path:
        nltk.data.path.append(folder)
    reference = SentimentIntensityAnalyzer(lexicon_file="file:" + os.path.join(folder, "vader_lexicon.txt"))
    docs = load_corpus(corpus_sources / "us_ru_ua_talks_2025_whitehouse")
    sents = sentences_table(docs).head(3000)
    ours = score_sentences(sents)["compound"].tolist()
    theirs = [reference.polarity_scores(t)["compound"] for t in sents["text"]]
    assert ours == theirs


def test_scores_per_sentence_and_document_means_by_hand():
    docs = docs_from("The talks were good. The strikes were terrible.", "", kind=["official", None])
    sents = sentences_table(docs)
    scores = score_sentences(sents)
    analyzer = vader_analyzer()
    good = analyzer.polarity_scores("The talks were good.")["compound"]
    bad = analyzer.polarity_scores("The strikes were terrible.")["compound"]
    assert scores["compound"].tolist() == [good, bad] and good > 0 > bad
    per_doc = sentiment_by_document(docs, scores).set_index("doc_id")
    assert per_doc.loc["d0", "mean_compound"] == pytest.approx((good + bad) / 2)
    assert per_doc.loc["d0", "n_sentences"] == 2
    assert per_doc.loc["d0", "share_positive"] == 0.5
    assert per_doc.loc["d1", "n_sentences"] == 0 and per_doc.loc["d1", "mean_compound"] == 0.0


def test_model_is_named_for_reports():
    model = sentiment_model()
    assert model["implementation"].startswith("nltk.") and len(model["lexicon_sha256"]) == 64


def test_no_download_is_attempted(monkeypatch):
    import nltk
    def refuse(*args, **kwargs):
        raise AssertionError("nltk.download must never be called")
    monkeypatch.setattr(nltk, "download", refuse)
    vader_analyzer.cache_clear()
    assert vader_analyzer().polarity_scores("good")["compound"] > 0
