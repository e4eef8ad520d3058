"""Small builders shared by the tests: a docs table from strings, and the pipeline up to matches."""
from __future__ import annotations

import pandas as pd

from analysis import sentences_table, tokens_table
from analysis.measures import match_measures


def docs_from(*texts: str, **meta) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})
    for key, values in meta.items():
        frame[key] = values
    return frame


def run_measures(*texts: str, measures=None, **meta):
    docs = docs_from(*texts, **meta)
    sents = sentences_table(docs)
    toks = tokens_table(docs, sents)
    return docs, sents, toks, match_measures(docs, sents, toks, measures=measures)


def hits(text: str, measure: str) -> list[tuple[str, str]]:
    """(matched text, category) of one measure in one text."""
    *_, matches = run_measures(text, measures=[measure] if measure != "hedge" else
                               ["hedge", "booster"])
    found = matches[matches["measure"] == measure]
    return list(zip(found["matched"], found["category"]))
