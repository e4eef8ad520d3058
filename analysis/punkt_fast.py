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

__all__ = ["sent_spans"]

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


# The decider built for nupunkt's current decision function (one slot: one model in use).
_DECIDER: list = [None, None]
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

    _DECIDER[:] = [decide, contains_sentbreak]
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
    if not _supported(tokenizer) or tokenizer.EXCL_QUEST_LOWERCASE_CONTINUES \
            or not tokenizer._uses_decision_engine():
        # Configurations the re-stated loop does not cover.
        return [span for _, span in tokenizer.tokenize_with_spans(text)]
    slices = _slices(text, tokenizer, _decider(tokenizer, is_abbreviation))
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
