"""The ``restorekit`` command line.

Every command is a thin face over the package. Errors a user can fix
(:class:`~restorekit.errors.RestorekitError`) print one line and exit with status 2;
anything unexpected prints one line too and exits with 1. ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from restorekit.errors import RestorekitError

__all__ = ["app", "main"]

app = typer.Typer(
    name="restorekit",
    help="Restore historical and degraded music: 78rpm transfers first.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for errors.")] = False,
) -> None:
    """Restore historical and degraded music: 78rpm transfers first."""


# Commands register themselves on ``app`` when their module is imported.
from restorekit.cli import analyze as _analyze  # noqa: E402,F401
from restorekit.cli import compare as _compare  # noqa: E402,F401
from restorekit.cli import degrade as _degrade  # noqa: E402,F401
from restorekit.cli import info as _info  # noqa: E402,F401
from restorekit.cli import restore as _restore  # noqa: E402,F401
from restorekit.cli import synth as _synth  # noqa: E402,F401
from restorekit.cli import train as _train  # noqa: E402,F401


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit status (the ``restorekit`` entry point)."""
    args = sys.argv[1:] if argv is None else list(argv)
    debug = "--debug" in args
    try:
        # standalone mode: typer itself reports usage errors (exit 2) and ends with SystemExit
        app(args=args, prog_name="restorekit")
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except RestorekitError as error:
        if debug:
            raise
        print(f"restorekit: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("restorekit: interrupted.", file=sys.stderr)
        return 130
    except Exception as error:  # the promise is one line, never a traceback
        if debug:
            raise
        print(f"restorekit: internal error: {type(error).__name__}: {error} (rerun with "
              "--debug and report the traceback).", file=sys.stderr)
        return 1
    return 0
