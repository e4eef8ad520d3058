"""Sentences and tokens: offsets into the untouched text, layout rules, segment boundaries."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import load_corpus, sentences_table, split_sentences, tokenize, tokens_table


def texts(text, spans):
    return [text[a:b] for a, b in spans]


def test_headlines_and_one_line_paragraphs_are_sentences():
    text = ("Potential ceasefire\nPutin and Trump discussed a 30-day ceasefire, the Kremlin said. "
            "Namely, Putin outlined the need to monitor it.\nPrisoner swap\nThe sides will swap 175 "
            "prisoners.")
    assert texts(text, split_sentences(text)) == [
        "Potential ceasefire",
        "Putin and Trump discussed a 30-day ceasefire, the Kremlin said.",
        "Namely, Putin outlined the need to monitor it.",
        "Prisoner swap",
        "The sides will swap 175 prisoners."]


def test_hard_wrapped_release_joins_lines_but_keeps_offsets():
    text = ("President Biden spoke today with President Zelenskyy of\n"
            "Ukraine about the ongoing work by the United States and its allies and\n"
            "partners.  He also reviewed the sanctions announced last week.\n\n\\###\n")
    got = texts(text, split_sentences(text))
    assert got == ["President Biden spoke today with President Zelenskyy of\nUkraine about the "
                   "ongoing work by the United States and its allies and\npartners.",
                   "He also reviewed the sanctions announced last week.", "\\###"]


def test_speaker_labels_start_new_sentences_inside_wrapped_briefing():
    text = ("MS. PSAKI:  So I have a little bit at the top, and then I am happy to\n"
            "take your questions about the sanctions on Russia.\n"
            "Q    Do we get to vote on who we would prefer?  (Laughter.)\n")
    assert texts(text, split_sentences(text)) == [
        "MS. PSAKI:  So I have a little bit at the top, and then I am happy to\n"
        "take your questions about the sanctions on Russia.",
        "Q    Do we get to vote on who we would prefer?", "(Laughter.)"]


def test_abbreviations_do_not_end_sentences():
    text = "Mr. Smith met U.S. officials on Dec. 19 at No. 10 Downing Street. They agreed."
    assert texts(text, split_sentences(text)) == [
        "Mr. Smith met U.S. officials on Dec. 19 at No. 10 Downing Street.", "They agreed."]


def test_split_respects_the_given_span():
    text = "Outside. Inside one. Inside two. Outside again."
    start = text.index("Inside one")
    end = text.index(" Outside again")
    assert texts(text, split_sentences(text, start, end)) == ["Inside one.", "Inside two."]


def test_tokens_carry_offsets_and_normalised_forms():
    text = "The Kremlin\u2019s U.S. prisoners-of-war don't 3.5 \u2014 Kiev!"
    toks = tokenize(text)
    assert [text[a:b] for a, b, _ in toks] == ["The", "Kremlin\u2019s", "U.S", "prisoners-of-war",
                                                "don't", "3.5", "Kiev"]
    assert [n for _, _, n in toks] == ["the", "kremlin's", "u.s", "prisoners-of-war", "don't",
                                       "3.5", "kiev"]


def test_tables_slice_back_to_the_text_and_number_per_document(tmp_path):
    (tmp_path / "a.txt").write_text("One two. Three four five.\nSix", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Seven eight nine ten.", encoding="utf-8")
    docs = load_corpus(tmp_path)
    sents = sentences_table(docs)
    toks = tokens_table(docs, sents)
    assert sents.groupby("doc_id").size().to_dict() == {"a": 3, "b": 1}
    assert toks.groupby("doc_id").size().to_dict() == {"a": 6, "b": 4}
    text = dict(zip(docs["doc_id"], docs["text"]))
    for row in sents.itertuples():
        assert text[row.doc_id][row.start:row.end] == row.text
    for row in toks.itertuples():
        assert text[row.doc_id][row.start:row.end] == row.text
    assert toks[toks.doc_id == "b"]["tok_id"].tolist() == [0, 1, 2, 3]
    assert sents[sents.doc_id == "a"]["sent_id"].tolist() == [0, 1, 2]


def test_sentences_never_cross_segment_boundaries():
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["\u201cWe agree on peace,\u201d the Kremlin said."]})
    quote_end = docs["text"][0].index("the Kremlin")
    segments = pd.DataFrame({"doc_id": ["d", "d"], "seg_id": [0, 1], "start": [0, quote_end],
                             "end": [quote_end, len(docs["text"][0])]})
    sents = sentences_table(docs, segments)
    assert sents["text"].tolist() == ["\u201cWe agree on peace,\u201d", "the Kremlin said."]
    assert sents["seg_id"].tolist() == [0, 1]


def test_shared_corpus_sentence_offsets(corpus_sources):
    docs = load_corpus(corpus_sources / "us_ru_ua_talks_2025_whitehouse")
    sents = sentences_table(docs)
    assert set(sents["doc_id"]) == set(docs["doc_id"])
    text = dict(zip(docs["doc_id"], docs["text"]))
    assert all(text[d][a:b] == t for d, a, b, t in
               zip(sents["doc_id"], sents["start"], sents["end"], sents["text"]))
    assert (sents["text"].str.strip() == sents["text"]).all()


def test_sentence_memo_splits_each_unit_once_and_forgets_it_afterwards(monkeypatch):
    import analysis.tokens as tokens_module
    from analysis.tokens import sentence_memo

    # Counts the Python path's calls; the compiled twin fills the same memo tables
    # (tests/test_native_sentsplit.py).
    monkeypatch.setattr(tokens_module, "_native_sentsplit", None)
    real = tokens_module.sent_spans
    calls = []

    def counting(unit):
        calls.append(unit)
        return real(unit)

    monkeypatch.setattr(tokens_module, "sent_spans", counting)
    text = "Talks resumed. Both sides spoke.\n\nTalks resumed. Both sides spoke."
    expected = ["Talks resumed.", "Both sides spoke.", "Talks resumed.", "Both sides spoke."]
    with sentence_memo():
        assert texts(text, split_sentences(text)) == expected
        with sentence_memo():  # a nested block shares the outer memo
            assert texts(text, split_sentences(text, 34)) == expected[2:]
    assert len(calls) == 1
    assert texts(text, split_sentences(text)) == expected
    assert len(calls) == 3


def test_units_without_a_possible_sentence_end_are_still_repaired():
    # No period, "!" or "?" anywhere, so Punkt has nothing to split; the stage direction still is.
    text = "We agree on that (Applause) Then we left"
    assert texts(text, split_sentences(text)) == ["We agree on that (Applause)", "Then we left"]


def test_lowercase_word_cut_needs_the_next_word_inside_the_span():
    text = 'Putin and Trump discussed a ceasefire, the Kremlin said. "Namely'
    assert texts(text, split_sentences(text)) == [
        "Putin and Trump discussed a ceasefire, the Kremlin said.", '"Namely']
    # Cut off before "Namely", the span holds no capital after "said.", so nothing ends there.
    assert texts(text, split_sentences(text, 0, text.index("Namely"))) == [
        'Putin and Trump discussed a ceasefire, the Kremlin said. "']


def test_tokenize_keeps_offsets_when_lowercasing_changes_length():
    text = "\u0130stanbul and \u0391\u03a3 talks"
    toks = tokenize(text)
    assert [(a, b) for a, b, _ in toks] == [(0, 8), (9, 12), (13, 15), (16, 21)]
    assert [n for _, _, n in toks] == ["i\u0307stanbul", "and", "\u03b1\u03c2", "talks"]


def test_tokens_straddling_a_sentence_boundary_are_split_as_each_sentence_sees_them():
    docs = pd.DataFrame({"doc_id": ["d"], "text": ["Talks ended.Next round"]})
    sents = pd.DataFrame({"doc_id": ["d", "d"], "sent_id": [0, 1], "seg_id": [0, 1],
                          "start": [0, 12], "end": [12, 22]})
    toks = tokens_table(docs, sents)
    assert toks["text"].tolist() == ["Talks", "ended", "Next", "round"]
    assert toks["start"].tolist() == [0, 6, 12, 17]
    assert toks["sent_id"].tolist() == [0, 0, 1, 1]
    assert toks["seg_id"].tolist() == [0, 0, 1, 1]
    assert toks["tok_id"].tolist() == [0, 1, 2, 3]


def test_tokens_outside_every_sentence_are_left_out():
    docs = pd.DataFrame({"doc_id": ["d", "e"], "text": ["Alpha beta. Gamma delta.", "Don\u2019t go"]})
    sents = pd.DataFrame({"doc_id": ["d", "e"], "sent_id": [0, 0], "seg_id": [3, 0],
                          "start": [12, 0], "end": [24, 8]})
    toks = tokens_table(docs, sents)
    assert toks["doc_id"].tolist() == ["d", "d", "e", "e"]
    assert toks["text"].tolist() == ["Gamma", "delta", "Don\u2019t", "go"]
    assert toks["norm"].tolist() == ["gamma", "delta", "don't", "go"]
    assert toks["start"].tolist() == [12, 18, 0, 6]
    assert toks["tok_id"].tolist() == [0, 1, 0, 1]
    assert toks["seg_id"].tolist() == [3, 3, 0, 0]


@pytest.mark.parametrize("text", [
    "",
    "   ",
    "He left. She stayed.",
    'He said "Stop." Then he left.',
    "Is it? \"Yes.\" (He nodded.) Then they left!",
    "The U.S. Army arrived on Dec. 19 at 5 p.m. The talks began.",
    "Mr. Smith met J. K. Rowling. ... And then? Nothing!! \u201cOkay.\u201d She went.",
    "1. First item. 2. Second item.",
    "Wait . . . What? Hmm\u2026 Fine.  ",
])
@pytest.mark.parametrize("compiled", [True, False])
def test_punkt_fast_spans_equal_nupunkt(text, compiled, monkeypatch):
    import nupunkt
    from analysis.punkt_fast import sent_spans as fast_spans

    from analysis import punkt_fast

    if not compiled:
        monkeypatch.setattr(punkt_fast, "_native_sentsplit", None)
    elif punkt_fast._native_sentsplit is None:
        pytest.skip("analysis._native.sentsplit is not built")

    # The fast path must be the one compared, not its fallback to nupunkt itself.
    tokenizer, _ = punkt_fast._model()
    assert punkt_fast._supported(tokenizer) and tokenizer._uses_decision_engine()
    assert not tokenizer.EXCL_QUEST_LOWERCASE_CONTINUES
    # nupunkt itself is the independent reference.
    assert fast_spans(text) == nupunkt.sent_spans(text)


def test_paragraph_memo_reuses_a_paragraph_with_line_breaks(monkeypatch):
    import analysis.tokens as tokens_module
    from analysis.tokens import sentence_memo

    monkeypatch.setattr(tokens_module, "_native_sentsplit", None)  # as above
    real = tokens_module._paragraph_units
    calls = []

    def counting(text, start, end):
        calls.append(text[start:end])
        return real(text, start, end)

    monkeypatch.setattr(tokens_module, "_paragraph_units", counting)
    paragraph = "HEADLINE\nTalks resumed. Both sides spoke."
    text = paragraph + "\n\n" + paragraph
    expected = ["HEADLINE", "Talks resumed.", "Both sides spoke."] * 2
    with sentence_memo():
        assert texts(text, split_sentences(text)) == expected
    assert calls == [paragraph]
    assert texts(text, split_sentences(text)) == expected
    assert len(calls) == 3


PLAIN_CONTEXTS = [("said.", " The"), ("said.", ""), ("said.", "   "), ("said.", "\n\nThe"),
                  ("said.", " the"), ("said.", " . . ."), ("said.", ' "The'), ("talks.", " 5"),
                  ("Mr.", " Smith"), ("etc.", " The"), ("Gen.", " Smith"), ("Dec.", " 19"),
                  ("iv.", " The"), ("I.", " Then")]


@pytest.mark.parametrize("context", PLAIN_CONTEXTS)
def test_punkt_fast_decides_contexts_as_nupunkt(context):
    from analysis.punkt_fast import _decider, _model

    tokenizer, is_abbreviation = _model()
    # nupunkt's string-level decision with an empty memo is the independent reference.
    expected = tokenizer._strings_contain_sentbreak(*context, {})
    assert _decider(tokenizer, is_abbreviation)(context) == expected


def test_punkt_fast_leaves_collocations_unbroken():
    import copy

    from nupunkt import PunktSentenceTokenizer

    from analysis.punkt_fast import _decider, _model

    default, is_abbreviation = _model()
    tokenizer = PunktSentenceTokenizer(copy.deepcopy(default.parameters))
    tokenizer.parameters.collocations.add(("said", "the"))
    decide = _decider(tokenizer, is_abbreviation)
    assert decide(("said.", " The")) is False  # a known collocation is no sentence end
    assert decide(("said.", " He")) is True
    assert decide(("said.", " The")) == tokenizer._strings_contain_sentbreak("said.", " The", {})
    # The default model, decided again afterwards, is unaffected by the private copy.
    assert _decider(default, is_abbreviation)(("said.", " The")) is True


def test_punkt_fast_falls_back_to_nupunkt_without_its_internals(monkeypatch):
    """A nupunkt lacking the private methods the fast path reads gives nupunkt's own spans."""
    import nupunkt

    from analysis import punkt_fast

    def fail(*args, **kwargs):
        raise AssertionError("the fast path must not run")

    monkeypatch.setattr(punkt_fast, "_PRIVATE_API", punkt_fast._PRIVATE_API + ("_gone",))
    monkeypatch.setattr(punkt_fast, "_slices", fail)
    text = "He said. The U.S. did too. Then Mr. Smith left."
    assert punkt_fast.sent_spans(text) == [(0, 9), (9, 27), (27, 47)]
    assert punkt_fast.sent_spans(text) == list(nupunkt.sent_spans(text))
