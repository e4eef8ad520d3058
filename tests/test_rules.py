"""Each context rule, with a positive and a negative example written by hand."""
from __future__ import annotations

import pytest

from helpers import hits


def terms(text, measure):
    return [m.lower() for m, _ in hits(text, measure)]


@pytest.mark.parametrize("text, expected", [
    ("The talks may resume next week.", ["may"]),                     # modal: hedge
    ("The talks resumed in May and ended on May 9.", []),              # month, twice
    ("Talks May Resume, Officials Say", []),                           # title case: month reading
    ("TALKS MAY RESUME NEXT WEEK", ["may"]),                           # headline caps, modal
    ("TALKS RESUMED ON MAY 9", []),                                    # headline caps, month
])
def test_not_month(text, expected):
    assert [t for t in terms(text, "hedge") if t == "may"] == expected


@pytest.mark.parametrize("text, expected", [
    ("About 30 people were killed.", ["about"]),
    ("The sides will exchange some 175 prisoners.", ["some"]),
    ("Around $3 billion was pledged.", ["around"]),
    ("Up to 40 trucks crossed.", ["up to"]),
    ("They talked about peace.", []),
    ("Leaders from around the world came.", []),
    ("Some countries objected.", []),
    ("The strikes went up to the border.", []),
])
def test_before_quantity(text, expected):
    approximators = [m.lower() for m, c in hits(text, "hedge") if c == "approximator"]
    assert approximators == expected


@pytest.mark.parametrize("text, expected", [
    ("The deal could collapse.", ["could"]),
    ("The deal could not collapse.", []),
    ("The deal cannot collapse.", []),
    ("The deal could never collapse.", []),
])
def test_not_negated(text, expected):
    assert [t for t in terms(text, "hedge") if t in ("could", "cannot")] == expected


@pytest.mark.parametrize("text, expected", [
    ("The sanctions would hurt Russia.", ["would"]),
    ("He said he would visit Kyiv.", []),
    ("I would like to thank the minister.", []),
    ("He would often call late at night.", []),
    ("Reporters asked whether the administration would send missiles.", []),
])
def test_epistemic_would(text, expected):
    assert [t for t in terms(text, "hedge") if t == "would"] == expected


@pytest.mark.parametrize("text, expected", [
    ("The ceasefire appears to be holding.", ["appears"]),
    ("It appeared that the talks had stalled.", ["appeared"]),
    ("The suspect will appear in court on Monday.", []),
    ("The minister appeared on television.", []),
])
def test_epistemic_appear(text, expected):
    assert [t for t in terms(text, "hedge") if t.startswith("appear")] == expected


@pytest.mark.parametrize("text, expected", [
    ("Moscow claims that the strike hit a depot.", ["claims"]),
    ("The army claimed victory.", []),
])
def test_epistemic_claim(text, expected):
    assert [t for t in terms(text, "hedge") if t.startswith("claim")] == expected


@pytest.mark.parametrize("text, expected", [
    ("I think the deal will hold.", ["think"]),
    ("It is believed that the convoy left.", ["believed"]),
    ("Analysts think the deal will hold.", []),
])
def test_speaker_stance(text, expected):
    assert [t for t in terms(text, "hedge") if t in ("think", "believed")] == expected


@pytest.mark.parametrize("text, expected", [
    ("The Kremlin said the talks were useful.", ["said"]),
    ("\u201cWe are ready,\u201d said Peskov.", ["said"]),
    ("The said agreement expired.", []),
    ("The report was published by member states.", []),
    ("The United States imposed sanctions.", []),
    ("According to the White House, the call lasted two hours.", ["according to"]),
    ("The troops withdrew according to plan.", []),
    ("The spokesman declined to comment.", []),
    ("All told, 40 trucks crossed.", []),
    ("I think the deal will hold.", []),
    ("Officials note that the deal will hold.", ["note"]),
    ("He left a note on the desk.", []),
])
def test_reporting_use(text, expected):
    assert terms(text, "reporting_verb") == expected


@pytest.mark.parametrize("text, measure, category", [
    ("The outcome is certain.", "booster", "adjective"),
    ("It is clear that the talks failed.", "booster", "adjective"),
    ("It is not clear whether the talks failed.", "hedge", "negated_booster"),
])
def test_negation_flips_booster_to_hedge(text, measure, category):
    from helpers import run_measures
    *_, matches = run_measures(text)
    found = matches[matches["matched"].str.contains("certain|clear")]
    assert list(zip(found["measure"], found["category"])) == [(measure, category)]


def test_not_certain_is_a_hedge_and_not_a_booster():
    from helpers import run_measures
    *_, matches = run_measures("The outcome is not certain.")
    found = matches[matches["matched"].str.contains("certain")]
    assert found["measure"].tolist() == ["hedge"]


def test_no_doubt_is_a_booster_and_i_doubt_a_hedge():
    from helpers import run_measures
    *_, matches = run_measures("There is no doubt the talks failed.", "I doubt the talks failed.")
    doubt = matches[matches["matched"].str.lower().str.contains("doubt")]
    assert list(zip(doubt["doc_id"], doubt["measure"])) == [("d0", "booster"), ("d1", "hedge")]


def test_multiword_terms_do_not_jump_punctuation():
    assert ("root causes", "policy_prescription_and_evaluation") in [
        (m.lower(), c) for m, c in hits("They must address the root causes of the crisis.", "frame")]
    assert not [m for m, _ in hits("The root, causes and effects.", "frame")
                if m.lower() == "root, causes"]


def test_longest_match_wins_inside_a_lexicon():
    found = [m.lower() for m, _ in hits("The nuclear power plant was shelled.", "frame")]
    assert "nuclear" not in found and any("nuclear power plant" in f for f in found)


@pytest.mark.parametrize("text", ["The talks will resume.", "Will the talks resume?",
                                  "Officials said the talks will not resume."])
def test_will_is_never_a_hedge(text):
    assert "will" not in terms(text, "hedge")


def test_negated_hits_by_hand():
    import numpy as np

    from analysis.rules import negated_hits
    # Rows: 0 they, 1 did, 2 not, 3 really, 4 think | 5 not, 6 said |
    #       7 never, 8 so, 9 hedged ("; " before it), 10 no, 11 a, 12 b, 13 c, 14 d
    negator = np.array([0, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0, 0], dtype=bool)
    break_before = np.zeros(15, dtype=bool)
    break_before[9] = True
    first = np.array([4, 6, 0, 3, 9, 12, 13, 14])
    sentence_first = np.array([0, 5, 0, 3, 7, 7, 7, 7])
    # think: "not" two back; said: "not" right before; row 0 opens the table; row 3 as the
    # first of a sentence may not see "not" in the sentence before; hedged: the ";" closes
    # the window before "never"; b, c: "no" two and three back; d: "no" four back, too far.
    assert negated_hits(first, sentence_first, negator, break_before).tolist() == [
        True, True, False, False, False, True, True, False]
