"""Context rules that decide whether a lexicon hit is a real use of the term.

A rule takes a :class:`Context` (the sentence's tokens and where the hit is) and returns True to
keep the hit. Rules are named in lexicon files (``rule: not_month``); this dict is the registry.
Negation flips are not filters: the matcher reads :data:`FLIPS` and relabels the hit.

References
----------
Hyland, K. (1998). Hedging in Scientific Research Articles. Amsterdam: John Benjamins.
Hyland, K. (2005). Metadiscourse: Exploring Interaction in Writing. London: Continuum.
Thompson, G., & Ye, Y. (1991). Evaluation in the reporting verbs used in academic papers.
Applied Linguistics, 12(4), 365-382.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Context", "RULES", "FLIPS", "is_negated", "is_negator", "negated_hits", "NEGATORS",
           "NEGATION_BREAKS"]

#: Words that negate what follows within a short window.
NEGATORS = frozenset({"not", "no", "never", "cannot", "hardly", "scarcely", "without", "nor",
                      "neither", "nobody", "nothing", "none"})
_NEG_WINDOW = 3
#: Characters between two tokens that close the negation window (a clause break).
NEGATION_BREAKS = ".;:!?,\u2014"
# The same breaks as sets: a rule asks "does this gap hold any of them", and gaps are short.
_NEGATION_BREAK_SET = frozenset(NEGATION_BREAKS)
_SENTENCE_BREAKS = frozenset(".;:!?")
_SUBJECT_BREAKS = frozenset(".;:!?,\u2014\u201c\u201d\"")
_QUANTITY_WORDS = frozenset(
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred hundreds thousand thousands million millions billion billions trillion dozen dozens "
    "half third thirds quarter quarters percent per cent".split())
_ARTICLE = frozenset({"a", "an"})
_MONTH_CONTEXT = frozenset({"in", "of", "on", "since", "until", "till", "by", "early", "late",
                            "mid", "last", "next", "this", "from", "to", "through", "during",
                            "before", "after", "between", "and", "or", "end", "beginning"})
_DETERMINERS = frozenset({"the", "a", "an", "this", "these", "those", "his", "her", "its",
                          "their", "our", "my", "your", "said", "any", "each", "every", "such",
                          "of", "in", "on", "for", "with", "by", "from", "at", "into", "per"})
_SUBJECT_OR_AUX = frozenset({"he", "she", "it", "they", "we", "i", "you", "who", "which", "that",
                             "also", "further", "then", "later", "has", "have", "had", "will",
                             "would", "can", "could", "may", "might", "must", "should", "did",
                             "does", "do", "to", "and", "but", "repeatedly", "publicly",
                             "recently", "previously", "once", "again", "officials", "spokesman",
                             "spokeswoman", "spokesperson", "minister", "president",
                             "government", "ministry", "kremlin", "house", "service"})
_CLAUSE_OPENERS = frozenset({"that", "he", "she", "it", "they", "we", "i", "you", "the", "this",
                             "there", "what", "how", "why", "whether", "if", "when", "reporters",
                             "journalists", "us", "me", "him", "them", "her"})
# Reporting-verb forms that are also common nouns or adjectives ("the report", "member states").
_NOUN_HOMOGRAPHS = frozenset({"state", "states", "note", "notes", "report", "reports", "claim",
                              "claims", "comment", "comments", "reply", "replies", "show",
                              "shows", "answer", "answers", "stress", "hint", "hints", "charge",
                              "charges", "concern", "concerns", "respond", "point", "points",
                              "remark", "remarks", "warning", "statement", "question",
                              "questions", "estimate", "estimates", "suggestion", "promise",
                              "promises", "vow", "vows", "pledge", "pledges", "signal", "signals",
                              "urge", "doubt", "doubts", "denial", "admission", "explain",
                              "reveal", "mention", "mentions", "call", "calls", "appeal",
                              "appeals", "demand", "demands", "request", "requests"})
_HABITUAL = frozenset({"often", "always", "usually", "sometimes", "regularly", "frequently"})
_NOT_EPISTEMIC_WOULD = frozenset({"like", "love", "prefer", "you", "rather"})
_REPORT_BEFORE_WOULD = re.compile(
    r"^(?:said|says|told|announced|promised|pledged|vowed|added|stated|noted|insisted|warned|"
    r"confirmed|indicated|signalled|signaled|declared|wrote|agreed|decided|knew|thought|hoped|"
    r"expected|believed|asked|whether|emphasi[sz]ed|stressed|speculated|predicted|sure|doubt|"
    r"reported|argued|claimed|assured|feared|worried|guaranteed|"
    r"clear|certain|unclear|uncertain|wondered)$")
_FIRST_PERSON = frozenset({"i", "we", "i'm", "we're", "i've", "we've", "i'd", "we'd", "you", "one",
                           "let's"})
_ADVERB_SKIP = frozenset({"also", "still", "really", "do", "don't", "did", "didn't", "truly",
                          "strongly", "firmly", "personally", "just", "honestly", "certainly",
                          "genuinely", "sincerely", "actually", "continue", "to"})
_BE = frozenset({"is", "are", "was", "were", "be", "been", "being", "it's"})
_NOT_A_REPORT_BEFORE = frozenset({"declined", "refused", "cannot", "can't", "couldn't",
                                  "wouldn't", "won't"})
_ACCORDING_TO_NON_SOURCE = frozenset({"plan", "plans", "schedule", "article", "law", "laws",
                                      "rules", "procedure", "procedures", "protocol", "tradition",
                                      "custom", "need", "needs", "size", "age", "standards",
                                      "international", "paragraph", "section", "clause"})
_APPEAR_EPISTEMIC_NEXT = frozenset({"to", "that", "as", "likely", "unlikely", "certain",
                                    "increasingly", "ready", "willing", "unable", "intent"})
_APPEAR_EPISTEMIC_PREV = frozenset({"it", "there", "would", "what", "which"})
# The word sets written inline in the rules before, named so that the compiled rules
# (NATIVE_WORD_SETS) test the same words.
_AND_TO = frozenset({"and", "to"})
_MONTH_AFTER = frozenset({"", "and", "or"})
_MODAL_DENIERS = frozenset({"not", "never"})
_WOULD = frozenset({"would", "wouldn't", "'d"})
_CLAIM_NEXT = frozenset({"that", "to"})
_CLAIM_PREV = frozenset({"it", "was", "is", "been", "being"})
_ACCORDING_DETERMINERS = frozenset({"the", "its", "their", "our"})
_ACCORDING_TO_NON_SOURCE_AFTER_DETERMINER = _ACCORDING_TO_NON_SOURCE | {
    "treaty", "agreement", "constitution", "charter", "terms", "law"}
_CAN = frozenset({"could", "can"})
_REPORT_PAST = frozenset({"said", "told", "thought", "wrote", "written"})
_SAID_ADJECTIVE_AFTER = frozenset({"the", "a", "an", "this", "said", "aforesaid"})
_BARE_ARTICLES = frozenset({"the", "a", "an"})
_REPORT_PUNCT = frozenset({",", ":", "\u201c", '"'})


@dataclass(frozen=True)
class Context:
    """A lexicon hit in its sentence: tokens ``(start, end, norm)``, hit = tokens[i:j]."""

    text: str
    tokens: list
    i: int
    j: int

    def norm(self, k: int) -> str:
        return self.tokens[k][2] if 0 <= k < len(self.tokens) else ""

    def surface(self, k: int) -> str:
        if not 0 <= k < len(self.tokens):
            return ""
        start, end, _ = self.tokens[k]
        return self.text[start:end]

    def after(self, chars: int = 3) -> str:
        """Raw text right after the hit, to see currency signs and quote marks."""
        end = self.tokens[self.j - 1][1]
        return self.text[end:end + chars]

    def gap_before(self, k: int) -> str:
        """Raw text between token k-1 and token k."""
        if k <= 0 or k >= len(self.tokens):
            return ""
        return self.text[self.tokens[k - 1][1]:self.tokens[k][0]]


def is_negator(word: str) -> bool:
    """A word that negates what follows: one of :data:`NEGATORS` or an n't contraction."""
    return word in NEGATORS or word.endswith("n't")


def is_negated(ctx: Context) -> bool:
    """A negator (or an n't contraction) among the three tokens before the hit, no clause break."""
    for k in range(ctx.i - 1, max(ctx.i - 1 - _NEG_WINDOW, -1), -1):
        if not _NEGATION_BREAK_SET.isdisjoint(ctx.gap_before(k + 1)):
            return False
        if is_negator(ctx.norm(k)):
            return True
    return False


def negated_hits(first: np.ndarray, sentence_first: np.ndarray, negator: np.ndarray,
                 break_before: np.ndarray) -> np.ndarray:
    """:func:`is_negated` for many hits at once, on the rows of a whole tokens table.

    Parameters
    ----------
    first : row of each hit's first token.
    sentence_first : row of the first token of each hit's sentence.
    negator : per token row, whether the token is a negator (:func:`is_negator`).
    break_before : per token row, whether the text between it and the token before holds one of
        :data:`NEGATION_BREAKS`.

    Returns
    -------
    Boolean array, True where the hit is negated.
    """
    negated = np.zeros(len(first), dtype=bool)
    looking = np.ones(len(first), dtype=bool)
    for back in range(1, _NEG_WINDOW + 1):
        k = first - back
        looking &= k >= sentence_first
        # Where the window is closed, read row 0 instead (always there) and ignore the value.
        looking &= ~break_before[np.where(looking, k + 1, 0)]
        found = looking & negator[np.where(looking, k, 0)]
        negated |= found
        looking &= ~found
    return negated


def _is_quantity(word: str) -> bool:
    return bool(word) and (word[0].isdigit() or word in _QUANTITY_WORDS)


def before_quantity(ctx: Context) -> bool:
    """Approximators count only before a quantity: "about 30", "some $5 billion", "around a third"."""
    gap = ctx.after(3).lstrip()
    if gap[:1] in "$\u20ac\u00a3" and gap[:1]:
        return True
    nxt = ctx.norm(ctx.j)
    if _is_quantity(nxt):
        return True
    return nxt in _ARTICLE and _is_quantity(ctx.norm(ctx.j + 1)) and ctx.norm(ctx.j + 1)[0].isalpha()


def not_month(ctx: Context) -> bool:
    """Drop "May" the month: capitalised mid-sentence, or in headline case before a day number."""
    surface = ctx.surface(ctx.i)
    if surface[:1].isupper():
        all_caps = surface.isupper() and len(surface) > 1
        if not all_caps:
            return False
        # HEADLINE CASE: the month only before a number or after a month preposition.
        return not (_is_quantity(ctx.norm(ctx.j)) or ctx.norm(ctx.i - 1) in _MONTH_CONTEXT)
    return not (ctx.norm(ctx.j)[:1].isdigit() or
                (ctx.norm(ctx.i - 1) in _MONTH_CONTEXT and ctx.norm(ctx.i - 1) not in _AND_TO
                 and ctx.norm(ctx.j) in _MONTH_AFTER))


def not_negated(ctx: Context) -> bool:
    """Drop a possibility modal under negation: "could not", "could never" deny possibility."""
    return ctx.norm(ctx.j) not in _MODAL_DENIERS and not is_negated(ctx)


def epistemic(ctx: Context) -> bool:
    """Keep would/appear/claim (and their forms) only in epistemic use."""
    word = ctx.norm(ctx.i)
    if word in _WOULD:
        return _epistemic_would(ctx)
    if word.startswith("appear"):
        return (ctx.norm(ctx.j) in _APPEAR_EPISTEMIC_NEXT
                or ctx.norm(ctx.i - 1) in _APPEAR_EPISTEMIC_PREV)
    if word.startswith("claim"):
        return ctx.norm(ctx.j) in _CLAIM_NEXT or ctx.norm(ctx.i - 1) in _CLAIM_PREV
    return True


def _epistemic_would(ctx: Context) -> bool:
    nxt = ctx.norm(ctx.j)
    if nxt in _NOT_EPISTEMIC_WOULD or nxt in _HABITUAL:
        return False
    # Future-in-the-past of reported speech or thought: "said (that) he would visit",
    # "asked whether the administration would send", "were sure the bank would intervene".
    for k in range(ctx.i - 1, -1, -1):
        if _REPORT_BEFORE_WOULD.match(ctx.norm(k)):
            return False
        if not _SENTENCE_BREAKS.isdisjoint(ctx.gap_before(k + 1)):
            break
    return True


def _subject(ctx: Context) -> str:
    """The nearest preceding word that is not an adverb or auxiliary, inside the clause."""
    for k in range(ctx.i - 1, max(ctx.i - 5, -1), -1):
        if not _SUBJECT_BREAKS.isdisjoint(ctx.gap_before(k + 1)):
            return ""
        if ctx.norm(k) not in _ADVERB_SKIP:
            return ctx.norm(k)
    return ""


def speaker_stance(ctx: Context) -> bool:
    """Keep a cognition verb (think, believe, suspect) as a hedge only for the speaker's own stance:
    a first-person subject ("I think", "we believe") or an impersonal passive ("it is believed").
    A third party's belief ("analysts believe") is an attribution, not the writer's hedge."""
    subject = _subject(ctx)
    if subject in _FIRST_PERSON:
        return True
    return subject in _BE and ctx.norm(ctx.i).endswith(("ed", "ght"))


def reporting_use(ctx: Context) -> bool:
    """Keep a reporting verb only where it reports speech or writing.

    Drops the adjective "the said agreement", proper nouns ("United States"), and nouns that share a
    form with the verb ("the report", "member states", "a note") unless verb context shows:
    a subject or auxiliary before it, or a that-clause, pronoun or quote after it.
    """
    word = ctx.norm(ctx.i)
    surface = ctx.surface(ctx.i)
    prev = ctx.norm(ctx.i - 1)
    sentence_initial = ctx.i == 0
    if surface[:1].isupper() and not sentence_initial and not surface.isupper():
        return False
    if word == "according":
        nxt, after = ctx.norm(ctx.j), ctx.norm(ctx.j + 1)
        return not (nxt in _ACCORDING_TO_NON_SOURCE or
                    (nxt in _ACCORDING_DETERMINERS
                     and after in _ACCORDING_TO_NON_SOURCE_AFTER_DETERMINER))
    if word == "told" and prev == "all":
        return False
    before = ctx.norm(ctx.i - 2) if prev == "to" else prev
    if before in _NOT_A_REPORT_BEFORE or (prev == "not" and ctx.norm(ctx.i - 2) in _CAN):
        return False
    # "I think", "we believe": the speaker's own stance (a hedge), not a report of someone else.
    # The subject search last: the word alone settles most hits ("said", "-ed" forms).
    if not word.endswith("ed") and word not in _REPORT_PAST \
            and _subject(ctx) in _FIRST_PERSON:
        return False
    if word == "said":
        return prev not in _SAID_ADJECTIVE_AFTER and \
            not (sentence_initial and ctx.norm(ctx.j) not in _CLAUSE_OPENERS
                 and ctx.after(2).strip()[:1] not in _REPORT_PUNCT)
    if word in _NOUN_HOMOGRAPHS:
        if prev in _DETERMINERS:
            return False
        nxt = ctx.norm(ctx.j)
        after = ctx.after(3).lstrip()[:1]
        if nxt == "of":
            return False
        return (prev in _SUBJECT_OR_AUX or nxt in _CLAUSE_OPENERS or after in _REPORT_PUNCT
                or ctx.surface(ctx.i - 1)[:1].isupper() and ctx.i - 1 > 0)
    if prev in _BARE_ARTICLES:
        return False
    return True


#: The rule registry: names usable in lexicon files.
RULES = {
    "not_month": not_month,
    "before_quantity": before_quantity,
    "epistemic": epistemic,
    "reporting_use": reporting_use,
    "not_negated": not_negated,
    "speaker_stance": speaker_stance,
    "negation_flips_to_hedge": lambda ctx: True,
    "negation_flips_to_booster": lambda ctx: True,
}

#: Rules that relabel a negated hit: rule name -> (new measure, new category).
FLIPS = {
    "negation_flips_to_hedge": ("hedge", "negated_booster"),
    "negation_flips_to_booster": ("booster", "negated_hedge"),
}

# ---------------------------------------------------------------- the compiled rules' tables

#: The words of _REPORT_BEFORE_WOULD; with each spelled again with a trailing newline, a word set
#: holding exactly the strings the anchored pattern matches ("$" also matches before a final
#: newline).
_REPORT_BEFORE_WOULD_WORDS = frozenset(
    "said says told announced promised pledged vowed added stated noted insisted warned confirmed "
    "indicated signalled signaled declared wrote agreed decided knew thought hoped expected "
    "believed asked whether emphasised emphasized stressed speculated predicted sure doubt "
    "reported argued claimed assured feared worried guaranteed clear certain unclear uncertain "
    "wondered".split())

#: The word sets that the compiled twin of the filter rules (``eval_rules`` in
#: analysis/_native/tokenmatch.c) tests, in the order of its flag bits (its ``W_*`` names); one
#: more bit after them marks :func:`is_negator` words.
NATIVE_WORD_SETS = (
    _QUANTITY_WORDS, _ARTICLE, _MONTH_CONTEXT, _AND_TO, _MONTH_AFTER, _MODAL_DENIERS, _WOULD,
    _APPEAR_EPISTEMIC_NEXT, _APPEAR_EPISTEMIC_PREV, _CLAIM_NEXT, _CLAIM_PREV,
    _NOT_EPISTEMIC_WOULD, _HABITUAL,
    _REPORT_BEFORE_WOULD_WORDS | {word + "\n" for word in _REPORT_BEFORE_WOULD_WORDS},
    _FIRST_PERSON, _ADVERB_SKIP, _BE, _ACCORDING_TO_NON_SOURCE, _ACCORDING_DETERMINERS,
    _ACCORDING_TO_NON_SOURCE_AFTER_DETERMINER, _NOT_A_REPORT_BEFORE, _CAN, _REPORT_PAST,
    _SAID_ADJECTIVE_AFTER, _CLAUSE_OPENERS, _NOUN_HOMOGRAPHS, _DETERMINERS, _SUBJECT_OR_AUX,
    _BARE_ARTICLES, frozenset({"according"}), frozenset({"told"}), frozenset({"all"}),
    frozenset({"to"}), frozenset({"not"}), frozenset({"said"}), frozenset({"of"}))

#: The characters the compiled rules look for in the text, in the order it takes them: clause
#: breaks (negation), sentence breaks, subject breaks, quote and colon marks after a reporting
#: verb, currency signs.
NATIVE_CHARACTER_SETS = tuple("".join(sorted(chars)) for chars in (
    _NEGATION_BREAK_SET, _SENTENCE_BREAKS, _SUBJECT_BREAKS, _REPORT_PUNCT,
    frozenset("$\u20ac\u00a3")))

#: The filter rules the compiled twin implements, by its rule bit (its ``R_*`` names), with the
#: function each stands for: a rule is evaluated there only while :data:`RULES` still holds that
#: function.
NATIVE_RULES = {name: RULES[name] for name in ("not_month", "before_quantity", "epistemic",
                                               "reporting_use", "not_negated", "speaker_stance")}
