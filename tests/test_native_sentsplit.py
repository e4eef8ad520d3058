"""The compiled sentence splitter (analysis/_native/sentsplit.c) gives exactly the pure-Python
paths' sentences: split_sentences and sentences_table on the shared corpus (whole documents and
voice segments, with and without the memo), punkt_fast.sent_spans against nupunkt itself, and
both on generated and adversarial text (every kind of space, end mark, closing quote, non-BMP
characters, layout lines, abbreviations and stage directions)."""
from __future__ import annotations

import random
from contextlib import contextmanager

import nupunkt
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.punkt_fast as punkt_module
import analysis.tokens as tokens_module
from analysis.tokens import sentence_memo, sentences_table, split_sentences

native = tokens_module._native_sentsplit
pytestmark = pytest.mark.skipif(native is None, reason="analysis._native.sentsplit is not built")

# Pieces that exercise every rule of the splitter, glued at random: end marks and runs of them,
# spaced ellipses, closing quotes and brackets, every kind of whitespace, abbreviations, initials,
# enumerators, titles, "vs.", "U.N. General", "No.", "a.m."/"p.m.", stage directions, speaker
# labels, bullets, wrapped-line lengths, non-BMP and combining characters, lone surrogates.
PIECES = ["He left", ".", ". ", "? ", "! ", "?!", "! !", "...", ". . .", " . . . ", "\u2026",
          '."', ".\u201d ", ".) ", ".' ", ".\u2019s", "'", "\u2019", '"', "\u201c", "*", "]",
          "}", "\u00bb", "(", "@", ":", ";", " ", "  ", "\t", "\n", "\n\n", "\n \n", "\r",
          "\u00a0", "\u2009", "\u2028", "\u3000", "\x0b", "\x1c", "Mr. Smith", "Dr.", "U.S.",
          "U.N. General Assembly", "vs. ", "v. ", "Lt. Gen. Ivan", "St.", "Messrs.", "No. 10",
          "No. What", "5 p.m. The", "9 a.m. Monday", "(Laughter.)", "(Applause)", "(Cross-talk)",
          "(Inaudible)", " the", "said. Namely", "said. \u201cThe", "etc. The", "1. ", "(a). ",
          "IV. ", "\u0663. ", "Q   ", "Q: ", "MS. PSAKI: ", "THE PRESIDENT: ", "Question: ",
          "- ", "\u2022 ", "\u2013 ", "\\###", "###", "a" * 45, "Word " * 10, "x" * 101, "Dec. 19",
          "J. K. Rowling", "i.e.", "e.g. the", "talks", "The", "the", "and", "\u00e9t\u00e9.",
          "\u0130stanbul.", "\u03a3.", "\U0001d400\U0001d401.", "\U0001f600!", "a\u0301.",
          "\ud800", "\u00b2.", "_.", "--", "x--y", "5.5", "3.", "CAPS.", "Mid-Jan. 5", "aff'd.",
          "\x00", "\x00. ", "(\x00). "]


@contextmanager
def _python_path(monkeypatch):
    """A context where the splitter runs its pure-Python reference path."""
    with monkeypatch.context() as ctx:
        ctx.setattr(tokens_module, "_native_sentsplit", None)
        ctx.setattr(punkt_module, "_native_sentsplit", None)
        yield


def _both(monkeypatch, run):
    """run() with the compiled module, then with the pure-Python path."""
    got = run()
    with _python_path(monkeypatch):
        ref = run()
    return got, ref


def _glued(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size))


def test_the_compiled_path_is_the_one_running(monkeypatch):
    # Guards the comparisons below: with the module built, split_sentences must not reach the
    # Python layout pass (else every test here would compare Python with itself).
    def fail(*args):
        raise AssertionError("Python layout pass ran")

    monkeypatch.setattr(tokens_module, "_paragraph_sentences", fail)
    assert split_sentences("One two. Three four.\nFive") == [(0, 8), (9, 20), (21, 25)]


@pytest.mark.slow
@pytest.mark.shared
def test_documents_split_identically(monkeypatch, shared_corpus):
    texts = shared_corpus["text"].tolist()

    def whole():
        return [split_sentences(text) for text in texts]

    def memoised():
        with sentence_memo():
            return [split_sentences(text) for text in texts]

    got, ref = _both(monkeypatch, whole)
    assert sum(map(len, got)) > 20_000
    assert got == ref
    got, ref = _both(monkeypatch, memoised)
    assert got == ref


@pytest.mark.slow
@pytest.mark.shared
def test_sentences_tables_identical_on_voice_segments(monkeypatch, shared_corpus):
    from analysis.attribution import extract_attributions
    from analysis.voices import segment_documents

    segments = segment_documents(shared_corpus, extract_attributions(shared_corpus))
    assert len(segments) > len(shared_corpus)

    def tables():
        with sentence_memo():
            whole = sentences_table(shared_corpus)
            return whole, sentences_table(shared_corpus, segments)

    (got_whole, got_segments), (ref_whole, ref_segments) = _both(monkeypatch, tables)
    pd.testing.assert_frame_equal(got_whole, ref_whole)
    pd.testing.assert_frame_equal(got_segments, ref_segments)
    assert got_segments.dtypes.equals(ref_segments.dtypes)
    assert len(got_segments) > 20_000


@pytest.mark.slow
@pytest.mark.shared
def test_sent_spans_equal_nupunkt_on_corpus_pieces(shared_corpus):
    rng = random.Random(7)
    pieces = []
    for text in shared_corpus["text"].tolist()[::2]:
        pieces.extend(p for p in text.split("\n\n")[:20])
        for _ in range(3):
            a = rng.randrange(len(text) + 1)
            pieces.append(text[a:a + rng.randrange(2000)])
    assert len(pieces) > 800
    assert [punkt_module.sent_spans(p) for p in pieces] == [nupunkt.sent_spans(p) for p in pieces]


@pytest.mark.slow
@pytest.mark.shared
def test_segment_spans_cut_anywhere_split_identically(monkeypatch, shared_corpus):
    rng = random.Random(11)
    calls = []
    for text in shared_corpus["text"].tolist()[::4]:
        for _ in range(20):
            a = rng.randrange(len(text) + 1)
            calls.append((text, a, min(len(text), a + rng.randrange(1500))))
    got, ref = _both(monkeypatch, lambda: [split_sentences(*call) for call in calls])
    assert got == ref


def test_glued_adversarial_text_splits_identically(monkeypatch):
    rng = random.Random(3)
    texts = [_glued(rng, rng.randrange(0, 40)) for _ in range(1500)]
    calls = [(t, 0, len(t)) for t in texts]
    for t in texts[:500]:
        a = rng.randrange(len(t) + 1)
        calls.append((t, a, rng.randrange(a, len(t) + 1)))

    def run():
        plain = [split_sentences(*call) for call in calls]
        with sentence_memo():
            memoised = [split_sentences(*call) for call in calls]
        return plain, memoised, [punkt_module.sent_spans(t) for t in texts]

    got, ref = _both(monkeypatch, run)
    assert got == ref
    assert got[0] == got[1]
    assert sum(map(len, got[0])) > 3000


def test_glued_adversarial_text_sent_spans_equal_nupunkt():
    rng = random.Random(5)
    texts = [_glued(rng, rng.randrange(0, 30)) for _ in range(1500)]
    assert [punkt_module.sent_spans(t) for t in texts] == [nupunkt.sent_spans(t) for t in texts]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=25),
       st.integers(0, 200), st.integers(0, 200))
def test_generated_text_splits_identically(pieces, a, b):
    text = "".join(pieces)
    a, b = min(a, len(text)), min(b, len(text))
    got = (split_sentences(text), split_sentences(text, a, max(a, b)),
           punkt_module.sent_spans(text), tokens_module._unit_sentences(text))
    saved = tokens_module._native_sentsplit, punkt_module._native_sentsplit
    tokens_module._native_sentsplit = punkt_module._native_sentsplit = None
    try:
        ref = (split_sentences(text), split_sentences(text, a, max(a, b)),
               punkt_module.sent_spans(text), tokens_module._unit_sentences(text))
    finally:
        tokens_module._native_sentsplit, punkt_module._native_sentsplit = saved
    assert got == ref
    assert got[2] == nupunkt.sent_spans(text)


@pytest.mark.parametrize("start, end", [(-3, 5), (4, 2), (0, 10_000), (-20, -1)])
def test_spans_outside_the_text_take_the_python_path(monkeypatch, start, end):
    text = "Talks ended. A new round began.\n\nNo. 10 said so."
    got, ref = _both(monkeypatch, lambda: split_sentences(text, start, end))
    assert got == ref


def test_compiled_functions_reject_bad_arguments():
    deciders = punkt_module.native_deciders()
    with pytest.raises(TypeError):
        native.sent_spans(b"bytes", *deciders)
    with pytest.raises(TypeError):
        native.sent_spans("text. More.", {}, None, None)
    with pytest.raises(ValueError):
        native.split_sentences("abc", 2, 1, None, None, deciders,
                               tokens_module._HARD_LINE_START.match, tokens_module._OPEN_ENDINGS)
    with pytest.raises(TypeError):
        native.split_sentences("abc", 0, 3, [], {}, deciders,
                               tokens_module._HARD_LINE_START.match, tokens_module._OPEN_ENDINGS)


def test_errors_raised_by_a_decider_propagate():
    plain_memo, breaks_plainly, _ = punkt_module.native_deciders()

    def broken(context):
        raise RuntimeError("decider failed")

    with pytest.raises(RuntimeError, match="decider failed"):
        native.sent_spans("He met Mr. Smith. Then he left.", {}, breaks_plainly, broken)


def test_every_title_name_continuation_and_stage_word_is_handled_identically(monkeypatch):
    # The compiled twin holds its own copies of these word lists; each word is tried in the
    # contexts where it matters, and near misses beside it.
    titles = tokens_module._TITLE_BEFORE_NAME.pattern.split("(?:")[1].split(")")[0].split("|")
    stage_words = tokens_module._STAGE_WORDS[3:-1].split("|")
    assert "Messrs" in titles and "Off-mic" in stage_words
    texts = []
    for word in titles:
        texts += [f"They met {word}. Smith today. And {word}. the end.",
                  f"x{word}. Smith. _{word}. Smith. {word}s. Smith. {word[:-1]}. Smith.",
                  f"Talks ended.\n{word}. Ivanov spoke on the call. Then\nthe talks resumed."]
    for word in sorted(tokens_module._NAME_CONTINUATIONS):
        texts += [f"The U.N. {word} met. The U.S. {word}s met. The E.U.N. {word} met.",
                  f"Not aU.N. {word} met. Smith vs. {word} was heard. See v. {word}."]
    for word in stage_words:
        texts += [f"We agree. ({word}) Then we left. ({word} and more.) The end.",
                  f'He said "Yes." ({word[:-1]}) No. What about it? ({word}.) Then.']
    got, ref = _both(monkeypatch, lambda: [split_sentences(t) for t in texts])
    assert got == ref


def _python_unit_sentences(unit, spans):
    """tokens._unit_sentences' repair and trimming applied to the given Punkt spans."""
    out = []
    for s, e in tokens_module._repair(unit, spans):
        piece = unit[s:e]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append((s + lead, s + lead + len(piece.strip())))
    return tuple(out)


@pytest.mark.parametrize("verdict", [True, False])
def test_repair_of_every_punkt_split_is_identical(verdict):
    # Deciders that break at every candidate (or at none) make Punkt split after every title,
    # "vs." and "U.N.", so the compiled merge rules are compared where Punkt's own model would
    # hide them.
    always = (lambda *args: verdict)  # noqa: E731
    titles = tokens_module._TITLE_BEFORE_NAME.pattern.split("(?:")[1].split(")")[0].split("|")
    units = []
    for word in titles + sorted(tokens_module._NAME_CONTINUATIONS):
        units += [f"Met {word}. Smith. {word}. the. x{word}. Smith. 5{word}. Ivan. ({word}. Ivan.",
                  f"The U.N. {word} met. A.B.C. {word} met. 5A.B. {word} met. vs. {word}. v. x",
                  f"Game 1 vs. {word} and xvs. {word} and (v. {word}) and {word}.  \u00c9mile."]
    pattern = tokens_module._EXTRA_SPLITS.pattern
    time_words = pattern[pattern.index("(?!(?:") + 6:pattern.index(r")\b)")].split("|")
    assert "Washington" in time_words and "etc" in tokens_module._LOWER_ABBREVIATIONS
    for word in time_words:
        units += [f"At 9 a.m. {word} and 5 p.m. {word}s and 5 a.m. {word}", f"x.a.m. {word}"]
    for word in sorted(tokens_module._LOWER_ABBREVIATIONS):
        units += [f"See the {word}. The end. And the {word}s. \u201cThe end. A {word[1:]}. Then",
                  f"The x{word}. Then. The 5{word}. Then. (Laughter.) No. What. {word}. X"]
    for size in (18, 19, 20, 21):
        units += [f"Yes. (Laughter{'x' * size}) The end. (Pause{')' * size}) The. No. WHAT. No. A",
                  f"Yes.\u201d  (Inaudible{' ' * size}) the end (Off-mic{'.' * size}) No. Wh"]
    rng = random.Random(9)
    units += [_glued(rng, rng.randrange(0, 30)) for _ in range(1500)]
    for unit in units:
        spans = native.sent_spans(unit.replace("\n", " "), {}, always, always)
        assert native.unit_sentences(unit, {}, always, always) == \
            (_python_unit_sentences(unit, spans) if unit.strip() else ()), unit


def test_compiled_path_fills_the_memo_as_the_python_path_does(monkeypatch):
    rng = random.Random(13)
    texts = [_glued(rng, 30) for _ in range(200)]
    texts += ["HEADLINE\nTalks resumed. Both sides spoke.\n\nTalks resumed. Both sides spoke."] * 2

    def run():
        with sentence_memo():
            spans = [split_sentences(t) for t in texts]
            return spans, tokens_module._MEMO.get()

    got, ref = _both(monkeypatch, run)
    assert got == ref
    assert len(got[1][0]) > 100 and len(got[1][1]) > 20


def test_line_joins_are_decided_identically(monkeypatch):
    # _continues: every final character a line can end with, every open ending (and near misses),
    # then wrapped paragraphs broken by every kind of hard line start.
    texts = []
    for end in '.!?:;"\u201d\u2019)]*,x-\u00bb\u2026 ':
        texts += [f"A short line{end}\nsecond line{end}\n  Third line{end}\n\u00e9t\u00e9 line"]
    for word in sorted(tokens_module._OPEN_ENDINGS):
        texts += [f"It was {word}\nNext line.\nIt was {word.upper()}\nNext\nA {word}s\nB",
                  f"It was x{word}\nNext line.\nIt was {word}\u212a\nNext"]
    wrapped = "This line is long enough to count as a wrapped line of text"
    for start in ["- ", "* ", "\u2022 ", "\u2013 ", "12. ", "3) ", "\u0663\u0664. ", "###",
                  "\\###", "Q  ", "Q\t", "Q:", "Q ", "MR. SMITH: ", "SECRETARY BLINKEN: ",
                  "NEW YORK: ", "NEW york: ", "Question: ", "Questions: ", "X", "x", "(", "5 "]:
        texts += [f"{wrapped}\n{wrapped}\n{start}rest of it here\n{wrapped}\nend.",
                  f"Heading without end\n{start}more words\n  {start}x"]
    got, ref = _both(monkeypatch, lambda: [split_sentences(t) for t in texts])
    assert got == ref


def test_customised_tokenizers_run_the_python_loop(monkeypatch):
    # The compiled scan re-states nupunkt 0.8's own patterns; other language variables (here
    # ";" ends sentences) must reach the Python loop, which reads them at run time.
    import copy

    from nupunkt.core.language_vars import PunktLanguageVars

    tokenizer, is_abbreviation = punkt_module._model()
    assert punkt_module.native_deciders() is not None

    class Semicolons(PunktLanguageVars):
        sent_end_chars = frozenset(".?!;")

    custom = copy.copy(tokenizer)
    custom._lang_vars = Semicolons()
    monkeypatch.setattr(punkt_module, "_model", lambda: (custom, is_abbreviation))
    assert punkt_module.native_deciders() is None
    text = "One; two. Three; four"
    assert punkt_module.sent_spans(text) == [span for _, span in custom.tokenize_with_spans(text)]
    assert len(punkt_module.sent_spans(text)) == 4


def test_sentences_tables_identical_on_odd_segments(monkeypatch):
    docs = pd.DataFrame({"doc_id": ["a", "b", "c", "d"],
                         "text": ["One. Two.", "", "   \n\n ", "Three four. Five! (Applause) Six."]})
    segments = pd.DataFrame({"doc_id": ["d", "a", "d", None, "a", "b", "d"],
                             "seg_id": [2, 1, 7, 3, 0, 4, 9],
                             "start": [-5, 5, 12, 0, 0, 0, 30], "end": [11, 90, 17, 3, 4, 0, 20]})

    def tables():
        return [sentences_table(docs), sentences_table(docs, segments),
                sentences_table(docs, segments.assign(seg_id=segments["seg_id"] * 1.0)),
                sentences_table(docs.iloc[1:3])]

    got, ref = _both(monkeypatch, tables)
    for got_table, ref_table in zip(got, ref):
        pd.testing.assert_frame_equal(got_table, ref_table)
    assert len(got[1]) == 3 and got[3].empty


def test_sentence_texts_slice_as_python_does():
    text = "Alpha \U0001d400 beta. \u00e9"
    spans = [(0, 5), (6, 7), (3, 2), (-4, -1), (5, 100), (0, len(text)), (len(text), len(text))]
    assert native.sentence_texts(text, spans) == [text[s:e] for s, e in spans]
    with pytest.raises(TypeError):
        native.sentence_texts(text, [(0,)])


# -- regressions of the review of the compiled module (memory safety on hostile arguments) ----
@pytest.mark.parametrize("change", ["clear", "truncate", "grow", "replace"])
def test_sentence_texts_sees_a_list_changed_while_a_pair_is_parsed(change):
    # Parsing a pair runs __index__, which may change the caller's list: the compiled loop must
    # not keep its size or items (it crashed when the list was cleared) and must give the
    # comprehension's answer, which iterates the live list.
    text = "abcdef"

    def run(slicer):
        class Index:
            def __index__(self):
                if change == "clear":
                    spans.clear()
                elif change == "truncate":
                    del spans[2:]
                elif change == "grow":
                    spans.append((2, 4))
                    del Index.__index__  # once
                else:
                    spans[:] = [(3, 5)] * 3
                return 0

        spans = [(Index(), 1)] + [(k % 6, 5) for k in range(6)]
        return slicer(spans)

    got = run(lambda spans: native.sentence_texts(text, spans))
    ref = run(lambda spans: [text[s:e] for s, e in spans])
    assert got == ref


def test_sentence_texts_takes_any_iterable_of_pairs():
    text = "Alpha beta."
    assert native.sentence_texts(text, iter([(0, 5), (6, 11)])) == ["Alpha", "beta."]
    assert native.sentence_texts(text, ()) == []
    with pytest.raises(TypeError):
        native.sentence_texts(text, 5)


@pytest.mark.parametrize("unit", ["", " ", "No end mark at all", "One sentence.",
                                  "He left. She stayed.", "See the etc. The end. And the etc. The",
                                  "At 9 a.m. Monday and 5 p.m. Tuesday."])
def test_units_with_no_one_or_several_repair_cuts_split_identically(unit):
    # The repair pass sorted its cut list even when it was empty (a NULL array, undefined
    # behaviour flagged by UBSan); every count of cuts must still give the Python answer.
    deciders = punkt_module.native_deciders()
    spans = native.sent_spans(unit.replace("\n", " "), *deciders)
    assert native.unit_sentences(unit, *deciders) == \
        (_python_unit_sentences(unit, spans) if unit.strip() else ())
