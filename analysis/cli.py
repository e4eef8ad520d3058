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
    from .pipeline import write_corpus_summary
    out = write_corpus_summary(args.corpus, Path(args.out))
    print(f"wrote {out}")
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

    report = sub.add_parser("report", help="run the reports over a corpus")
    report.add_argument("--corpus", default="corpus", help="corpus path (default: corpus/)")
    report.add_argument("--out", default="reports", help="output folder (default: reports/)")
    report.set_defaults(func=_report)
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
