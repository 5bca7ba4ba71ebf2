"""The check behind every module that uses a library's private parts (ADR 0031): it runs when that module is
imported, and an upgrade that removed or renamed a part fails there, naming the part and the installed version,
instead of failing later, quietly, in a request."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from importlib.metadata import version
from typing import Any


class LibraryInternalsError(ImportError):
    """A private part of a library that goalengine relies on is missing from the installed version."""


def require_attributes(library: str, owner: Any, names: Iterable[str]) -> None:
    """Every name is an attribute of `owner` (a class, or an instance for attributes set in `__init__`)."""
    missing = [name for name in names if not hasattr(owner, name)]
    if missing:
        raise _missing(library, owner, missing)


def require_in_source(library: str, owner: Callable[..., Any] | type, needles: Iterable[str]) -> None:
    """Every needle occurs in the source of `owner`: for attributes a method sets or reads on `self`."""
    try:
        source = inspect.getsource(owner)
    except (OSError, TypeError):
        source = ""
    missing = [needle for needle in needles if needle not in source]
    if missing:
        raise _missing(library, owner, missing)


def _missing(library: str, owner: Any, missing: list[str]) -> LibraryInternalsError:
    name = getattr(owner, "__qualname__", type(owner).__qualname__)
    return LibraryInternalsError(
        f"{library} {version(library)} lacks {', '.join(missing)} of {name}, which goalengine relies on; install "
        f"the version pinned in pyproject.toml, or adapt the module that names it")
