"""The ``serve`` subcommand of ``python -m assistant``, contributed through an entry point."""
from __future__ import annotations

from assistant.config import Settings


def register(sub) -> None:
    s = sub.add_parser("serve", help="start the web chat (index first when needed)")
    s.set_defaults(run=run)


def run(args, settings: Settings) -> int:
    from .app import main

    main(settings)
    return 0
