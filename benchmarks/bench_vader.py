"""Benchmark: NLTK's VADER vs analysis.vader_fast.FastVader on every corpus-sources sentence.

Run on demand (asserts nothing):

    python benchmarks/bench_vader.py [path/to/corpus-sources] [--repeat N]

Prints sentences/s and MB/s (UTF-8 bytes of the sentences) for both scorers and the speed ratio.
FastVader is timed "cold" (a fresh instance per run: empty token memo and sentence cache, so only
repeats *within* the corpus hit the cache), without the sentence cache, and "warm" (a second pass
over the same sentences, everything cached) for reference. The headline ratio uses the cold run.
The batch scorer (score_many) is timed with its compiled twin when built and in pure Python.
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

FOLDERS = ("ru_ua_war_2022", "us_ru_ua_talks_2025_whitehouse")
DEFAULT = Path(__file__).resolve().parents[1].parent / "shared" / "corpus-sources"


def load_sentences(root: Path) -> list[str]:
    from analysis import load_corpus, sentences_table
    texts: list[str] = []
    for folder in FOLDERS:
        texts += sentences_table(load_corpus(root / folder))["text"].tolist()
    return texts


def best_of(repeat, run):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_sources", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=3, help="runs per scorer; best is kept")
    args = parser.parse_args(argv)

    from analysis.sentiment import vader_analyzer
    from analysis.vader_fast import FastVader

    texts = load_sentences(args.corpus_sources)
    n = len(texts)
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{n} sentences ({len(set(texts))} distinct), {mb:.2f} MB UTF-8, best of {args.repeat}")

    nltk_vader = vader_analyzer()
    nltk_vader.polarity_scores("warm up")
    t_nltk = best_of(args.repeat, lambda: [nltk_vader.polarity_scores(t) for t in texts])

    def cold(**kwargs):
        fast = FastVader.from_analyzer(nltk_vader, **kwargs)
        return lambda: [fast.polarity_scores(t) for t in texts]

    def fresh_run(**kwargs):
        # construction (lexicon parse) is excluded; each run starts with empty caches
        runs = []
        for _ in range(args.repeat):
            fn = cold(**kwargs)
            t0 = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - t0)
        return min(runs)

    t_cold = fresh_run()
    t_nocache = fresh_run(cache_size=0)
    warm = FastVader.from_analyzer(nltk_vader)
    warm.score_many(texts)
    t_warm = best_of(args.repeat, lambda: [warm.polarity_scores(t) for t in texts])
    fast_many = FastVader.from_analyzer(nltk_vader)
    t_many = best_of(1, lambda: fast_many.score_many(texts))
    # The batch path without its compiled twin (analysis/_native/vader.c): the Python reference.
    import analysis.vader_fast as vader_fast
    native, vader_fast._native_vader = vader_fast._native_vader, None
    try:
        fast_py = FastVader.from_analyzer(nltk_vader)
        t_many_py = best_of(1, lambda: fast_py.score_many(texts))
    finally:
        vader_fast._native_vader = native

    rows = [("NLTK SentimentIntensityAnalyzer", t_nltk),
            ("FastVader, cold (fresh instance)", t_cold),
            ("FastVader, no sentence cache", t_nocache),
            ("FastVader.score_many, cold" + (", compiled" if native else ""), t_many),
            ("FastVader.score_many, pure Python", t_many_py),
            ("FastVader, warm (all cached)", t_warm)]
    for name, t in rows:
        print(f"{name:34s} {t:8.3f} s {n / t:12,.0f} sentences/s {mb / t:8.2f} MB/s"
              f"   x{t_nltk / t:5.1f}")
    print(f"speed ratio (cold FastVader vs NLTK): {t_nltk / t_cold:.1f}x; "
          f"without sentence cache: {t_nltk / t_nocache:.1f}x")


if __name__ == "__main__":
    main()
