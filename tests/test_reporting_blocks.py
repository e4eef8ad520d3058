"""Report building blocks: the methods note and the default keyness pair."""
import hashlib

import yaml

from analysis import analyze
from analysis.lexicon import bundled_lexicon
from analysis.reporting import methods_note
from helpers import docs_from

CUSTOM = {"name": "my_hedges", "measure": "hedge", "version": "2.5",
          "provenance": {"source": "hand-written for this test", "citation": "Test citation <b>",
                         "licence": "CC0-1.0"},
          "categories": {"doubt": {"description": "d", "terms": ["perhaps"]}}}


def test_methods_note_names_a_replacement_lexicon_and_only_the_measures_run(tmp_path):
    path = tmp_path / "my_hedges.yaml"
    path.write_text(yaml.safe_dump(CUSTOM), encoding="utf-8")
    result = analyze(docs_from("Perhaps the talks will resume. Officials said so."),
                     measures=["hedge", "frame"], lexicons={"hedge": str(path)}, voices=False)
    note = methods_note(result)._repr_html_()
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"my_hedges 2.5 (sha256 {sha[:12]})" in note
    # Provenance text is untrusted like corpus text: escaped.
    assert "Test citation &lt;b&gt;" in note and "<b>" not in note
    frames = bundled_lexicon("frames")
    assert f"{frames.name} {frames.version} (sha256 {frames.sha256[:12]})" in note
    # Measures left out of the run are not claimed, nor is the bundled hedge lexicon.
    for name in ("boosters", "reporting_verbs", "hedges"):
        assert f">{name}" not in note and f": {name} " not in note


def test_methods_note_of_a_default_run_lists_all_four_bundled_lexicons():
    note = methods_note(analyze(docs_from("It may rain, the ministry said."), voices=False))._repr_html_()
    for name in ("frames", "hedges", "boosters", "reporting_verbs"):
        lex = bundled_lexicon(name)
        assert f"{lex.name} {lex.version} (sha256 {lex.sha256[:12]})" in note


def test_keyness_pair_defaults_to_the_group_with_most_tokens_and_keeps_given_groups():
    from collections import Counter
    from analysis.reporting import keyness_pair
    text = ("Officials met on Monday in a long and detailed session about the grain corridor. "
            "\"We will never accept this,\" the Kremlin press service said. The talks went on.")
    result = analyze(docs_from(text))
    voice_of = {(d, s): v for d, s, v in
                result.segments[["doc_id", "seg_id", "voice"]].itertuples(index=False)}
    counts = Counter(voice_of[(d, s)] for d, s in
                     result.tokens[["doc_id", "seg_id"]].itertuples(index=False))
    assert len(counts) >= 2
    largest = max(sorted(counts), key=lambda v: counts[v])
    assert keyness_pair(result, by="voice") == (largest, None)
    assert keyness_pair(result, by="voice", target="official", reference="reporting") == \
        ("official", "reporting")
