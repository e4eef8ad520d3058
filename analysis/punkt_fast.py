"""Sentence spans from nupunkt's pre-trained Punkt model, with a fast path for the commonest case.

``nupunkt.sent_spans`` scans the text for candidate sentence ends, decides each candidate from
its context (the word holding it and the next word), realigns closing punctuation onto the
sentence before it and makes the spans contiguous, copying every sentence's text on the way only
to drop it. Its decisions are memoised per context, but the first decision on a context costs
several microseconds of token work, and most contexts in a corpus are seen once.

This module keeps nupunkt's candidate scan and its decision procedure, and decides the commonest
context itself: a period after a plain word ("said. The"). Punkt's rule for it (Kiss & Strunk
2006, sections 3-4) reduces to lookups in the trained model: a word that is no abbreviation and
begins no known collocation ends the sentence; anything else is left to nupunkt. The spans are
identical to ``nupunkt.sent_spans``.

When built, analysis/_native/sentsplit.c runs the scan, the slicing loop and the realignment
(the Python below is its reference twin) and calls back here only for the decisions: the memo of
the plain rule, the rule on a miss, and nupunkt's decision on any other context. It re-states
nupunkt 0.8's candidate pattern, closing characters, enumerator and realignment patterns as
character tests, so it runs only while the tokenizer's own are those (``_restated_by_native``).

Provenance: the slicing loop and realignment are re-stated from nupunkt 0.8 (MIT licence,
``PunktSentenceTokenizer._slices_from_text``, ``_realign_boundaries``, ``tokenize_with_spans``);
the candidate scan, abbreviations, collocations, realignment pattern and every other decision
are read from nupunkt's default model at run time.

References
----------
Kiss, T., & Strunk, J. (2006). Unsupervised multilingual sentence boundary detection.
Computational Linguistics, 32(4), 485-525.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ._native import load

__all__ = ["sent_spans", "native_deciders"]

# The compiled twin of the scan, slicing and realignment below (None when not built).
_native_sentsplit = load("sentsplit")

# A plain candidate word: two or more ASCII letters and the period (no digits, quotes or
# brackets; one letter would be an initial). Punkt reads it as one token whose type is its
# lowercase form.
_PLAIN_WORD = re.compile(r"[A-Za-z]{2,}\.")


@lru_cache(maxsize=1)
def _model():
    """nupunkt's default tokenizer (shared with ``nupunkt.sent_spans``) and ``is_abbreviation``."""
    import nupunkt
    from nupunkt.core.base import is_abbreviation
    return nupunkt._get_default_model(), is_abbreviation


# The decider built for nupunkt's current decision function (one slot: one model in use), and
# the pieces of it the compiled scan calls: (plain-rule memo, plain rule, nupunkt's decide).
_DECIDER: list = [None, None, None]
_PLAIN_MEMO_SIZE = 65536


def _decider(tokenizer, is_abbreviation):
    """``context -> ends a sentence``: nupunkt's memoised decision, plain contexts decided here.

    Rebuilt whenever nupunkt rebuilds its decision state (the model's parameters changed).

    Parameters
    ----------
    tokenizer : a nupunkt ``PunktSentenceTokenizer`` using its string-level decision engine.
    is_abbreviation : nupunkt's abbreviation test.

    Returns
    -------
    function of a context ``(before, after)`` giving True where the candidate ends a sentence.
    """
    decide = tokenizer._decision_state()[3]
    if _DECIDER[0] is decide:
        return _DECIDER[1]
    params = tokenizer._params
    abbreviations = params.abbrev_types
    # Words that begin a known collocation: after those the next word matters.
    collocation_heads = {head for head, _ in params.collocations}
    plain_word = _PLAIN_WORD.fullmatch
    plain_breaks: dict[str, bool] = {}  # candidate word -> whether the plain rule says "break"

    def breaks_plainly(before: str) -> bool:
        verdict = plain_breaks.get(before)
        if verdict is None:
            word = before[:-1].lower()
            verdict = bool(plain_word(before)) and word not in collocation_heads and \
                not is_abbreviation(abbreviations, word)
            if len(plain_breaks) >= _PLAIN_MEMO_SIZE:
                plain_breaks.clear()
            plain_breaks[before] = verdict
        return verdict

    def contains_sentbreak(context: tuple[str, str]) -> bool:
        before, after = context
        # A plain word that is no abbreviation gets a sentence-break first-pass annotation, and
        # the second pass takes that back only for a collocation (a capitalised word after a
        # paragraph break confirms it). The period stays its word's last token when nothing
        # follows it, or whitespace and then anything but another period (". . ." is one token).
        if breaks_plainly(before) and (not after or (
                after[0].isspace() and not after.lstrip().startswith("."))):
            return True
        return decide(context)

    _DECIDER[:] = [decide, contains_sentbreak, (plain_breaks, breaks_plainly, decide)]
    return contains_sentbreak


def _slices(text: str, tokenizer, contains_sentbreak) -> list[tuple[int, int]]:
    """Punkt's sentence slices of ``text`` (before realignment), as nupunkt cuts them.

    Parameters
    ----------
    text : the text to split.
    tokenizer : nupunkt's tokenizer, whose candidate scan and checks are used.
    contains_sentbreak : the decision on a candidate context, from ``_decider``.

    Returns
    -------
    list of (start, stop) slices in order; they need not cover the text.
    """
    text_len = len(text)
    text_end = len(text.rstrip())
    closing = tokenizer._CLOSING_CHARS
    slices = []
    last_break = 0
    for match, context in tokenizer._match_potential_end_contexts(text):
        pos = match.start()
        if text[pos] == "." and tokenizer._is_line_start_enumerator(text, pos):
            continue
        pos = match.end()
        # A run of end marks ("?!", "! ! !") ends at its last one.
        if pos < text_len and text[pos] in "!?":
            continue
        k = pos
        while k < text_len and text[k] in " \t":
            k += 1
        if k > pos and k < text_len and text[k] in "!?" and (
                k + 1 == text_len or text[k + 1].isspace() or text[k + 1] in "!?"):
            continue
        if pos < text_len and text[pos] in closing:
            # '"Is it?" he asked': a quotation continued by a lowercase word on the same line.
            while pos < text_len and text[pos] in closing:
                pos += 1
            while pos < text_len and text[pos] in " \t":
                pos += 1
            if pos < text_len and text[pos].islower():
                continue
        if contains_sentbreak(context):
            slices.append((last_break, match.end()))
            if match.group("next_tok"):
                last_break = match.start("next_tok")
            else:
                pos = match.end()
                while pos < text_len and text[pos].isspace():
                    pos += 1
                last_break = pos
    if last_break < text_end:
        slices.append((last_break, text_end))
    return slices


_PRIVATE_API = ("_decision_state", "_params", "_match_potential_end_contexts",
                "_is_line_start_enumerator", "_uses_decision_engine", "_lang_vars",
                "EXCL_QUEST_LOWERCASE_CONTINUES")


def _supported(tokenizer) -> bool:
    """Whether this nupunkt has the internals the fast path reads (pinned to 0.8.0; a release
    without them falls back to nupunkt itself instead of failing)."""
    return all(hasattr(tokenizer, name) for name in _PRIVATE_API)


def _fast_path_applies(tokenizer) -> bool:
    """Whether the re-stated loop covers this tokenizer's configuration."""
    return _supported(tokenizer) and not tokenizer.EXCL_QUEST_LOWERCASE_CONTINUES \
        and tokenizer._uses_decision_engine()


# What the compiled scan re-states as fixed character tests (nupunkt 0.8.0's own): class
# attributes and methods of the tokenizer, and the language variables behind its patterns.
_RESTATED_METHODS = ("_match_potential_end_contexts", "_is_line_start_enumerator")
_RESTATED_CONSTANTS = ("_RE_LINE_ENUMERATOR", "_CLOSING_CHARS", "_SENT_END_CHARS", "_RE_LAST_WS")


@lru_cache(maxsize=1)
def _default_period_context() -> str:
    """The period-context pattern of nupunkt's default language variables."""
    from nupunkt.core.language_vars import PunktLanguageVars
    return PunktLanguageVars().period_context_pattern.pattern


def _restated_by_native(tokenizer) -> bool:
    """Whether the compiled scan's fixed character tests are this tokenizer's own (a customised
    subclass or language variables run the Python loop, which reads them at run time)."""
    from nupunkt.core.language_vars import PunktLanguageVars
    from nupunkt.tokenizers.sentence_tokenizer import PunktSentenceTokenizer
    lang = tokenizer._lang_vars
    return (type(lang) is PunktLanguageVars
            and lang.sent_end_chars == frozenset(".?!")
            and lang.re_boundary_realignment is PunktLanguageVars.re_boundary_realignment
            and lang.period_context_pattern.pattern == _default_period_context()
            and all(getattr(type(tokenizer), name) is getattr(PunktSentenceTokenizer, name)
                    and name not in vars(tokenizer) for name in _RESTATED_METHODS)
            and all(getattr(tokenizer, name) is getattr(PunktSentenceTokenizer, name)
                    for name in _RESTATED_CONSTANTS))


def native_deciders() -> tuple | None:
    """What the compiled splitter decides candidates with, or None where it does not apply.

    Returns
    -------
    ``(plain_memo, breaks_plainly, decide)``: the memo of the plain-word rule by candidate word,
    the rule itself (filling the memo), and nupunkt's memoised decision on a context; None when
    the module is not built or the tokenizer's configuration needs nupunkt itself.
    """
    if _native_sentsplit is None:
        return None
    tokenizer, is_abbreviation = _model()
    if not _fast_path_applies(tokenizer) or not _restated_by_native(tokenizer):
        return None
    _decider(tokenizer, is_abbreviation)
    return _DECIDER[2]


def sent_spans(text: str) -> list[tuple[int, int]]:
    """Contiguous sentence spans of ``text``, as ``nupunkt.sent_spans(text)`` gives them.

    Parameters
    ----------
    text : the text to split.

    Returns
    -------
    list of (start, end) offsets covering ``text`` without gaps; empty for empty text.
    """
    if not text:
        return []
    tokenizer, is_abbreviation = _model()
    if not _fast_path_applies(tokenizer):
        # Configurations the re-stated loop does not cover.
        return [span for _, span in tokenizer.tokenize_with_spans(text)]
    contains_sentbreak = _decider(tokenizer, is_abbreviation)
    if _native_sentsplit is not None and _restated_by_native(tokenizer):
        return _native_sentsplit.sent_spans(text, *_DECIDER[2])
    slices = _slices(text, tokenizer, contains_sentbreak)
    realign_match = tokenizer._lang_vars.re_boundary_realignment.match
    starts = []
    shift = 0  # how far the previous realignment moved this sentence's start
    last = len(slices) - 1
    for i, (start, stop) in enumerate(slices):
        start += shift
        if i < last:
            following_start, following_stop = slices[i + 1]
            # Closing punctuation that opens the next sentence ('." He') belongs to this one.
            m = realign_match(text, following_start, following_stop)
            if m:
                starts.append(start)
                shift = m.end() - following_start
                continue
            shift = 0
        if stop > start:
            starts.append(start)
    if not starts:
        return [(0, len(text))]
    ends = starts[1:]
    ends.append(len(text))
    return list(zip(starts, ends))
