"""Accuracy of hedges, boosters and reporting verbs on hand-labelled sentences.

dev_measures.jsonl was labelled blind to the code, then used to tune the lexicons and rules;
test_measures.jsonl was labelled blind to both and never used for tuning (the honest figure).
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.evaluate import evaluate_measures, score_spans
from conftest import DATA


def test_scoring_by_hand():
    gold = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [0, 10, 5], "end": [3, 14, 9],
                         "label": ["hedge", "booster", "hedge"]})
    pred = pd.DataFrame({"doc_id": ["a", "a", "b"], "start": [0, 20, 6], "end": [3, 22, 8],
                         "label": ["hedge", "hedge", "booster"]})
    table = score_spans(gold, pred).set_index("label")
    # hedge: gold 2, predicted 2, one overlap (a:0-3) -> P = R = 0.5
    assert (table.loc["hedge", "precision"], table.loc["hedge", "recall"]) == (0.5, 0.5)
    # booster: the only prediction (b:6-8) overlaps no gold booster -> P 0, R 0
    assert (table.loc["booster", "precision"], table.loc["booster", "recall"]) == (0.0, 0.0)


def _f1(path, label):
    table = evaluate_measures(path).set_index("label")
    return table.loc[label, "f1"]


@pytest.mark.parametrize("label, floor", [("hedge", 0.85), ("booster", 0.85),
                                          ("reporting", 0.85)])
def test_dev_set_quality(label, floor):
    assert _f1(DATA / "dev_measures.jsonl", label) >= floor


@pytest.mark.parametrize("label, floor", [("hedge", 0.60), ("booster", 0.60),
                                          ("reporting", 0.70)])
def test_held_out_quality(label, floor):
    path = DATA / "test_measures.jsonl"
    if not path.exists():
        pytest.fail("held-out set tests/data/test_measures.jsonl is missing")
    assert _f1(path, label) >= floor
