"""Lazy package exports (PEP 562): a public name is imported when first asked for."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable, Callable]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose names live in submodules.

    ``exports`` maps each public name to the submodule (relative to ``package``) that
    defines it. Importing the package then costs nothing until a name is used, and
    ``python -m package.sub`` runs ``sub`` fresh rather than after the package
    imported it.
    """

    def __getattr__(name: str):
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{exports[name]}"), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
