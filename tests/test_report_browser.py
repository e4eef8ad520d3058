"""The HTML report in headless Chromium: renders, no console errors, figures load, corpus
text (a planted <script> in a reader comment) shows as text and never runs."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analysis.batch import plan_runs, run_batch

pytestmark = pytest.mark.slow
CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser",
                             shutil.which("chromium") or "") if p and Path(p).exists()), None)
PLANTED = "<script>window.__pwned = 1; alert('pwned')</script><img src=x onerror=\"window.__pwned=2\">"


@pytest.fixture(scope="module")
def report_html(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    (corpus / "article.md").write_text(
        "---\ngenre: news\ncomments_marker: \"## Comments\"\n---\n"
        "\u201cThe talks may resume soon,\u201d the Kremlin said. Officials clearly hope so.\n"
        "The White House said the call was useful.\n\n## Comments\n\n"
        f"Reader: {PLANTED} this may be a trick.\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("reports")
    specs = plan_runs(corpus, notebooks=["02_official_vs_commentary.ipynb"], out=out,
                      cli_parameters={"n_resamples": "200", "n_permutations": "200",
                                      "keyness_target": "official", "min_freq": "1"})
    assert run_batch(specs, progress=False)[specs[0].name] == "ran"
    return specs[0].target / "02_official_vs_commentary.html"


def test_report_html_escapes_the_planted_script(report_html):
    text = report_html.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in text and "<img src=x" not in text
    assert "&lt;script&gt;window.__pwned" in text and "&lt;img src=x" in text


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian package "
                    "'chromium'; .ci/run installs it)")
def test_report_renders_in_headless_chromium(report_html, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test extra")
    errors, dialogs = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            page = browser.new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(report_html.as_uri(), wait_until="load")
            images = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth])")
            pwned = page.evaluate("window.__pwned === undefined ? null : window.__pwned")
            body = page.inner_text("body")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=False)
        finally:
            browser.close()
    assert errors == [] and dialogs == []
    assert len(images) >= 8 and all(done and width > 0 for done, width in images)
    assert pwned is None
    assert "<script>window.__pwned = 1; alert('pwned')</script>" in body
    assert (tmp_path / "report.png").stat().st_size > 10_000
