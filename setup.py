"""Compiled helpers: every analysis/_native/*.c file becomes the module analysis._native.<name>.

They are optional: without a C compiler the install still succeeds and the pure-Python paths,
which give identical results, run instead (tests/test_native.py asserts they are built here).
"""
from pathlib import Path

from setuptools import Extension, setup

NATIVE = Path("analysis") / "_native"
extensions = [
    Extension(f"analysis._native.{source.stem}", [str(source)], optional=True,
              depends=[str(header) for header in sorted(NATIVE.glob("*.h"))],
              extra_compile_args=["-O2"])
    for source in sorted(NATIVE.glob("*.c"))
]
setup(ext_modules=extensions)
