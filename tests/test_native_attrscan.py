"""The compiled attribution and voices cores (analysis/_native/attrscan.c) give exactly the
pure-Python paths' results: the cue pre-filter offsets (lowercasing as they read), the quotation
spans and ignored marks, the sentences to search, their tokens (tokens.tokenize) and cue
positions, the source phrase before a cue, the speaker-label offsets and the segments from
layers, and so the relations and segments tables, on the shared corpus and on generated and
adversarial text (every case of the cue forms, apostrophes, possessives, quotation marks over
paragraphs, characters whose lowercase is longer or depends on context, non-BMP characters, lone
surrogates), and on hostile input: forms the compiled matcher cannot take, lists that Python code
(__index__, __hash__, a finalizer) empties during a call, spans past a machine word, failing
allocations. The pure-Python rewrites are checked too: the speaker-label search against the plain
regex scan it stands for, and SourceBook's alias search against the search it replaced."""
from __future__ import annotations

import random
from contextlib import contextmanager

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import analysis.attribution as attribution
import analysis.voices as voices
from analysis.attribution import (_cue_lexicon, _cue_start_pattern, _cue_starts, _Quotes,
                                  _quote_events, _sentences_to_search, extract_attributions,
                                  find_quotes)
from analysis.lexicon import Entry, Lexicon
from helpers import docs_from, emptied_by_a_collection
from analysis.sources import bundled_sources
from analysis.tokens import split_sentences, tokenize
from analysis.voices import (_LABEL_RE, _label_matches, _label_starts, find_speaker_turns,
                             segment_documents)

native = attribution._native_attrscan
pytestmark = pytest.mark.skipif(native is None, reason="analysis._native.attrscan is not built")

# Pieces glued at random: cue forms in every case, with possessives, hyphens, periods and
# apostrophes around them, multiword cues across lines, words that merely start like a cue,
# quotation marks (curly, straight, stray) over lines and paragraphs, characters whose lowercase
# is two characters or depends on context, non-BMP and combining characters, speaker labels.
PIECES = ["said", "SAID", "Said", "says", "told", "according to", "According\nto", "according",
          "to", "said's", "said\u2019s", "saidx", "said-on", "said.", "said.x", "x said", "_said",
          "1said", "said_", "added", "add", "stated", "warned", "made it clear", "made  it\tclear",
          "called for", "point out", "in the words of", "claim", "claimed", "reportedly",
          "Peskov", "the Kremlin", "he", "they", " ", "  ", "\t", "\n", "\n\n", "\n \n", "\u00a0",
          "\u2028", "\u3000", ",", ", ", ": ", ";", ".", ". ", "!", "?", "(", ")", "-", "\u2014",
          "'", "\u2019", "\u201c", "\u201d", '"', "\u201cWe are ready,\u201d ", '"Yes," ',
          "\u0130stanbul", "\u03a3", "\u212a", "\u00df", "\ufb03", "\U0001d400", "\U0001f600",
          "a\u0301", "\ud800", "\u00e9t\u00e9", "x" * 101, "MS. LEAVITT: ", "Q  ", "Q: ",
          "Question: ", "Ivan Sidorov: ", "THE PRESIDENT:\t", "\u2026", "x\u00f7y: "]


@contextmanager
def _python_path():
    """A context where attribution and voices run their pure-Python reference paths."""
    saved = attribution._native_attrscan, voices._native_attrscan
    attribution._native_attrscan = voices._native_attrscan = None
    try:
        yield
    finally:
        attribution._native_attrscan, voices._native_attrscan = saved


def _glued(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size))


def _scan():
    return _cue_start_pattern(_cue_lexicon(bundled_sources()).lexicon)


def _tiny_scan():
    """A lexicon with what the bundled one lacks: wildcards (last and inner words), an
    apostrophe, a non-ASCII word, a form starting with an apostrophe."""
    forms = [("said",), ("claim*",), ("claim*", "that"), ("in", "the", "words", "of"),
             ("o'clock",), ("'tis",), ("d\u00e9clar\u00e9",), ("according", "to"), ("x",)]
    entries = tuple(Entry(term=" ".join(f), category="neutral", forms=(f,)) for f in forms)
    return _cue_start_pattern(Lexicon(name="tiny", measure="cue", version="1", provenance={},
                                      categories={}, entries=entries, path="", sha256=""))


def _python_cue_starts(scan, text, quotes):
    lowered = " " + text.lower()
    if len(lowered) != len(text) + 1:
        return None
    return [m.start() for m in scan.pattern.finditer(lowered) if not quotes.covers(m.start())]


def _python(function, *args):
    """function(*args) on the pure-Python path."""
    with _python_path():
        return function(*args)


def _assert_scans_agree(text, scans):
    spans, problems = native.find_quotes(text)
    assert (spans, problems) == _quote_events(text)
    quotes = _Quotes(spans)
    for scan in scans:
        assert _cue_starts(scan, text, quotes) == _python_cue_starts(scan, text, quotes)
    # Sentences cut anywhere (inside words, around apostrophes), empty, at the very ends, with
    # the cue offsets and with every offset.
    sentences = [(a, b) for a in range(0, len(text) + 1, 7) for b in (a, min(len(text), a + 5))]
    starts = _cue_starts(scans[0], text, quotes) or []
    for offsets in (starts, list(range(0, len(text) + 2, 2))):
        assert _sentences_to_search(text, sentences, offsets) == \
            _python(_sentences_to_search, text, sentences, offsets)
    # Spans also reversed and out of range.
    spans = sentences + [(0, len(text)), (3, 1), (-2, 4), (len(text) - 3, len(text) + 9)]
    assert native.tokenize_spans(text, spans) == [tokenize(text, a, b) for a, b in spans]
    for offsets in (starts, list(range(0, len(text) + 2, 3))):
        assert native.tokenize_spans(text, spans, offsets) == [
            attribution._tokens_at(text, a, b, offsets) for a, b in spans]


def _assert_labels_agree(text):
    assert native.label_starts(text) == _label_starts(text)
    assert [(m.span(), m.groupdict()) for m in _label_matches(text)] == \
        [(m.span(), m.groupdict()) for m in _LABEL_RE.finditer(text)]
    turns = []  # as find_speaker_turns first read the groups
    for m in _LABEL_RE.finditer(text):
        speaker = m.group("wh") or m.group("q") or m.group("name")
        start = m.start("wh") if m.group("wh") else m.start("q") if m.group("q") else \
            m.start("name")
        turns.append((start, m.end(), speaker.strip()))
    assert find_speaker_turns(text) == (turns if len(turns) >= 2 else [])


def test_the_compiled_path_is_the_one_running(monkeypatch):
    # Guards the comparisons: with the module built, the Python loops must not run.
    def fail(*args):
        raise AssertionError("Python path ran")

    monkeypatch.setattr(attribution, "_quote_events", fail)
    monkeypatch.setattr(attribution, "_tokens_at", fail)
    monkeypatch.setattr(voices, "_label_starts", fail)
    assert extract_attributions(docs_from("Peskov said the talks were useful."))["cue"].tolist() \
        == ["said"]
    assert [m.group("wh") for m in _label_matches("Hi.\nMS. JONES: Yes.")] == ["MS. JONES"]
    assert find_quotes("\u201cA,\u201d he said.") == [(0, 4)]
    scan = _scan()
    monkeypatch.setattr(scan, "pattern", None)
    assert _cue_starts(scan, "He said so.", _Quotes([])) == [3]


def test_cue_starts_by_hand():
    scan = _tiny_scan()
    text = ("Claims that, claim-x that O\u2019CLOCK 'tis \u2019Tis D\u00c9CLAR\u00c9 in\n the "
            "words of; X x_ x. x.y x's x\u2019s")
    got = _cue_starts(scan, text, _Quotes([]))
    assert got == _python_cue_starts(scan, text, _Quotes([]))
    assert text.index("Claims") in got and text.index("claim-x") in got
    assert text.index("O\u2019CLOCK") in got and text.index("D\u00c9") in got
    assert text.index("in\n") in got and text.index("x.y") not in got
    assert _cue_starts(scan, "\u0130 said", _Quotes([])) is None


def test_lowercasing_while_reading():
    # The Kelvin sign lowercases to "k", "\u0130" to two characters, the capital sigma to a
    # final or a medial sigma by its neighbours (so the text is lowercased in Python first).
    forms = [("k",), ("\u03c3",), ("\u03c2",), ("\u03c3\u03c3",), ("\u00e9t\u00e9",)]
    entries = tuple(Entry(term=" ".join(f), category="neutral", forms=(f,)) for f in forms)
    scan = _cue_start_pattern(Lexicon(name="greek", measure="cue", version="1", provenance={},
                                      categories={}, entries=entries, path="", sha256=""))
    for text in ("\u212a k K", "\u03a3 \u03a3\u03a3 x\u03a3 \u03a3x", "\u03c3 \u03c2",
                 "\u00c9T\u00c9 \u00e9t\u00e9", "k \u0130", "\u0130 k", "\ud800k k\U0001d400"):
        assert _cue_starts(scan, text, _Quotes([])) == \
            _python_cue_starts(scan, text, _Quotes([])), text
    assert _cue_starts(scan, "\u212a.", _Quotes([])) == [0]


def test_empty_and_degenerate_input():
    scan = _scan()
    for text in ("", " ", "\u201c", "\u201d", '"', "\n", "said", "\U0001f600said", "s"):
        _assert_scans_agree(text, (scan, _tiny_scan()))
    empty = native.compile_forms(())
    assert native.cue_starts(empty, "said", [], []) == []
    with pytest.raises(ValueError):
        native.cue_starts(native.compile_forms((("said",),)), "said", [5, 1], [6, 2])
    with pytest.raises(ValueError):
        native.sentences_to_search("abc", [(0, 9)], [])
    with pytest.raises(ValueError):
        native.sentences_to_search("abc", [(2, 3), (0, 1)], [])
    with pytest.raises(ValueError):
        native.sentences_to_search("abc", [(0, 3)], [2, 1])
    with pytest.raises(ValueError):
        native.tokenize_spans("abc", [(0, 3)], [2, 1])
    with pytest.raises(TypeError):
        native.compile_forms(((1,),))


def test_label_starts_by_hand():
    texts = ["", "Q", "\nQ", "\nQ:", "\n \tQ\tx", "A.  Ivan Sidorov: Hi", "x) Ivan Petrov:\tHi",
             "Ivan\nPetrov: Hi", "a\u00f7Ivan Petrov: x", ":", ": ", "\u201d Q: x", "\u2026Voice: Hi",
             "MR.\nSMITH: x. MS. JONES: y", "x" * 50 + ": " + "\n" * 3 + "Q  x"]
    for text in texts:
        assert native.label_starts(text) == _label_starts(text), text
        _assert_labels_agree(text)


def test_tokens_by_hand():
    # Whole-piece lowercasing, and token by token where a character lowercases to two or the
    # capital sigma is present; joiners only between word characters; U+2019 folded.
    for text in ("U.S.-led talks, don\u2019t DON'T x- -x a.b. \u00c9T\u00c9", "\u0130stanbul SAID",
                 "\u03a3\u03a3 \u039f\u03a3", "\u212a\ufb03 \U0001d400x \ud800a", "", "_ 1 \u00b2"):
        assert native.tokenize_spans(text, [(0, len(text)), (2, 9)]) == [
            tokenize(text, 0, len(text)), tokenize(text, 2, 9)]
    with pytest.raises(TypeError):
        native.tokenize_spans("abc", [(0,)])


# Words that steer the source search: adverbs, stop words, prepositions, articles, particles,
# commas and boundaries, names, abbreviations with periods.
SOURCE_WORDS = ["said", "Peskov", "the", "a", "an", "of", "Anna Voronina", ", ", ",", "; ", ":",
                "(", ")", "\u2014", "\u201c", "\u201d", '"', " ", "also", "and", "but", "or", "in",
                "U.N.", "U.N. .", "senior fellow", "de", "Von", "al", "x", "The", "\u00e9t\u00e9",
                "\u0130x", ".", "..", "officials", "has", "had", "to", "with", "familiar", "who",
                "\U0001d400", "OF"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SOURCE_WORDS), max_size=30), st.data())
def test_source_before_on_generated_text(words, data):
    text = " ".join(words)
    toks = tokenize(text)
    i = data.draw(st.integers(0, len(toks)))
    floor = data.draw(st.integers(-1, len(text) + 1))
    assert attribution._source_before(text, toks, i, floor) == \
        _python(attribution._source_before, text, toks, i, floor)


def test_source_before_rejects_bad_tokens():
    sets = (attribution._ADVERBS, attribution._ENDS_SOURCE, attribution._PREPOSITIONS,
            attribution._NOT_SOURCE_WORDS)
    with pytest.raises(TypeError):
        native.source_before("ab", [(0, 1, 5)], 1, 0, *sets)
    with pytest.raises(ValueError):
        native.source_before("ab", [(0, 9, "ab")], 1, 0, *sets)
    with pytest.raises(IndexError):
        native.source_before("ab", [(0, 2, "ab")], 2, 0, *sets)
    with pytest.raises(TypeError):
        native.source_before("ab", [(0, 2, "ab")], 1, 0)


def test_flatten_on_random_layers():
    # Layers out of range, reversed, nested, equal, on three levels; one layer object twice
    # (segments merge by identity, not by equal fields); empty documents.
    rng = random.Random(4)
    shared = (1, 2, 1, "official", "s", "official", "speaker_turn", "Q")
    for _ in range(3000):
        n = rng.randint(0, 30)
        base = (0, n, 0, "reporting", None, "non-official", "narration", None)
        layers = [shared if rng.random() < 0.1 else
                  (rng.randint(-3, n + 3), rng.randint(-3, n + 3), rng.randint(0, 2),
                   rng.choice(["official", "quoted_other"]), rng.choice(["x", None]), "t", "k",
                   None) for _ in range(rng.randint(0, 8))]
        got = voices._flatten(n, base, layers)
        assert got == _python(voices._flatten, n, base, layers)
    assert voices._flatten(0, (0, 0, 0, "a", "b"), []) == [(0, 0, "a", "b")]
    with pytest.raises(TypeError):
        native.flatten(5, (0, 5, 0), [(1, 2)])


def test_quotes_over_paragraphs_and_long_lines():
    texts = ["\u201cOne\n\n\u201cTwo.\u201d", "\u201cOne\n\nTwo.\u201d", "\u201cOne\n" + "x" * 120
             + "\nTwo\u201d", "\u201cOne\nTwo\u201d", '"One\n\n"Two" three"', "\u201d\u201c\u201c",
             "\u201c" + " \n" * 50, "a\u201cb\u201d\u201d\"\n\n\"c"]
    for text in texts:
        assert native.find_quotes(text) == _quote_events(text)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40), st.text(max_size=30))
def test_generated_text(pieces, noise):
    text = "".join(pieces) + noise
    _assert_scans_agree(text, (_scan(), _tiny_scan()))
    _assert_labels_agree(text)


def test_random_long_text():
    rng = random.Random(7)
    scans = (_scan(), _tiny_scan())
    for _ in range(200):
        text = _glued(rng, rng.randint(0, 300))
        _assert_scans_agree(text, scans)
        _assert_labels_agree(text)


def test_relations_and_segments_on_generated_text(monkeypatch):
    rng = random.Random(11)
    # A lone surrogate cannot be stored in a (pyarrow) string column.
    texts = [_glued(rng, rng.randint(0, 200)).replace("\ud800", "") for _ in range(60)]
    docs = pd.DataFrame({"doc_id": [f"g{k}" for k in range(60)], "text": texts})
    rel = extract_attributions(docs)
    seg = segment_documents(docs, rel)
    with _python_path():
        ref = extract_attributions(docs)
        ref_seg = segment_documents(docs, ref)
    pd.testing.assert_frame_equal(rel, ref, check_exact=True)
    pd.testing.assert_frame_equal(seg, ref_seg, check_exact=True)


@pytest.mark.slow
@pytest.mark.shared
def test_shared_corpus_scans(shared_corpus):
    scan = _scan()
    for text in shared_corpus["text"]:
        _assert_scans_agree(text, (scan,))
        sentences = split_sentences(text)
        assert native.tokenize_spans(text, sentences) == [tokenize(text, a, b)
                                                          for a, b in sentences]
        quotes = _Quotes(find_quotes(text))
        starts = _cue_starts(scan, text, quotes)
        assert _sentences_to_search(text, sentences, starts) == \
            _python(_sentences_to_search, text, sentences, starts)
        _assert_labels_agree(text)


@pytest.mark.slow
@pytest.mark.shared
def test_shared_corpus_source_searches(shared_corpus, monkeypatch):
    calls = []
    search = attribution._source_before
    monkeypatch.setattr(attribution, "_source_before",
                        lambda *args: calls.append(args) or search(*args))
    extract_attributions(shared_corpus)
    monkeypatch.setattr(attribution, "_source_before", search)
    assert len(calls) > 1000
    got = [search(*args) for args in calls]
    assert got == [_python(search, *args) for args in calls]


@pytest.mark.slow
@pytest.mark.shared
def test_shared_corpus_tables(shared_corpus, monkeypatch):
    rel = extract_attributions(shared_corpus)
    seg = segment_documents(shared_corpus, rel)
    with _python_path():
        ref = extract_attributions(shared_corpus)
        ref_seg = segment_documents(shared_corpus, ref)
    assert len(rel) > 1000
    pd.testing.assert_frame_equal(rel, ref, check_exact=True)
    pd.testing.assert_frame_equal(seg, ref_seg, check_exact=True)


# -- SourceBook's alias search (pure Python): longest alias, then the first of the longest. --

def _reference_alias(book, words):
    """The search as first written: every stretch, longest first, left to right."""
    longest = max((len(key.split()) for key in book.aliases), default=0)
    for n in range(min(len(words), longest), 0, -1):
        for i in range(len(words) - n + 1):
            cand = " ".join(words[i:i + n])
            if cand in book.aliases:
                return cand
    return None


def _alias_of(book, phrase):
    """The alias _lookup picks for a phrase without a comma, via the entity it returns."""
    from analysis.sources import _LEADING, _key
    found = _reference_alias(book, _key(_LEADING.sub("", phrase.strip())).split())
    return book.aliases[found] if found else None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted({w for key in bundled_sources().aliases
                                        for w in key.split()} | {"the", "of", "said", "x"})),
                max_size=12))
def test_alias_search_matches_the_reference(words):
    book = bundled_sources()
    phrase = " ".join(words)
    expected = _alias_of(book, phrase)
    entity, kind, _ = book._lookup(phrase)
    if expected is not None:
        assert (entity, kind) == expected
    else:
        assert entity is None


def test_alias_search_on_made_up_aliases():
    from analysis.sources import SourceBook
    aliases = {"a": ("A", "official"), "a b": ("AB", "official"), "b c d": ("BCD", "official"),
               "c": ("C", "non-official"), "d e": ("DE", "official")}
    book = SourceBook(aliases=aliases, persons=frozenset(), official_words=(),
                      non_official_words=(), extra_cues=(), path="", sha256="")
    for phrase, entity in [("a b c d e", "BCD"), ("x d e a b", "DE"), ("c a", "C"), ("a", "A"),
                           ("b c", "C"), ("d", None)]:
        assert book._lookup(phrase)[0] == entity
        assert (book.aliases.get(_reference_alias(book, phrase.split()), (None,))[0]) == entity


# -- Hostile input: the compiled code must fail cleanly or agree with its twin, never read freed
# or unowned memory (the cases of a review of attrscan.c; run them under AddressSanitizer too).

def test_forms_the_matcher_cannot_take_are_rejected():
    # A form without words, or with an empty stem, matched past its end (and at the very end of
    # the text); a blank opening a later word is skipped where the regex backtracks into it.
    for forms in ([()], [("",)], [("*",)], [("said", "")], [("a", "*", "b")], [("said", " x")],
                  [("said",), ()]):
        with pytest.raises(ValueError):
            native.compile_forms(forms)
        assert not all(attribution._native_form(words) for words in forms)
    for forms in ([("said",)], [("a ", "b")], [("a b",)], [(" a",)], [("**",)], [("a", "b*")]):
        native.compile_forms(forms)
        assert all(attribution._native_form(words) for words in forms)
    with pytest.raises(TypeError):
        native.compile_forms([5])


@pytest.mark.parametrize("forms", [(("",),), (("*",),), (("said", ""),), (("a", "*", "b"),),
                                   (("said",), ("a", " b"))])
def test_forms_left_to_the_regex_scan_as_in_python(forms):
    scan = attribution._CueScan(forms)
    assert scan.table() is None
    for text in ("ab ", "a  b", "said  x", "a   b.", "", " ", "said", "a\u2019s  b"):
        got = _cue_starts(scan, text, _Quotes([]))
        assert got == _python(_cue_starts, scan, text, _Quotes([])), (forms, text)
    # The empty form matches at the very end of the text, which the scan never reached.
    assert len("ab ") in _cue_starts(attribution._CueScan((("",),)), "ab ", _Quotes([]))


FORM_WORDS = ["", "*", "a", "a*", "ab", "'s", " a", "s", "b*", "\u2019", "a b", "'", "**", "k"]
FORM_TEXT = ["a", "b", " ", "  ", "\t", "'", "s", "\u2019", ".", "-", "ab", "x", "A", "\u212a",
             "\n", "_"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(FORM_WORDS), max_size=3).map(tuple), min_size=1,
                max_size=3).map(tuple),
       st.lists(st.sampled_from(FORM_TEXT), max_size=14).map("".join))
def test_any_forms_scan_as_in_python(forms, text):
    # compile_forms takes exactly the forms _native_form admits; the rest go to the regex.
    try:
        native.compile_forms(forms)
        taken = True
    except ValueError:
        taken = False
    assert taken == all(attribution._native_form(words) for words in forms)
    scan = attribution._CueScan(forms)
    assert _cue_starts(scan, text, _Quotes([])) == _python_cue_starts(scan, text, _Quotes([]))


class _Clears:
    """An int whose conversion (__index__) empties a list first."""

    def __init__(self, victim):
        self.victim = victim

    def __index__(self):
        self.victim.clear()
        return 0


class _FormsClearing:
    """A form (a sequence of words) whose reading empties the list of forms."""

    def __init__(self, victim):
        self.victim = victim

    def __iter__(self):
        self.victim.clear()
        return iter(("said", "so"))


def test_spans_changed_while_read():
    # Converting a span runs __index__, which empties the caller's list: the rest is still read.
    text = "abc def"
    spans = [(0, 3)] * 6
    spans[0] = (_Clears(spans), 3)
    assert native.tokenize_spans(text, spans) == [tokenize(text, 0, 3)] * 6
    sentences = [(0, 3)] * 6
    sentences[0] = (_Clears(sentences), 3)
    assert native.sentences_to_search(text, sentences, [1]) == \
        _python(_sentences_to_search, text, [(0, 3)] * 6, [1])
    forms = [("told",), _FormsClearing(None), ("said",)]
    forms[1].victim = forms
    assert native.cue_starts(native.compile_forms(forms), "he said so, she told", [], []) == [3, 16]
    with pytest.raises(TypeError):
        native.tokenize_spans(text, [[0, 3]])
    with pytest.raises(TypeError):
        native.sentences_to_search(text, [[0, 3]], [])


def test_tokens_changed_by_the_set_lookups():
    # A str subclass's __hash__, or a set member's __eq__ on a hash collision, empties the
    # tokens while the search holds their norms.
    sets = [attribution._ADVERBS, attribution._ENDS_SOURCE, attribution._PREPOSITIONS,
            attribution._NOT_SOURCE_WORDS]
    text = "Alpha beta gamma said"
    plain = tokenize(text)
    expected = _python(attribution._source_before, text, list(plain), 3, 0)
    assert expected is not None

    class Norm(str):
        def __hash__(self):
            toks.clear()
            return str.__hash__(self)

        __eq__ = str.__eq__

    toks = [(a, b, Norm(norm)) for a, b, norm in plain]
    assert native.source_before(text, toks, 3, 0, *sets) == expected

    class Collides:
        def __init__(self, h):
            self.h = h

        def __hash__(self):
            return self.h

        def __eq__(self, other):
            toks.clear()
            return False

    toks = list(plain)
    adverbs = set(sets[0]) | {Collides(hash(plain[2][2]))}
    assert native.source_before(text, toks, 3, 0, adverbs, *sets[1:]) == expected


def test_lists_emptied_by_a_collection():
    # A collection may run at any allocation and run Python code (a finalizer) that empties a
    # list the call reads: the call sees the list before or after, or stops; it never reads
    # items the list no longer holds. Lists of more than 20 items: copying them allocates
    # (smaller tuples come from a free list, which triggers no collection).
    text = "Alpha beta, gamma said. Delta said. " * 6
    layers = [(i, i + 1, 1, "x" * (i + 1), object()) for i in range(0, 50, 2)]
    emptied_by_a_collection(
        lambda: list(layers), lambda victim: native.flatten(60, (0, 60, 0), victim),
        (RuntimeError, _python(voices._flatten, 60, (0, 60, 0), layers),
         _python(voices._flatten, 60, (0, 60, 0), [])))
    spans = [(0, 11), (12, 23), (24, 35)] * 10
    emptied_by_a_collection(
        lambda: list(spans), lambda victim: native.tokenize_spans(text, victim, [0, 6]),
        (RuntimeError, [attribution._tokens_at(text, a, b, [0, 6]) for a, b in spans], []))
    sentences = [(a, a + 5) for a in range(0, len(text) - 5, 6)]
    emptied_by_a_collection(
        lambda: list(sentences), lambda victim: native.sentences_to_search(text, victim, [6, 30]),
        (RuntimeError, _python(_sentences_to_search, text, sentences, [6, 30]), []))
    plain = tokenize(text)
    said = max(k for k, tok in enumerate(plain) if tok[2] == "said")
    emptied_by_a_collection(
        lambda: list(plain), lambda victim: attribution._source_before(text, victim, said, 0),
        (RuntimeError, IndexError, _python(attribution._source_before, text, plain, said, 0)))
    forms = [("said",), ("according", "to")] * 20
    scan = attribution._CueScan(tuple(forms))
    emptied_by_a_collection(
        lambda: list(forms), lambda victim: native.cue_starts(native.compile_forms(victim), text,
                                                              [], []),
        (RuntimeError, _python_cue_starts(scan, text, _Quotes([])), []))


def test_flatten_spans_beyond_a_machine_word():
    # End minus start need not fit a Py_ssize_t; a negative length of document clamps to 0.
    low, high = -2 ** 63, 2 ** 63 - 1
    for n, layers in [(10, [(low + 1, 1, 0, "a"), (0, 5, 0, "b")]),
                      (10, [(low, 0, 0, "a"), (0, 5, 0, "b")]),
                      (10, [(high, low, 0, "a"), (low, high, 0, "b"), (3, 4, 0, "c")]),
                      (-5, [(3, -1, 0, "a")]), (-5, [(-9, 9, 1, "a"), (2, 3, 0, "b")]),
                      (high, [(low, high, 0, "a"), (1, 2, 0, "b")])]:
        base = (0, n, 0, "base")
        assert native.flatten(n, base, layers) == _python(voices._flatten, n, base, layers)
    with pytest.raises(OverflowError):   # beyond a Py_ssize_t: Python's ints, not the twin's
        native.flatten(10, (0, 10, 0), [(2 ** 63, 0, 0)])


def test_failing_allocations_raise_memory_error():
    # Lowering a character (str.lower) may fail anywhere, in the non-word characters after the
    # last token too and inside a cue's walk: the call raises MemoryError, never returns with
    # the exception set (SystemError) or goes on calling with it set.
    _testcapi = pytest.importorskip("_testcapi")
    if not hasattr(_testcapi, "set_nomemory"):
        pytest.skip("no _testcapi.set_nomemory")
    # U+2020 and U+2220 share a slot of the per-call lowering cache, so they are lowered again.
    text = "a \u2020\u2220 b \u00e9\u01e9 \u2020\u2220"
    spans = [(0, len(text)), (2, 4)]
    scan = attribution._CueScan((("a",), ("\u00e9",)))
    table = scan.table()
    calls = [(lambda: native.tokenize_spans(text, spans), [tokenize(text, a, b) for a, b in spans]),
             (lambda: native.cue_starts(table, text, [], [], True),
              _python_cue_starts(scan, text, _Quotes([])))]
    failures = 0
    for call, expected in calls:
        for k in range(150):
            _testcapi.set_nomemory(k, k + 1)
            try:
                got = call()
            except MemoryError:
                got = MemoryError
            finally:
                _testcapi.remove_mem_hooks()
            assert got is MemoryError or got == expected, k
            failures += got is MemoryError
    assert failures > 20
