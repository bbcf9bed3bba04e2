"""The examples in the package's docstrings run and say what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

import firedrill
import firedrill.agents
import firedrill.env
import firedrill.errors

MODULES = [
    firedrill,
    firedrill.env,
    firedrill.agents,
    firedrill.errors,
    # firedrill.evaluate is the function; the module is its namesake.
    importlib.import_module("firedrill.evaluate"),
]
try:
    import gymnasium  # noqa: F401

    MODULES.append(importlib.import_module("firedrill.gym"))
except ImportError:
    pass


@pytest.mark.parametrize("module", MODULES, ids=[m.__name__ for m in MODULES])
def test_docstring_examples(module):
    failed, attempted = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert failed == 0
    if module is not firedrill.errors:
        assert attempted > 0
