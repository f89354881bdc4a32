"""Follow-up questions ("còn Sở Tài chính thì sao?") made standalone without a model: the
previous question with its agency (or province) swapped for the one the follow-up names.
With an LLM configured, the model rewrites instead (prompts/llm_condense.md) and this is
the fallback."""
from __future__ import annotations

import re

from core.text import fold
from ingest.agencies import agency_key
from ingest.header import PROVINCES

_FOLLOW_UP = re.compile(r"^(con|the con|vay con|vay|the|thi)\b|\b(thi sao|the nao|ra sao|nua)\s*\??$")


def is_follow_up(question: str) -> bool:
    q = " ".join(re.findall(r"\w+", fold(question).lower()))
    return bool(_FOLLOW_UP.search(q)) and len(q.split()) <= 12


def _replace_name(text: str, old_names: list[str], new: str) -> str | None:
    """Swap the first of `old_names` written in `text` (any case, with or without accents)."""
    words = text.split()
    for old in sorted(old_names, key=len, reverse=True):
        key, size = agency_key(old, folded=True), len(old.split())
        for i in range(len(words) - size + 1):
            if agency_key(" ".join(words[i:i + size]), folded=True) == key:
                return " ".join(words[:i] + [new] + words[i + size:])
    return None


def standalone(question: str, previous: list[str], agencies, known_actors) -> str:
    """`question` unchanged unless it is a follow-up to the last of `previous`."""
    if not previous or not is_follow_up(question):
        return question
    last = previous[-1]
    new = agencies.mentioned_in(question, set(known_actors))
    old = agencies.mentioned_in(last, set(known_actors))
    if new and old:
        aliases = [old[0], *next((e.get("aliases", []) for e in agencies.entries if e["canonical"] == old[0]), [])]
        swapped = _replace_name(last, aliases, new[0])
        if swapped:
            return swapped
    named = [p for p in PROVINCES if agency_key(p, folded=True) in agency_key(question, folded=True)]
    if named:
        before = [p for p in PROVINCES if agency_key(p, folded=True) in agency_key(last, folded=True)]
        swapped = _replace_name(last, before, named[0]) if before else None
        return swapped or f"{last.rstrip(' ?')} ở {named[0]}?"
    return question
