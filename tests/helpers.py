"""Small builders shared by the tests: a docs table from strings, the pipeline up to matches, and
a harness that empties a list at every garbage collection during a compiled call."""
from __future__ import annotations

import pandas as pd

from analysis import sentences_table, tokens_table
from analysis.measures import match_measures


def docs_from(*texts: str, **meta) -> pd.DataFrame:
    frame = pd.DataFrame({"doc_id": [f"d{i}" for i in range(len(texts))], "text": list(texts)})
    for key, values in meta.items():
        frame[key] = values
    return frame


def run_measures(*texts: str, measures=None, **meta):
    docs = docs_from(*texts, **meta)
    sents = sentences_table(docs)
    toks = tokens_table(docs, sents)
    return docs, sents, toks, match_measures(docs, sents, toks, measures=measures)


def hits(text: str, measure: str) -> list[tuple[str, str]]:
    """(matched text, category) of one measure in one text."""
    *_, matches = run_measures(text, measures=[measure] if measure != "hedge" else
                               ["hedge", "booster"])
    found = matches[matches["measure"] == measure]
    return list(zip(found["matched"], found["category"]))


def outcome_of(call):
    try:
        return call()
    except RuntimeError as error:   # the list changed while it was copied
        assert "changed size" in str(error)
        return RuntimeError
    except IndexError:   # emptied before the call
        return IndexError


def emptied_by_a_collection(make, call, outcomes, collections=80):
    """Run ``call(victim)`` with ``victim = make()`` emptied by the nth garbage collection, for
    each n up to ``collections``, a collection at (nearly) every allocation: the way a finalizer
    can change a list while compiled code reads it. New tuples made then take the freed ones'
    memory, so that a read of a freed item shows without a memory checker. Every outcome must
    be one of ``outcomes`` (the call on the list as it was, or emptied, or RuntimeError)."""
    import gc
    from types import SimpleNamespace

    saved = gc.get_threshold()
    # With a threshold of 1 every second counted allocation collects; one spare allocation
    # first shifts which ones do.
    for spare, nth in [(spare, nth) for spare in (0, 1) for nth in range(1, collections)]:
        victim, seen, junk = make(), [0], []

        def collecting(phase, info):
            seen[0] += phase == "start"
            if phase == "start" and seen[0] == nth:
                victim.clear()
                junk.extend(tuple([-7] * size + ["junk"] * 2) for size in range(4)
                            for _ in range(50))

        def run():
            return call(victim)

        gc.callbacks.append(collecting)
        gc.collect(0)   # the same allocations from here on trigger the same collections
        gc.set_threshold(1, 1, 1)
        try:
            kept = SimpleNamespace() if spare else None
            got = outcome_of(run)
        finally:
            gc.set_threshold(*saved)
            gc.callbacks.remove(collecting)
        del kept
        assert got in outcomes, (spare, nth, got)
