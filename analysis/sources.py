"""Who a source is: aliases to normalised entities and types, from an editable data file.

``analysis/lexicons/sources.yaml`` lists entities (e.g. "Russian government") with their aliases
("the Kremlin", "Moscow", "Putin") and type (official / non-official); unlisted sources are typed
by role words ("spokesman", "ministry" -> official; "analysts", "residents" -> non-official).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import LexiconError
from .lexicon import LEXICON_DIR

__all__ = ["SourceBook", "load_sources", "bundled_sources", "SOURCE_TYPES", "PRONOUNS"]

SOURCE_TYPES = ("official", "non-official", "unknown")
PRONOUNS = {"he": "person", "she": "person", "they": "group", "it": "group", "we": "speaker",
            "i": "speaker", "you": "speaker"}
# Capitalised at a sentence start, but never a name on their own.
_NOT_NAMES = frozenset("everything nothing something anything everyone everybody someone somebody "
                       "nobody this that these those it there here what which who some many all "
                       "most none one both each either neither another such others other "
                       "first second third finally also then now today".split())
_LEADING = re.compile(r"^(?:both|the|a|an|his|her|its|their)\s+", re.IGNORECASE)
_WORD = re.compile(r"[\w@][\w.'\u2019\-]*")
_COORDINATION = re.compile(r"\s+and\s+|\s*,\s*|\s*&\s*")  # "Putin and Trump", "A, B & C"
_CONTRACTION = re.compile(r"\w+'(?:ve|m|d|re|ll|s)")  # "they've", "it's": never a name
_MEMO_LIMIT = 100_000  # classified phrases kept per SourceBook


def _key(phrase: str) -> str:
    """Lowercase words joined by single spaces, curly apostrophes folded, markup dropped."""
    words = _WORD.findall(phrase.replace("\u2019", "'"))
    return " ".join(w.lower().rstrip(".") if w.lower() not in ("u.s.", "u.n.") else w.lower()
                    for w in words)


@lru_cache(maxsize=16)
def _role_regex(words: tuple) -> re.Pattern:
    """One compiled alternation for a tuple of role words (whole words only)."""
    if not words:
        return re.compile(r"(?!x)x")
    return re.compile(r"\b(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                      + r")\b")


@dataclass(frozen=True)
class SourceBook:
    """Alias table and typing rules for sources."""

    aliases: dict          # alias key -> (entity, type)
    persons: frozenset     # alias keys that name a person
    official_words: tuple
    non_official_words: tuple
    extra_cues: tuple
    path: str
    sha256: str
    # classify() is pure and sees the same phrases (speaker labels, repeated names) many times.
    _classified: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # The word counts of the aliases starting with each word, longest first: a phrase is looked
    # up only at its words that start an alias, and only for those lengths.
    _alias_lengths: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    # The role-word patterns, compiled once (looking them up by their word tuples hashes them).
    _role_patterns: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        lengths: dict[str, set] = {}
        for key in self.aliases:
            words = key.split()
            if words:
                lengths.setdefault(words[0], set()).add(len(words))
        object.__setattr__(self, "_alias_lengths",
                           {word: sorted(found, reverse=True) for word, found in lengths.items()})
        object.__setattr__(self, "_role_patterns",
                           {"official": _role_regex(self.official_words),
                            "non_official": _role_regex(self.non_official_words)})

    def _role_regex(self, which: str) -> re.Pattern:
        return self._role_patterns["official" if which == "official" else "non_official"]

    def classify(self, phrase: str | None) -> tuple[str | None, str, bool]:
        """Normalise a source phrase.

        Returns
        -------
        (entity or None, source type, is_person). Coordinated sources ("Putin and Trump")
        give "Russian government and US government".
        """
        if not phrase:
            return None, "unknown", False
        found = self._classified.get(phrase)
        if found is None:
            if len(self._classified) >= _MEMO_LIMIT:  # a long stream of documents
                self._classified.clear()
            found = self._classified[phrase] = self._classify(phrase)
        return found

    def _classify(self, phrase: str) -> tuple[str | None, str, bool]:
        parts = _COORDINATION.split(phrase.strip())
        found = [self._lookup(p) for p in parts if p.strip()] if len(parts) > 1 else []
        if found and all(f[0] for f in found):
            names = list(dict.fromkeys(f[0] for f in found))
            kinds = {f[1] for f in found}
            return " and ".join(names), kinds.pop() if len(kinds) == 1 else "unknown", False
        return self._lookup(phrase)

    def _lookup(self, phrase: str) -> tuple[str | None, str, bool]:
        if "," in phrase:
            # "Anna Voronina, a senior fellow at ...": the head names, the apposition types.
            head, role = phrase.split(",", 1)
            entity, kind, person = self._lookup(head)
            role_key = _key(role)
            if self._role_regex("official").search(role_key) \
                    and not self._role_regex("non_official").search(role_key):
                return entity or head.strip(), "official", person
            if kind != "unknown":
                return entity or head.strip(), kind, person
        key = _key(_LEADING.sub("", phrase.strip()))
        words = key.split()
        # The longest alias wins, then the first of the longest.
        best, best_length = None, 0
        for i, word in enumerate(words):
            for length in self._alias_lengths.get(word, ()):
                if length <= best_length:
                    break
                if i + length <= len(words):
                    cand = " ".join(words[i:i + length])
                    if cand in self.aliases:
                        best, best_length = cand, length
                        break
        if best:
            entity, kind = self.aliases[best]
            return entity, kind, best in self.persons
        if self._role_regex("non_official").search(key):
            return None, "non-official", False
        if self._role_regex("official").search(key):
            return None, "official", False
        if key in PRONOUNS or key in _NOT_NAMES or _CONTRACTION.fullmatch(key):
            return None, "unknown", False
        capitalised = [w for w in _WORD.findall(phrase) if w[:1].isupper()]
        if capitalised and len(capitalised) == len(_WORD.findall(
                _LEADING.sub("", phrase.strip()))):
            # A named person or body without an office word: not an official by default.
            return None, "non-official", len(capitalised) in (1, 2, 3)
        return None, "unknown", False


def load_sources(path: str | Path | None = None) -> SourceBook:
    """Load and validate a sources file (default: the bundled one)."""
    path = Path(path) if path is not None else LEXICON_DIR / "sources.yaml"
    if not path.is_file():
        raise LexiconError("sources file does not exist", path=path)
    raw = path.read_bytes()
    try:
        data = yaml.safe_load(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise LexiconError(f"sources file is not valid UTF-8 YAML: {exc}", path=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("entities"), dict):
        raise LexiconError("sources file needs an 'entities' mapping", path=path)
    for key in ("source", "citation", "licence"):
        if not (data.get("provenance") or {}).get(key):
            raise LexiconError(f"provenance lacks {key!r}", path=path, record="provenance")
    aliases, persons = {}, set()
    for entity, body in data["entities"].items():
        where = f"entity {entity!r}"
        if not isinstance(body, dict) or body.get("type") not in ("official", "non-official"):
            raise LexiconError("entity needs type official or non-official", path=path,
                               record=where, value=(body or {}).get("type") if isinstance(body, dict)
                               else body, allowed="official, non-official")
        for alias in body.get("aliases") or []:
            key = _key(_LEADING.sub("", str(alias)))
            if key in aliases and aliases[key][0] != entity:
                raise LexiconError("alias belongs to two entities", path=path, record=where,
                                   value=alias, allowed=f"once (already {aliases[key][0]!r})")
            aliases[key] = (str(entity), body["type"])
        for person in body.get("persons") or []:
            persons.add(_key(_LEADING.sub("", str(person))))
    rules = data.get("rules") or {}
    return SourceBook(aliases=aliases, persons=frozenset(persons),
                      official_words=tuple(_key(w) for w in rules.get("official", [])),
                      non_official_words=tuple(_key(w) for w in rules.get("non_official", [])),
                      extra_cues=tuple(str(c).lower() for c in data.get("extra_cues", [])),
                      path=str(path), sha256=hashlib.sha256(raw).hexdigest())


@lru_cache(maxsize=1)
def bundled_sources() -> SourceBook:
    """The bundled sources file (cached)."""
    return load_sources()
