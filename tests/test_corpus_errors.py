"""Every bad input gets a typed error naming the file, the record and what is allowed."""
from __future__ import annotations

import pytest

from analysis import load_corpus
from analysis.errors import (CorpusError, EmptyDocumentError, EncodingError, MetadataError,
                             ParameterError)


def write(path, data: bytes):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_undecodable_bytes_name_file_and_offset(tmp_path):
    write(tmp_path / "ok.txt", b"fine")
    bad = write(tmp_path / "bad.txt", b"Caf\xe9 au lait")
    with pytest.raises(EncodingError) as err:
        load_corpus(tmp_path)
    assert str(bad) in str(err.value) and "byte offset 3" in str(err.value)
    assert "encoding=" in str(err.value)


def test_unknown_encoding_name_is_a_parameter_error(tmp_path):
    write(tmp_path / "a.txt", b"x")
    with pytest.raises(ParameterError, match="no-such-codec"):
        load_corpus(tmp_path, encoding="no-such-codec")


def test_empty_file_is_an_error_by_default(tmp_path):
    path = write(tmp_path / "empty.txt", b"  \n")
    with pytest.raises(EmptyDocumentError) as err:
        load_corpus(tmp_path)
    assert str(path) in str(err.value) and "allow_empty=True" in str(err.value)


def test_only_front_matter_is_an_error_by_default_and_kept_on_request(tmp_path):
    path = write(tmp_path / "fm.md", b"---\ntitle: Nothing here\n---\n")
    with pytest.raises(EmptyDocumentError, match="only front matter") as err:
        load_corpus(tmp_path)
    assert str(path) in str(err.value)
    docs = load_corpus(tmp_path, allow_empty=True)
    assert docs["text"].tolist() == [""] and docs["title"].tolist() == ["Nothing here"]


def test_broken_yaml_front_matter_names_file_and_line(tmp_path):
    path = write(tmp_path / "b.md", b"---\ntitle: ok\ndate: [unclosed\n---\nBody")
    with pytest.raises(MetadataError) as err:
        load_corpus(tmp_path)
    assert str(path) in str(err.value) and "line" in str(err.value)


def test_duplicate_doc_ids_name_both_files(tmp_path):
    write(tmp_path / "a.txt", b"---\ndoc_id: same\n---\nOne.")
    write(tmp_path / "b.txt", b"---\ndoc_id: same\n---\nTwo.")
    with pytest.raises(MetadataError) as err:
        load_corpus(tmp_path)
    msg = str(err.value)
    assert "duplicate doc_id" in msg and "a.txt" in msg and "b.txt" in msg and "'same'" in msg


def test_sidecar_rows_without_files_and_files_without_rows_are_listed(tmp_path):
    write(tmp_path / "one.txt", b"One.")
    write(tmp_path / "orphan.txt", b"No row.")
    write(tmp_path / "metadata.csv", b"doc_id,kind\none,official\nghost,official\n")
    with pytest.raises(MetadataError) as err:
        load_corpus(tmp_path)
    msg = str(err.value)
    assert "metadata.csv" in msg
    assert "row 3 (ghost)" in msg and "orphan.txt" in msg


def test_sidecar_mismatch_can_be_relaxed_without_losing_files(tmp_path, caplog):
    write(tmp_path / "one.txt", b"One.")
    write(tmp_path / "orphan.txt", b"No row.")
    write(tmp_path / "metadata.csv", b"doc_id,kind\none,official\nghost,official\n")
    docs = load_corpus(tmp_path, strict_metadata=False)
    assert sorted(docs["doc_id"]) == ["one", "orphan"]
    assert "ghost" in caplog.text and "orphan.txt" in caplog.text


def test_csv_without_text_column_lists_columns(tmp_path):
    path = write(tmp_path / "t.csv", b"doc_id,content\na,hello\n")
    with pytest.raises(CorpusError) as err:
        load_corpus(path)
    msg = str(err.value)
    assert str(path) in msg and "'text'" in msg and "content" in msg and "text_column=" in msg


def test_jsonl_bad_line_gives_line_number(tmp_path):
    path = write(tmp_path / "c.jsonl", b'{"text": "ok"}\n\n{"text": "fine"}\n{not json}\n')
    with pytest.raises(CorpusError) as err:
        load_corpus(path)
    assert str(path) in str(err.value) and "line 4" in str(err.value)


def test_missing_path(tmp_path):
    with pytest.raises(CorpusError, match="does not exist") as err:
        load_corpus(tmp_path / "nope")
    assert "nope" in str(err.value)


def test_unsupported_suffix(tmp_path):
    path = write(tmp_path / "x.docx", b"PK")
    with pytest.raises(CorpusError, match="unsupported file type"):
        load_corpus(path)


def test_empty_table_record_names_the_row(tmp_path):
    path = write(tmp_path / "t.csv", b"doc_id,text\na,hello\nb,\n")
    with pytest.raises(EmptyDocumentError, match="row 3"):
        load_corpus(path)


def test_null_doc_id_falls_back_to_the_path(tmp_path):
    write(tmp_path / "a.md", b"---\ndoc_id:\n---\nBody.")
    assert load_corpus(tmp_path)["doc_id"].tolist() == ["a"]


@pytest.mark.parametrize("name, data", [("e.jsonl", b""), ("e.csv", b"doc_id,text\n")])
def test_empty_table_is_an_error(tmp_path, name, data):
    with pytest.raises(CorpusError, match="no records"):
        load_corpus(write(tmp_path / name, data))


@pytest.mark.parametrize("data, needle", [
    (b"doc_id,text\nd1,hello,EXTRA\n", "row 2"),
    (b"doc_id,genre,text,genre\nd1,news,hello,opinion\n", "repeats"),
])
def test_malformed_csv_structure(tmp_path, data, needle):
    with pytest.raises(CorpusError, match=needle):
        load_corpus(write(tmp_path / "t.csv", data))


@pytest.mark.parametrize("files, error, needle", [
    ({"u.md": b"---\ntitle: x\nBody without closing"}, MetadataError, "never closed"),
    ({"l.md": b"---\n- a\n- b\n---\nBody"}, MetadataError, "mapping"),
    ({"a.md": b"---\n1: one\n'1': uno\n---\nBody."}, MetadataError, "same column"),
    ({"a.md": b"---\ndoc_id: alpha\n---\nBody.",
      "metadata.csv": b"file,doc_id,genre\na.md,beta,news\n"}, MetadataError, "disagrees"),
    ({"x/a.md": b"One.", "y/a.md": b"Two.", "metadata.csv": b"file,genre\na.md,news\n"},
     MetadataError, "several files"),
])
def test_malformed_metadata_in_a_folder(tmp_path, files, error, needle):
    for name, data in files.items():
        write(tmp_path / name, data)
    with pytest.raises(error, match=needle):
        load_corpus(tmp_path)
