"""The ``repalg`` command line.

    repalg canon "5*V*(2+V)"                 the canonical form
    repalg canon "10*T(1)+5*T(2)" --group "S(5)"   ... and the size
"""

from __future__ import annotations

import argparse
import sys

from . import __version__
from .symbolic import ParseError, group, parse

DEFAULT_EXPRESSION = "10*T(1)+5*T(2)"
DEFAULT_GROUP = "S(5)"


def _canon(args: argparse.Namespace) -> int:
    text = DEFAULT_EXPRESSION if args.expression is None else args.expression
    group_text = DEFAULT_GROUP if args.expression is None and args.group is None else args.group
    rep = parse(text)
    if group_text is not None:
        rep = rep(group(group_text))
    print(f"expression: {rep!r}")
    print(f"canonical:  {rep.canonical()!r}")
    print(f"as math:    {rep.canonical()}")
    if group_text is not None or rep.groups():
        print(f"size:       {rep.size()}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="repalg",
        description="Exact equivariant bases for group representations written as text.",
        epilog='Example: repalg canon "5*V*(2+V)" --group "S(5)"',
    )
    parser.add_argument("--version", action="version", version=f"repalg {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    canon = commands.add_parser(
        "canon", help="print the canonical form of a representation",
        description="Print the canonical form of a representation expression: a sum of "
                    "monomials with multiplicities, sorted by content. With --group, bind the "
                    "group and print the dimension too. Without an expression, runs the example "
                    f"{DEFAULT_EXPRESSION!r} on {DEFAULT_GROUP}.",
    )
    canon.add_argument("expression", nargs="?", help='a representation, e.g. "5*V*(2+V)" or "T(1,0)>>T(2,1)"')
    canon.add_argument("--group", "-g", help='a group to bind, e.g. "SO(3)", "O(1,3)", "S(5)", "SO(3) x S(4)"')
    canon.set_defaults(run=_canon)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status.

    >>> main(["canon", "5*V*(2+V)"])
    expression: 5*V*(2+V)
    canonical:  10*V+5*V**2
    as math:    10V+5V²
    0
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return args.run(args)
    except ParseError as error:
        print(f"repalg: error: {error}", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"repalg: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
