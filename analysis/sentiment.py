"""Sentence sentiment with VADER, as implemented by NLTK, fully offline.

One algorithm only: NLTK's ``SentimentIntensityAnalyzer``, with the lexicon file shipped in the
``vaderSentiment`` wheel (no ``nltk.download``). Sentences are scored by
:class:`analysis.vader_fast.FastVader`, an exact re-implementation of NLTK's code (about 10x
faster in pure Python, about 100x with its compiled twin ``analysis/_native/vader.c``;
identical neg/neu/pos/compound on every sentence of the test corpora, asserted by the tests).
The vaderSentiment package's own scorer gives different compounds on about 5% of news
sentences, so it is never used.
Each sentence is scored on its own; documents and groups are summarised by the mean of sentence
compounds with their n, never by scoring a long text at once (VADER's compound saturates).

References
----------
Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for sentiment analysis
of social media text. Proceedings of ICWSM-14, 216-225.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["vader_analyzer", "sentiment_model", "score_sentences", "sentiment_by_document",
           "SCORE_COLUMNS"]

SCORE_COLUMNS = ["doc_id", "sent_id", "voice", "neg", "neu", "pos", "compound"]


def _lexicon_path() -> Path:
    import vaderSentiment
    return Path(vaderSentiment.__file__).resolve().parent / "vader_lexicon.txt"


@lru_cache(maxsize=1)
def vader_analyzer():
    """NLTK's SentimentIntensityAnalyzer loaded with vaderSentiment's lexicon file.

    Equivalent to ``SentimentIntensityAnalyzer(lexicon_file="file:...")`` (which nltk 3.10 refuses
    for paths outside ``nltk.data.path``), without touching NLTK's global search path.
    """
    from nltk.sentiment.vader import SentimentIntensityAnalyzer, VaderConstants

    analyzer = SentimentIntensityAnalyzer.__new__(SentimentIntensityAnalyzer)
    analyzer.lexicon_file = _lexicon_path().read_bytes().decode("utf-8")
    analyzer.lexicon = analyzer.make_lex_dict()
    analyzer.constants = VaderConstants()
    return analyzer


@lru_cache(maxsize=1)
def sentiment_model() -> dict:
    """What scored the sentences, for report manifests and table captions."""
    raw = _lexicon_path().read_bytes()
    return {"implementation": "nltk.sentiment.vader.SentimentIntensityAnalyzer (algorithm); "
                              "scored by analysis.vader_fast.FastVader, identical results",
            "nltk": metadata.version("nltk"),
            "lexicon": "vader_lexicon.txt from vaderSentiment " + metadata.version("vaderSentiment"),
            "lexicon_sha256": hashlib.sha256(raw).hexdigest()}


def score_sentences(sentences: pd.DataFrame, *, voices=None) -> pd.DataFrame:
    """VADER scores of every sentence.

    Parameters
    ----------
    sentences : the sentences table (``doc_id, sent_id, text``; ``voice`` is used if present).
    voices : optional array-like of voices aligned with ``sentences`` (overrides its column).

    Returns
    -------
    DataFrame :data:`SCORE_COLUMNS`, one row per sentence, in the input order.
    """
    from .vader_fast import fast_vader
    neg, neu, pos, compound = fast_vader().score_array(sentences["text"].tolist()).T
    frame = pd.DataFrame({
        "doc_id": sentences["doc_id"].to_numpy(),
        "sent_id": sentences["sent_id"].to_numpy(),
        "voice": (np.asarray(voices, dtype=object) if voices is not None else
                  sentences["voice"].to_numpy() if "voice" in sentences.columns else
                  np.full(len(sentences), None, dtype=object)),
        "neg": neg, "neu": neu, "pos": pos, "compound": compound,
    })
    frame.attrs["sentiment_model"] = sentiment_model()
    return frame


def sentiment_by_document(docs: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Mean sentence compound per document with its n.

    A document without sentences keeps its row (documents in = documents out) with n 0 and zero
    means; filter on ``n_sentences`` before averaging documents.

    Returns
    -------
    DataFrame ``doc_id, n_sentences, mean_compound, share_positive, share_negative`` where the
    shares use VADER's conventional thresholds (compound >= 0.05 positive, <= -0.05 negative).
    """
    grouped = scores.groupby("doc_id")["compound"]
    out = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy()})
    out["n_sentences"] = out["doc_id"].map(grouped.size()).fillna(0).astype(np.int64)
    out["mean_compound"] = out["doc_id"].map(grouped.mean())
    out["share_positive"] = out["doc_id"].map(
        scores.assign(p=scores["compound"] >= 0.05).groupby("doc_id")["p"].mean())
    out["share_negative"] = out["doc_id"].map(
        scores.assign(n=scores["compound"] <= -0.05).groupby("doc_id")["n"].mean())
    return out.fillna({"mean_compound": 0.0, "share_positive": 0.0, "share_negative": 0.0})
