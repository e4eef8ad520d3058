"""Attribution relations in news text: who said what, with which reporting verb.

Rules over sentences, quotation marks and the reporting-verb lexicon find, for each relation, the
cue span (the reporting verb as written, or "according to"), the source span (the noun phrase as
written, pronouns resolved to the nearest compatible source before them) and the content span
(a quotation with its marks, or the reported clause without "that" and final punctuation).

Kinds: ``direct`` (a quotation), ``indirect`` ("X said (that) ..."), ``mixed`` (indirect with an
embedded partial quotation), ``according_to``, ``label`` ("**Name:** “...”").

References
----------
Pareti, S. (2016). PARC 3.0: A corpus of attribution relations. Proceedings of LREC 2016,
3914-3920.
O'Keefe, T., Pareti, S., Curran, J. R., Koprinska, I., & Honnibal, M. (2012). A sequence labelling
approach to quote attribution. Proceedings of EMNLP-CoNLL 2012, 790-799.
"""
from __future__ import annotations

import logging
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from ._native import load
from .lexicon import Entry, Lexicon, bundled_lexicon
from .measures import CompiledLexicon, match_sentence
from .sources import PRONOUNS, SourceBook, bundled_sources
from .tokens import split_sentences, tokenize

# Compiled twins (analysis/_native/attrscan.c) of the cue pre-filter scan, find_quotes' loop,
# _sentences_to_search, the tokenising of the sentences searched (tokens.tokenize) and
# _source_before; None runs the Python here.
_native_attrscan = load("attrscan")

__all__ = ["extract_attributions", "find_quotes", "RELATION_COLUMNS"]

log = logging.getLogger(__name__)

RELATION_COLUMNS = ["doc_id", "rel_id", "kind", "cue", "cue_start", "cue_end", "stance",
                    "source", "source_start", "source_end", "source_norm", "source_type",
                    "content_start", "content_end"]

_OPEN, _CLOSE = "\u201c", "\u201d"
_QUOTE_EVENTS = re.compile('[\u201c\u201d"\n]')
_STOP_BEFORE_SOURCE = frozenset({
    "with", "that", "which", "who", "whom", "when", "while", "as", "after", "because", "if",
    "but", "so", "where", "since", "although", "though", "whereas", "before", "until", "than",
    "what", "how", "why", "whether", "namely", "meanwhile", "however", "moreover", "also",
    "then", "later", "earlier", "previously", "again", "repeatedly", "reportedly", "separately",
    "further", "indeed", "still", "already", "once", "recently", "had", "has", "have", "was",
    "were", "is", "are", "will", "would", "could", "can", "may", "might", "did", "does", "do",
    "not", "never", "to", "in", "on", "at", "for", "from", "by", "of", "into", "about",
    "during", "all", "just", "today", "yesterday", "publicly", "privately", "immediately",
    "first", "finally"})
_ADVERBS = frozenset({"also", "later", "earlier", "previously", "again", "repeatedly", "reportedly",
                      "separately", "further", "once", "recently", "then", "publicly", "privately",
                      "immediately", "first", "finally", "has", "have", "had", "had", "will",
                      "would", "did", "today", "yesterday", "on", "tuesday", "just", "already",
                      "clearly", "explicitly", "firmly", "strongly", "flatly", "quickly", "long",
                      "been", "now"})
_DETERMINER_START = frozenset({"the", "a", "an", "both", "his", "her", "its", "their", "our",
                               "this", "that", "these", "those", "some", "many", "several", "two",
                               "three", "one"})
_AFTER_CUE_SKIP = re.compile(
    r"\s*(?:(?:in|on|at|during|after|following)\s+(?:a|an|the|its|his|her|their)?\s*"
    r"(?:written\s+)?(?:statement|readout|interview|post|briefing|release|message|speech|"
    r"call|conversation|address|meeting|tweet)(?:\s+(?:on|to|with|following|after)\s+[\w\u2019'.\- ]{0,40}?)?"
    r"|on\s+(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|to\s+reporters|"
    r"to\s+journalists|today|yesterday|earlier|later|publicly|again)\s*(?=[,:\s]|$)", re.IGNORECASE)
_TELL_VERBS = frozenset({"told", "tell", "tells", "telling", "informed", "inform", "informs",
                         "informing", "assured", "assure", "assures", "warned", "warn", "warns",
                         "reminded", "remind", "reminds", "urged", "urge", "urges", "asked",
                         "ask", "asks"})
_CONNECTIVE = re.compile(
    r"(?:In addition|Namely|Meanwhile|However|Moreover|Furthermore|Also|Separately|Earlier|"
    r"Later|Still|Instead|Indeed|Nevertheless|Besides|At the same time|In particular)\s*,\s*")
_SENTENCE_FINAL_MAX_TAIL = 8
# Between a quotation and the cue that follows it: no sentence punctuation, at most ten words.
_GAP_TO_CUE = re.compile(r"[ \t,]*[^.;:!?\n\u201c\u201d\"]{0,90}")
_SHORT_GAP_TO_CUE = re.compile(r"[ \t,]*(?:[^\s.;:!?\u201c\u201d\"]+[ \t]*){0,9}")
_TO_QUOTE_AFTER_CUE = re.compile(
    r"(?:" + _AFTER_CUE_SKIP.pattern + r")?\s*(?:,|:)?\s*(?:that\s+)?(?=[\u201c\"])", re.IGNORECASE)


def _cue_lexicon(book: SourceBook) -> CompiledLexicon:
    """The reporting-verb lexicon plus the attribution-only cues of the sources file."""
    base = bundled_lexicon("reporting_verbs")
    extra = tuple(Entry(term=cue, category="neutral", forms=((cue,),), rules=("reporting_use",))
                  for cue in book.extra_cues)
    merged = Lexicon(name="cues", measure="cue", version=base.version, provenance=base.provenance,
                     categories=base.categories, entries=base.entries + extra, path=base.path,
                     sha256=base.sha256)
    return CompiledLexicon(merged)


# Token pieces for the cue-start pattern. Tokens are word characters joined by apostrophes,
# dots and hyphens (tokens.TOKEN_PATTERN): the rest of a token after a wildcard stem, an optional
# possessive "'s", and the end of a token.
_WORD_TAIL = r"[\w'\u2019.\-]*"
_POSSESSIVE = r"(?:['\u2019]s)?"
_TOKEN_END = r"(?!\w|['\u2019.\-]\w)"
_WORD_CHAR = re.compile(r"\w")
# Where a token of the whole text goes on past a sentence end (a sentence cut inside a word).
_TOKEN_GOES_ON = re.compile(r"\w|['\u2019.\-]\w")


def _form_atoms(words: tuple[str, ...]) -> list[str]:
    """Regex pieces of one lexicon form as it can appear in lowercased text.

    As ``match_sentence`` matches a form: consecutive tokens separated by whitespace only; the
    first and the last word may take a possessive "'s"; a wildcard word is a token prefix.
    "'" in the lexicon also stands for the typographic apostrophe (token norms fold it).

    Parameters
    ----------
    words : the form's words, as in the lexicon.

    Returns
    -------
    list of regex strings whose concatenation matches the form from its first character.
    """
    atoms: list[str] = []
    last = len(words) - 1
    for k, word in enumerate(words):
        if k:
            atoms.append(r"\s+")
        wildcard = word.endswith("*")
        stem = word[:-1] if wildcard else word
        atoms.extend(r"['\u2019]" if c == "'" else re.escape(c) for c in stem)
        if wildcard:
            if k < last:
                atoms.append(_WORD_TAIL)
        elif k == last:
            atoms.append(_POSSESSIVE + _TOKEN_END)
        elif k == 0:
            atoms.append(_POSSESSIVE)
    return atoms


def _trie_alternation(trie: dict) -> str:
    """A regex for the forms stored in a trie of atoms, sharing common prefixes.

    Without shared prefixes the regex engine would try every form at every word start. A form
    that ends at a node makes any longer form through that node redundant.
    """
    if None in trie:
        return ""
    if not trie:
        return "(?!)"
    branches = [atom + _trie_alternation(child) for atom, child in sorted(trie.items())]
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


def _cue_start_pattern(lexicon: Lexicon) -> "_CueScan":
    """A regex over the lowercased document text that matches right before every token where a
    form of ``lexicon`` could start (with its compiled twin, see :class:`_CueScan`).

    It finds a superset of the starts of ``match_sentence`` hits (context rules are not
    checked), so a sentence without a match cannot hold a cue and need not be tokenised. Each
    match is the one non-word character before the token (a leading character class lets the
    regex engine skip ahead fast; a lookbehind would not), so the searched text needs one such
    character prepended; the form itself is a lookahead, so overlapping candidates all count.

    Parameters
    ----------
    lexicon : the cue lexicon.

    Returns
    -------
    The pattern and its twin, for :func:`_cue_starts`.
    """
    return _cue_scan(tuple(tuple(words) for entry in lexicon.entries for words in entry.forms))


def _native_form(words: tuple[str, ...]) -> bool:
    """Whether ``attrscan.compile_forms`` takes a form (it raises ValueError otherwise).

    Its matcher skips the blanks between words at once where the regex of :func:`_form_atoms`
    can backtrack into them, so it takes no form without words, no word that is empty but for
    its wildcard, and no word after the first that starts with a blank. Lexicon forms are
    never so; a sources file's extra cue (an empty string) can be.

    Parameters
    ----------
    words : the form's words, as in the lexicon.

    Returns
    -------
    bool, False when the regex must scan for this form.
    """
    return bool(words) and all((word[:-1] if word.endswith("*") else word)
                               and not (k and word[0].isspace()) for k, word in enumerate(words))


class _CueScan:
    """The cue-start regex of some forms, and their table for ``attrscan.cue_starts`` (made on
    first use, so that the Python path never needs the compiled module)."""

    __slots__ = ("forms", "pattern", "_table")

    def __init__(self, forms: tuple[tuple[str, ...], ...]) -> None:
        self.forms = forms
        self.pattern = _forms_pattern(forms)
        self._table = None

    def table(self):
        """The forms compiled by ``attrscan.compile_forms``, or None when it cannot take one
        of them (see :func:`_native_form`): then the regex scans."""
        if self._table is None:
            self._table = (_native_attrscan.compile_forms(self.forms)
                           if all(_native_form(words) for words in self.forms) else False)
        return self._table if self._table is not False else None


@lru_cache(maxsize=8)
def _cue_scan(forms: tuple[tuple[str, ...], ...]) -> _CueScan:
    """:class:`_CueScan` of the forms, built once per lexicon."""
    return _CueScan(forms)


def _forms_pattern(forms: tuple[tuple[str, ...], ...]) -> re.Pattern:
    """:func:`_cue_start_pattern` of the forms; building it costs more than a short document."""
    trie: dict = {}
    for words in forms:
        node = trie
        for atom in _form_atoms(words):
            node = node.setdefault(atom, {})
        node[None] = {}
    return re.compile(r"\W(?=" + _trie_alternation(trie) + ")")


def _cue_starts(scan: _CueScan, text: str, quotes: "_Quotes") -> list[int] | None:
    """Sorted offsets where a cue may start outside quotations; None when ``text`` cannot be
    searched lowercased (a character such as "\u0130" lowercases to two, shifting offsets)."""
    table = scan.table() if _native_attrscan is not None else None
    if table is not None and "\u03a3" not in text:
        # It lowercases as it reads; the capital sigma alone lowercases by its neighbours.
        return _native_attrscan.cue_starts(table, text, quotes.starts, quotes.ends, True)
    lowered = text.lower()
    if len(lowered) != len(text):
        return None
    if table is not None:
        return _native_attrscan.cue_starts(table, lowered, quotes.starts, quotes.ends)
    # With a blank in front, match starts are offsets of the token in text.
    return [m.start() for m in scan.pattern.finditer(" " + lowered) if not quotes.covers(m.start())]


def find_quotes(text: str, *, doc_id: str | None = None) -> list[tuple[int, int]]:
    """Quotation spans (marks included) in reading order.

    Curly marks pair “ with ”; straight double quotes alternate open/close. A quotation left open
    at the end of a paragraph (a blank line, or a line longer than a hard-wrapped one) continues
    only when the next paragraph opens with a mark (the news convention for quotes running over
    paragraphs). Any other unbalanced mark is dropped with a logged warning; nothing raises.
    """
    if _native_attrscan is None:
        spans, problems = _quote_events(text)
    else:
        spans, problems = _native_attrscan.find_quotes(text)
    if problems:
        log.warning("%s: %d unbalanced quotation mark(s) ignored (offsets %s)", doc_id or "document",
                    len(problems), ", ".join(map(str, sorted(problems)[:10])))
    return spans


def _quote_events(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    """:func:`find_quotes` before logging: (spans, offsets of ignored marks)."""
    spans: list[tuple[int, int]] = []
    problems: list[int] = []  # offsets of ignored marks, reported once per document
    open_at = None
    line_start = 0
    n = len(text)
    skip_until = -1
    # Only quotation marks and newlines matter; jump from one to the next.
    for m in _QUOTE_EVENTS.finditer(text):
        i, ch = m.start(), m.group()
        if i < skip_until:
            continue
        if ch == "\n":
            if open_at is None:  # a paragraph end matters only to an open quotation
                line_start = i + 1
                continue
            line_len = i - line_start
            j = i
            while j < n and text[j] in " \t\n":
                j += 1
            paragraph_end = "\n" in text[i + 1:j] or line_len > 100 or j >= n
            line_start = i + 1
            if paragraph_end:
                if j < n and text[j] in (_OPEN, '"'):
                    skip_until = j + 1  # continuation paragraph: its opening mark is not new
                    continue
                problems.append(open_at)
                open_at = None
            continue
        if ch == _OPEN or (ch == '"' and open_at is None):
            if open_at is None:
                open_at = i
            # A second opening mark inside an open quotation is a nested or stray mark.
        elif open_at is not None:
            spans.append((open_at, i + 1))
            open_at = None
        elif ch == _CLOSE:
            problems.append(i)
    if open_at is not None:
        problems.append(open_at)
    return spans, problems


@dataclass(slots=True)
class _Relation:
    kind: str
    cue: tuple[int, int] | None
    stance: str | None
    source: tuple[int, int] | None
    content: tuple[int, int]
    source_text: str | None = None
    resolved: tuple = field(default=(None, "unknown", False))


def _inside(pos: int, spans) -> bool:
    for a, b in spans:  # a plain loop: the lists are short, a generator costs more
        if a <= pos < b:
            return True
    return False


class _Quotes(list):
    """The quotation spans of a document (from :func:`find_quotes`: sorted, non-overlapping),
    with look-ups by bisection instead of scans over every quotation."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        super().__init__(spans)
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]

    def covers(self, pos: int) -> bool:
        """True when ``pos`` lies inside a quotation (marks included)."""
        k = bisect_right(self.starts, pos) - 1
        return k >= 0 and pos < self.ends[k]

    def last_ending_by(self, pos: int) -> tuple[int, int] | None:
        """The last quotation that ends at or before ``pos``."""
        k = bisect_right(self.ends, pos) - 1
        return self[k] if k >= 0 else None

    def starting_at(self, pos: int) -> tuple[int, int] | None:
        """The quotation whose opening mark is at ``pos``."""
        k = bisect_left(self.starts, pos)
        return self[k] if k < len(self) and self.starts[k] == pos else None

    def starting_within(self, a: int, b: int) -> list[tuple[int, int]]:
        """The quotations whose opening mark lies in [a, b), in order."""
        return self[bisect_left(self.starts, a):bisect_left(self.starts, b)]

    def first_unused(self, a: int, b: int | None, used: set) -> tuple[int, int] | None:
        """The first quotation not in ``used`` opening in [a, b) (b None: no end)."""
        for k in range(bisect_left(self.starts, a), len(self)):
            if b is not None and self.starts[k] >= b:
                break
            if self[k] not in used:
                return self[k]
        return None


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    """Strip whitespace, dashes and final , ; : . outside quotation marks ("was “catastrophic”.");
    punctuation inside the marks stays ("weapons.”")."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and (text[b - 1].isspace() or text[b - 1] in ".,;:\u2014-"):
        b -= 1
    return a, b


_PREPOSITIONS = frozenset({"of", "in", "at", "for", "with", "from", "on", "about", "by", "familiar",
                           "close", "near", "inside", "outside", "within", "across"})
# A word that cannot be inside a source phrase, and the words that cannot make one on their own.
_ENDS_SOURCE = _STOP_BEFORE_SOURCE - _DETERMINER_START - _PREPOSITIONS
_NOT_SOURCE_WORDS = _STOP_BEFORE_SOURCE | _ADVERBS
# Marks in the gap between two tokens: a semicolon, colon, bracket, em dash or quotation mark
# ends a source phrase, a comma ends one of its chunks (see _clause_chunks).
_GAP_MARK = re.compile('[;:()\u2014\u201c\u201d",]')


def _clause_chunks(text: str, toks: list, i: int, floor: int) -> list[tuple[int, int]]:
    """Token index ranges [a, b) of the comma-separated chunks before token i, nearest first;
    at most the two nearest (all that a source phrase can span).

    Walking back from token i over the gaps between the tokens that start at or after ``floor``,
    a gap holding one of ``;:()\u2014\u201c\u201d"`` ends the walk and a gap holding a comma
    ends a chunk.
    Tokens hold none of these marks, so the marks of all those gaps are found with one search
    over the text they span, and only the gaps holding one are looked at, nearest first.
    """
    low = bisect_left(toks, (floor,), 0, i)  # the first token starting at or after floor
    chunks, b = [], i
    if low < i - 1:
        marks = [m.start() for m in _GAP_MARK.finditer(text, toks[low][1], toks[i - 1][0])]
        n = len(marks) - 1
        while n >= 0:
            # The gap before token g holds marks[n], and maybe more marks before it.
            g = bisect_left(toks, (marks[n],), low, i)
            gap_start = toks[g - 1][1]
            boundary = comma = False
            while n >= 0 and marks[n] >= gap_start:
                if text[marks[n]] == ",":
                    comma = True
                else:
                    boundary = True
                n -= 1
            if boundary:
                low = g
                break
            if comma:
                chunks.append((g, b))
                if len(chunks) == 2:
                    return chunks
                b = g
    chunks.append((low, b))
    return [c for c in chunks if c[0] < c[1]]


def _is_name(text: str, toks: list, a: int, b: int) -> bool:
    words = [text[t[0]:t[1]] for t in toks[a:b]]
    return 0 < len(words) <= 5 and all(w[:1].isupper() or w.lower() in ("of", "de", "von", "der", "al")
                                       for w in words)


def _source_before(text: str, toks: list, i: int, floor: int) -> tuple[int, int] | None:
    """The noun phrase that ends right before token i (adverbs skipped), inside the clause.

    Post-modifiers are kept ("Sources familiar with the talks", "Officials in Moscow",
    "Secretary of State Marco Rubio") and so is an apposition between commas
    ("Anna Voronina, a senior fellow at ..., said").
    """
    if _native_attrscan is not None:
        return _native_attrscan.source_before(text, toks, i, floor, _ADVERBS, _ENDS_SOURCE,
                                              _PREPOSITIONS, _NOT_SOURCE_WORDS)
    k = i - 1
    while k >= 0 and toks[k][2] in _ADVERBS and toks[k][0] >= floor:
        k -= 1
    if k < 0 or toks[k][0] < floor:
        return None
    chunks = _clause_chunks(text, toks, k + 1, floor)
    if not chunks:
        return None
    a, b = chunks[0]
    # Walk back over the nearest chunk; stop at a word that cannot be inside a noun phrase.
    start = b
    for m in range(b - 1, a - 1, -1):
        if toks[m][2] in _ENDS_SOURCE:
            break
        start = m
    while start < b and (toks[start][2] in _PREPOSITIONS or toks[start][2] in ("and", "but", "or")):
        start += 1
    if start >= b or b - start > 14:
        return None
    if all(t[2] in _NOT_SOURCE_WORDS for t in toks[start:b]):
        return None
    # "Name, a senior fellow at X, said": the apposition chunk joins the name before it.
    if start == a and toks[a][2] in ("a", "an", "the") and len(chunks) > 1 and b - a > 1 and \
            text[toks[a + 1][0]:toks[a + 1][1]][:1].islower():
        pa, pb = chunks[1]
        if _is_name(text, toks, pa, pb):
            start = pa
    end = toks[b - 1][1]
    if "." in toks[b - 1][2] and text[end:end + 1] == ".":
        end += 1  # "the U.N." keeps its final period
    return toks[start][0], end


def _source_after(text: str, toks: list, j: int, limit: int) -> tuple[int, int] | None:
    """The noun phrase right after token j-1 ("..., said Peskov." / "said Dmitry Peskov, ...")."""
    k = j
    while k < len(toks) and toks[k][1] <= limit:
        if k > j and any(c in text[toks[k - 1][1]:toks[k][0]] for c in ",;:.()\u2014"):
            break
        word = toks[k][2]
        surface = text[toks[k][0]:toks[k][1]]
        if k > j and word in _STOP_BEFORE_SOURCE and word not in ("of",):
            break
        if k == j and not (surface[:1].isupper() or word in _DETERMINER_START or word in PRONOUNS):
            return None
        k += 1
    if k == j:
        return None
    end = toks[k - 1][1]
    rest = text[end:limit]
    m = re.match(r",\s+(?:a|an|the)\s+[^,;:.\u201c\u201d\"]{3,120}?(?=[.,;]\s*$|\.$|$)", rest)
    if m and not re.search(r"\b(?:said|says|told|added)\b", m.group()):
        end += m.end()
    if "." in toks[k - 1][2] and text[end:end + 1] == ".":
        end += 1
    return toks[j][0], end


_THAT_LEAD = re.compile(r"\s*[:,]?\s*(?:that\b)?")


def _content_after_cue(text: str, toks: list, j: int, cue_word: str, end: int) -> tuple[int, int]:
    """Reported content after the cue: skip "in a statement", an indirect object, "that"."""
    pos = toks[j - 1][1]
    m = _AFTER_CUE_SKIP.match(text, pos, end)
    if m:
        pos = m.end()
    if cue_word in _TELL_VERBS:
        # The tokens from pos that end by end: a run, as tokens are in order.
        first = bisect_left(toks, (pos,))
        rest = [t for t in toks[first:first + 7] if t[1] <= end]
        for t in rest:
            if t[2] in ("that", "about", "of", "to", "on", "how", "what", "whether", "why"):
                pos = t[1] if t[2] in ("that", "about", "of", "on") else t[0]
                break
    m = _THAT_LEAD.match(text, pos, end)
    if m:
        pos = m.end()
    return _trim(text, pos, end)


def _sentence_relations(text, s, e, toks, cues, quotes, rels, used_quotes):
    """Relations whose cue lies in sentence [s, e)."""
    first = len(rels)  # relations before this one belong to earlier sentences
    taken_end = e  # content of earlier cues ends before a later sentence-final clause
    claimed: list[tuple[int, int]] = []
    if len(cues) > 1:
        cues = sorted(cues, key=lambda c: toks[c[0]][0])
    for n, (i, j, entry) in enumerate(cues):
        cs, ce = toks[i][0], toks[j - 1][1]
        cue_word = toks[i][2]
        stance = entry.category
        if entry.term == "according to":
            rel = _according_to(text, s, e, toks, i, j, quotes)
            if rel:
                rels.append(rel)
                claimed.append((rel.source[0], rel.content[1]) if rel.content[0] > rel.source[0]
                               else (rel.content[0], rel.source[1]))
            continue
        # 1. A quotation right before the cue: “...,” the Kremlin said / “...,” said Peskov.
        # Only the last quotation ending before the cue can qualify: the text from any earlier
        # one to the cue holds that quotation's marks, which the gap pattern excludes.
        quote = quotes.last_ending_by(cs)
        if quote and quote not in used_quotes and _GAP_TO_CUE.fullmatch(text, quote[1], cs) and \
                _SHORT_GAP_TO_CUE.fullmatch(text, quote[1], cs):
            between = text[quote[1]:cs].strip(" ,\n")
            if between:
                src = _source_before(text, toks, i, quote[1])
            else:
                src = _source_after(text, toks, j, e)
            lead_start = s
            m = _CONNECTIVE.match(text, s, max(s, quote[0]))
            if m:
                lead_start = m.end()
            if quote[0] > lead_start and text[lead_start:quote[0]].strip():
                # A partial quotation closing a reported clause: "Moscow has been considering
                # a “broad spectrum ...,” the Kremlin stated."
                rels.append(_Relation("mixed", (cs, ce), stance, src,
                                      _trim(text, lead_start, quote[1])))
            else:
                rels.append(_Relation("direct", (cs, ce), stance, src, quote))
                _continuations(text, quote, (cs, ce), stance, src, e, quotes, used_quotes, rels)
            used_quotes.add(quote)
            claimed.append((min(quote[0], lead_start), max(ce, src[1] if src else ce)))
            continue
        # 2. A quotation right after the cue: X said: “...” / X said “...”.
        # The quotation must open inside [ce, e) (the pattern ends before its mark).
        quote = None
        if quotes.starting_within(ce, e):
            m = _TO_QUOTE_AFTER_CUE.match(text[ce:e])
            quote = quotes.starting_at(ce + m.end()) if m else None
        if quote and quote not in used_quotes:
            src = _source_before(text, toks, i, s)
            rest = text[quote[1]:e].strip(" .,!?\n\u201d\"")
            if rest:
                content = _trim(text, quote[0], e)
                kind = "mixed"
            else:
                content, kind = quote, "direct"
            rels.append(_Relation(kind, (cs, ce), stance, src, content))
            used_quotes.add(quote)
            claimed.append(content)
            continue
        if _inside(cs, claimed):
            continue
        # 3. Sentence-final attribution: "<content>, the Kremlin press service revealed."
        # (Its first test, the length of the tail, is made here: most cues fail it.)
        final = _sentence_final(text, s, e, toks, i, j, cs, ce) \
            if len(toks) - j <= _SENTENCE_FINAL_MAX_TAIL else None
        if final:
            src, content = final
            kind = "mixed" if quotes.starting_within(*content) else "indirect"
            rels.append(_Relation(kind, (cs, ce), stance, src, content))
            claimed.append((content[0], e))
            taken_end = min(taken_end, content[1])
            # Earlier cues in the same sentence must stop before this clause.
            for rel in rels[first:]:
                if rel.content[0] < content[1] <= rel.content[1] and rel.cue and \
                        s <= rel.cue[0] < content[1] and rel is not rels[-1]:
                    rel.content = _trim(text, rel.content[0], min(rel.content[1], content[1]))
            continue
        # 4. Forward: "<source> <cue> (that) <content>".
        participle = cue_word.endswith("ing") and re.search(r",\s*$", text[s:cs]) and rels and \
            rels[-1].cue and s <= rels[-1].cue[0] < cs
        if participle:
            src = rels[-1].source
        else:
            src = _source_before(text, toks, i, s)
        if src is None and not participle:
            continue
        nxt_cue_clause = _next_sentence_final_start(text, toks, cues[n + 1:], s, e) \
            if n + 1 < len(cues) else None
        content = _content_after_cue(text, toks, j, cue_word, nxt_cue_clause or e)
        if content[1] - content[0] < 2:
            continue
        inside = quotes.starting_within(*content)
        kind = "mixed" if inside else "indirect"
        used_quotes.update(inside)
        rels.append(_Relation(kind, (cs, ce), stance, src, content))
        claimed.append(content)


def _cut_at_later_cues(text: str, rels: list, first: int, s: int, e: int) -> None:
    """A report ends where the next report of the same sentence begins:
    "X said A, and he said B" / "X said A, adding that B"."""
    mine = [r for r in rels[first:] if r.cue and s <= r.cue[0] < e]
    if len(mine) < 2:  # a single report has no later one to stop at
        return
    for rel in mine:
        later = [r for r in mine if r.cue[0] > rel.cue[1] and rel.content[0] < r.cue[0] < rel.content[1]]
        if not later:
            continue
        nxt = min(later, key=lambda r: r.cue[0])
        stop = nxt.cue[0]
        if nxt.source and rel.content[0] < nxt.source[0] < stop:
            stop = nxt.source[0]
        head = text[rel.content[0]:stop]
        m = re.search(r"[,;]\s*(?:and|but)?\s*$", head)
        if m:
            rel.content = _trim(text, rel.content[0], rel.content[0] + m.start())


def _next_sentence_final_start(text, toks, later_cues, s, e) -> int | None:
    for i, j, _ in later_cues:
        final = _sentence_final(text, s, e, toks, i, j, toks[i][0], toks[j - 1][1])
        if final:
            return final[1][1] + 1
    return None


def _sentence_final(text, s, e, toks, i, j, cs, ce):
    """"<content>, <source> <cue> [tail]." or "<content>, <cue> <source>." -> (source, content)."""
    # Every token of the sentence ends by e.
    if len(toks) - j > _SENTENCE_FINAL_MAX_TAIL:
        return None
    tail = text[ce:e]
    if "\u201c" in tail or '"' in tail:
        return None
    head = text[s:cs]
    comma = max(head.rfind(","), head.rfind("\u201d,"), head.rfind(",\u201d"))
    if comma < 0:
        return None
    comma_pos = s + comma
    between = text[comma_pos + 1:cs]
    if between.strip().startswith("\u201d"):
        between = between.strip()[1:]
    if len(between.split()) > 9:
        return None
    if between.strip():
        src = _source_before(text, toks, i, comma_pos + 1)
        if src is None or src[0] > comma_pos + 1 + len(between) - len(between.lstrip()) + 2:
            return None
    else:
        src = _source_after(text, toks, j, e)
        if src is None:
            return None
    start = s
    m = _CONNECTIVE.match(text, s, comma_pos)
    if m:
        start = m.end()
    content_end = comma_pos
    if text[comma_pos:comma_pos + 2] == ",\u201d" or text[comma_pos:comma_pos + 2] == ',"':
        content_end = comma_pos + 2
    if content_end - start < 10:
        return None
    return src, _trim(text, start, content_end)


def _according_to(text, s, e, toks, i, j, quotes) -> _Relation | None:
    cs, ce = toks[i][0], toks[j - 1][1]
    after = text[ce:e]
    m = re.match(r"\s*((?:[^,;:.]|\.(?=[\w,]))+?)\s*(?:,|$|\.)", after)
    if not m:
        return None
    src = (ce + m.start(1), ce + m.end(1))
    if cs - s < 5:  # "According to X, content."
        content = _trim(text, src[1] + 1 if text[src[1]:src[1] + 1] == "," else src[1], e)
    else:  # "Content, according to X."
        content = _trim(text, s, cs)
    if content[1] - content[0] < 3:
        return None
    kind = "according_to"
    return _Relation(kind, (cs, ce), "according_to", src, content)


def _continuations(text, quote, cue, stance, src, e, quotes, used_quotes, rels):
    """The rest of an interrupted quotation: “A,” he said. “B.” / “A,” he said, “B.”"""
    following = quotes.first_unused(e - 1, None, used_quotes)
    q = quotes.first_unused(cue[1] + 1, e, used_quotes)
    if q is not None:
        if re.fullmatch(r"[^.;!?\u201c\u201d\"]{0,60}[,:]\s*", text[cue[1]:q[0]]):
            rels.append(_Relation("direct", cue, stance, src, q))
            used_quotes.add(q)
            return
    if following:
        q = following
        gap = text[e:q[0]]
        line_end = text.find("\n", q[1])
        if line_end < 0:
            line_end = len(text)
        # Next sentence is only the quotation, within the same paragraph.
        if gap.strip() == "" and "\n\n" not in gap and \
                re.fullmatch(r"\s*[.!?]?\s*", text[q[1]:min(line_end, q[1] + 2)]):
            rels.append(_Relation("direct", cue, stance, src, q))
            used_quotes.add(q)


# The text before a quotation on its line: "**Name:** ", "Name: " / "**Name:**".
_LABEL_PREFIX = re.compile(r"\s*(\*\*)?([^*:\n\u201c\u201d\"]{2,80}?)(:)(\*\*)?:?\s*(\*\*)?\s*")
_BOLD_LABEL_PREFIX = re.compile(r"\s*\*\*([^*\n]{2,80}?)(:)\*\*\s*")


def _label_relations(text, quotes, used_quotes, rels):
    """Quotations introduced by a bold or plain label: **The Pew Trusts:** “...”."""
    for q in quotes:
        if q in used_quotes:
            continue
        line_start = text.rfind("\n", 0, q[0]) + 1
        prefix = text[line_start:q[0]]
        m = _LABEL_PREFIX.fullmatch(prefix)
        if not m:
            m = _BOLD_LABEL_PREFIX.fullmatch(prefix)
            if not m:
                continue
            name_start = line_start + m.start(1)
            name_end = line_start + m.end(1)
            colon = line_start + m.start(2)
        else:
            name_start = line_start + m.start(2)
            name_end = line_start + m.end(2)
            colon = line_start + m.start(3)
        src = _trim(text, name_start, name_end)
        rels.append(_Relation("label", (colon, colon + 1), "neutral", src, q))
        used_quotes.add(q)


def _resolve_pronouns(text: str, rels: list[_Relation], book: SourceBook) -> None:
    """Give every relation its entity; "he"/"she"/"they" take the nearest compatible source."""
    # The resolved relations so far, persons apart from the rest, in the order of their anchors
    # (relations are visited by anchor): the nearest compatible one is found from the end.
    history: dict[bool, list[tuple[int, tuple]]] = {True: [], False: []}
    for rel in sorted(rels, key=lambda r: r.content[0] if r.cue is None else r.cue[0]):
        phrase = text[rel.source[0]:rel.source[1]] if rel.source else None
        rel.source_text = phrase
        key = (phrase or "").strip().lower()
        if key in PRONOUNS and PRONOUNS[key] in ("person", "group"):
            want_person = PRONOUNS[key] == "person"
            anchor = rel.cue[0] if rel.cue else rel.content[0]
            match = next((res for pos, res in reversed(history[want_person]) if pos < anchor),
                         None)
            if match is None:
                match = _mention_before(text, anchor, book, want_person)
            rel.resolved = match or (None, "unknown", want_person)
        else:
            rel.resolved = book.classify(phrase)
            if rel.resolved[0] is None and phrase and rel.resolved[1] != "unknown":
                rel.resolved = (phrase.strip(), rel.resolved[1], rel.resolved[2])
        # Keyed by is_person: a later pronoun asks for it by == (True or False).
        same_kind = history.get(rel.resolved[2])
        if rel.resolved[0] is not None and same_kind is not None:
            same_kind.append((rel.cue[0] if rel.cue else rel.content[0], rel.resolved))


_CAPITALISED_RUN = re.compile(r"[A-Z][\w'\u2019.\-]*(?:\s+[A-Z][\w'\u2019.\-]*){0,3}")


def _mention_before(text: str, pos: int, book: SourceBook, person: bool):
    """The last alias of a person (or group) mentioned in the 600 characters before pos."""
    window = text[max(0, pos - 600):pos]
    best = None
    for m in _CAPITALISED_RUN.finditer(window):
        entity, kind, is_person = book.classify(m.group())
        if entity and is_person == person:
            best = (entity, kind, is_person)
    return best


def extract_attributions(docs: pd.DataFrame, *, sources: SourceBook | None = None) -> pd.DataFrame:
    """Attribution relations of every document.

    Parameters
    ----------
    docs : the docs table.
    sources : a :class:`~analysis.sources.SourceBook`; default the bundled ``sources.yaml``.

    Returns
    -------
    DataFrame :data:`RELATION_COLUMNS`, one row per relation, ordered by document and content
    offset; spans are character offsets into the document text (``source_*`` may be missing for
    a quotation without a named speaker).
    """
    book = sources or bundled_sources()
    cue_lexicon = _cue_lexicon(book)
    cue_pattern = _cue_start_pattern(cue_lexicon.lexicon)
    rows = []
    for doc_id, text in zip(docs["doc_id"], docs["text"]):
        for rel_id, rel in enumerate(_document_relations(text, doc_id, cue_lexicon, book,
                                                         cue_pattern)):
            cue = text[rel.cue[0]:rel.cue[1]] if rel.cue else None
            src = rel.source or (None, None)
            rows.append((doc_id, rel_id, rel.kind, cue, *(rel.cue or (None, None)), rel.stance,
                         rel.source_text, src[0], src[1], rel.resolved[0], rel.resolved[1],
                         rel.content[0], rel.content[1]))
    frame = pd.DataFrame(rows, columns=RELATION_COLUMNS)
    for col in ("cue_start", "cue_end", "source_start", "source_end"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _sentences_to_search(text: str, sentences: list[tuple[int, int]],
                          starts: list[int]) -> list[tuple[int, int, bool]]:
    """The sentences that may hold a cue, as (start, end, every_token), in order.

    Parameters
    ----------
    text : the document text.
    sentences : its sentences, from :func:`split_sentences`.
    starts : sorted offsets from :func:`_cue_starts`.

    Returns
    -------
    The sentences holding an offset of ``starts``, and those glued to a word before or after
    them (``every_token`` True): the start pattern sees the tokens of the whole text, which
    there differ from the sentence's own first or last token, so such a sentence is always
    searched, every token a possible cue start.
    """
    if _native_attrscan is not None:
        return _native_attrscan.sentences_to_search(text, sentences, starts)
    firsts = [s for s, _ in sentences]
    n = len(text)
    # Sentences are nearly always set apart by whitespace, a cheaper test than the regexes.
    glued = {k for k, (s, e) in enumerate(sentences)
             if (s and not text[s - 1].isspace() and _WORD_CHAR.match(text, s - 1))
             or (e < n and not text[e].isspace() and _TOKEN_GOES_ON.match(text, e))}
    picked = set(glued)
    for pos in starts:
        k = bisect_right(firsts, pos) - 1
        if k >= 0 and pos < sentences[k][1]:
            picked.add(k)
    return [(*sentences[k], k in glued) for k in sorted(picked)]


def _tokens_at(text: str, s: int, e: int, starts: list[int]) -> tuple[list, list[int]]:
    """The tokens of sentence [s, e), and the indices of those starting at an offset of the
    sorted ``starts`` (``attrscan.tokenize_spans`` for one span)."""
    toks = tokenize(text, s, e)
    positions = []
    for pos in starts[bisect_left(starts, s):bisect_left(starts, e)]:
        k = bisect_left(toks, (pos,))  # the token starting at pos, if any
        if k < len(toks) and toks[k][0] == pos:
            positions.append(k)
    return toks, positions


def _document_relations(text: str, doc_id, cue_lexicon: CompiledLexicon,
                        book: SourceBook, cue_pattern: _CueScan) -> list[_Relation]:
    """Relations of one document; ``cue_pattern`` is :func:`_cue_start_pattern` of the cues."""
    quotes = _Quotes(find_quotes(text, doc_id=doc_id))
    starts = _cue_starts(cue_pattern, text, quotes)
    used: set = set()
    rels: list[_Relation] = []
    if starts is None:
        sentences = [(s, e, True) for s, e in split_sentences(text)]
    else:
        sentences = _sentences_to_search(text, split_sentences(text), starts)
    # Each sentence's tokens, and those starting at an offset of starts. Every hit outside
    # quotations starts at one of these offsets; a hit inside one would be dropped below and
    # cannot outrank a hit outside (forms do not span marks).
    if _native_attrscan is not None:
        searched = _native_attrscan.tokenize_spans(text, [(s, e) for s, e, _ in sentences],
                                                   starts or [])
    else:
        searched = [_tokens_at(text, s, e, starts or []) for s, e, _ in sentences]
    for (s, e, every_token), (toks, positions) in zip(sentences, searched):
        if every_token:
            positions = [k for k, t in enumerate(toks) if cue_lexicon.is_candidate(t[2])]
        if not positions:
            continue
        hits = match_sentence(cue_lexicon, text, toks, positions)
        if every_token:
            cues = [(i, j, entry) for i, j, entry, _ in hits if not quotes.covers(toks[i][0])]
        else:  # the offsets in starts are outside quotations already
            cues = [(i, j, entry) for i, j, entry, _ in hits]
        if cues:
            first = len(rels)
            _sentence_relations(text, s, e, toks, cues, quotes, rels, used)
            _cut_at_later_cues(text, rels, first, s, e)
    _label_relations(text, quotes, used, rels)
    _resolve_pronouns(text, rels, book)
    rels.sort(key=lambda r: (r.content[0], r.content[1]))
    return rels
