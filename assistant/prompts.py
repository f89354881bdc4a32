"""Prompt and answer templates live as files in prompts/ and are rendered strictly:
a missing or unexpected variable is an error, never a silent blank."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from langchain_core.prompts import PromptTemplate

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class MissingVariables(KeyError):
    pass


@lru_cache(maxsize=None)
def load_template(name: str) -> PromptTemplate:
    path = PROMPTS_DIR / f"{name}.md"
    text = path.read_text(encoding="utf-8").rstrip("\n")
    return PromptTemplate.from_template(text, template_format="f-string")


def render(name: str, **variables: str) -> str:
    template = load_template(name)
    expected = set(template.input_variables)
    missing, extra = expected - set(variables), set(variables) - expected
    if missing or extra:
        raise MissingVariables(f"prompts/{name}.md: missing {sorted(missing)}, unexpected {sorted(extra)}")
    return template.format(**variables)
