"""Loading corpora into the docs table: formats, metadata, and the text kept byte-exact."""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from analysis import load_corpus


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_folder_with_front_matter_keeps_metadata_and_body(tmp_path):
    raw = b"---\ntitle: Talks\ndate: 2025-03-18\ngenre: news\n---\nFirst line.\nSecond line.\n"
    write(tmp_path / "a.md", raw)
    write(tmp_path / "sub" / "b.txt", "Plain text \u2014 no header.".encode())
    docs = load_corpus(tmp_path)
    assert list(docs["doc_id"]) == ["a", "sub/b"]
    a = docs.iloc[0]
    assert a["text"] == "First line.\nSecond line.\n"
    assert a["title"] == "Talks" and a["date"] == "2025-03-18" and a["genre"] == "news"
    assert a["sha256"] == hashlib.sha256(raw).hexdigest()
    assert pd.isna(docs.iloc[1]["title"])
    assert docs.iloc[1]["text"] == "Plain text \u2014 no header."


def test_front_matter_doc_id_overrides_path(tmp_path):
    write(tmp_path / "x.txt", b"---\ndoc_id: custom-1\n---\nBody.")
    assert load_corpus(tmp_path)["doc_id"].tolist() == ["custom-1"]


def test_bom_and_crlf_are_normalised_but_hash_is_of_raw_bytes(tmp_path):
    raw = b"\xef\xbb\xbfLine one.\r\nLine two.\rLine three."
    write(tmp_path / "bom.txt", raw)
    doc = load_corpus(tmp_path).iloc[0]
    assert doc["text"] == "Line one.\nLine two.\nLine three."
    assert doc["sha256"] == hashlib.sha256(raw).hexdigest()


def test_explicit_encoding_reads_cp1252(tmp_path):
    write(tmp_path / "w.txt", "Caf\u00e9 \u201cquoted\u201d".encode("cp1252"))
    assert load_corpus(tmp_path, encoding="cp1252").iloc[0]["text"] == "Caf\u00e9 \u201cquoted\u201d"


def test_sidecar_joins_by_doc_id(tmp_path):
    write(tmp_path / "one.txt", b"Text one.")
    write(tmp_path / "two.txt", b"Text two.")
    write(tmp_path / "metadata.csv", b"doc_id,kind,date\ntwo,commentary,2022-03-05\none,official,2022-02-21\n")
    docs = load_corpus(tmp_path)
    assert dict(zip(docs["doc_id"], docs["kind"])) == {"one": "official", "two": "commentary"}


def test_sidecar_joins_by_file_column(tmp_path):
    write(tmp_path / "d" / "one.txt", b"Text one.")
    write(tmp_path / "metadata.csv", b"file,outlet\nd/one.txt,RT\n")
    docs = load_corpus(tmp_path)
    assert docs["outlet"].tolist() == ["RT"] and docs["doc_id"].tolist() == ["d/one"]


def test_csv_tsv_jsonl_parquet_give_the_same_docs(tmp_path):
    rows = [{"doc_id": "a", "body": "Alpha text.", "genre": "news"},
            {"doc_id": "b", "body": "Beta, \"quoted\".\nNew line.", "genre": "op-ed"}]
    frame = pd.DataFrame(rows)
    frame.to_csv(tmp_path / "c.csv", index=False)
    frame.to_csv(tmp_path / "c.tsv", index=False, sep="\t")
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    frame.to_parquet(tmp_path / "c.parquet")
    for name in ("c.csv", "c.tsv", "c.jsonl", "c.parquet"):
        docs = load_corpus(tmp_path / name, text_column="body")
        assert docs["doc_id"].tolist() == ["a", "b"], name
        assert docs["text"].tolist() == ["Alpha text.", "Beta, \"quoted\".\nNew line."], name
        assert docs["genre"].tolist() == ["news", "op-ed"], name
        assert docs.iloc[0]["sha256"] == hashlib.sha256(b"Alpha text.").hexdigest()


def test_single_text_file(tmp_path):
    path = write(tmp_path / "solo.md", b"---\ngenre: op-ed\n---\nJust this.")
    docs = load_corpus(path)
    assert docs["doc_id"].tolist() == ["solo"] and docs["genre"].tolist() == ["op-ed"]


def test_empty_document_kept_on_request(tmp_path):
    write(tmp_path / "empty.txt", b"")
    write(tmp_path / "full.txt", b"Words.")
    docs = load_corpus(tmp_path, allow_empty=True)
    assert docs["text"].tolist() == ["", "Words."]


def test_fifty_megabyte_document_loads(tmp_path):
    paragraph = ("The Kremlin press service said the talks would continue. " * 20 + "\n")
    raw = (paragraph * (50_000_000 // len(paragraph) + 1)).encode()
    write(tmp_path / "huge.txt", raw)
    doc = load_corpus(tmp_path).iloc[0]
    assert len(doc["text"]) == len(raw) >= 50_000_000


def test_shared_corpora_load_with_all_metadata(corpus_sources):
    war = load_corpus(corpus_sources / "ru_ua_war_2022")
    talks = load_corpus(corpus_sources / "us_ru_ua_talks_2025_whitehouse")
    assert len(war) == 101 and len(talks) == 38  # counts stated in the folders' READMEs
    assert war["doc_id"].is_unique
    for col in ("title", "date", "source", "kind", "speaker", "licence", "url"):
        assert col in war.columns and war[col].notna().all(), col
    assert war["kind"].value_counts().to_dict() == {"official": 99, "commentary": 2}
    raw = (corpus_sources / "ru_ua_war_2022" / "kremlin_2022-02-21_001.txt").read_bytes()
    row = war.set_index("doc_id").loc["kremlin_2022-02-21_001"]
    assert row["sha256"] == hashlib.sha256(raw).hexdigest()
    assert row["text"] == raw.decode("utf-8").replace("\r\n", "\n")


def test_bundled_seed_matches_the_seed_file_and_has_front_matter(seed_docs):
    from conftest import SHARED
    doc = seed_docs.iloc[0]
    assert doc["outlet"] == "RT" and doc["date"] == "2025-03-18" and doc["genre"] == "news"
    seed_path = SHARED / "seed" / "putin-trump-call-article-with-comments.txt"
    if not seed_path.exists():
        pytest.skip(f"{seed_path} is not beside the clone")
    seed = seed_path.read_text(encoding="utf-8")
    article = seed[:seed.index("Ukraine does not have a President")]
    assert doc["text"].startswith(article)
    assert doc["text"].count("\n## Comments\n") == 1
    assert doc["text"].replace("\n## Comments\n\n", "").replace(
        "?\n\nLooking", "?\nLooking").rstrip("\n") == seed
