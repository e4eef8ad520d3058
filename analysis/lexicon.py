"""Lexicons as data: load, validate and expand a YAML lexicon into matchable forms.

The file format is described in ``analysis/lexicons/FORMAT.md``. Bundled lexicons live beside it;
a user's own file in the same format replaces any of them.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .errors import LexiconError
from .tokens import TOKEN_PATTERN, normalise_token

__all__ = ["Entry", "Lexicon", "load_lexicon", "bundled_lexicon", "BUNDLED", "LEXICON_DIR",
           "inflect_verb", "inflect_noun"]

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
#: Bundled lexicon names and their files.
BUNDLED = {"frames": "frames.yaml", "hedges": "hedges.yaml", "boosters": "boosters.yaml",
           "reporting_verbs": "reporting_verbs.yaml"}
_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_WORD_RE = re.compile(rf"^(?:{TOKEN_PATTERN})\*?$")
_PROVENANCE_KEYS = ("source", "citation", "licence")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is 10x faster
_ENTRY_KEYS = {"term", "forms", "inflect", "rule", "note"}
_VOWELS = set("aeiou")


@dataclass(frozen=True)
class Entry:
    """One lexicon entry: a canonical term, its surface forms and context rules."""

    term: str
    category: str
    forms: tuple[tuple[str, ...], ...]
    rules: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    """A validated lexicon with provenance."""

    name: str
    measure: str
    version: str
    provenance: dict
    categories: dict
    entries: tuple[Entry, ...]
    path: str
    sha256: str
    descriptions: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"Lexicon(name={self.name!r}, measure={self.measure!r}, version={self.version!r}, "
                f"categories={len(self.categories)}, entries={len(self.entries)})")


def _double_final(word: str) -> bool:
    """Short consonant-vowel-consonant verbs double the final consonant (stop -> stopped)."""
    if len(word) < 3 or word[-1] in "wxy" or word[-1] in _VOWELS:
        return False
    vowels = [c for c in word if c in _VOWELS]
    return (len(vowels) == 1 and word[-2] in _VOWELS and word[-3] not in _VOWELS)


def inflect_verb(word: str) -> list[str]:
    """Regular verb forms: base, 3rd person -s, past -ed, present participle -ing."""
    if word.endswith("ie"):
        return [word, word + "s", word + "d", word[:-2] + "ying"]
    if word.endswith("e"):
        ing = word + "ing" if word.endswith(("ee", "ye", "oe")) else word[:-1] + "ing"
        return [word, word + "s", word + "d", ing]
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return [word, word[:-1] + "ies", word[:-1] + "ied", word + "ing"]
    third = word + "es" if word.endswith(("s", "x", "z", "ch", "sh", "o")) else word + "s"
    if _double_final(word):
        return [word, third, word + word[-1] + "ed", word + word[-1] + "ing"]
    return [word, third, word + "ed", word + "ing"]


def inflect_noun(word: str) -> list[str]:
    """Singular and regular plural."""
    if word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS:
        return [word, word[:-1] + "ies"]
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return [word, word + "es"]
    return [word, word + "s"]


def _expand(term: str, inflect: str | None) -> list[str]:
    """Inflect the first word of a phrasal verb ("point out"), the last word of a noun phrase."""
    if inflect is None:
        return [term]
    words = term.split(" ")
    if inflect == "verb":
        return [" ".join([form, *words[1:]]) for form in inflect_verb(words[0])]
    return [" ".join([*words[:-1], form]) for form in inflect_noun(words[-1])]


def _parse_entry(raw, category: str, path: str, index: int, rule_names) -> Entry:
    where = f"category {category!r}, entry {index + 1}"
    if isinstance(raw, str):
        spec = {"term": raw}
    elif isinstance(raw, dict) and len(raw) == 1 and "term" not in raw:
        (term, opts), = raw.items()
        if opts is not None and not isinstance(opts, dict):
            raise LexiconError("options of an entry must be a mapping", path=path, record=where,
                               value=opts, allowed="e.g. {rule: not_month}")
        spec = {"term": term, **(opts or {})}
    elif isinstance(raw, dict):
        spec = dict(raw)
    else:
        raise LexiconError("entry must be a string or a mapping", path=path, record=where,
                           value=raw)
    unknown = set(spec) - _ENTRY_KEYS
    if unknown:
        raise LexiconError("unknown entry option(s)", path=path, record=where,
                           value=sorted(unknown), allowed=sorted(_ENTRY_KEYS))
    term = spec.get("term")
    if not isinstance(term, str) or not term.strip():
        raise LexiconError("entry has no term", path=path, record=where, value=term)
    term = " ".join(term.split())
    where = f"category {category!r}, entry {term!r}"
    inflect = spec.get("inflect")
    if inflect not in (None, "verb", "noun"):
        raise LexiconError("unknown inflect value", path=path, record=where, value=inflect,
                           allowed="verb, noun")
    forms = spec.get("forms")
    if forms is None:
        forms = _expand(term, inflect)
    elif not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
        raise LexiconError("forms must be a list of strings", path=path, record=where, value=forms)
    else:
        forms = [f for form in forms for f in _expand(" ".join(form.split()), inflect)]
    rules = spec.get("rule", [])
    rules = [rules] if isinstance(rules, str) else rules
    if not isinstance(rules, list) or any(r not in rule_names for r in rules):
        raise LexiconError("unknown rule", path=path, record=where, value=rules,
                           allowed=sorted(rule_names))
    parsed = []
    for form in dict.fromkeys(normalise_token(f) for f in forms):
        words = tuple(form.split(" "))
        bad = [w for w in words if not _WORD_RE.match(w) or ("*" in w and len(w) < 4)]
        if bad:
            raise LexiconError("form is not made of word tokens (a trailing * needs 3+ letters "
                               "before it)", path=path, record=where, value=form,
                               allowed=f"words matching {TOKEN_PATTERN} separated by spaces")
        parsed.append(words)
    return Entry(term=normalise_token(term), category=category, forms=tuple(parsed),
                 rules=tuple(rules))


def _parse(data, path: str, digest: str) -> Lexicon:
    from .rules import RULES  # the rules module imports nothing from here at import time

    if not isinstance(data, dict):
        raise LexiconError("lexicon file must be a YAML mapping", path=path,
                           value=type(data).__name__)
    for key in ("name", "measure", "version", "provenance", "categories"):
        if key not in data:
            raise LexiconError(f"missing top-level key {key!r}", path=path,
                               allowed="name, measure, version, provenance, categories")
    for key in ("name", "measure"):
        if not isinstance(data[key], str) or not _NAME_RE.match(data[key]):
            raise LexiconError(f"{key} must be a lowercase identifier", path=path,
                               value=data[key], allowed="[a-z][a-z0-9_]*")
    provenance = data["provenance"]
    if not isinstance(provenance, dict) or any(not provenance.get(k) for k in _PROVENANCE_KEYS):
        raise LexiconError("provenance must give source, citation and licence", path=path,
                           record="provenance", value=provenance)
    categories = data["categories"]
    if not isinstance(categories, dict) or not categories:
        raise LexiconError("categories must be a non-empty mapping", path=path,
                           record="categories")
    entries, seen, descriptions = [], {}, {}
    for category, body in categories.items():
        if not isinstance(category, str) or not _NAME_RE.match(category):
            raise LexiconError("category name must be a lowercase identifier", path=path,
                               value=category, allowed="[a-z][a-z0-9_]*")
        if not isinstance(body, dict) or not isinstance(body.get("terms"), list) \
                or not body["terms"]:
            raise LexiconError("category needs a non-empty 'terms' list", path=path,
                               record=f"category {category!r}")
        descriptions[category] = str(body.get("description", ""))
        for i, raw in enumerate(body["terms"]):
            entry = _parse_entry(raw, category, path, i, RULES)
            for form in entry.forms:
                if form in seen:
                    raise LexiconError("form listed twice", path=path,
                                       record=f"category {category!r}, entry {entry.term!r}",
                                       value=" ".join(form),
                                       allowed=f"each form once (already in {seen[form]})")
                seen[form] = f"category {category!r}, entry {entry.term!r}"
            entries.append(entry)
    return Lexicon(name=data["name"], measure=data["measure"], version=str(data["version"]),
                   provenance=dict(provenance), categories=dict.fromkeys(categories),
                   entries=tuple(entries), path=path, sha256=digest, descriptions=descriptions)


def load_lexicon(source: str | Path) -> Lexicon:
    """Load and validate a lexicon.

    Parameters
    ----------
    source : a bundled lexicon name (``frames``, ``hedges``, ``boosters``, ``reporting_verbs``)
        or the path of a YAML file in the same format.

    Returns
    -------
    Lexicon, with the file's sha256 for report manifests.
    """
    if isinstance(source, str) and source in BUNDLED:
        return bundled_lexicon(source)
    path = Path(source)
    if not path.is_file():
        raise LexiconError("lexicon file does not exist", path=path,
                           allowed=f"a YAML file or one of {sorted(BUNDLED)}")
    raw = path.read_bytes()
    try:
        data = yaml.load(raw.decode("utf-8-sig"), Loader=_YAML_LOADER)
    except UnicodeDecodeError as exc:
        raise LexiconError(f"lexicon is not UTF-8 at byte offset {exc.start}", path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise LexiconError(f"lexicon is not valid YAML: {getattr(exc, 'problem', exc)}",
                           path=path, record=f"line {mark.line + 1}" if mark else None) from None
    return _parse(data, str(path), hashlib.sha256(raw).hexdigest())


@lru_cache(maxsize=None)
def bundled_lexicon(name: str) -> Lexicon:
    """A bundled lexicon by name (cached)."""
    if name not in BUNDLED:
        raise LexiconError("no bundled lexicon of that name", value=name, allowed=sorted(BUNDLED))
    return load_lexicon(LEXICON_DIR / BUNDLED[name])
