"""Compiled cores of the hot loops, built from the C files in this folder by ``setup.py``.

Each module here has a pure-Python twin in the stage module that imports it; the twin is the
reference, the tests assert the two give identical results, and the twin runs when a module is
missing (an install without a C compiler). ``built()`` tells which modules are present.
"""
from __future__ import annotations

import importlib
from pathlib import Path

__all__ = ["built", "load"]

_SOURCES = sorted(p.stem for p in Path(__file__).parent.glob("*.c"))


def load(name: str):
    """The compiled module ``name``, or None when it was not built."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError:
        return None


def built() -> dict[str, bool]:
    """For every C source shipped beside this file: whether its module imports."""
    return {name: load(name) is not None for name in _SOURCES}
