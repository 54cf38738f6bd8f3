"""The examples in the package's docstrings are part of the spec: run every one of them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import digest

# `python -m digest` runs the command as soon as it is imported.
NOT_IMPORTED = {"digest.__main__"}

MODULES = sorted(
    ["digest"]
    + [info.name for info in pkgutil.walk_packages(digest.__path__, prefix="digest.")
       if info.name not in NOT_IMPORTED]
)


def test_every_module_is_found() -> None:
    assert {"digest.model", "digest.read.config", "digest.read.names", "digest.build"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS, verbose=False, report=True)
    assert result.failed == 0, f"{result.failed} of {result.attempted} doctests of {name} failed (see above)"
