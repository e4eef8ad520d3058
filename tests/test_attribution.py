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


# -- The cue pre-filter: a regex over the whole text decides which sentences are tokenised. --

def _tiny_cue_lexicon():
    from analysis.lexicon import Entry, Lexicon
    forms = [("said",), ("add",), ("added",), ("according", "to"), ("in", "the", "words", "of"),
             ("claim*",)]
    entries = tuple(Entry(term=" ".join(f), category="neutral", forms=(f,)) for f in forms)
    return Lexicon(name="tiny", measure="cue", version="1", provenance={}, categories={},
                   entries=entries, path="", sha256="")


def test_cue_starts_cover_every_form_and_skip_longer_words():
    from analysis.attribution import _Quotes, _cue_start_pattern, _cue_starts
    text = ("Peskov SAID\u2019s piece. Additional talks; she added-on nothing. According\nto Lavrov, "
            "in the words of Putin, they claimed it. He saidx so, according's to them.")
    starts = _cue_starts(_cue_start_pattern(_tiny_cue_lexicon()), text, _Quotes([]))
    # Possessive and capitals count, a form may break across a line, a wildcard takes any ending;
    # "Additional", "added-on" and "saidx" are longer tokens, not cues.
    assert starts == [text.index("SAID"), text.index("According"), text.index("in the words"),
                      text.index("claimed"), text.index("according's")]


def test_cue_starts_leave_out_quotations_and_give_up_on_shifting_lowercase():
    from analysis.attribution import _Quotes, _cue_start_pattern, _cue_starts
    pattern = _cue_start_pattern(_tiny_cue_lexicon())
    text = "\u201cWe said so,\u201d he said."
    assert _cue_starts(pattern, text, _Quotes([(0, 15)])) == [text.rindex("said")]
    # "\u0130".lower() is two characters: offsets into the lowercased text would be wrong.
    assert _cue_starts(pattern, "\u0130stanbul, he said.", _Quotes([])) is None


def test_relations_found_when_the_text_cannot_be_prefiltered():
    text = "Officials met in \u0130stanbul. Peskov said the talks were useful."
    rel, = relations(text)
    assert (rel["kind"], rel["source"], rel["cue"], rel["content"]) == (
        "indirect", "Peskov", "said", "the talks were useful")


def test_quote_index_lookups():
    from analysis.attribution import _Quotes
    quotes = _Quotes([(0, 5), (10, 20)])
    assert [quotes.covers(p) for p in (0, 4, 5, 9, 10, 19, 20)] == [
        True, True, False, False, True, True, False]
    assert (quotes.last_ending_by(4), quotes.last_ending_by(9), quotes.last_ending_by(20)) == (
        None, (0, 5), (10, 20))
    assert (quotes.starting_at(10), quotes.starting_at(11)) == ((10, 20), None)
    assert quotes == [(0, 5), (10, 20)]


def test_source_book_prefers_the_longest_alias_and_remembers_answers(monkeypatch):
    from analysis.sources import SourceBook
    book = SourceBook(aliases={"kremlin": ("Kremlin", "official"),
                               "kremlin press service": ("Press service", "official")},
                      persons=frozenset(), official_words=(), non_official_words=(),
                      extra_cues=(), path="", sha256="")
    phrase = "the head of the Kremlin press service"
    calls = []
    original = SourceBook._classify
    monkeypatch.setattr(SourceBook, "_classify",
                        lambda self, p: calls.append(p) or original(self, p))
    assert book.classify(phrase) == ("Press service", "official", False)
    assert book.classify(phrase) == ("Press service", "official", False)
    assert calls == [phrase]  # the second answer came from the memo
    assert book.classify("officials in the Kremlin") == ("Kremlin", "official", False)


def test_sentences_to_search_keeps_sentences_cut_inside_a_word():
    from analysis.attribution import _sentences_to_search
    text = "Xsaid so. Plain words here. He said it. Tail endin"
    sentences = [(1, 9), (10, 27), (28, 39), (40, 49)]  # the first and last cut inside words
    starts = [text.index("said it")]
    assert _sentences_to_search(text, sentences, starts) == [
        (1, 9, True), (28, 39, False), (40, 49, True)]
