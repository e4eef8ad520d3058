"""Command line: ``discourse-kit corpus info PATH`` and ``discourse-kit report``."""
from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from .errors import DiscourseKitError

__all__ = ["main"]


def _corpus_info(args: argparse.Namespace) -> int:
    from .pipeline import summarize_path
    table = summarize_path(args.path, by=args.by, encoding=args.encoding,
                           allow_empty=args.allow_empty, text_column=args.text_column)
    if args.format == "csv":
        table.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        print(table.to_string(index=False))
    return 0


def _report(args: argparse.Namespace) -> int:
    from .batch import parse_cli_parameters, plan_runs, read_parameter_sets, run_batch
    sets = read_parameter_sets(args.params) if args.params else None
    specs = plan_runs(args.corpus, notebooks=args.notebooks, parameter_sets=sets,
                      out=args.out, cli_parameters=parse_cli_parameters(args.parameter))
    results = run_batch(specs, jobs=args.jobs, progress=not args.no_progress, force=args.force)
    failed = 0
    for name, status in results.items():
        print(f"{name}: {status}")
        failed += status.startswith("failed")
    print(f"{len(results) - failed} report(s) in {Path(args.out) / ''}, {failed} failed")
    return 1 if failed else 0


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import SCORERS
    print(SCORERS[args.task](args.file).to_string(index=False))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="discourse-kit", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="inspect a corpus")
    corpus_sub = corpus.add_subparsers(dest="corpus_command", required=True)
    info = corpus_sub.add_parser("info", help="documents, sentences, tokens by facet and date")
    info.add_argument("path", help="folder of .txt/.md files or a .csv/.tsv/.jsonl/.parquet table")
    info.add_argument("--by", nargs="*", default=None, help="metadata columns for the breakdown")
    info.add_argument("--format", choices=("table", "csv"), default="table")
    info.add_argument("--encoding", default=None, help="file encoding if not UTF-8")
    info.add_argument("--text-column", default="text", help="text column of table input")
    info.add_argument("--allow-empty", action="store_true", help="keep empty documents")
    info.set_defaults(func=_corpus_info)

    report = sub.add_parser("report", help="run the report notebooks over a corpus (papermill)")
    report.add_argument("--corpus", default="corpus", help="corpus path (default: corpus/)")
    report.add_argument("--notebooks", nargs="+", default=None,
                        help="notebooks to run (names in notebooks/ or paths); default: "
                             "01_corpus_overview.ipynb 02_official_vs_commentary.ipynb")
    report.add_argument("-p", "--parameter", action="append", default=[], metavar="NAME=VALUE",
                        help="notebook parameter, repeatable; checked against the notebook")
    report.add_argument("--params", default=None, metavar="FILE.yaml",
                        help="YAML list of parameter sets: one run per set and notebook")
    report.add_argument("--out", default="reports", help="output folder (default: reports/)")
    report.add_argument("--jobs", type=int, default=1, help="runs in parallel (default 1)")
    report.add_argument("--force", action="store_true", help="rerun even if up to date")
    report.add_argument("--no-progress", action="store_true", help="no progress bar")
    report.set_defaults(func=_report)
    evaluate = sub.add_parser("evaluate", help="accuracy against a hand-labelled JSONL file")
    evaluate.add_argument("task", choices=("measures", "attribution", "sentences"))
    evaluate.add_argument("file", help="JSONL gold file, e.g. tests/data/test_measures.jsonl")
    evaluate.set_defaults(func=_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return args.func(args)
    except DiscourseKitError as exc:
        print(f"error ({type(exc).__name__}): {exc}", file=sys.stderr)
        return 2
