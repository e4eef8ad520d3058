"""Load a corpus into the docs table: one row per document, text untouched after loading.

Supported inputs: a folder of ``.txt``/``.md`` files (optional YAML front matter and an optional
``metadata.csv`` sidecar), a single text file, CSV/TSV with a text column, JSON Lines, Parquet.

The only change made to a text is newline normalisation (``\\r\\n`` and ``\\r`` become ``\\n``) so that
character offsets mean the same thing on every platform. ``sha256`` is computed over the raw bytes
of the file (folder input) or of the UTF-8 encoded text (table input).
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from pathlib import Path
from typing import Iterable

import pandas as pd
import yaml

from .errors import CorpusError, EmptyDocumentError, EncodingError, MetadataError, ParameterError

__all__ = ["load_corpus", "read_text_file", "TEXT_SUFFIXES", "TABLE_SUFFIXES"]

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".md")
TABLE_SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".parquet")
SIDECAR_NAMES = ("metadata.csv",)
# Columns the kit owns; metadata may not overwrite them.
RESERVED = ("text", "sha256", "path")
FILE_KEYS = ("file", "filename", "path")


def _decode(raw: bytes, path: Path, encoding: str | None) -> str:
    """Decode bytes strictly; name the file and byte offset on failure."""
    if encoding is None:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            bad = raw[exc.start:exc.start + 4]
            raise EncodingError(
                f"bytes are not valid UTF-8 at byte offset {exc.start} ({bad!r}); "
                "re-encode the file as UTF-8 or pass encoding= (e.g. encoding='cp1252')",
                path=path, value=exc.reason) from None
    else:
        try:
            text = raw.decode(encoding)
        except LookupError:
            raise ParameterError("unknown encoding", value=encoding,
                                 allowed="a Python codec name such as 'utf-8', 'cp1252', 'latin-1'") from None
        except UnicodeDecodeError as exc:
            raise EncodingError(f"bytes are not valid {encoding} at byte offset {exc.start}",
                                path=path, value=exc.reason) from None
        text = text.lstrip("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    """Split a leading ``---`` YAML block from the body; the body is returned unchanged."""
    if not text.startswith("---\n"):
        return {}, text
    end = None
    pos = 4
    for line in text[4:].split("\n"):
        if line.rstrip() in ("---", "..."):
            end = pos
            break
        pos += len(line) + 1
    if end is None:
        raise MetadataError("front matter opened with '---' is never closed by a '---' line",
                            path=path, record="line 1")
    block = text[4:end]
    body_start = text.find("\n", end)
    body = "" if body_start == -1 else text[body_start + 1:]
    try:
        meta = yaml.safe_load(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"line {mark.line + 2}" if mark is not None else "front matter"
        raise MetadataError(f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}",
                            path=path, record=line) from None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        raise MetadataError("front matter must be a YAML mapping of keys to values",
                            path=path, value=type(meta).__name__, allowed="mapping")
    for key in RESERVED:
        if key in meta:
            raise MetadataError(f"front matter may not set the reserved column {key!r}",
                                path=path, value=key, allowed=f"any key except {', '.join(RESERVED)}")
    out: dict = {}
    for key, value in meta.items():
        name = str(key)
        if name in out:
            raise MetadataError("two front-matter keys become the same column name", path=path,
                                value=name, allowed="distinct keys (1, '1' and true collide)")
        out[name] = _scalar(value)
    return out, body


def _scalar(value):
    """Keep scalars; store dates as ISO strings and lists/maps as JSON so tables stay flat."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def read_text_file(path: str | Path, *, encoding: str | None = None,
                   allow_empty: bool = False) -> dict:
    """Read one text document with optional front matter.

    Parameters
    ----------
    path : the file.
    encoding : None for UTF-8 (with or without BOM, strict); else any Python codec.
    allow_empty : keep a file with no body text as an empty document instead of raising.

    Returns
    -------
    dict with ``text``, ``sha256`` and the front-matter keys.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CorpusError("file does not exist", path=path) from None
    text = _decode(raw, path, encoding)
    meta, body = _split_front_matter(text, path)
    if not body.strip() and not allow_empty:
        what = "only front matter" if meta else "no text"
        raise EmptyDocumentError(f"document has {what}; pass allow_empty=True to keep it as an "
                                 "empty document", path=path)
    return {**meta, "text": body, "sha256": hashlib.sha256(raw).hexdigest()}


def _relative_id(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


def _read_sidecar(path: Path) -> pd.DataFrame:
    try:
        raw = path.read_bytes()
        text = _decode(raw, path, None)
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as exc:
        raise MetadataError(f"metadata sidecar is not valid CSV: {exc}", path=path) from None
    except pd.errors.EmptyDataError:
        raise MetadataError("metadata sidecar is empty", path=path) from None
    keys = [c for c in ("doc_id", *FILE_KEYS) if c in table.columns]
    if not keys:
        raise MetadataError("metadata sidecar has no key column", path=path,
                            value=list(table.columns), allowed="a 'doc_id' or 'file' column")
    for col in RESERVED:
        if col in table.columns and col not in FILE_KEYS:
            raise MetadataError(f"metadata sidecar may not set the reserved column {col!r}",
                                path=path, value=col)
    return table


def _join_sidecar(records: list[dict], sidecar: pd.DataFrame, sidecar_path: Path,
                  strict: bool) -> None:
    """Attach sidecar rows to file records in place; unmatched rows or files raise (or warn)."""
    file_key = next((c for c in FILE_KEYS if c in sidecar.columns), None)
    key = file_key or "doc_id"
    by_key: dict[str, int] = {}
    for i, value in enumerate(sidecar[key]):
        if value in by_key:
            raise MetadataError(f"duplicate {key} in metadata sidecar", path=sidecar_path,
                                record=f"rows {by_key[value] + 2} and {i + 2}", value=value)
        by_key[value] = i
    matched: dict[str, str] = {}
    files_without_row = []
    for rec in records:
        candidates = ([rec["path"], Path(rec["path"]).name] if file_key
                      else [rec.get("doc_id", rec["_rel_id"]), rec["_rel_id"]])
        hit = next((c for c in candidates if c in by_key), None)
        if hit is None:
            files_without_row.append(rec["path"])
            continue
        if hit in matched:
            raise MetadataError("one sidecar row matches several files; give their relative paths",
                                path=sidecar_path, record=f"row {by_key[hit] + 2}",
                                value=[matched[hit], rec["path"]])
        matched[hit] = rec["path"]
        row = sidecar.iloc[by_key[hit]]
        for col, value in row.items():
            if col in FILE_KEYS:
                continue
            if col in rec and not _missing(rec[col]) and str(rec[col]) != value and value != "":
                raise MetadataError(f"column {col!r} disagrees between front matter and sidecar",
                                    path=rec["path"], record=f"sidecar row {by_key[hit] + 2}",
                                    value=(rec[col], value))
            rec[col] = value
    rows_without_file = [f"row {i + 2} ({k})" for k, i in by_key.items() if k not in matched]
    problems = []
    if rows_without_file:
        problems.append(f"{len(rows_without_file)} sidecar row(s) match no file: "
                        + ", ".join(rows_without_file[:20]))
    if files_without_row:
        problems.append(f"{len(files_without_row)} file(s) have no sidecar row: "
                        + ", ".join(files_without_row[:20]))
    if problems:
        message = "; ".join(problems)
        if strict:
            raise MetadataError(message + "; fix the sidecar or pass strict_metadata=False",
                                path=sidecar_path)
        log.warning("%s: %s", sidecar_path, message)


def _load_folder(root: Path, *, encoding, allow_empty, strict_metadata, progress) -> list[dict]:
    files = sorted((p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES
                    and p.name.lower() != "readme.md" and not p.name.startswith(".")),
                   key=lambda p: p.relative_to(root).as_posix())
    if not files:
        raise CorpusError("folder holds no .txt or .md documents", path=root,
                          allowed=", ".join(TEXT_SUFFIXES))
    records = []
    for path in _progress(files, progress, "load"):
        rec = read_text_file(path, encoding=encoding, allow_empty=allow_empty)
        rec["path"] = path.relative_to(root).as_posix()
        rec["_rel_id"] = _relative_id(path, root)
        records.append(rec)
    sidecar_path = next((root / n for n in SIDECAR_NAMES if (root / n).is_file()), None)
    if sidecar_path is not None:
        _join_sidecar(records, _read_sidecar(sidecar_path), sidecar_path, strict_metadata)
    for rec in records:
        if _missing(rec.get("doc_id")):
            rec["doc_id"] = rec["_rel_id"]
        rec["doc_id"] = str(rec["doc_id"])
        del rec["_rel_id"]
    return records


def _missing(value) -> bool:
    return value is None or value == "" or (isinstance(value, float) and pd.isna(value))


def _progress(items, enabled: bool, desc: str):
    if not enabled:
        return items
    from tqdm.auto import tqdm
    return tqdm(items, desc=desc, unit="doc")


def _table_records(path: Path, *, text_column, id_column, encoding) -> list[dict]:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise CorpusError(f"cannot read Parquet: {exc}", path=path) from None
        rows = frame.to_dict("records")
        where = [f"row {i + 1}" for i in range(len(rows))]
    elif suffix in (".jsonl", ".ndjson"):
        text = _decode(path.read_bytes(), path, encoding)
        rows, where = [], []
        for lineno, line in enumerate(text.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise CorpusError(f"line is not valid JSON: {exc.msg} at column {exc.colno}",
                                  path=path, record=f"line {lineno}") from None
            if not isinstance(obj, dict):
                raise CorpusError("each JSON line must be an object", path=path,
                                  record=f"line {lineno}", value=type(obj).__name__)
            rows.append(obj)
            where.append(f"line {lineno}")
    else:
        text = _decode(path.read_bytes(), path, encoding)
        delimiter = "\t" if suffix == ".tsv" else ","
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
            rows = list(reader)
        except csv.Error as exc:
            raise CorpusError(f"not valid {'TSV' if delimiter == chr(9) else 'CSV'}: {exc}",
                              path=path) from None
        fields = reader.fieldnames or []
        duplicated = sorted({f for f in fields if fields.count(f) > 1})
        if duplicated:
            raise CorpusError("table header repeats column names", path=path, value=duplicated)
        for i, rec in enumerate(rows):
            if None in rec:
                raise CorpusError(f"row has more fields than the header ({len(fields)})",
                                  path=path, record=f"row {i + 2}", value=rec[None])
        if text_column not in fields:
            raise CorpusError(f"table has no text column {text_column!r}", path=path,
                              value=fields, allowed="pass text_column= naming one of these columns")
        where = [f"row {i + 2}" for i in range(len(rows))]  # row 1 is the header
    records = []
    for rec, place in zip(rows, where):
        if text_column not in rec:
            raise CorpusError(f"record has no text column {text_column!r}", path=path, record=place,
                              value=sorted(rec), allowed="pass text_column= naming the text field")
        body = rec.pop(text_column)
        if body is None or (isinstance(body, float) and pd.isna(body)):
            body = ""
        if not isinstance(body, str):
            raise CorpusError("text must be a string", path=path, record=place,
                              value=type(body).__name__)
        body = body.replace("\r\n", "\n").replace("\r", "\n")
        doc_id = rec.pop(id_column, None)
        if id_column != "doc_id" and "doc_id" in rec:
            raise CorpusError(f"record has both the id column {id_column!r} and a 'doc_id' column",
                              path=path, record=place, allowed="one id column")
        out = {str(k): _scalar(v) for k, v in rec.items()}
        for col in RESERVED:
            if col in out:
                raise CorpusError(f"record may not set the reserved column {col!r}", path=path,
                                  record=place)
        out["doc_id"] = place.replace(" ", "-") if _missing(doc_id) else str(doc_id)
        out["text"] = body
        out["sha256"] = hashlib.sha256(body.encode("utf-8")).hexdigest()
        out["path"] = f"{path.name}#{place}"
        records.append(out)
    return records


def load_corpus(path: str | Path, *, text_column: str = "text", id_column: str = "doc_id",
                encoding: str | None = None, allow_empty: bool = False,
                strict_metadata: bool = True, progress: bool = False) -> pd.DataFrame:
    """Load documents from a folder or a table file into the docs table.

    Parameters
    ----------
    path : folder of .txt/.md files (with optional ``metadata.csv``), one text file,
        or a .csv/.tsv/.jsonl/.ndjson/.parquet table.
    text_column, id_column : field names of the text and the document id in table input.
    encoding : None reads strict UTF-8 (BOM allowed) and raises ``EncodingError`` on other bytes;
        any Python codec name reads that encoding instead.
    allow_empty : keep empty documents (or ones with only front matter) instead of raising.
    strict_metadata : raise when sidecar rows and files do not match one to one; False only warns.
    progress : show a progress bar while reading files.

    Returns
    -------
    DataFrame with ``doc_id`` (unique), the metadata columns, ``path``, ``text`` and ``sha256``,
    in file order (folders: sorted relative paths; tables: record order).
    """
    path = Path(path)
    if not path.exists():
        raise CorpusError("path does not exist", path=path,
                          allowed="a folder of .txt/.md files or a .csv/.tsv/.jsonl/.parquet file")
    if path.is_dir():
        records = _load_folder(path, encoding=encoding, allow_empty=allow_empty,
                               strict_metadata=strict_metadata, progress=progress)
    elif path.suffix.lower() in TEXT_SUFFIXES:
        rec = read_text_file(path, encoding=encoding, allow_empty=allow_empty)
        rec.setdefault("doc_id", path.stem)
        rec["path"] = path.name
        records = [rec]
    elif path.suffix.lower() in TABLE_SUFFIXES:
        records = _table_records(path, text_column=text_column, id_column=id_column,
                                 encoding=encoding)
        if not records:
            raise CorpusError("table holds no records", path=path)
        if not allow_empty:
            for rec in records:
                if not rec["text"].strip():
                    raise EmptyDocumentError("document has no text; pass allow_empty=True to keep it",
                                             path=path, record=rec["path"].split("#", 1)[1])
    else:
        raise CorpusError("unsupported file type", path=path, value=path.suffix,
                          allowed=", ".join(TEXT_SUFFIXES + TABLE_SUFFIXES) + " or a folder")
    _check_unique(records, path)
    return _to_frame(records)


def _check_unique(records: Iterable[dict], source: Path) -> None:
    seen: dict[str, str] = {}
    for rec in records:
        if rec["doc_id"] in seen:
            raise MetadataError("duplicate doc_id", path=source,
                                record=f"{seen[rec['doc_id']]} and {rec['path']}",
                                value=rec["doc_id"], allowed="unique doc_id values")
        seen[rec["doc_id"]] = rec["path"]


def _to_frame(records: list[dict]) -> pd.DataFrame:
    meta_cols: list[str] = []
    for rec in records:
        for key in rec:
            if key not in meta_cols and key not in ("doc_id", "path", "text", "sha256"):
                meta_cols.append(key)
    columns = ["doc_id", *meta_cols, "path", "text", "sha256"]
    frame = pd.DataFrame.from_records(records, columns=columns)
    for col in ("doc_id", "path", "text", "sha256"):
        frame[col] = frame[col].astype(object)
    return frame.reset_index(drop=True)
