"""KWIC and the highlighted view work inside an executed notebook, with corpus HTML escaped."""
from __future__ import annotations

import json

import pytest

from conftest import ROOT

papermill = pytest.importorskip("papermill")


@pytest.mark.slow
def test_explorer_notebook_renders_escaped_evidence(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "article.md").write_text(
        "---\ngenre: news\n---\nThe Kremlin said the talks may resume.\n"
        "Reader wrote: <script>alert('pwned')</script> it may fail.\n", encoding="utf-8")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(str(ROOT / "notebooks" / "03_explorer.ipynb"), str(out),
                               parameters={"corpus": str(corpus), "term": "may", "window": 4},
                               cwd=str(ROOT / "notebooks"), progress_bar=False, kernel_name="python3")
    cells = json.loads(out.read_text())["cells"]
    html_outputs = [o["data"]["text/html"] for c in cells if c["cell_type"] == "code"
                    for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    joined = "".join("".join(h) if isinstance(h, list) else h for h in html_outputs)
    assert "dk-kwic" in joined and "dk-document" in joined
    assert "<script>alert" not in joined
    assert "&lt;script&gt;alert(&#x27;pwned&#x27;)&lt;/script&gt;" in joined
    assert joined.count("<mark") >= 2  # both "may" lines in the term concordance
