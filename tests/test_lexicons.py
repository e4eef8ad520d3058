"""Lexicons are data with provenance; every entry can match; bad files give LexiconError."""
from __future__ import annotations

import pytest
import yaml

from analysis.errors import LexiconError
from analysis.lexicon import BUNDLED, bundled_lexicon, inflect_noun, inflect_verb, load_lexicon
from helpers import run_measures

LEXICONS = {name: bundled_lexicon(name) for name in BUNDLED}

# A carrier sentence per rule that satisfies it, with {form} where the term goes.
CARRIERS = {
    (): "Officials {form} the talks.",
    ("before_quantity",): "Officials counted {form} 30 people.",
    ("not_month",): "The talks {form} resume.",
    ("not_negated",): "The talks {form} resume.",
    ("epistemic",): "The talks {form} to fail.",
    ("speaker_stance",): "I {form} it works.",
    ("reporting_use",): "Officials {form} that the talks would resume.",
    ("negation_flips_to_hedge",): "Officials are {form} about the talks.",
    ("negation_flips_to_booster",): "Officials have {form} about the talks.",
}


def carrier(rules: tuple[str, ...], words: tuple[str, ...]) -> str:
    form = " ".join(w.rstrip("*") + ("s" if w.endswith("*") else "") for w in words)
    if "epistemic" in rules and words[0] in ("would", "'d"):
        return f"The talks {form} fail."
    if "epistemic" in rules and words[0].startswith("claim"):
        return f"Officials {form} that it works."
    if words[0] == "according":
        return f"{form.capitalize()} officials, the talks failed."
    key = tuple(r for r in rules if r not in ("negation_flips_to_hedge",
                                              "negation_flips_to_booster")) or tuple(rules[:1])
    template = CARRIERS.get(key if key in CARRIERS else tuple(rules), CARRIERS[()])
    return template.format(form=form)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_provenance_is_complete(name):
    lex = LEXICONS[name]
    for key in ("source", "citation", "licence", "authors"):
        assert lex.provenance.get(key), key
    assert lex.version and len(lex.sha256) == 64
    assert all(lex.descriptions[c] for c in lex.categories)


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_every_entry_and_form_can_match(name):
    lex = LEXICONS[name]
    sentences, expected = [], []
    for entry in lex.entries:
        for words in entry.forms:
            sentences.append(carrier(entry.rules, words))
            expected.append((entry, words))
    _, _, _, matches = run_measures(*sentences)
    assert len(expected) >= len(lex.entries)
    failures = []
    for i, (entry, words) in enumerate(expected):
        got = matches[(matches["doc_id"] == f"d{i}") & (matches["lexicon"] == lex.name)]
        if not ((got["term"] == entry.term) & (got["category"] == entry.category)).any():
            failures.append((entry.term, " ".join(words), sentences[i]))
    assert not failures, failures[:20]


def test_verb_and_noun_inflection_by_hand():
    assert inflect_verb("say") == ["say", "says", "sayed", "saying"]  # irregulars go in forms:
    assert inflect_verb("deny") == ["deny", "denies", "denied", "denying"]
    assert inflect_verb("argue") == ["argue", "argues", "argued", "arguing"]
    assert inflect_verb("stress") == ["stress", "stresses", "stressed", "stressing"]
    assert inflect_verb("stop") == ["stop", "stops", "stopped", "stopping"]
    # Stress-final doubling (admit -> admitted) is not predictable from spelling: listed in forms.
    assert inflect_verb("admit")[2] == "admited"
    assert inflect_verb("agree") == ["agree", "agrees", "agreed", "agreeing"]
    assert inflect_noun("sanction") == ["sanction", "sanctions"]
    assert inflect_noun("casualty") == ["casualty", "casualties"]
    assert inflect_noun("box") == ["box", "boxes"]


def _write(tmp_path, data) -> str:
    path = tmp_path / "lex.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data, encoding="utf-8")
    return str(path)


GOOD = {"name": "mine", "measure": "stance", "version": "1",
        "provenance": {"source": "s", "citation": "c", "licence": "CC0-1.0"},
        "categories": {"alarm": {"description": "d", "terms": ["grave danger", "alarm*",
                                                              {"warn": {"inflect": "verb"}}]}}}


def test_user_lexicon_with_multiword_wildcard_and_inflection(tmp_path):
    lex = load_lexicon(_write(tmp_path, GOOD))
    from analysis.measures import match_lexicon
    from helpers import docs_from
    from analysis import sentences_table, tokens_table
    docs = docs_from("A grave danger looms. The alarming news warned us; he warns; grave, danger.")
    sents = sentences_table(docs)
    found = match_lexicon(docs, sents, tokens_table(docs, sents), lexicon=lex)
    assert found["matched"].tolist() == ["grave danger", "alarming", "warned", "warns"]
    assert set(found["measure"]) == {"stance"}


@pytest.mark.parametrize("mutate, needle", [
    (lambda d: d.pop("provenance"), "provenance"),
    (lambda d: d["provenance"].pop("licence"), "licence"),
    (lambda d: d.update(name="Bad Name"), "Bad Name"),
    (lambda d: d["categories"]["alarm"].update(terms=[{"term": "x", "rule": "nope"}]), "nope"),
    (lambda d: d["categories"]["alarm"].update(terms=[{"term": "x", "inflect": "adj"}]), "adj"),
    (lambda d: d["categories"]["alarm"].update(terms=["a*"]), "a*"),
    (lambda d: d["categories"]["alarm"].update(terms=["x", "x"]), "listed twice"),
    (lambda d: d["categories"]["alarm"].update(terms=[]), "non-empty"),
    (lambda d: d["categories"]["alarm"].update(terms=[{"term": "x", "colour": 1}]), "colour"),
    (lambda d: d["categories"]["alarm"].update(terms=["semi;colon"]), "semi;colon"),
])
def test_malformed_lexicons_name_file_and_entry(tmp_path, mutate, needle):
    import copy
    data = copy.deepcopy(GOOD)
    mutate(data)
    path = _write(tmp_path, data)
    with pytest.raises(LexiconError) as err:
        load_lexicon(path)
    assert path in str(err.value) and needle in str(err.value)


def test_lexicon_yaml_syntax_error_gives_line(tmp_path):
    path = _write(tmp_path, "name: x\ncategories: [unclosed\n")
    with pytest.raises(LexiconError, match="line"):
        load_lexicon(path)


def test_missing_lexicon_file(tmp_path):
    with pytest.raises(LexiconError, match="does not exist"):
        load_lexicon(tmp_path / "none.yaml")


def test_frames_cover_the_fifteen_policy_frames():
    assert list(LEXICONS["frames"].categories) == [
        "economic", "capacity_and_resources", "morality", "fairness_and_equality",
        "legality_constitutionality_jurisprudence", "policy_prescription_and_evaluation",
        "crime_and_punishment", "security_and_defense", "health_and_safety", "quality_of_life",
        "cultural_identity", "public_opinion", "political", "external_regulation_and_reputation",
        "other"]


def test_reporting_verb_stance_classes():
    assert list(LEXICONS["reporting_verbs"].categories) == [
        "neutral", "argumentative", "factive", "tentative", "critical", "according_to"]
