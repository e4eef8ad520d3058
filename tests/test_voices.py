"""Segments cover every character once; voices of quotes, narration, comments and transcript turns."""
from __future__ import annotations

import pandas as pd
import pytest

import analysis
from analysis import load_corpus
from analysis.voices import find_speaker_turns, segment_documents
from helpers import docs_from


def assert_covers_every_character(docs, segments):
    lengths = dict(zip(docs["doc_id"], docs["text"].str.len()))
    assert set(segments["doc_id"]) == set(docs["doc_id"])
    for doc_id, group in segments.groupby("doc_id"):
        g = group.sort_values("start")
        assert g["start"].iloc[0] == 0 and g["end"].iloc[-1] == lengths[doc_id]
        assert (g["start"].to_numpy()[1:] == g["end"].to_numpy()[:-1]).all(), doc_id
        assert (g["end"] >= g["start"]).all()
        assert g["seg_id"].tolist() == list(range(len(g)))


def voice_at(text, segments, needle):
    pos = text.index(needle)
    row = segments[(segments.start <= pos) & (pos < segments.end)].iloc[0]
    return row["voice"], row["source"], row["kind"]


def test_seed_voices(seed_docs):
    segments = segment_documents(seed_docs)
    assert_covers_every_character(seed_docs, segments)
    text = seed_docs.iloc[0]["text"]
    assert voice_at(text, segments, "Serious risks associated") == (
        "official", "Russian government", "direct_quote")
    assert voice_at(text, segments, "The leaders agreed that the movement") == (
        "official", "US government", "direct_quote")
    assert voice_at(text, segments, "the Kremlin press service said, adding")[0] == "reporting"
    assert voice_at(text, segments, "Here are the key takeaways")[0] == "reporting"
    assert voice_at(text, segments, "Only an un elected representative") == (
        "commentary", "reader comment 1", "comment")
    assert voice_at(text, segments, "Looking past the media-spin") == (
        "commentary", "reader comment 2", "comment")
    comments = segments[segments.kind == "comment"]
    assert len(comments) == 2


def test_transcript_turns_in_a_briefing():
    text = ("MS. PSAKI:  Good afternoon.  The sanctions will bite.\n\n"
            "Q    Will they work?\n\n"
            "MS. PSAKI:  We believe so.\n")
    docs = docs_from(text, kind=["official"])
    segments = segment_documents(docs)
    assert_covers_every_character(docs, segments)
    assert voice_at(text, segments, "The sanctions will bite") == ("official", "US government",
                                                                    "speaker_turn")
    assert voice_at(text, segments, "Will they work") == ("quoted_other", "journalist",
                                                           "speaker_turn")


def test_inline_kremlin_labels():
    text = ("The President answered questions. Pavel Zarubin: Will the talks continue? "
            "President of Russia Vladimir Putin: Yes, they will. Pavel Zarubin: Thank you.")
    turns = find_speaker_turns(text)
    assert [t[2] for t in turns] == ["Pavel Zarubin", "President of Russia Vladimir Putin",
                                    "Pavel Zarubin"]
    segments = segment_documents(docs_from(text, kind=["official"]))
    assert voice_at(text, segments, "Yes, they will")[:2] == ("official", "Russian government")
    assert voice_at(text, segments, "Will the talks continue")[:2] == ("quoted_other", "Pavel Zarubin")


def test_a_single_colon_label_is_not_a_transcript():
    assert find_speaker_turns("Note: the figures are preliminary.") == []


def test_empty_document_keeps_one_segment():
    docs = docs_from("", "Some text.")
    segments = segment_documents(docs)
    assert segments[segments.doc_id == "d0"][["start", "end"]].values.tolist() == [[0, 0]]


@pytest.mark.parametrize("folder", ["ru_ua_war_2022", "us_ru_ua_talks_2025_whitehouse"])
def test_shared_corpora_are_fully_covered(corpus_sources, folder):
    docs = load_corpus(corpus_sources / folder)
    segments = segment_documents(docs)
    assert_covers_every_character(docs, segments)
    assert set(segments["voice"]) <= {"official", "commentary", "reporting", "quoted_other"}
    # Whole official documents are official except what others say inside them.
    official_docs = docs.loc[docs["kind"] == "official", "doc_id"]
    share = segments[segments.doc_id.isin(official_docs)].assign(n=lambda s: s.end - s.start)
    by_voice = share.groupby("voice")["n"].sum()
    assert by_voice["official"] > 0.7 * by_voice.sum()


def test_voices_flow_into_measures_kwic_and_view(seed_docs):
    result = analysis.analyze(seed_docs)
    said = result.kwic(term="said", window=3)
    assert set(said["voice"]) == {"reporting"}
    ceasefire = result.kwic(term="ceasefire", window=2)
    assert "official" in set(ceasefire["voice"]) and "reporting" in set(ceasefire["voice"])
    markup = str(result.highlight(seed_docs.iloc[0]["doc_id"]))
    assert "dk-voice" in markup and "commentary" in markup and "official: Russian government" in markup


def test_per_voice_rates_by_hand():
    text = ("\u201cThe deal may perhaps hold,\u201d the Kremlin said. Officials clearly hope so.")
    result = analysis.analyze(docs_from(text, genre=["news"]))
    rates = result.rates(by="voice").set_index(["voice", "measure"])
    # official: the quote "The deal may perhaps hold" = 5 tokens, hedges may + perhaps = 2
    assert rates.loc[("official", "hedge"), ["hits", "tokens"]].tolist() == [2, 5]
    assert rates.loc[("official", "hedge"), "per_1k"] == pytest.approx(400.0)
    # reporting: "the Kremlin said. Officials clearly hope so." = 7 tokens, booster clearly = 1
    assert rates.loc[("reporting", "booster"), ["hits", "tokens"]].tolist() == [1, 7]
    assert rates.loc[("reporting", "hedge"), "hits"] == 0
    profile = result.profile(by=["voice"]).set_index("voice")
    assert profile.loc["official", "hedge_per_1k"] == pytest.approx(400.0)
    assert profile.loc["reporting", "n_sentences"] == 2
    per_source = result.rates(by=["source"]).set_index(["source", "measure"])
    assert per_source.loc[("Russian government", "hedge"), "hits"] == 2


def test_speaker_labels_after_every_kind_of_boundary():
    text = ("Opening remarks.\n  MS. PETROVA: Hello there.\u2026Ivan Sidorov: Thanks (really) "
            "Anna Petrova: Next.  Ivan Sidorov: not a label after two spaces.\nQ  Why?")
    turns = find_speaker_turns(text)
    assert [(t[0], t[2]) for t in turns] == [
        (text.index("MS. PETROVA"), "MS. PETROVA"), (text.index("Ivan Sidorov"), "Ivan Sidorov"),
        (text.index("Anna Petrova"), "Anna Petrova"), (text.index("Q  Why"), "Q")]


@pytest.mark.parametrize("text, expected", [
    ("President of Belarus Alexander Lukashenko arrived.", True),
    ("President\nAlexander Lukashenko arrived.", True),
    ("The President, as expected, met Alexander Lukashenko.", False),    # a comma in the gap
    ("President of the friendly neighbouring republic, Alexander Lukashenko", False),
    ("The President met with a very large delegation led by Alexander Lukashenko.", False),
    ("Presidential aide Alexander Lukashenko arrived.", False),           # not a whole word
    ("President Alexander Lukashenkov arrived.", False),                  # a longer name
])
def test_speaker_introduced_with_an_office(text, expected):
    from analysis.voices import _introduced_with_office
    assert _introduced_with_office(text, "Alexander Lukashenko") is expected


def test_document_source_from_the_first_filled_metadata_column():
    docs = docs_from("Some text.", "Other text.", "More text.", speaker=["", None, None],
                     author=["  ", "Jane Doe", None], source=["Reuters", "AP", None])
    segments = segment_documents(docs)
    sources = segments["source"]
    assert sources.iloc[:2].tolist() == ["Reuters", "Jane Doe"] and pd.isna(sources.iloc[2])
