"""Writing results safely: a run writes into a temporary folder renamed into place on success."""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["atomic_directory"]


@contextlib.contextmanager
def atomic_directory(target: str | Path):
    """Yield a fresh temporary folder beside ``target``; on success it replaces ``target``.

    On an exception the temporary folder is kept as ``<target>.failed`` (replacing an older
    failed one) for inspection, and ``target`` - the last good output - is left untouched.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    os.chmod(tmp, 0o755)  # mkdtemp makes it private; reports are meant to be shared
    try:
        yield tmp
    except BaseException:
        failed = target.with_name(target.name + ".failed")
        shutil.rmtree(failed, ignore_errors=True)
        os.replace(tmp, failed)
        raise
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(tmp, target)
    shutil.rmtree(old, ignore_errors=True)
