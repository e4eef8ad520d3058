"""A faster VADER sentence scorer, bit-for-bit identical to NLTK's ``polarity_scores``.

:class:`FastVader` re-implements ``nltk.sentiment.vader.SentimentIntensityAnalyzer.polarity_scores``
(the scorer behind :func:`analysis.sentiment.vader_analyzer`) with the *same* algorithm, the same
lexicon dictionary and NLTK's own ``VaderConstants`` (negations, boosters, idioms, punctuation
list, scalars: all read from the installed nltk module when the class is built, never retyped),
and the same sequence of floating-point operations, so ``neg``, ``neu``, ``pos`` and ``compound``
are exactly equal floats (identity is tested on every corpus sentence and by a property test in
``tests/test_vader_fast.py``). Only the bookkeeping around the arithmetic is faster:

* NLTK's tokenizer builds, for every sentence, a dictionary of ``len(PUNC_LIST) * 2`` strings per
  distinct word (``itertools.product``) and runs a punctuation regex through ``nltk.redos``'s
  timeout wrapper. Here each whitespace token is mapped on its own (a provably equivalent rule,
  see :meth:`FastVader._map_token`) and the result is memoised across sentences.
* Sentences without any lexicon word return at once (NLTK provably returns ``neu = 1`` and zeros
  for them, see :meth:`FastVader._score_str`).
* Lower-casing, set look-ups and the per-word context rules run once per distinct word of a
  sentence rather than through several method calls per word; whole sentences are LRU-cached.

References
----------
Hutto, C. J., & Gilbert, E. (2014). VADER: A parsimonious rule-based model for sentiment analysis
of social media text. Proceedings of the Eighth International AAAI Conference on Weblogs and
Social Media (ICWSM-14), 216-225.

Bird, S., Klein, E., & Loper, E. (2009). Natural Language Processing with Python. O'Reilly
(NLTK, ``nltk.sentiment.vader``, whose modified VADER port is the reference reproduced here).
"""
from __future__ import annotations

import inspect
import math
import re
import string
from functools import lru_cache
from itertools import compress

__all__ = ["FastVader", "fast_vader"]

_MISSING = object()
#: NLTK's result when a sentence has no word tokens (``sentiments`` is empty).
_EMPTY = (0.0, 0.0, 0.0, 0.0)
#: NLTK's result when every word scores 0 (see ``_score_str`` for the proof).
_ALL_NEUTRAL = (0.0, 1.0, 0.0, 0.0)


def _nltk_constants():
    from nltk.sentiment.vader import VaderConstants
    return VaderConstants()


class _TokenMap(dict):
    """raw whitespace token -> NLTK's token (punctuation-stripped or not), filled on demand.

    Bounded: once it holds ``limit`` entries it is emptied and refilled, so memory stays flat on
    unbounded streams while the common vocabulary is re-learnt at once.
    """

    __slots__ = ("_fn", "_limit")

    def __init__(self, fn, limit):
        super().__init__()
        self._fn = fn
        self._limit = limit

    def __missing__(self, raw):
        if len(self) >= self._limit:
            self.clear()
        value = self[raw] = self._fn(raw)
        return value


class FastVader:
    """VADER sentence scores identical to NLTK's ``SentimentIntensityAnalyzer``, several times faster.

    Parameters
    ----------
    lexicon_text : the text of ``vader_lexicon.txt`` (what NLTK keeps in ``lexicon_file``). It is
        parsed by exactly NLTK's ``make_lex_dict`` rule. Keys are *not* lower-cased: NLTK looks up
        ``word.lower()`` in the raw dictionary, so entries such as ``":D"`` or ``"XD"`` are
        unreachable there and must stay unreachable here.
    constants : an ``nltk.sentiment.vader.VaderConstants`` instance (default: a new one from the
        installed nltk), the single source of every word list and scalar.
    cache_size : size of the LRU cache of whole-sentence scores (0 disables it).
    token_cache_size : bound of the memo of mapped tokens.

    Notes
    -----
    Like NLTK, each occurrence of a repeated token is scored in the context of the token's *first*
    occurrence (NLTK's ``first_index``, formerly ``list.index``); this quirk is kept on purpose.
    """

    def __init__(self, lexicon_text: str, constants=None, *, cache_size: int = 65536,
                 token_cache_size: int = 500_000):
        c = constants if constants is not None else _nltk_constants()
        self.constants = c
        self.lexicon_file = lexicon_text
        # Exactly NLTK's make_lex_dict: same split, same strip, same float(), same insertion
        # order (so duplicate keys keep the *last* value as in NLTK).
        lex = {}
        for line in lexicon_text.split("\n"):
            (word, measure) = line.strip().split("\t")[0:2]
            lex[word] = float(measure)
        self.lexicon = lex
        self._lex_keys = lex.keys()

        # -- constants, read from nltk (the same objects NLTK's methods read) ------------------
        self._B_DECR = c.B_DECR
        self._C_INCR = c.C_INCR
        self._N_SCALAR = c.N_SCALAR
        # normalize(score, alpha=15): take the default from the signature, not a retyped 15.
        self._ALPHA = inspect.signature(type(c).normalize).parameters["alpha"].default
        # Sets/dicts give the same membership answers as NLTK's containers (NEGATE is already a
        # set; BOOSTER_DICT / SPECIAL_CASE_IDIOMS are dicts; frozenset(PUNC_LIST) answers
        # ``p in PUNC_LIST`` like the list does for strings).
        self._NEGATE = frozenset(c.NEGATE)
        self._BOOSTER = dict(c.BOOSTER_DICT)
        self._PUNC_SET = frozenset(c.PUNC_LIST)
        # Multi-word keys as tuples of words. NLTK tests strings such as "w1 w2" (tokens joined by
        # one space) against string keys. Tokens come from str.split() and contain no whitespace,
        # so "w1 w2" == key  <=>  key.split(" ") == [w1, w2]; a tuple look-up is therefore the
        # same test without formatting up to seven strings per lexicon word.
        self._IDIOMS = {tuple(k.split(" ")): v for k, v in c.SPECIAL_CASE_IDIOMS.items()}
        self._BOOSTER_PAIRS = {tuple(k.split(" ")) for k in c.BOOSTER_DICT if k.count(" ") == 1}

        # -- tokenizer: is the fast per-token rule valid for this nltk? -----------------------
        # NLTK removes ``REGEX_REMOVE_PUNCTUATION`` matches from the text. The fast rule below is
        # proven for a pattern that is a class of single characters and a PUNC_LIST made only of
        # those characters; otherwise fall back to a literal port of NLTK's tokenizer.
        rx = c.REGEX_REMOVE_PUNCTUATION
        pattern = getattr(rx, "pattern", None)
        self._fast_tokens = (pattern == f"[{re.escape(string.punctuation)}]"
                             and all(set(p) <= set(string.punctuation) for p in c.PUNC_LIST))
        self._PUNCT = frozenset(string.punctuation)
        self._PUNCT_STR = string.punctuation
        self._remove_punct = rx  # used only by the fallback path
        self._tokmap = _TokenMap(self._map_token, token_cache_size)

        self._cached = lru_cache(maxsize=cache_size)(self._score_str) if cache_size else \
            self._score_str

    # ---------------------------------------------------------------------------------------
    @classmethod
    def from_analyzer(cls, analyzer, **kwargs) -> "FastVader":
        """Build from an NLTK analyzer (its lexicon text and constants object)."""
        return cls(analyzer.lexicon_file, analyzer.constants, **kwargs)

    @classmethod
    def from_kit(cls, **kwargs) -> "FastVader":
        """Build from the lexicon the kit uses (``vader_lexicon.txt`` of vaderSentiment)."""
        from .sentiment import _lexicon_path
        return cls(_lexicon_path().read_bytes().decode("utf-8"), **kwargs)

    def cache_clear(self) -> None:
        """Empty the sentence cache and the token memo (e.g. for cold benchmarks)."""
        if hasattr(self._cached, "cache_clear"):
            self._cached.cache_clear()
        self._tokmap.clear()

    # -- public API ---------------------------------------------------------------------------
    def polarity_scores(self, text) -> dict:
        """``{"neg", "neu", "pos", "compound"}`` exactly as NLTK's ``polarity_scores(text)``."""
        neg, neu, pos, compound = self._cached(text) if type(text) is str else \
            self._score_any(text)
        # A fresh dict per call: callers may mutate it without touching the cache.
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def score_many(self, texts) -> list[tuple[float, float, float, float]]:
        """``(neg, neu, pos, compound)`` of every text, in order."""
        cached, score_any = self._cached, self._score_any
        return [cached(t) if type(t) is str else score_any(t) for t in texts]

    # -- tokenizer ----------------------------------------------------------------------------
    def _map_token(self, we: str) -> str:
        """NLTK's ``words_punc_dict`` look-up for one whitespace token ``we`` (``len(we) > 1``).

        NLTK maps ``we`` to ``w`` when ``we == p + w`` or ``we == w + p`` for some ``p`` in
        PUNC_LIST and some ``w`` in ``words_only`` = the tokens of the punctuation-stripped text
        longer than one character. Why this depends on ``we`` alone:

        * stripping single punctuation characters never touches whitespace, so the tokens of the
          stripped text are exactly ``strip(tok)`` for the original tokens (empty ones vanish);
          hence ``w`` (punctuation-free) is in ``words_only`` iff ``len(w) > 1`` -- it is
          ``strip(we)`` itself;
        * ``w`` has no punctuation and ``p`` is only punctuation, so the split point is forced:
          ``p`` is the whole leading (or trailing) punctuation run of ``we``;
        * ``p + w`` ends in a non-punctuation character and ``w + p`` in a punctuation one, so
          the two kinds of keys never collide (NLTK's ``update`` order is irrelevant).
        """
        P = self._PUNCT
        if we[-1] in P:
            w = we.rstrip(self._PUNCT_STR)
            p = we[len(w):]
        elif we[0] in P:
            w = we.lstrip(self._PUNCT_STR)
            p = we[:len(we) - len(w)]
        else:
            return we
        if len(w) > 1 and p in self._PUNC_SET and P.isdisjoint(w):
            return w
        return we

    def _words_generic(self, text: str) -> list[str]:
        """Literal port of NLTK's ``SentiText._words_and_emoticons`` (fallback only)."""
        from itertools import product
        no_punc_text = self._remove_punct.sub("", text)
        words_only = {w for w in no_punc_text.split() if len(w) > 1}
        punc_list = self.constants.PUNC_LIST
        words_punc_dict = {"".join(p): p[1] for p in product(punc_list, words_only)}
        words_punc_dict.update({"".join(p): p[0] for p in product(words_only, punc_list)})
        wes = [we for we in text.split() if len(we) > 1]
        return [words_punc_dict.get(we, we) for we in wes]

    # -- scoring ------------------------------------------------------------------------------
    def _score_any(self, text):
        """Non-``str`` input, handled as NLTK does (``str(text.encode("utf-8"))`` for the words,
        the original object for the ``!``/``?`` counts), without cache or early exit."""
        converted = str(text.encode("utf-8"))
        return self._score_words(self._words(converted), text, early_exit=False)

    def _words(self, text: str) -> list[str]:
        if self._fast_tokens:
            tokmap = self._tokmap
            # NLTK drops tokens of length <= 1 *before* the punctuation mapping; same here.
            return [tokmap[we] for we in text.split() if len(we) > 1]
        return self._words_generic(text)

    def _score_str(self, text: str):
        # Early exit (proof). A position's sentiment is non-zero only through
        # ``sentiment_valence``'s lexicon branch, entered only when ``word.lower()`` is a lexicon
        # key. With no such word every appended sentiment is the int 0, the "but" rule turns
        # them into 0.0 at most, so NLTK computes sum_s = 0.0 (no punctuation amplifier, since
        # sum_s is neither > 0 nor < 0), compound = 0.0 / sqrt(0.0 + 15) = 0.0, pos_sum = neg_sum
        # = 0.0, neu_count = n, total = float(n), neu = n / n = 1.0, pos = neg = 0.0: exactly
        # _ALL_NEUTRAL. (``text.count`` has no side effect on a str.)
        return self._score_words(self._words(text), text, early_exit=True)

    def _score_words(self, words, text, early_exit):
        n = len(words)
        if not n:
            return _EMPTY
        lows = list(map(str.lower, words))  # words[k].lower(), once per word
        lex = self.lexicon
        if early_exit and self._lex_keys.isdisjoint(lows):
            return _ALL_NEUTRAL

        # allcap_differential: True iff some but not all words are ALL CAPS.
        allcap_words = sum(map(str.isupper, words))
        cap_differential = n - allcap_words
        is_cap_diff = 0 < cap_differential < n

        # NLTK's first_index: first position of each (case-sensitive) token. Built right to left
        # so that the earliest position is written last and wins.
        first_index = dict(zip(reversed(words), range(n - 1, -1, -1)))

        # Only positions whose lower-cased word is a lexicon key can get a non-zero valence; all
        # others append the int 0 in NLTK (booster skip or sentiment_valence's fall-through), so
        # a list of int 0 with those positions filled in is the same list NLTK builds.
        candidates = list(compress(range(n), map(lex.__contains__, lows)))
        sentiments = [0] * n
        booster = self._BOOSTER
        memo = {}
        for p in candidates:
            item = words[p]
            # Every occurrence of ``item`` is scored at i = first_index[item], so its valence is
            # the same for all occurrences: compute it once.
            valence = memo.get(item, _MISSING)
            if valence is _MISSING:
                i = first_index[item]
                low = lows[i]
                if (i < n - 1 and low == "kind" and lows[i + 1] == "of") or low in booster:
                    valence = 0
                else:
                    valence = self._sentiment_valence(words, lows, i, is_cap_diff)
                memo[item] = valence
            sentiments[p] = valence

        # _but_check: the first "but" (lower-cased); earlier words * 0.5, later words * 1.5.
        # Applied to every element, as NLTK does, so element types (int 0 -> float 0.0) match.
        if "but" in lows:
            bi = lows.index("but")
            sentiments = ([s * 0.5 for s in sentiments[:bi]] + [sentiments[bi]]
                          + [s * 1.5 for s in sentiments[bi + 1:]])

        # -- score_valence ------------------------------------------------------------------
        # The built-in sum over the same list of the same values and types: the same result on
        # every Python version (3.12+ sums floats with compensation; so does NLTK's call).
        sum_s = float(sum(sentiments))
        ep_count = text.count("!")
        if ep_count > 4:
            ep_count = 4
        ep_amplifier = ep_count * 0.292
        qm_count = text.count("?")
        qm_amplifier = 0
        if qm_count > 1:
            if qm_count <= 3:
                qm_amplifier = qm_count * 0.18
            else:
                qm_amplifier = 0.96
        punct_emph_amplifier = ep_amplifier + qm_amplifier
        if sum_s > 0:
            sum_s += punct_emph_amplifier
        elif sum_s < 0:
            sum_s -= punct_emph_amplifier
        compound = sum_s / math.sqrt((sum_s * sum_s) + self._ALPHA)

        # _sift_sentiment_scores over the candidate positions only, in order: every other
        # position holds 0 or 0.0 and only ever adds 1 to neu_count, so the pos_sum / neg_sum
        # additions are the same additions in the same order.
        pos_sum = 0.0
        neg_sum = 0.0
        neu_count = n - len(candidates)
        for p in candidates:
            sentiment_score = sentiments[p]
            if sentiment_score > 0:
                pos_sum += (float(sentiment_score) + 1)
            if sentiment_score < 0:
                neg_sum += (float(sentiment_score) - 1)
            if sentiment_score == 0:
                neu_count += 1

        if pos_sum > math.fabs(neg_sum):
            pos_sum += punct_emph_amplifier
        elif pos_sum < math.fabs(neg_sum):
            neg_sum -= punct_emph_amplifier
        total = pos_sum + math.fabs(neg_sum) + neu_count
        pos = math.fabs(pos_sum / total)
        neg = math.fabs(neg_sum / total)
        neu = math.fabs(neu_count / total)
        return (round(neg, 3), round(neu, 3), round(pos, 3), round(compound, 4))

    def _negated(self, word_lower: str) -> bool:
        # VaderConstants.negated([word]) for one word: NEGATE membership, then "n't"; the
        # pairwise "least" rule needs two words and never fires for a one-word list.
        return word_lower in self._NEGATE or "n't" in word_lower

    def _sentiment_valence(self, words, lows, i, is_cap_diff):
        """NLTK's ``sentiment_valence`` lexicon branch (with ``scalar_inc_dec``,
        ``_never_check``, ``_idioms_check`` and ``_least_check`` inlined), operation for
        operation. ``lows[k]`` is ``words[k].lower()``, computed once per sentence."""
        lex = self.lexicon
        booster = self._BOOSTER
        C_INCR = self._C_INCR
        N_SCALAR = self._N_SCALAR
        item = words[i]
        valence = lex[lows[i]]
        if item.isupper() and is_cap_diff:
            if valence > 0:
                valence += C_INCR
            else:
                valence -= C_INCR

        for start_i in range(0, 3):
            if i > start_i and lows[i - (start_i + 1)] not in lex:
                # scalar_inc_dec(words[i - (start_i + 1)], valence, is_cap_diff)
                j = i - (start_i + 1)
                s = 0.0
                if lows[j] in booster:
                    s = booster[lows[j]]
                    if valence < 0:
                        s *= -1
                    if words[j].isupper() and is_cap_diff:
                        if valence > 0:
                            s += C_INCR
                        else:
                            s -= C_INCR
                if start_i == 1 and s != 0:
                    s = s * 0.95
                if start_i == 2 and s != 0:
                    s = s * 0.9
                valence = valence + s  # kept even for s == 0.0 (-0.0 + 0.0 is +0.0)

                # _never_check (case-sensitive comparisons, as in NLTK)
                if start_i == 0:
                    if self._negated(lows[i - 1]):
                        valence = valence * N_SCALAR
                elif start_i == 1:
                    if words[i - 2] == "never" and (words[i - 1] == "so" or words[i - 1] == "this"):
                        valence = valence * 1.5
                    elif self._negated(lows[i - 2]):
                        valence = valence * N_SCALAR
                else:
                    if (words[i - 3] == "never"
                            and (words[i - 2] == "so" or words[i - 2] == "this")
                            or (words[i - 1] == "so" or words[i - 1] == "this")):
                        valence = valence * 1.25
                    elif self._negated(lows[i - 3]):
                        valence = valence * N_SCALAR
                    valence = self._idioms_check(valence, words, i)

        # _least_check
        if i > 1 and lows[i - 1] not in lex and lows[i - 1] == "least":
            if lows[i - 2] != "at" and lows[i - 2] != "very":
                valence = valence * N_SCALAR
        elif i > 0 and lows[i - 1] not in lex and lows[i - 1] == "least":
            valence = valence * N_SCALAR
        return valence

    def _idioms_check(self, valence, words, i):
        """NLTK's ``_idioms_check`` with tuple keys (same test, see ``__init__``); ``i > 2``."""
        idioms = self._IDIOMS
        w3, w2, w1, w0 = words[i - 3], words[i - 2], words[i - 1], words[i]
        onezero, twoonezero, twoone = (w1, w0), (w2, w1, w0), (w2, w1)
        threetwoone, threetwo = (w3, w2, w1), (w3, w2)
        for seq in (onezero, twoonezero, twoone, threetwoone, threetwo):
            if seq in idioms:
                valence = idioms[seq]
                break
        n = len(words)
        if n - 1 > i:
            zeroone = (w0, words[i + 1])
            if zeroone in idioms:
                valence = idioms[zeroone]
        if n - 1 > i + 1:
            zeroonetwo = (w0, words[i + 1], words[i + 2])
            if zeroonetwo in idioms:
                valence = idioms[zeroonetwo]
        if threetwo in self._BOOSTER_PAIRS or twoone in self._BOOSTER_PAIRS:
            valence = valence + self._B_DECR
        return valence


@lru_cache(maxsize=1)
def fast_vader() -> FastVader:
    """The kit's :class:`FastVader` (same lexicon file as :func:`analysis.sentiment.vader_analyzer`)."""
    return FastVader.from_kit()
