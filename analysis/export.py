"""Saving report figures and tables: every file byte-reproducible, every file with a provenance
sidecar that says what it shows, which table rows it comes from, and how to cite it."""
from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from .figures import WIDTHS, figure_style

__all__ = ["ReportOutputs", "FigureFiles", "corpus_fingerprint", "citation_line", "write_json"]

_PNG_META = {"Software": None}
_PDF_META = {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None}
_SVG_META = {"Date": None, "Creator": None}


def write_json(path: Path, data) -> None:
    """Stable JSON: sorted keys, two-space indent, trailing newline, UTF-8."""
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
                    + "\n", encoding="utf-8")


def corpus_fingerprint(docs: pd.DataFrame) -> str:
    """sha256 over the sorted (doc_id, sha256 of raw bytes) pairs: the corpus's identity."""
    lines = sorted(f"{d}\t{h}" for d, h in zip(docs["doc_id"], docs["sha256"]))
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def citation_line(caption: str, *, kind: str, name: str, context: dict) -> str:
    """A suggested citation for one figure or table."""
    from . import __version__
    corpus = context.get("corpus_name", "corpus")
    digest = str(context.get("corpus_sha256", ""))[:12]
    run = context.get("run_label") or "report"
    return (f"{caption.rstrip('.')}. {kind.capitalize()} '{name}' of {run}, generated with the "
            f"discourse kit {__version__} from {corpus} (corpus sha256 {digest}); "
            f"parameters and file hashes in manifest.json.")


class FigureFiles:
    """What :meth:`ReportOutputs.figure` wrote; shows the double-width PNG in Jupyter."""

    def __init__(self, png: bytes, caption: str, files: list[str]) -> None:
        self.png, self.caption, self.files = png, caption, files

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_mimebundle_(self, include=None, exclude=None):
        # The caption doubles as the image's alt text in the HTML report.
        data = {"image/png": base64.b64encode(self.png).decode("ascii"), "text/plain": repr(self)}
        return data, {"image/png": {"alt": self.caption}}

    def __repr__(self) -> str:
        return f"Figure: {self.caption} ({', '.join(self.files)})"


class ReportOutputs:
    """Writes figures to ``figures/`` and tables to ``tables/`` of a report folder.

    Parameters
    ----------
    folder : the run folder (the notebook's working directory during a batch run).
    context : facts for citation lines and sidecars: corpus_name, corpus_sha256, run_label,
        parameters.
    """

    def __init__(self, folder: str | Path = ".", *, context: dict | None = None) -> None:
        self.folder = Path(folder)
        self.context = dict(context or {})
        (self.folder / "figures").mkdir(parents=True, exist_ok=True)
        (self.folder / "tables").mkdir(parents=True, exist_ok=True)

    def figure(self, name: str, plot, *args, caption: str,
               source_tables: list[str] | None = None,
               widths: tuple[str, ...] = ("single", "double"), **plot_options) -> FigureFiles:
        """Render ``plot(*args, width=..., **plot_options)`` at journal widths and save each as
        PNG (300 dpi), PDF and SVG."""
        files, shown = [], b""
        for width_name in widths:
            with figure_style():  # the SVG id salt must be in force while saving
                fig = plot(*args, width=WIDTHS[width_name], **plot_options)
                stem = f"figures/{name}.{width_name}"
                fig.savefig(self.folder / f"{stem}.png", dpi=300, metadata=_PNG_META)
                fig.savefig(self.folder / f"{stem}.pdf", metadata=_PDF_META)
                fig.savefig(self.folder / f"{stem}.svg", metadata=_SVG_META)
                plt.close(fig)
            files += [f"{stem}.{ext}" for ext in ("png", "pdf", "svg")]
            shown = (self.folder / f"{stem}.png").read_bytes()
        self._sidecar("figures", name, "figure", caption, files, source_tables or [])
        return FigureFiles(shown, caption, files)

    def table(self, name: str, frame: pd.DataFrame, *, caption: str,
              source_tables: list[str] | None = None, latex_columns: list[str] | None = None
              ) -> pd.DataFrame:
        """Save a table as CSV and booktabs LaTeX; returns it for display."""
        base = self.folder / "tables" / name
        frame.to_csv(base.with_suffix(".csv"), index=False, lineterminator="\n")
        shown = frame[latex_columns] if latex_columns else frame
        latex = shown.to_latex(index=False, escape=True, float_format=lambda v: f"{v:.3f}",
                               caption=caption, label=f"tab:{name}", longtable=len(shown) > 40)
        base.with_suffix(".tex").write_text(latex, encoding="utf-8")
        self._sidecar("tables", name, "table", caption,
                      [f"tables/{name}.csv", f"tables/{name}.tex"], source_tables or [])
        return frame

    def _sidecar(self, sub: str, name: str, kind: str, caption: str, files: list[str],
                 sources: list[str]) -> None:
        write_json(self.folder / sub / f"{name}.provenance.json", {
            "name": name, "kind": kind, "caption": caption, "files": files,
            "derived_from": sources or ["tables/matches.csv"],
            "trace": "every count comes from rows of tables/matches.csv (doc_id, start, end); "
                     "open them with analysis.kwic or the explorer notebook",
            "citation": citation_line(caption, kind=kind, name=name, context=self.context),
            "corpus": {"name": self.context.get("corpus_name"),
                       "sha256": self.context.get("corpus_sha256")},
            "parameters": self.context.get("parameters", {}),
        })
