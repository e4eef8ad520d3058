"""Benchmark: every stage of the kit's pipeline, the whole pipeline, and a naive NLTK pipeline.

Run on demand (asserts nothing; not a pytest test):

    .venv/bin/python benchmarks/benchmark.py
    .venv/bin/python benchmarks/benchmark.py --scale-mb 1000 --naive-mb 20
    .venv/bin/python benchmarks/benchmark.py --corpus path/to/corpus --repeat 3 --json bench.json

What it measures, for the base corpus (default: the two folders of ../shared/corpus-sources/,
loaded with ``analysis.load_corpus`` and concatenated) and, with ``--scale-mb N``, for a scaled
copy of about N MB (the base documents repeated with doc_ids ``<doc_id>#<k>``, generated lazily in
chunks of ``--chunk-mb`` so memory stays bounded; each stage is run chunk by chunk and the times
summed):

* size: MB of text (UTF-8 bytes / 1e6) and documents;
* each stage separately, in seconds, MB/s and documents/s: load (base only), voices
  (``extract_attributions`` + ``segment_documents``), sentences (``sentences_table``), tokens
  (``tokens_table``), every measure of ``analysis.MEASURES`` on its own (``match_measures``) and
  sentiment (``score_sentences``);
* the whole pipeline, ``analysis.analyze(docs)``, timed separately (with its default workers);
  if ``analyze`` has a ``jobs`` parameter (found with ``inspect.signature``) also with jobs=1 and
  jobs=2 (per-core MB/s = MB/s / jobs), and with every other ``engine=`` it lists (an engine whose
  extra is not installed is reported as not available);
* the peak RSS of the process (``ru_maxrss``: the peak so far, so the scaled figure includes the
  base run) and of the largest child process (``RUSAGE_CHILDREN``; forked workers count the pages
  they share with this process);
* side by side, a NAIVE NLTK pipeline written here: untrained ``PunktSentenceTokenizer()``,
  ``word_tokenize(sentence, preserve_line=True)``, NLTK's VADER per sentence and one compiled
  ``\\b...\\b`` regex per lexicon form counted over every lowercased sentence; its parts and total,
  and the speed ratio ours/naive on the same text.

The naive pipeline runs on the whole base corpus, or with ``--naive-mb N`` on the first N MB (of
the scaled copy when there is one). It runs document by document and stops once
``--naive-budget`` seconds (default 300) are spent, reporting the prefix it covered; the "same
text" ratio then times ``analyze`` on exactly that prefix. ``--naive-budget 0`` removes the limit.
With ``--scale-mb 1000 --naive-mb 20`` the naive part alone needs about 8 minutes (its regex
counting runs at ~0.05 MB/s), so the default budget stops it near 13 MB; add ``--naive-budget 0``
for all 20 MB. The scaled copy repeats the same documents, so a cache keyed by text would be
faster on it than on 1000 MB of distinct text. The kit's text caches (the sentence memo and the
VADER sentence cache) live for one chunk only, and the default chunk (2 MB) is smaller than the
base corpus (2.24 MB), so no chunk holds a document twice and no cache sees a text again.

All timings are best of ``--repeat`` (default 1). One-off setup (model and lexicon loading) is
warmed up before timing, and the kit's in-process sentence cache is emptied before every timed
call, so no stage profits from an earlier one or an earlier repeat.
"""
from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import platform
import re
import resource
import sys
import time
import typing
from importlib import metadata
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parents[1]
FOLDERS = ("ru_ua_war_2022", "us_ru_ua_talks_2025_whitehouse")
DEFAULT_CORPORA = [REPO.parent / "shared" / "corpus-sources" / f for f in FOLDERS]
LEXICONS = ("frames", "hedges", "boosters", "reporting_verbs")


# --------------------------------------------------------------------------- helpers

def nbytes(texts) -> int:
    return sum(len(t.encode("utf-8")) for t in texts)


def peak_rss_mb() -> dict:
    """Peak resident set size so far (Linux reports ru_maxrss in KB)."""
    scale = 1e3 if sys.platform != "darwin" else 1e6  # macOS reports bytes
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    return {"self_mb": round(own, 1), "children_mb": round(children, 1)}


def clear_caches() -> None:
    """Empty the kit's in-process memo caches (the fast VADER sentence cache), so that a timed
    run is not sped up by an earlier stage or run over the same sentences (worker processes are
    forked from this one and would inherit a warm cache)."""
    try:
        from analysis.vader_fast import fast_vader
    except ImportError:
        return
    scorer = fast_vader()
    if hasattr(scorer, "cache_clear"):
        scorer.cache_clear()


def best_of(repeat: int, fn):
    """(best seconds, result of the last run), each run starting with empty caches."""
    best, result = float("inf"), None
    for _ in range(repeat):
        clear_caches()
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def figures(seconds: float, mb: float, docs: int) -> dict:
    return {"seconds": round(seconds, 4), "mb": round(mb, 4), "documents": docs,
            "mb_per_s": round(mb / seconds, 4) if seconds > 0 else None,
            "docs_per_s": round(docs / seconds, 2) if seconds > 0 else None}


def load_base(paths: list[Path]) -> pd.DataFrame:
    import analysis
    return pd.concat([analysis.load_corpus(p) for p in paths], ignore_index=True)


def scaled_chunks(base: pd.DataFrame, target_mb: float, chunk_mb: float):
    """Yield docs tables of about ``chunk_mb`` each, together about ``target_mb`` of text: the base
    documents repeated, copy k with doc_id ``<doc_id>#<k>``. Nothing but one chunk is held."""
    sizes = [len(t.encode("utf-8")) for t in base["text"]]
    ids = base["doc_id"].astype(str).tolist()
    target, chunk = target_mb * 1e6, chunk_mb * 1e6
    total, k = 0, 0
    rows, new_ids, size = [], [], 0
    while total < target:
        for i, n in enumerate(sizes):
            if total >= target:
                break
            rows.append(i)
            new_ids.append(f"{ids[i]}#{k}")
            size += n
            total += n
            if size >= chunk:
                yield _chunk(base, rows, new_ids)
                rows, new_ids, size = [], [], 0
        k += 1
    if rows:
        yield _chunk(base, rows, new_ids)


def _chunk(base: pd.DataFrame, rows: list[int], ids: list[str]) -> pd.DataFrame:
    frame = base.iloc[rows].reset_index(drop=True)
    frame["doc_id"] = ids
    return frame


def prefix_chunks(chunks, limit_mb: float | None):
    """The documents of ``chunks`` up to about ``limit_mb`` (whole documents; None = all)."""
    total = 0
    for frame in chunks:
        if limit_mb is None:
            yield frame
            continue
        if total >= limit_mb * 1e6:
            return
        sizes = [len(t.encode("utf-8")) for t in frame["text"]]
        keep = 0
        for n in sizes:
            if total >= limit_mb * 1e6:
                break
            total += n
            keep += 1
        yield frame.iloc[:keep].reset_index(drop=True)


# --------------------------------------------------------------------------- our pipeline

def stage_names() -> list[str]:
    import analysis
    return (["voices", "sentences", "tokens"] + [f"measure:{m}" for m in analysis.MEASURES]
            + ["sentiment"])


def time_stages(docs: pd.DataFrame, repeat: int) -> dict[str, float]:
    """Seconds of every stage on one docs table (each stage fed by the previous one)."""
    import analysis
    from analysis.attribution import extract_attributions
    from analysis.measures import match_measures
    from analysis.sentiment import score_sentences
    from analysis.voices import segment_documents

    out, hits = {}, {}
    out["voices"], segments = best_of(repeat, lambda: segment_documents(
        docs, extract_attributions(docs)))
    out["sentences"], sentences = best_of(repeat, lambda: analysis.sentences_table(docs, segments))
    out["tokens"], tokens = best_of(repeat, lambda: analysis.tokens_table(docs, sentences))
    for name in analysis.MEASURES:
        out[f"measure:{name}"], matches = best_of(repeat, lambda: match_measures(
            docs, sentences, tokens, measures=[name], segments=segments))
        hits[name] = len(matches)
    out["sentiment"], _ = best_of(repeat, lambda: score_sentences(sentences))
    out["_counts"] = {"sentences": len(sentences), "tokens": len(tokens), "hits": hits}
    return out


def parallel_variants() -> tuple[list[tuple[str, dict]], str]:
    """Extra analyze() keyword settings to time, from its signature, and a note."""
    import analysis
    params = inspect.signature(analysis.analyze).parameters
    variants, notes = [], []
    if "jobs" in params:
        variants += [("jobs=1", {"jobs": 1}), ("jobs=2", {"jobs": 2})]
    else:
        notes.append("analyze() has no jobs parameter")
    if "engine" in params:
        default = params["engine"].default
        try:
            hint = typing.get_type_hints(analysis.analyze).get("engine")
        except Exception:  # noqa: BLE001 - unresolvable annotations: fall back below
            hint = None
        choices = [c for c in typing.get_args(hint) if isinstance(c, str)] \
            if typing.get_origin(hint) is typing.Literal else []
        if not choices:
            try:
                from analysis.engine import ENGINES
                choices = list(ENGINES)
            except ImportError:
                notes.append("analyze() has an engine parameter without listed choices")
        jobs = {"jobs": 2} if "jobs" in params else {}
        variants += [(f"engine={c!r}" + (", jobs=2" if jobs else ""), {"engine": c, **jobs})
                     for c in choices if c != default]
    else:
        notes.append("analyze() has no engine parameter")
    return variants, "; ".join(notes)


def default_jobs(docs: pd.DataFrame) -> int | None:
    """Workers analyze() uses by default for ``docs``, when the kit says."""
    try:
        from analysis.engine import default_jobs as kit_default
    except ImportError:
        return None
    return kit_default(docs)


def time_analyze(chunks, repeat: int, **kwargs) -> tuple[float, float, int]:
    """Summed seconds of analyze() over chunks, with their MB and documents."""
    import analysis
    seconds, mb, docs = 0.0, 0.0, 0
    for frame in chunks:
        t, _ = best_of(repeat, lambda: analysis.analyze(frame, **kwargs))
        seconds += t
        mb += nbytes(frame["text"]) / 1e6
        docs += len(frame)
    return seconds, mb, docs


def warm_up(docs: pd.DataFrame) -> None:
    """Load models and lexicons once so that one-off setup is not charged to the first stage."""
    import analysis
    analysis.analyze(docs.iloc[:1].reset_index(drop=True))


# --------------------------------------------------------------------------- naive pipeline

class NaivePipeline:
    """Punkt (untrained) + word_tokenize + one regex per lexicon form + NLTK VADER per sentence."""

    def __init__(self) -> None:
        t0 = time.perf_counter()
        from nltk.tokenize import word_tokenize
        from nltk.tokenize.punkt import PunktSentenceTokenizer
        self.punkt = PunktSentenceTokenizer()
        self.word_tokenize = word_tokenize
        self.vader = self._vader()
        self.patterns = self._patterns()
        word_tokenize("Warm up, please.", preserve_line=True)
        self.setup_seconds = time.perf_counter() - t0

    @staticmethod
    def _vader():
        # NLTK's scorer with vaderSentiment's lexicon, the kit's reference analyzer.
        from analysis.sentiment import vader_analyzer
        return vader_analyzer()

    @staticmethod
    def _patterns() -> list[tuple[str, re.Pattern]]:
        from analysis.lexicon import bundled_lexicon
        out = []
        for name in LEXICONS:
            lexicon = bundled_lexicon(name)
            for entry in lexicon.entries:
                for form in entry.forms:
                    body = " ".join(re.escape(w[:-1]) + r"\w*" if w.endswith("*") else re.escape(w)
                                    for w in form)
                    out.append((lexicon.measure, re.compile(r"\b" + body + r"\b", re.I)))
        return out

    def run_document(self, text: str, times: dict, counts: dict) -> None:
        t0 = time.perf_counter()
        sentences = self.punkt.tokenize(text)
        t1 = time.perf_counter()
        words = [self.word_tokenize(s, preserve_line=True) for s in sentences]
        t2 = time.perf_counter()
        hits = counts["hits"]
        for s in sentences:
            low = s.lower()
            for measure, rx in self.patterns:
                n = len(rx.findall(low))
                if n:
                    hits[measure] = hits.get(measure, 0) + n
        t3 = time.perf_counter()
        for s in sentences:
            self.vader.polarity_scores(s)
        t4 = time.perf_counter()
        times["sentences"] += t1 - t0
        times["words"] += t2 - t1
        times["counting"] += t3 - t2
        times["vader"] += t4 - t3
        counts["sentences"] += len(sentences)
        counts["tokens"] += sum(len(w) for w in words)

    def run(self, chunks, budget: float | None):
        """Run over the documents of ``chunks``; stop after ``budget`` seconds (None: no limit).

        Returns (times, counts, processed docs tables, stopped_early)."""
        times = dict.fromkeys(("sentences", "words", "counting", "vader"), 0.0)
        counts = {"sentences": 0, "tokens": 0, "hits": {}}
        done, stopped = [], False
        t_start = time.perf_counter()
        for frame in chunks:
            n = 0
            for text in frame["text"]:
                if budget is not None and time.perf_counter() - t_start > budget:
                    stopped = True
                    break
                self.run_document(text, times, counts)
                n += 1
            if n:
                done.append(frame.iloc[:n].reset_index(drop=True))
            if stopped:
                break
        times["total"] = sum(times.values())
        return times, counts, done, stopped


def naive_section(pipeline: NaivePipeline, chunks, budget, repeat, label: str,
                  requested_mb: float | None) -> dict:
    times, counts, done, stopped = pipeline.run(chunks, budget)
    for _ in range(repeat - 1):  # best of N on the same prefix
        again, _, _, _ = pipeline.run(done, None)
        times = {k: min(v, again[k]) for k, v in times.items()}
    mb = sum(nbytes(f["text"]) for f in done) / 1e6
    docs = sum(len(f) for f in done)
    parts = {k: figures(v, mb, docs) for k, v in times.items()}
    return {"label": label, "mb": round(mb, 4), "documents": docs,
            "requested_mb": requested_mb, "stopped_by_budget": stopped, "budget_s": budget,
            "setup_seconds": round(pipeline.setup_seconds, 3), "patterns": len(pipeline.patterns),
            "parts": parts, "counts": counts, "_done": done}


# --------------------------------------------------------------------------- one corpus

def bench_corpus(label: str, chunks_factory, *, repeat: int, load_seconds: float | None,
                 naive: NaivePipeline | None, naive_mb: float | None,
                 naive_budget: float | None) -> dict:
    """All figures of one corpus given as a factory of docs-table chunks."""
    names = stage_names()
    seconds = dict.fromkeys(names, 0.0)
    mb, docs, n_sent, n_tok, hits = 0.0, 0, 0, 0, {}
    n_chunks = 0
    for frame in chunks_factory():
        stage = time_stages(frame, repeat)
        counts = stage.pop("_counts")
        for k, v in stage.items():
            seconds[k] += v
        mb += nbytes(frame["text"]) / 1e6
        docs += len(frame)
        n_sent += counts["sentences"]
        n_tok += counts["tokens"]
        for k, v in counts["hits"].items():
            hits[k] = hits.get(k, 0) + v
        n_chunks += 1
        del frame, stage
    result = {"label": label, "mb": round(mb, 4), "documents": docs, "chunks": n_chunks,
              "sentences": n_sent, "tokens": n_tok, "hits": hits, "stages": {}}
    if load_seconds is not None:
        result["stages"]["load"] = figures(load_seconds, mb, docs)
    for k in names:
        result["stages"][k] = figures(seconds[k], mb, docs)
    result["stages_total"] = figures(sum(seconds.values()), mb, docs)

    t, _, _ = time_analyze(chunks_factory(), repeat)
    result["pipeline"] = figures(t, mb, docs)
    first = next(iter(chunks_factory()))
    result["pipeline"]["default_jobs_per_call"] = default_jobs(first)
    del first
    variants, note = parallel_variants()
    result["parallel_note"] = note
    result["parallel"] = {}
    for name, kwargs in variants:
        try:
            tv, _, _ = time_analyze(chunks_factory(), repeat, **kwargs)
        except Exception as exc:  # noqa: BLE001 - e.g. an engine whose extra is not installed
            result["parallel"][name] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        fig = figures(tv, mb, docs)
        jobs = kwargs.get("jobs", 1)
        fig["jobs"] = jobs
        fig["per_core_mb_per_s"] = round(fig["mb_per_s"] / jobs, 4) if fig["mb_per_s"] else None
        result["parallel"][name] = fig

    if naive is not None:
        section = naive_section(naive, prefix_chunks(chunks_factory(), naive_mb), naive_budget,
                                repeat, label, naive_mb)
        done = section.pop("_done")
        same_text = not section["stopped_by_budget"] and section["documents"] == docs
        if same_text:
            ours_t = t
        else:
            ours_t, _, _ = time_analyze(done, repeat)
        naive_total = section["parts"]["total"]["seconds"]
        section["ours_same_text"] = figures(ours_t, section["mb"], section["documents"])
        section["ratio_total"] = round(naive_total / ours_t, 3) if ours_t else None
        # The naive pipeline uses one core: also compare with analyze(jobs=1) when it exists.
        if "jobs=1" in result["parallel"] and "error" not in result["parallel"]["jobs=1"]:
            one_t = (result["parallel"]["jobs=1"]["seconds"] if same_text else
                     time_analyze(done, repeat, jobs=1)[0])
            section["ours_same_text_jobs1"] = figures(one_t, section["mb"], section["documents"])
            section["ratio_total_jobs1"] = round(naive_total / one_t, 3) if one_t else None
        del done
        # Throughput ratios stage vs part (MB/s ours / MB/s naive; texts may differ in size).
        measures_s = sum(seconds[k] for k in names if k.startswith("measure:"))
        pairs = {"sentences": (seconds["sentences"], "sentences"),
                 "tokens": (seconds["tokens"], "words"),
                 "measures": (measures_s, "counting"),
                 "sentiment": (seconds["sentiment"], "vader")}
        section["ratio_parts"] = {}
        for ours_name, (ours_s, naive_name) in pairs.items():
            ours_rate = mb / ours_s if ours_s else None
            naive_rate = section["parts"][naive_name]["mb_per_s"]
            section["ratio_parts"][f"{ours_name} vs {naive_name}"] = (
                round(ours_rate / naive_rate, 3) if ours_rate and naive_rate else None)
        result["naive"] = section
    else:
        result["naive"] = None
    result["peak_rss"] = peak_rss_mb()
    return result


# --------------------------------------------------------------------------- printing

def print_corpus(r: dict) -> None:
    print()
    head = f"== {r['label']}: {r['mb']:.2f} MB of text, {r['documents']:,} documents"
    if r["chunks"] > 1:
        head += f" (in {r['chunks']} chunks)"
    print(head + f", {r['sentences']:,} sentences, {r['tokens']:,} tokens")
    print(f"  our hits per measure: {r['hits']}")
    print(f"{'stage':34s} {'seconds':>9s} {'MB/s':>9s} {'docs/s':>10s}")
    for name, f in r["stages"].items():
        print(f"  {name:32s} {f['seconds']:9.3f} {f['mb_per_s']:9.3f} {f['docs_per_s']:10.1f}")
    f = r["stages_total"]
    print(f"  {'sum of stages (without load)':32s} {f['seconds']:9.3f} {f['mb_per_s']:9.3f} "
          f"{f['docs_per_s']:10.1f}")
    f = r["pipeline"]
    jobs = f.get("default_jobs_per_call")
    print(f"  {'whole pipeline: analyze(docs)':32s} {f['seconds']:9.3f} {f['mb_per_s']:9.3f} "
          f"{f['docs_per_s']:10.1f}" + (f"   (default jobs={jobs})" if jobs else ""))
    for name, f in r["parallel"].items():
        if "error" in f:
            print(f"  {'analyze(' + name + ')':32s} not available: {f['error']}")
            continue
        print(f"  {'analyze(' + name + ')':32s} {f['seconds']:9.3f} {f['mb_per_s']:9.3f} "
              f"{f['docs_per_s']:10.1f}   per core {f['per_core_mb_per_s']:.3f} MB/s")
    if r["parallel_note"]:
        print(f"  ({r['parallel_note']})")
    n = r["naive"]
    if n is not None:
        scope = f"{n['mb']:.2f} MB, {n['documents']:,} documents"
        if n["stopped_by_budget"]:
            scope += (f" -- PREFIX: stopped after the {n['budget_s']:.0f} s budget"
                      + (f" (requested {n['requested_mb']} MB)" if n["requested_mb"] else
                         f" (of {r['mb']:.2f} MB)"))
        elif n["requested_mb"] is not None:
            scope += f" (first {n['requested_mb']} MB requested)"
        print(f"  naive NLTK pipeline on {scope}:")
        print(f"    {'setup (' + str(n['patterns']) + ' regexes, VADER)':30s} "
              f"{n['setup_seconds']:9.3f}")
        labels = {"sentences": "sentences (PunktSentenceTokenizer)",
                  "words": "words (word_tokenize)", "counting": "counting (one regex per form)",
                  "vader": "VADER per sentence", "total": "naive total"}
        for key, f in n["parts"].items():
            print(f"    {labels[key]:30s} {f['seconds']:9.3f} {f['mb_per_s']:9.3f} "
                  f"{f['docs_per_s']:10.1f}")
        f = n["ours_same_text"]
        print(f"    {'ours analyze() on same text':30s} {f['seconds']:9.3f} {f['mb_per_s']:9.3f} "
              f"{f['docs_per_s']:10.1f}")
        if "ours_same_text_jobs1" in n:
            f = n["ours_same_text_jobs1"]
            print(f"    {'ours analyze(jobs=1) same text':30s} {f['seconds']:9.3f} "
                  f"{f['mb_per_s']:9.3f} {f['docs_per_s']:10.1f}")
        line = f"  speed ratio ours/naive on the same text: {n['ratio_total']:.2f}x (default jobs)"
        if "ratio_total_jobs1" in n:
            line += f", {n['ratio_total_jobs1']:.2f}x single core (jobs=1)"
        print(line + "; >1 means ours is faster")
        parts = ", ".join(f"{k} {v:.2f}x" for k, v in n["ratio_parts"].items() if v)
        print(f"  per-part throughput ratio, single-core stages (ours MB/s / naive MB/s): {parts}")
        c = n["counts"]
        print(f"  naive counts: {c['sentences']:,} sentences, {c['tokens']:,} word tokens "
              f"(incl. punctuation), hits {c['hits']}")
    p = r["peak_rss"]
    print(f"  peak RSS so far: {p['self_mb']:.0f} MB (self), {p['children_mb']:.0f} MB "
          f"(largest child process)")


# --------------------------------------------------------------------------- main

def stream_only(base: pd.DataFrame, args, env: dict) -> dict:
    """The whole pipeline over a scaled copy into a Parquet store, with bounded memory."""
    import tempfile
    from analysis.stream import analyze_stream
    store = Path(tempfile.mkdtemp(prefix="dk-bench-")) / "store"
    start = time.perf_counter()
    summary = analyze_stream(scaled_chunks(base, args.stream_mb, args.chunk_mb), store,
                             jobs=args.jobs, progress=sys.stderr.isatty())
    seconds = time.perf_counter() - start
    mb = summary["characters"] / 1e6  # characters; the base corpus is nearly all ASCII
    rss = peak_rss_mb()
    out = {"environment": env, "stream": {
        "mb": mb, "documents": summary["documents"], "seconds": seconds,
        "mb_per_s": mb / seconds, "mb_per_s_per_core": mb / seconds / args.jobs,
        "docs_per_s": summary["documents"] / seconds, "jobs": args.jobs,
        "tokens": summary["tokens"], "sentences": summary["sentences"],
        "hits": summary["hits"], "peak_rss": rss, "store": str(store)}}
    f = out["stream"]
    print(f"streaming store: {f['mb']:.1f} MB, {f['documents']} documents in {seconds:.1f} s: "
          f"{f['mb_per_s']:.2f} MB/s ({f['mb_per_s_per_core']:.2f} per core, {args.jobs} "
          f"workers), {f['docs_per_s']:.1f} documents/s")
    print(f"peak RSS: {rss['self_mb']:.0f} MB (main process), {rss['children_mb']:.0f} MB "
          f"(largest worker)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", type=Path,
                        help="corpus path for analysis.load_corpus (repeatable; default the "
                             "two folders of ../shared/corpus-sources)")
    parser.add_argument("--scale-mb", type=float, default=0,
                        help="also benchmark a scaled copy of about N MB (default 0: none)")
    parser.add_argument("--chunk-mb", type=float, default=2,
                        help="size of the chunks the scaled copy is built and run in (default 2: "
                             "below the base corpus size, so no chunk repeats a document)")
    parser.add_argument("--naive-mb", type=float, default=None,
                        help="run the naive pipeline on the first N MB (of the scaled copy when "
                             "there is one; default the whole base corpus)")
    parser.add_argument("--naive-budget", type=float, default=300,
                        help="stop the naive pipeline after this many seconds and report the "
                             "prefix it covered (default 300; 0 = no limit)")
    parser.add_argument("--stream-mb", type=float, default=0,
                        help="run only the streaming store (analysis.stream.analyze_stream) over "
                             "a scaled copy of about N MB, e.g. 1000, reporting MB/s and peak RSS "
                             "(the per-stage tables are skipped)")
    parser.add_argument("--jobs", type=int, default=2, help="workers for --stream-mb (default 2)")
    parser.add_argument("--json", type=Path, help="write all figures to this JSON file")
    parser.add_argument("--repeat", type=int, default=1, help="best of N (default 1)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be >= 1")
    paths = args.corpus or DEFAULT_CORPORA
    for p in paths:
        if not p.exists():
            parser.error(f"corpus not found: {p}")
    budget = args.naive_budget or None

    import analysis
    # platform.platform() would fork a subprocess and inflate RUSAGE_CHILDREN.
    env = {"python": platform.python_version(),
           "platform": f"{platform.system()} {platform.release()} {platform.machine()}",
           "cpus": os.cpu_count(), "analysis": analysis.__version__,
           "nltk": metadata.version("nltk"), "pandas": pd.__version__,
           "corpora": [str(p) for p in paths], "repeat": args.repeat,
           "scale_mb": args.scale_mb, "chunk_mb": args.chunk_mb, "naive_mb": args.naive_mb,
           "naive_budget_s": budget}
    print(f"discourse-kit benchmark: analysis {env['analysis']}, Python {env['python']}, "
          f"nltk {env['nltk']}, {env['cpus']} CPUs, best of {args.repeat}")

    load_s, base = best_of(args.repeat, lambda: load_base(paths))
    if args.stream_mb:
        return stream_only(base, args, env)
    warm_up(base)
    naive = NaivePipeline()
    out = {"environment": env}

    base_naive_mb = args.naive_mb if not args.scale_mb else None
    out["base"] = bench_corpus("base corpus", lambda: iter([base]), repeat=args.repeat,
                               load_seconds=load_s, naive=naive, naive_mb=base_naive_mb,
                               naive_budget=budget)
    print_corpus(out["base"])

    if args.scale_mb:
        factory = lambda: scaled_chunks(base, args.scale_mb, args.chunk_mb)  # noqa: E731
        run_naive = args.naive_mb is not None
        out["scaled"] = bench_corpus(
            f"scaled copy (~{args.scale_mb:g} MB, load not timed)", factory, repeat=args.repeat,
            load_seconds=None, naive=naive if run_naive else None, naive_mb=args.naive_mb,
            naive_budget=budget)
        print_corpus(out["scaled"])
        if not run_naive:
            print("  (naive pipeline not run on the scaled copy: give --naive-mb N)")

    out["peak_rss"] = peak_rss_mb()
    print(f"\npeak RSS of the run: {out['peak_rss']['self_mb']:.0f} MB (self), "
          f"{out['peak_rss']['children_mb']:.0f} MB (children)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return out


if __name__ == "__main__":
    main()
