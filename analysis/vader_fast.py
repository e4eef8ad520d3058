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
  see :meth:`FastVader._map_token`); the mapped word, its lower case and whether it is a lexicon
  word are learnt once per distinct token, for a whole batch of sentences at a time, with C-level
  ``map``/``compress`` passes (:meth:`FastVader._learn_tokens`), and memoised across batches.
* Sentences without any lexicon word get NLTK's constant result without per-word work (NLTK
  provably returns ``neu = 1`` and zeros for them, see :meth:`FastVader._score_words`); in a
  batch they are found by one set test per sentence on its raw tokens.
* In sentences without any context word (negation, booster, "least", "never"/"so"/"this",
  "kind", idiom bigrams, capitalised lexicon words among mixed case) every valence is provably
  the bare lexicon value, so NLTK's rule machinery is skipped (see
  :meth:`FastVader._score_words`). The remaining per-word context rules run once per distinct
  word of a sentence; single sentences are LRU-cached.
* Batches (:meth:`FastVader.score_array`, :meth:`FastVader.score_many`) go, when it is built, to
  the compiled twin ``analysis/_native/vader.c``: the same tokenizer rule and all of NLTK's rules
  and arithmetic, in C, per sentence (about 7x faster than the Python batch path; identical raw
  doubles to NLTK's before rounding, tested in ``tests/test_native_vader.py``). The Python batch
  path remains the reference and runs without the compiled module.

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
import operator
import os
from functools import lru_cache
from itertools import chain, compress, islice, repeat
from types import MappingProxyType

import numpy as np

from ._native import load

__all__ = ["FastVader", "fast_vader"]

_MISSING = object()
#: NLTK's result when a sentence has no word tokens (``sentiments`` is empty).
_EMPTY = (0.0, 0.0, 0.0, 0.0)
#: NLTK's result when every word scores 0 (see ``_score_words`` for the proof).
_ALL_NEUTRAL = (0.0, 1.0, 0.0, 0.0)
# Bits of FastVader._tok_flags, one per property of a token (see _learn_tokens).
_KEPT, _LEXICAL, _CONTEXT, _UPPER, _BUT, _KEY_FIRST, _KEY_SECOND = (1 << b for b in range(7))
#: Compiled twin of the batch scorer (``analysis/_native/vader.c``), None when not built; the
#: pure-Python path below is the reference and runs without it.
_native_vader = load("vader")
#: Whether builtin ``sum`` adds floats left to right without compensation (CPython < 3.12), the
#: summation the compiled scorer and :func:`_score_valence_batch` reproduce.
_NAIVE_SUM = sum([1e16, 1.0, -1e16]) == 0.0


def _nltk_constants():
    from nltk.sentiment.vader import VaderConstants
    return VaderConstants()


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
    cache_size : size of the LRU cache of single-sentence scores (``polarity_scores``; 0 disables
        it). :meth:`score_many` does not use it: it scores each distinct text of a batch once.
    token_cache_size : bound of the memo of distinct whitespace tokens. When a batch would take it
        past the bound it is emptied first, so memory stays flat on unbounded streams while the
        common vocabulary is re-learnt at once.

    Notes
    -----
    The lexicon is fixed when the analyzer is built: :attr:`lexicon` is a read-only view. Both
    scorers (the compiled one copies the lexicon's ASCII words once, and the Python path memoises
    per-token look-ups) read that one dictionary, which therefore must never change.

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
        # Private: read by both scorers and never changed (see lexicon).
        self._lex = lex
        self._lex_view = MappingProxyType(lex)

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
        # Every idiom / booster-pair test compares a run of 2 or 3 consecutive words with a key,
        # so none can match in a sentence where no consecutive word pair is the first two words
        # of a key (case-sensitive, like the tests themselves).
        self._KEY_BIGRAMS = frozenset(k[:2] for k in chain(self._IDIOMS, self._BOOSTER_PAIRS)
                                      if len(k) >= 2)
        self._KEY_FIRST = frozenset(k[0] for k in self._KEY_BIGRAMS)
        self._KEY_SECOND = frozenset(k[1] for k in self._KEY_BIGRAMS)
        # Lower-cased words that can make a valence differ from its bare lexicon value (proof in
        # _score_words): negations, boosters, the words of NLTK's never/least/"kind of" rules,
        # and lexicon words worth 0 (``0.0 + 0.0`` could flip a -0.0). Lower-cased words holding
        # "n't" (negations too) are added as tokens are learnt.
        self._BASE_CONTEXT = frozenset(chain(
            (w.lower() for w in c.NEGATE), c.BOOSTER_DICT,
            ("never", "so", "this", "least", "kind"),
            (w for w, v in lex.items() if v == 0)))

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
        self._token_limit = token_cache_size
        self._clear_tokens()

        self._native_scorer = _MISSING  # built on first use, see _native_for
        self._cached = lru_cache(maxsize=cache_size)(self._score_str) if cache_size else \
            self._score_str

    # ---------------------------------------------------------------------------------------
    @property
    def lexicon(self) -> MappingProxyType:
        """The lexicon, word -> valence (as NLTK's ``make_lex_dict`` builds it), read-only.

        Unlike NLTK's ``lexicon`` dict it cannot be changed after construction: the compiled
        scorer and the token memos of the Python path are built from it once, so a changed
        entry would be seen by some scores and not others. Build a new analyzer from an edited
        lexicon text instead.

        Returns
        -------
        ``types.MappingProxyType`` over the analyzer's dictionary (raises ``TypeError`` on
        assignment to an entry).
        """
        return self._lex_view

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
        self._clear_tokens()

    def _clear_tokens(self) -> None:
        #: raw whitespace token -> NLTK's word for it ("" for tokens NLTK drops, len <= 1)
        self._word_of = {}
        #: raw whitespace token -> that word lower-cased ("" likewise; lower() of a non-empty
        #: string is never empty, so filtering both maps on truth keeps them aligned)
        self._low_of = {}
        #: lower-cased words that trigger a context rule (see __init__)
        self._context = set(self._BASE_CONTEXT)
        #: raw token -> row of the per-token property arrays below (batch path)
        self._tok_id = {}
        #: per token id: lexicon value (0.0 if none) and flags, see _learn_tokens
        self._tok_val = np.zeros(0)
        self._tok_flags = np.zeros(0, dtype=np.uint8)

    # -- public API ---------------------------------------------------------------------------
    def polarity_scores(self, text) -> dict:
        """``{"neg", "neu", "pos", "compound"}`` exactly as NLTK's ``polarity_scores(text)``."""
        neg, neu, pos, compound = self._cached(text) if type(text) is str else \
            self._score_any(text)
        # A fresh dict per call: callers may mutate it without touching the cache.
        return {"neg": neg, "neu": neu, "pos": pos, "compound": compound}

    def score_many(self, texts) -> list[tuple[float, float, float, float]]:
        """``(neg, neu, pos, compound)`` of every text, in order.

        ``str`` texts are scored as one batch: each distinct text once, tokens learnt for the
        whole batch at once, sentences without lexicon words answered without per-word work.
        Same results as :meth:`polarity_scores` (and NLTK) text by text.

        Parameters
        ----------
        texts : iterable of texts (``str``; other objects are handled one by one as NLTK does).

        Returns
        -------
        list of ``(neg, neu, pos, compound)`` tuples, one per text.
        """
        texts = texts if type(texts) is list else list(texts)
        # The batch paths reproduce a left-to-right sum; where builtin sum compensates (3.12+),
        # as NLTK's call then does, texts are scored one by one with that same sum.
        if not self._fast_tokens or not _NAIVE_SUM or not set(map(type, texts)) <= {str}:
            cached, score_any = self._cached, self._score_any
            return [cached(t) if type(t) is str else score_any(t) for t in texts]

        return list(map(tuple, self.score_array(texts).tolist()))

    def score_array(self, texts) -> np.ndarray:
        """Scores of a batch of texts as a float array of shape ``(len(texts), 4)``, columns
        ``neg, neu, pos, compound``: the same floats as :meth:`polarity_scores` text by text.

        With the compiled scorer (``analysis/_native/vader.c``, see :meth:`_native_for`) every
        text is scored there by NLTK's rules and arithmetic, and rounded by :func:`_round`.
        Otherwise each distinct text is scored once. The tokens of the whole batch are looked up
        at once and sentences whose scores provably need no context rule (see :meth:`_score_words`)
        are scored by array operations; NLTK's arithmetic on the sentence's sentiments
        (``score_valence``) runs vectorised in :func:`_score_valence_batch`, operation for
        operation in NLTK's order. Other sentences go through the per-sentence rules.

        Parameters
        ----------
        texts : iterable of ``str``.

        Returns
        -------
        ``numpy.ndarray`` of float64, shape ``(len(texts), 4)``.
        """
        texts = texts if type(texts) is list else list(texts)
        if not self._fast_tokens or not _NAIVE_SUM or not set(map(type, texts)) <= {str}:
            return np.array(self.score_many(texts) if texts else np.zeros((0, 4)),
                            dtype=float).reshape(-1, 4)
        scorer = self._native_for(_native_vader)
        if scorer is not None:
            raw = np.empty((len(texts), 4))
            _native_vader.score(scorer, texts, raw)
            return np.column_stack([_round(raw[:, 0], 3), _round(raw[:, 1], 3),
                                    _round(raw[:, 2], 3), _round(raw[:, 3], 4)])
        unique = list(dict.fromkeys(texts))
        if not unique:
            return np.zeros((0, 4))
        scores = self._score_unique(unique)
        if len(unique) < len(texts):
            position = dict(zip(unique, range(len(unique))))
            scores = scores[np.fromiter(map(position.__getitem__, texts), np.intp, len(texts))]
        return scores

    def _native_for(self, native):
        """The compiled scorer for this analyzer's lexicon and constants, or None when
        ``native`` (the module) is None or cannot reproduce NLTK here.

        The compiled scorer implements the fast tokenizer rule (:meth:`_map_token`), a naive
        left-to-right ``sum`` and double arithmetic without excess precision; numbers that
        NLTK may keep as ints (scalars, idiom values, alpha) must convert to doubles exactly.
        Built once per analyzer, from the same dict / set objects the Python path reads, none
        of which changes after construction (see :attr:`lexicon`).

        Parameters
        ----------
        native : the compiled module ``analysis._native.vader`` (``_native_vader``) or None.

        Returns
        -------
        the scorer capsule for ``native.score``, or None (use the Python path).
        """
        if native is None or not self._fast_tokens or not _NAIVE_SUM \
                or not native.EXACT_DOUBLES:
            return None
        if self._native_scorer is _MISSING:
            numbers = [self._B_DECR, self._C_INCR, self._N_SCALAR, self._ALPHA,
                       *self._IDIOMS.values()]
            if not all(type(x) in (int, float) and float(x) == x for x in numbers):
                self._native_scorer = None
                return None
            # Keyword 0..2: the words _never_check compares case-sensitively.
            keywords = ["never", "so", "this"]

            def kw(word):
                if word not in keywords:
                    keywords.append(word)
                return keywords.index(word)

            # NLTK compares runs of 2 or 3 words with the idiom keys: longer or shorter keys
            # never match.
            idioms = [(len(k), *map(kw, k), *([-1] * (3 - len(k))), float(v))
                      for k, v in self._IDIOMS.items() if len(k) in (2, 3)]
            pairs = [tuple(map(kw, k)) for k in self._BOOSTER_PAIRS]
            # The seed only spreads the word hash table; results do not depend on it.
            self._native_scorer = native.make(
                self._lex, self._BOOSTER, self._NEGATE, keywords, idioms, pairs,
                list(self.constants.PUNC_LIST), self._PUNCT_STR, float(self._B_DECR),
                float(self._C_INCR), float(self._N_SCALAR), float(self._ALPHA),
                int.from_bytes(os.urandom(8), "little"))
        return self._native_scorer

    def _score_unique(self, texts) -> np.ndarray:
        """:meth:`score_array` for distinct ``str`` texts (fast tokenizer active)."""
        u = len(texts)
        # One split over all texts: a separator token that no text holds marks the boundaries
        # (checked by counting it; otherwise split text by text).
        flat = " \x00 ".join(texts).split()
        ids = self._learn_tokens(flat)
        sep = self._tok_id.get("\x00", -1)
        is_sep = ids == sep
        if int(is_sep.sum()) == u - 1:
            sent = np.cumsum(is_sep)
        else:
            splits = list(map(str.split, texts))
            flat = list(chain.from_iterable(splits))
            ids = self._learn_tokens(flat)
            sent = np.repeat(np.arange(u), np.fromiter(map(len, splits), np.intp, u))
        flags = self._tok_flags[ids]
        kept = (flags & _KEPT).astype(bool)
        kid, ksent, kflags = ids[kept], sent[kept], flags[kept]
        n = np.bincount(ksent, minlength=u)
        kstart = np.cumsum(n) - n
        kpos = np.arange(len(kid)) - kstart[ksent]
        lexical = (kflags & _LEXICAL).astype(bool)
        upper = (kflags & _UPPER).astype(bool)

        hit = np.zeros(u, bool)
        hit[ksent[lexical]] = True
        n_upper = np.bincount(ksent[upper], minlength=u)
        is_cap_diff = (n - n_upper > 0) & (n - n_upper < n)
        # Sentences that may need a context rule (a superset of _score_words' test).
        ruled = np.zeros(u, bool)
        ruled[ksent[(kflags & _CONTEXT).astype(bool)]] = True
        ruled[ksent[lexical & upper]] |= is_cap_diff[ksent[lexical & upper]]
        pair = ((kflags[:-1] & _KEY_FIRST).astype(bool) & (kflags[1:] & _KEY_SECOND).astype(bool)
                & (ksent[:-1] == ksent[1:]))
        ruled[ksent[:-1][pair]] = True
        ruled &= hit

        # Bare lexicon values of rule-free sentences, with NLTK's "but" scaling by position.
        cand = lexical & ~ruled[ksent]
        c_sent, c_pos, c_val = ksent[cand], kpos[cand], self._tok_val[kid[cand]]
        is_but = (kflags & _BUT).astype(bool)
        first_but = np.full(u, -1)
        b_sent = ksent[is_but][::-1]
        first_but[b_sent] = kpos[is_but][::-1]  # reversed: the first "but" is written last
        b = first_but[c_sent]
        c_val = np.where((b >= 0) & (c_pos < b), c_val * 0.5,
                         np.where((b >= 0) & (c_pos > b), c_val * 1.5, c_val))
        c_rank = np.arange(len(c_sent)) - np.searchsorted(c_sent, c_sent)

        # Sentences needing the rules: their sentiments, per sentence.
        slow = np.flatnonzero(ruled).tolist()
        s_sent, s_rank, s_val = [], [], []
        if slow:
            word_of, low_of = self._word_of.__getitem__, self._low_of.__getitem__
            starts = np.searchsorted(sent, slow).tolist()
            ends = np.searchsorted(sent, slow, side="right").tolist()
            for k, a, z in zip(slow, starts, ends):
                split = flat[a:z]
                words = list(filter(None, map(word_of, split)))
                lows = list(filter(None, map(low_of, split)))
                candidates = list(compress(range(len(words)), map(self._lex.__contains__, lows)))
                sentiments = self._sentiments(words, lows, candidates)
                s_sent += [k] * len(candidates)
                s_rank += range(len(candidates))
                s_val += [float(sentiments[p]) for p in candidates]

        scores = np.zeros((u, 4))
        scores[:, 1] = np.where(n > 0, 1.0, 0.0)  # _ALL_NEUTRAL, or _EMPTY without words
        rows = np.flatnonzero(hit)
        if len(rows):
            counted = [texts[k] for k in rows.tolist()]
            scores[rows] = _score_valence_batch(
                rows, n[rows], np.concatenate([c_sent, np.asarray(s_sent, np.intp)]),
                np.concatenate([c_rank, np.asarray(s_rank, np.intp)]),
                np.concatenate([c_val, np.asarray(s_val, float)]),
                np.fromiter(map(str.count, counted, repeat("!")), np.intp, len(counted)),
                np.fromiter(map(str.count, counted, repeat("?")), np.intp, len(counted)),
                self._ALPHA)
        return scores

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

    def _learn_tokens(self, tokens) -> np.ndarray:
        """Memoise, for every new whitespace token in ``tokens``, NLTK's word, its lower case,
        its lexicon value and the flags used by the batch path (one C-level pass per property;
        only tokens with punctuation at an edge go through :meth:`_map_token` one by one).

        Returns the token ids of ``tokens`` (rows of ``_tok_val`` / ``_tok_flags``).
        """
        tok_id = self._tok_id
        distinct = set(tokens)
        new = distinct.difference(tok_id)
        if len(tok_id) + len(new) > self._token_limit:
            self._clear_tokens()
            tok_id, new = self._tok_id, distinct
        if new:
            new = list(new)
            kept = list(compress(new, map(operator.gt, map(len, new), repeat(1))))
            words = dict(zip(kept, kept))
            # str.strip(punctuation) changes a token iff its first or last character is
            # punctuation, exactly the tokens _map_token may change.
            for raw in compress(kept, map(operator.ne,
                                          map(str.strip, kept, repeat(self._PUNCT_STR)), kept)):
                words[raw] = self._map_token(raw)
            lows = list(map(str.lower, words.values()))
            word_of, low_of = self._word_of, self._low_of
            word_of.update(dict.fromkeys(new, ""))
            word_of.update(words)
            low_of.update(dict.fromkeys(new, ""))
            low_of.update(zip(words, lows))
            lex = self._lex
            self._context.update(compress(lows, map(operator.contains, lows, repeat("n't"))))

            new_words = list(map(word_of.__getitem__, new))
            new_lows = list(map(low_of.__getitem__, new))

            def flag(bit, values):
                return np.fromiter(values, bool, len(new)).astype(np.uint8) * np.uint8(bit)

            flags = (flag(_KEPT, map(operator.gt, map(len, new), repeat(1)))
                     | flag(_LEXICAL, map(lex.__contains__, new_lows))
                     | flag(_CONTEXT, map(self._context.__contains__, new_lows))
                     | flag(_UPPER, map(str.isupper, new_words))
                     | flag(_BUT, map(operator.eq, new_lows, repeat("but")))
                     | flag(_KEY_FIRST, map(self._KEY_FIRST.__contains__, new_words))
                     | flag(_KEY_SECOND, map(self._KEY_SECOND.__contains__, new_words)))
            values = np.fromiter(map(lex.get, new_lows, repeat(0.0)), float, len(new))
            tok_id.update(zip(new, range(len(tok_id), len(tok_id) + len(new))))
            self._tok_flags = np.concatenate([self._tok_flags, flags])
            self._tok_val = np.concatenate([self._tok_val, values])
        return np.fromiter(map(tok_id.__getitem__, tokens), np.intp, len(tokens))

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
        """Input that is not exactly ``str``, handled as NLTK does (``str(text.encode("utf-8"))``
        for the words unless ``isinstance(text, str)``, the original object for the ``!``/``?``
        counts), without cache or early exit."""
        converted = text if isinstance(text, str) else str(text.encode("utf-8"))
        return self._score_text(converted, text, early_exit=False)

    def _score_str(self, text: str):
        return self._score_text(text, text, early_exit=True)

    def _score_text(self, converted: str, text, early_exit: bool):
        """Scores of ``text`` whose words are those of ``converted`` (the same str for str input)."""
        if self._fast_tokens:
            split = converted.split()
            self._learn_tokens(split)
            return self._score_known(split, text, early_exit)
        words = self._words_generic(converted)
        lows = list(map(str.lower, words))
        # Negations by "n't" are context words; the fast tokenizer records them as it learns.
        self._context.update(compress(lows, map(operator.contains, lows, repeat("n't"))))
        return self._score_words(words, lows, text, early_exit)

    def _score_known(self, split, text, early_exit=True):
        """Scores of ``text`` from its whitespace tokens ``split``, all already learnt."""
        return self._score_words(list(filter(None, map(self._word_of.__getitem__, split))),
                                 list(filter(None, map(self._low_of.__getitem__, split))),
                                 text, early_exit)

    def _score_words(self, words, lows, text, early_exit):
        """NLTK's ``polarity_scores`` from the sentence's words and their lower cases
        (``lows[k] == words[k].lower()``); ``text`` is only used for ``!``/``?`` counts."""
        n = len(words)
        if not n:
            return _EMPTY
        lex = self._lex
        # Only positions whose lower-cased word is a lexicon key can get a non-zero valence; all
        # others append the int 0 in NLTK (booster skip or sentiment_valence's fall-through), so
        # a list of int 0 with those positions filled in is the same list NLTK builds.
        candidates = list(compress(range(n), map(lex.__contains__, lows)))
        if early_exit and not candidates:
            # Proof. A position's sentiment is non-zero only through ``sentiment_valence``'s
            # lexicon branch, entered only when ``word.lower()`` is a lexicon key. With no such
            # word every appended sentiment is the int 0, the "but" rule turns them into 0.0 at
            # most, so NLTK computes sum_s = 0.0 (no punctuation amplifier, since sum_s is
            # neither > 0 nor < 0), compound = 0.0 / sqrt(0.0 + 15) = 0.0, pos_sum = neg_sum =
            # 0.0, neu_count = n, total = float(n), neu = n / n = 1.0, pos = neg = 0.0: exactly
            # _ALL_NEUTRAL. (``text.count`` has no side effect on a str.)
            return _ALL_NEUTRAL
        sentiments = self._sentiments(words, lows, candidates)
        return _score_valence(sentiments, candidates, n, text.count("!"), text.count("?"),
                              self._ALPHA)

    def _sentiments(self, words, lows, candidates):
        """NLTK's list of sentiments (one per word, after the "but" rule) of a sentence with
        ``words``, ``lows[k] == words[k].lower()`` and lexicon ``candidates`` positions."""
        n = len(words)
        lex = self._lex
        # allcap_differential: True iff some but not all words are ALL CAPS.
        cap_differential = n - sum(map(str.isupper, words))
        is_cap_diff = 0 < cap_differential < n

        sentiments = [0] * n
        if (self._context.isdisjoint(lows)
                and (self._KEY_FIRST.isdisjoint(words)
                     or self._KEY_BIGRAMS.isdisjoint(zip(words, islice(words, 1, None))))
                and not (is_cap_diff
                         and any(map(str.isupper, map(words.__getitem__, candidates))))):
            # Bare lexicon values (proof). NLTK skips a word as booster / "kind of" only if its
            # lower case is a booster key or "kind" (context words). In sentiment_valence: the
            # caps increment needs an upper-case lexicon word with is_cap_diff (excluded); each
            # scalar_inc_dec term is 0.0 because no preceding word is a booster, and adding 0.0
            # to a non-zero float changes nothing (zero-valued lexicon words are context
            # words); _never_check and _least_check fire only on negations, "never", "so",
            # "this", "least" (context words); _idioms_check only on a run of consecutive words
            # equal to an idiom or booster pair, impossible without one of _KEY_BIGRAMS. So the
            # valence is lex[lows[i]] at i = first_index[item], and lows[i] == lows[p] since
            # words[i] == words[p].
            for p in candidates:
                sentiments[p] = lex[lows[p]]
        else:
            # NLTK's first_index: first position of each (case-sensitive) token. Built right to
            # left so that the earliest position is written last and wins.
            first_index = dict(zip(reversed(words), range(n - 1, -1, -1)))
            booster = self._BOOSTER
            memo = {}
            for p in candidates:
                item = words[p]
                # Every occurrence of ``item`` is scored at i = first_index[item], so its
                # valence is the same for all occurrences: compute it once.
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

        return sentiments

    def _negated(self, word_lower: str) -> bool:
        # VaderConstants.negated([word]) for one word: NEGATE membership, then "n't"; the
        # pairwise "least" rule needs two words and never fires for a one-word list.
        return word_lower in self._NEGATE or "n't" in word_lower

    def _sentiment_valence(self, words, lows, i, is_cap_diff):
        """NLTK's ``sentiment_valence`` lexicon branch (with ``scalar_inc_dec``,
        ``_never_check``, ``_idioms_check`` and ``_least_check`` inlined), operation for
        operation. ``lows[k]`` is ``words[k].lower()``, computed once per sentence."""
        lex = self._lex
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


def _score_valence(sentiments, candidates, n, ep_count, qm_count, alpha):
    """NLTK's ``score_valence`` for a non-empty sentence: ``(neg, neu, pos, compound)``.

    ``sentiments`` is NLTK's list, non-zero only at ``candidates`` positions; ``ep_count`` and
    ``qm_count`` are the text's ``!`` and ``?`` counts; ``alpha`` is ``normalize``'s alpha.
    """
    # The built-in sum over the same list of the same values and types: the same result on
    # every Python version (3.12+ sums floats with compensation; so does NLTK's call).
    sum_s = float(sum(sentiments))
    if ep_count > 4:
        ep_count = 4
    ep_amplifier = ep_count * 0.292
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
    compound = sum_s / math.sqrt((sum_s * sum_s) + alpha)

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


def _score_valence_batch(rows, n, c_row, c_rank, c_val, ep_count, qm_count, alpha):
    """:func:`_score_valence` for many sentences at once, the same IEEE operations in the same
    order per sentence, so the same floats.

    Parameters
    ----------
    rows : sorted ids of the scored sentences (all with at least one lexicon word).
    n : their word counts.
    c_row, c_rank, c_val : one entry per lexicon word of those sentences: sentence id, rank
        among the sentence's lexicon words, and its sentiment as a float.
    ep_count, qm_count : the sentences' ``!`` and ``?`` counts.
    alpha : ``normalize``'s alpha.

    Returns
    -------
    float array ``(len(rows), 4)``: neg, neu, pos, compound.

    Notes
    -----
    NLTK adds the sentiments one by one (``sum`` and the ``_sift_sentiment_scores`` loop).
    numpy's own reductions sum pairwise, so the running sums here advance one rank at a time
    over all sentences: per sentence that is the same left-to-right sequence of additions.
    Non-lexicon positions are left out: they add the int 0 (or 0.0 after the "but" rule) to
    ``sum`` and only count as neutral, and adding a zero never changes a running sum, which is
    never -0.0 (it starts at +0.0; in round-to-nearest x + y is -0.0 only if both are -0.0).
    Ints that NLTK may keep (idiom values) are small, so Python's exact int sums of them equal
    these float sums.
    """
    m = len(rows)
    slot = np.searchsorted(rows, c_row)
    sum_s = np.zeros(m)
    pos_sum = np.zeros(m)
    neg_sum = np.zeros(m)
    zeros = np.zeros(m, np.intp)
    order = np.argsort(c_rank, kind="stable")
    bounds = np.cumsum(np.bincount(c_rank)).tolist() if len(c_rank) else []
    start = 0
    for stop in bounds:
        # One entry per sentence at each rank, so fancy-index updates do not collide.
        take = order[start:stop]
        s, v = slot[take], c_val[take]
        sum_s[s] = sum_s[s] + v
        up, down, zero = v > 0, v < 0, v == 0
        pos_sum[s[up]] = pos_sum[s[up]] + (v[up] + 1.0)
        neg_sum[s[down]] = neg_sum[s[down]] + (v[down] - 1.0)
        zeros[s[zero]] += 1
        start = stop
    ep_amplifier = np.minimum(ep_count, 4) * 0.292
    qm_amplifier = np.where(qm_count > 1, np.where(qm_count <= 3, qm_count * 0.18, 0.96), 0.0)
    amplifier = ep_amplifier + qm_amplifier
    sum_s = np.where(sum_s > 0, sum_s + amplifier, np.where(sum_s < 0, sum_s - amplifier, sum_s))
    compound = sum_s / np.sqrt((sum_s * sum_s) + float(alpha))
    neu_count = (n - np.bincount(slot, minlength=m) + zeros).astype(float)
    fabs_neg = np.abs(neg_sum)
    pos_sum, neg_sum = (np.where(pos_sum > fabs_neg, pos_sum + amplifier, pos_sum),
                        np.where(pos_sum < fabs_neg, neg_sum - amplifier, neg_sum))
    total = pos_sum + np.abs(neg_sum) + neu_count
    return np.column_stack([_round(np.abs(neg_sum / total), 3), _round(np.abs(neu_count / total), 3),
                            _round(np.abs(pos_sum / total), 3), _round(compound, 4)])


def _round(x, digits):
    """Python's ``round(v, digits)`` for every finite float of ``x`` (not ``np.round``).

    ``round`` returns the double nearest to the exact value of ``v`` correctly rounded to
    ``digits`` decimals, i.e. nearest to ``k / 10**digits`` with ``k`` the integer nearest to
    the exact ``v * 10**digits``. ``t = v * 10.0**digits`` errs by at most half an ulp
    (< 1e-12 here, as ``|v| <= 1``), so unless the exact product is within 1e-6 of a
    half-integer, ``rint(t)`` is that ``k``, and the IEEE division ``k / 10.0**digits`` (both
    exact doubles) is correctly rounded: the same double, with the same sign for zeros. The
    rare near-ties are handed to ``round`` itself.
    """
    scale = 10.0 ** digits
    t = x * scale
    out = np.rint(t) / scale
    near = np.flatnonzero(np.abs(t - np.floor(t) - 0.5) < 1e-6)
    if len(near):
        out[near] = [round(v, digits) for v in x[near].tolist()]
    return out


@lru_cache(maxsize=1)
def fast_vader() -> FastVader:
    """The kit's :class:`FastVader` (same lexicon file as :func:`analysis.sentiment.vader_analyzer`)."""
    return FastVader.from_kit()
