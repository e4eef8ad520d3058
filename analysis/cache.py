"""A result cache: per-document tables stored as Parquet, keyed by what determines them.

The key of a document is the sha256 of: the kit version, the lexicon and sources hashes, the
analysis options, the document id, the sha256 of its text, and the metadata that changes its
voices (genre, kind, voice, comments_marker, speaker, author, source, outlet). Rerunning on an
unchanged corpus re-analyses nothing; a changed document re-analyses only itself. Every entry
carries the sha256 of each of its files: a corrupted or partial entry is detected, logged,
deleted and rebuilt, never trusted.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from . import __version__
from .engine import TABLES, concat_tables, run_engine

__all__ = ["ResultCache", "document_keys", "KEY_METADATA"]

log = logging.getLogger(__name__)

KEY_METADATA = ("genre", "kind", "voice", "comments_marker", "speaker", "author", "source",
                "outlet")


def _environment_key(options: dict) -> dict:
    from .lexicon import BUNDLED, bundled_lexicon, load_lexicon
    from .sources import bundled_sources, load_sources
    lexicons = {name: bundled_lexicon(name).sha256 for name in BUNDLED}
    for measure, path in sorted((options.get("lexicons") or {}).items()):
        lexicons[f"user:{measure}"] = load_lexicon(path).sha256
    sources = (load_sources(options["sources"]) if options.get("sources") else bundled_sources())
    return {"kit": __version__, "lexicons": lexicons, "sources": sources.sha256,
            "measures": list(options.get("measures") or []), "voices": options.get("voices", True)}


def document_keys(docs: pd.DataFrame, options: dict) -> list[str]:
    """The cache key of every document (see the module docstring)."""
    env = json.dumps(_environment_key(options), sort_keys=True)
    cols = [c for c in KEY_METADATA if c in docs.columns]
    rows = docs[cols].to_numpy(dtype=object).tolist() if cols else [[]] * len(docs)
    keys = []
    for doc_id, text, values in zip(docs["doc_id"], docs["text"], rows):
        meta = {c: (None if pd.isna(v) else str(v)) for c, v in zip(cols, values)}
        payload = json.dumps([env, doc_id, hashlib.sha256(text.encode("utf-8")).hexdigest(), meta],
                             sort_keys=True)
        keys.append(hashlib.sha256(payload.encode("utf-8")).hexdigest())
    return keys


class ResultCache:
    """Per-document Parquet entries under ``folder``."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.hits = self.misses = self.rebuilt = 0

    def _entry(self, key: str) -> Path:
        return self.folder / key[:2] / key

    def load(self, key: str) -> dict | None:
        """The tables of one document, or None when absent or corrupted (then removed)."""
        entry = self._entry(key)
        manifest = entry / "checksums.json"
        if not manifest.is_file():
            return None
        try:
            sums = json.loads(manifest.read_text(encoding="utf-8"))
            tables = {}
            for name in TABLES:
                if sums.get(name) is None:
                    tables[name] = None
                    continue
                path = entry / f"{name}.parquet"
                raw = path.read_bytes()  # read once: the bytes checked are the bytes parsed
                if hashlib.sha256(raw).hexdigest() != sums[name]:
                    raise ValueError(f"checksum mismatch in {path.name}")
                tables[name] = pd.read_parquet(io.BytesIO(raw))
            return tables
        except (OSError, ValueError, json.JSONDecodeError) as exc:
            log.warning("cache entry %s is corrupted (%s); rebuilding it", entry, exc)
            shutil.rmtree(entry, ignore_errors=True)
            self.rebuilt += 1
            return None

    def store(self, key: str, tables: dict) -> None:
        """Write one document's tables atomically (temporary folder, then rename)."""
        entry = self._entry(key)
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=entry.parent))
        sums = {}
        for name in TABLES:
            frame = tables.get(name)
            if frame is None:
                sums[name] = None
                continue
            path = tmp / f"{name}.parquet"
            frame.reset_index(drop=True).to_parquet(path, index=False)
            sums[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        (tmp / "checksums.json").write_text(json.dumps(sums, sort_keys=True), encoding="utf-8")
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)

    def analyze(self, docs: pd.DataFrame, options: dict, **engine_options) -> dict:
        """Tables for ``docs``: cached documents are read, the others analysed and stored."""
        keys = document_keys(docs, options)
        cached = {k: self.load(k) for k in dict.fromkeys(keys)}
        missing = [i for i, k in enumerate(keys) if cached[k] is None]
        self.hits += len(keys) - len(missing)
        self.misses += len(missing)
        if missing:
            fresh = run_engine(docs.iloc[missing], options, **engine_options)
            # Row positions per document, found once per table rather than once per document.
            rows = {name: frame.groupby("doc_id", sort=False).indices
                    for name, frame in fresh.items() if frame is not None}
            for i in missing:
                doc_id = docs["doc_id"].iloc[i]
                part = {name: (None if fresh[name] is None else fresh[name].iloc[
                            rows[name].get(doc_id, [])].reset_index(drop=True))
                        for name in TABLES}
                self.store(keys[i], part)
                cached[keys[i]] = part
        return concat_tables([cached[k] for k in keys])
