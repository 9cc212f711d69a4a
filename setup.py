"""Compiles the parser modules with Cython; everything else is in pyproject.toml.

The parsers stay plain Python (the .py files are the only source). Cython turns each into a
C extension at install time, which parses 1.5-4x faster (bench/bench_parsers.py). Where no C
compiler is found the build of an extension is skipped and the same .py modules run as they
are: slower, identical output (tests/collectors/test_compiled.py checks both).
"""

import os
from pathlib import Path

from setuptools import setup

COMPILED = sorted(str(p) for p in Path("collectors/parsers").glob("*.py") if p.name != "__init__.py")


def extensions() -> list:
    if os.environ.get("SOC_NO_COMPILE"):  # the Makefile compiles in place, in parallel, after installing
        return []
    try:
        from Cython.Build import cythonize
    except ImportError:  # no Cython in the build environment: pure-Python install
        return []
    exts = cythonize(COMPILED, compiler_directives={"language_level": "3"}, quiet=True)
    for ext in exts:
        ext.optional = True  # a failed compile leaves that module in pure Python
    return exts


setup(ext_modules=extensions())
