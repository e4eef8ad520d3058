"""Attribution relations: hand-written examples of every pattern, and the seed's golden relations."""
from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from analysis.attribution import extract_attributions, find_quotes
from analysis.evaluate import evaluate_attribution, score_exact_spans
from conftest import DATA
from helpers import docs_from


def relations(text: str) -> list[dict]:
    rels = extract_attributions(docs_from(text))
    out = []
    for r in rels.itertuples():
        out.append({"kind": r.kind, "cue": r.cue, "source": r.source,
                    "content": text[r.content_start:r.content_end], "entity": r.source_norm,
                    "type": r.source_type})
    return out


def test_quote_then_source_and_cue():
    text = "\u201cThe talks were useful,\u201d the Kremlin press service said."
    assert relations(text) == [{"kind": "direct", "cue": "said", "source": "the Kremlin press service",
                                "content": "\u201cThe talks were useful,\u201d",
                                "entity": "Russian government", "type": "official"}]


def test_quote_then_cue_then_source_with_apposition():
    text = ('"Sanctions are biting," said Anna Voronina, a senior fellow at the Centre for East '
            'European Studies.')
    rel, = relations(text)
    assert (rel["kind"], rel["cue"], rel["content"]) == ("direct", "said", '"Sanctions are biting,"')
    assert rel["source"] == "Anna Voronina, a senior fellow at the Centre for East European Studies"
    assert rel["type"] == "non-official"


def test_source_cue_colon_quote():
    text = "The White House said in a statement: \u201cThe leaders agreed on a ceasefire.\u201d"
    rel, = relations(text)
    assert (rel["kind"], rel["source"], rel["cue"]) == ("direct", "The White House", "said")
    assert rel["content"] == "\u201cThe leaders agreed on a ceasefire.\u201d"
    assert rel["entity"] == "US government"


def test_interrupted_quote_gives_two_relations():
    text = "\u201cWe are ready,\u201d Peskov said. \u201cBut not at any price.\u201d"
    rels = relations(text)
    assert [r["content"] for r in rels] == ["\u201cWe are ready,\u201d", "\u201cBut not at any price.\u201d"]
    assert {r["source"] for r in rels} == {"Peskov"} and {r["entity"] for r in rels} == {"Russian government"}


def test_indirect_speech_with_that_and_told():
    text = "Lavrov told reporters that the proposal was unacceptable."
    rel, = relations(text)
    assert (rel["kind"], rel["source"], rel["cue"], rel["content"]) == (
        "indirect", "Lavrov", "told", "the proposal was unacceptable")


def test_sentence_final_attribution_drops_leading_connective():
    text = "In addition, Moscow will return 23 wounded servicemen, the press service noted."
    rel, = relations(text)
    assert rel["content"] == "Moscow will return 23 wounded servicemen"
    assert (rel["source"], rel["cue"], rel["entity"]) == ("the press service", "noted", "Russian government")


def test_according_to_both_orders():
    first = relations("According to the White House, the call lasted two hours.")
    last = relations("The call lasted two hours, according to the Kremlin.")
    assert [(r["kind"], r["source"], r["content"]) for r in first] == [
        ("according_to", "the White House", "the call lasted two hours")]
    assert [(r["kind"], r["source"], r["content"]) for r in last] == [
        ("according_to", "the Kremlin", "The call lasted two hours")]


def test_pronoun_source_resolves_to_previous_person():
    text = "Dmitry Peskov spoke on Monday. He said the talks would continue."
    rel, = relations(text)
    assert (rel["source"], rel["entity"], rel["type"]) == ("He", "Russian government", "official")


def test_non_official_and_unknown_sources():
    rels = relations("Analysts said the sanctions were working. Residents said the shelling continued.")
    assert [r["type"] for r in rels] == ["non-official", "non-official"]


def test_outlined_the_need_is_a_report():
    rel, = relations("Namely, Putin outlined the need to establish a monitoring mechanism.")
    assert (rel["source"], rel["cue"], rel["content"]) == (
        "Putin", "outlined", "the need to establish a monitoring mechanism")


@pytest.mark.parametrize("text", [
    "\u201cAn unclosed quote, the minister said.",
    "A stray closing mark\u201d appears here, officials said.",
    '"Straight and \u201ccurly mixed" quotes\u201d are odd.',
    "\u201c\u201c\u201d\u201d\u201d",
])
def test_unbalanced_quotes_never_crash_and_warn(text, caplog):
    with caplog.at_level(logging.WARNING):
        spans = find_quotes(text)
        rels = extract_attributions(docs_from(text))
    assert all(0 <= a < b <= len(text) for a, b in spans)
    assert isinstance(rels, pd.DataFrame)
    if text.count("\u201c") != text.count("\u201d"):
        assert "quotation mark" in caplog.text


def test_multi_paragraph_quote_is_one_span():
    text = ("\u201cFirst paragraph of the statement.\n\n\u201cSecond paragraph ends here,\u201d "
            "the ministry said.")
    assert find_quotes(text) == [(0, text.index("\u201d") + 1)]


def _seed_relations(seed_docs):
    text = seed_docs.iloc[0]["text"]
    article_end = text.index("\n## Comments")
    rels = extract_attributions(seed_docs)
    rels = rels[rels["content_start"] < article_end]
    return text, rels


def test_seed_golden_relations_exactly(seed_docs):
    """Every attribution of the seed article, written down by hand in seed_attributions.json."""
    gold = json.loads((DATA / "seed_attributions.json").read_text(encoding="utf-8"))
    text, rels = _seed_relations(seed_docs)

    def span(value, occurrence):
        pos = -1
        for _ in range(occurrence):
            pos = text.index(value, pos + 1)
        return pos, pos + len(value)

    expected = set()
    for rel in gold["relations"]:
        expected.add((span(rel["cue"], rel.get("cue_occurrence", 1)),
                      span(rel["source"], rel.get("source_occurrence", 1)),
                      span(rel["content"], rel.get("content_occurrence", 1)),
                      rel["source_norm"], rel["source_type"]))
    got = {((r.cue_start, r.cue_end), (r.source_start, r.source_end),
            (r.content_start, r.content_end), r.source_norm, r.source_type)
           for r in rels.itertuples()}
    assert got == expected


@pytest.mark.parametrize("name", ["dev_attribution.jsonl", "test_attribution.jsonl"])
def test_attribution_meets_targets(name):
    # Targets of the issue (exact span): cue >= 0.82, source >= 0.75, content >= 0.60.
    # dev_attribution was used for tuning; test_attribution was written blind and never was.
    table = evaluate_attribution(DATA / name).set_index("role")
    assert table.loc["cue", "f1"] >= 0.82
    assert table.loc["source", "f1"] >= 0.75
    assert table.loc["content", "f1"] >= 0.60


def test_exact_span_scoring_by_hand():
    gold = pd.DataFrame({"doc_id": ["a", "a"], "role": ["cue", "cue"], "start": [0, 10], "end": [4, 14]})
    pred = pd.DataFrame({"doc_id": ["a", "a", "a"], "role": ["cue"] * 3, "start": [0, 10, 20],
                         "end": [4, 13, 24]})
    row = score_exact_spans(gold, pred).set_index("role").loc["cue"]
    # one exact match of two gold and three predicted: P 1/3, R 1/2, F1 0.4
    assert (row["precision"], row["recall"], row["f1"]) == (0.333, 0.5, 0.4)
