"""Directive assistant: web chat and command line.

    python app.py                       # same as: python app.py serve
    python app.py ingest PATH... [--sync] [--rebuild]
    python app.py ask [--json] [--k N] [QUESTION ...]
"""
from __future__ import annotations

import sys

from core.settings import Settings, prepare_environment


def build_app(settings: Settings, assistant=None):
    """The Gradio Blocks of the web page (ui/web.py)."""
    from ui.web import build_app as build

    return build(settings, assistant)


def main(argv: list[str] | None = None) -> int:
    prepare_environment()  # thread limits and offline flags, before anything loads numpy
    from ui.cli import run
    return run(sys.argv[1:] if argv is None else argv, build_app)


if __name__ == "__main__":
    sys.exit(main())
