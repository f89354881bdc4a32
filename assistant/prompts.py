"""Prompt and answer templates live as files in prompts/ and are rendered strictly:
a missing or unexpected variable is an error, never a silent blank.

Templates are Python format strings ({name}, {{ for a literal brace}}), read with the standard
library's `string.Formatter`: the same syntax as langchain's f-string PromptTemplate, without
importing langchain_core.prompts (1.3 s of every cold `app.py ask`, which renders an answer
template even when no model is used). The LLM path still talks to models through langchain."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Formatter

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"


class MissingVariables(KeyError):
    pass


@dataclass(frozen=True)
class Template:
    text: str
    input_variables: frozenset[str]


@lru_cache(maxsize=None)
def load_template(name: str) -> Template:
    text = (PROMPTS_DIR / f"{name}.md").read_text(encoding="utf-8").rstrip("\n")
    names = set()
    for _literal, field, _spec, _conversion in Formatter().parse(text):
        if field is None:
            continue
        if not field.isidentifier():   # {a.b}, {a[0]}, {} would reach into the values
            raise ValueError(f"prompts/{name}.md: {{{field}}} is not a plain variable name")
        names.add(field)
    return Template(text, frozenset(names))


def render(name: str, **variables: str) -> str:
    template = load_template(name)
    missing, extra = template.input_variables - set(variables), set(variables) - template.input_variables
    if missing or extra:
        raise MissingVariables(f"prompts/{name}.md: missing {sorted(missing)}, unexpected {sorted(extra)}")
    return template.text.format(**variables)
