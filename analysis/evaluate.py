"""Accuracy of the measures against hand-labelled sentences (precision, recall, F1 per category).

Command lines (also ``discourse-kit evaluate ...``): ``python -m analysis.evaluate measures tests/data/dev_measures.jsonl``,
``python -m analysis.evaluate attribution tests/data/dev_attribution.jsonl`` and
``python -m analysis.evaluate sentences tests/data/sentence_cases.jsonl``.

The dev-set format: one JSON object per line, ``{"id", "text", "labels": [{"cue", "category",
"occurrence"?}]}`` with categories ``hedge``, ``booster`` and ``reporting:<stance>``. A predicted
hit counts as correct when its category agrees and its character span overlaps the gold cue's.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from .errors import CorpusError
from .measures import match_measures
from .tokens import sentences_table, tokens_table

__all__ = ["read_dev_set", "gold_spans", "predicted_spans", "score_spans", "evaluate_measures",
           "attribution_gold", "attribution_predicted", "score_exact_spans", "evaluate_attribution",
           "evaluate_sentences", "SCORERS"]


def read_dev_set(path: str | Path) -> list[dict]:
    """Read a JSONL dev set; a bad line raises CorpusError with its line number."""
    records = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise CorpusError(f"not valid JSON: {exc.msg}", path=path, record=f"line {lineno}") from None
    return records


def _find(text: str, cue: str, occurrence: int) -> int:
    pos = -1
    for _ in range(occurrence):
        pos = text.find(cue, pos + 1)
        if pos < 0:
            raise ValueError(f"cue {cue!r} occurs fewer than {occurrence} times in {text!r}")
    return pos


def gold_spans(records: list[dict]) -> pd.DataFrame:
    """Gold cues as ``doc_id, start, end, label``."""
    rows = []
    for rec in records:
        for lab in rec["labels"]:
            start = _find(rec["text"], lab["cue"], int(lab.get("occurrence", 1)))
            rows.append((rec["id"], start, start + len(lab["cue"]), lab["category"]))
    return pd.DataFrame(rows, columns=["doc_id", "start", "end", "label"])


def _label(measure: str, category: str) -> str:
    if measure == "reporting_verb":
        return f"reporting:{category}"
    return measure


def predicted_spans(records: list[dict], **measure_options) -> pd.DataFrame:
    """Run the hedge, booster and reporting-verb measures over the dev sentences."""
    docs = pd.DataFrame({"doc_id": [r["id"] for r in records], "text": [r["text"] for r in records]})
    sents = sentences_table(docs)
    toks = tokens_table(docs, sents)
    hits = match_measures(docs, sents, toks, measures=["hedge", "booster", "reporting_verb"],
                          **measure_options)
    return pd.DataFrame({"doc_id": hits["doc_id"], "start": hits["start"], "end": hits["end"],
                         "label": [_label(m, c) for m, c in zip(hits["measure"], hits["category"])],
                         "matched": hits["matched"]})


def _overlapping(gold: pd.DataFrame, pred: pd.DataFrame) -> tuple[set, set]:
    """Indices of gold and predicted spans that overlap a span of the other side."""
    hit_gold, hit_pred = set(), set()
    pred_by_doc = {d: g for d, g in pred.groupby("doc_id")}
    for gi, g in gold.iterrows():
        cands = pred_by_doc.get(g["doc_id"])
        if cands is None:
            continue
        for pi, p in cands.iterrows():
            if p["start"] < g["end"] and g["start"] < p["end"]:
                hit_gold.add(gi)
                hit_pred.add(pi)
    return hit_gold, hit_pred


def _family(label: str, level: str) -> str:
    return "reporting" if level == "family" and label.startswith("reporting:") else label


def _prf(true_pred: int, predicted: int, true_gold: int, gold: int) -> tuple[float, float, float]:
    """Precision, recall and F1 (NaN where undefined, F1 0 when both are 0)."""
    precision = true_pred / predicted if predicted else float("nan")
    recall = true_gold / gold if gold else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0
    return precision, recall, f1


def score_spans(gold: pd.DataFrame, pred: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall and F1 per label, per family (``reporting`` pools the stances).

    Returns
    -------
    DataFrame ``label, gold, predicted, true_pos_gold, true_pos_pred, precision, recall, f1``.
    """
    rows = []
    for level in ("label", "family"):
        g = gold.assign(key=[_family(x, level) for x in gold["label"]])
        p = pred.assign(key=[_family(x, level) for x in pred["label"]])
        keys = sorted(set(g["key"]) | set(p["key"]))
        if level == "family":
            keys = [k for k in keys if k == "reporting"]
        for key in keys:
            gk, pk = g[g["key"] == key], p[p["key"] == key]
            hit_gold, hit_pred = _overlapping(gk, pk)
            precision, recall, f1 = _prf(len(hit_pred), len(pk), len(hit_gold), len(gk))
            rows.append((key, len(gk), len(pk), len(hit_gold), len(hit_pred),
                         round(precision, 3), round(recall, 3), round(f1, 3)))
    return pd.DataFrame(rows, columns=["label", "gold", "predicted", "true_pos_gold",
                                       "true_pos_pred", "precision", "recall", "f1"])


def evaluate_measures(path: str | Path) -> pd.DataFrame:
    """Score the bundled measures on a dev set file."""
    records = read_dev_set(path)
    return score_spans(gold_spans(records), predicted_spans(records))


# --- attribution -------------------------------------------------------------------------------

def _span(text: str, value: str, occurrence: int) -> tuple[int, int]:
    start = _find(text, value, occurrence)
    return start, start + len(value)


def attribution_gold(records: list[dict]) -> pd.DataFrame:
    """Gold relations as spans: ``doc_id, role, start, end`` for role cue/source/content."""
    rows = []
    for rec in records:
        for rel in rec["relations"]:
            for role in ("cue", "source", "content"):
                if rel.get(role):
                    a, b = _span(rec["text"], rel[role], int(rel.get(f"{role}_occurrence", 1)))
                    rows.append((rec["id"], role, a, b))
    return pd.DataFrame(rows, columns=["doc_id", "role", "start", "end"]).drop_duplicates()


def attribution_predicted(records: list[dict]) -> pd.DataFrame:
    """Run the extractor over the dev paragraphs; same shape as :func:`attribution_gold`."""
    from .attribution import extract_attributions
    docs = pd.DataFrame({"doc_id": [r["id"] for r in records], "text": [r["text"] for r in records]})
    rels = extract_attributions(docs)
    rows = []
    for rel in rels.itertuples(index=False):
        for role in ("cue", "source", "content"):
            a, b = getattr(rel, f"{role}_start"), getattr(rel, f"{role}_end")
            if not pd.isna(a):
                rows.append((rel.doc_id, role, int(a), int(b)))
    return pd.DataFrame(rows, columns=["doc_id", "role", "start", "end"]).drop_duplicates()


def score_exact_spans(gold: pd.DataFrame, pred: pd.DataFrame) -> pd.DataFrame:
    """Exact-span precision, recall and F1 per role (cue, source, content)."""
    rows = []
    for role in ("cue", "source", "content"):
        g = set(map(tuple, gold[gold["role"] == role][["doc_id", "start", "end"]].to_numpy().tolist()))
        p = set(map(tuple, pred[pred["role"] == role][["doc_id", "start", "end"]].to_numpy().tolist()))
        tp = len(g & p)
        precision, recall, f1 = _prf(tp, len(p), tp, len(g))
        rows.append((role, len(g), len(p), tp, round(precision, 3), round(recall, 3), round(f1, 3)))
    return pd.DataFrame(rows, columns=["role", "gold", "predicted", "exact_match", "precision",
                                       "recall", "f1"])


def evaluate_attribution(path: str | Path) -> pd.DataFrame:
    """Exact-span scores of the attribution extractor on a dev set file."""
    records = read_dev_set(path)
    return score_exact_spans(attribution_gold(records), attribution_predicted(records))


# --- sentences ---------------------------------------------------------------------------------

def evaluate_sentences(path: str | Path) -> pd.DataFrame:
    """Sentence splitting against gold cases ``{"text", "sentences": [...]}``: boundary precision,
    recall and F1 (a boundary is the end offset of every sentence but the last) and the share of
    passages split exactly right."""
    from .tokens import split_sentences

    def ends(text: str, sentences: list[str]) -> set[int]:
        pos, out = 0, set()
        for sentence in sentences[:-1]:
            pos = text.index(sentence, pos) + len(sentence)
            out.add(pos)
        return out

    tp = fp = fn = exact = 0
    records = read_dev_set(path)
    for rec in records:
        got = [rec["text"][a:b] for a, b in split_sentences(rec["text"])]
        gold_b, got_b = ends(rec["text"], rec["sentences"]), ends(rec["text"], got)
        tp, fp, fn = tp + len(gold_b & got_b), fp + len(got_b - gold_b), fn + len(gold_b - got_b)
        exact += got == rec["sentences"]
    precision, recall, f1 = _prf(tp, tp + fp, tp, tp + fn)
    return pd.DataFrame([{"passages": len(records), "exact": exact,
                          "exact_share": round(exact / len(records), 3),
                          "boundary_precision": round(precision, 3),
                          "boundary_recall": round(recall, 3), "boundary_f1": round(f1, 3)}])


#: Scorers by name, for ``discourse-kit evaluate NAME FILE``.
SCORERS = {"measures": evaluate_measures, "attribution": evaluate_attribution,
           "sentences": evaluate_sentences}


if __name__ == "__main__":
    # ``python -m analysis.evaluate NAME FILE`` is the same as ``discourse-kit evaluate NAME FILE``.
    from .cli import main
    raise SystemExit(main(["evaluate", *sys.argv[1:]]))
