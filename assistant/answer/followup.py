"""Follow-up questions ("còn Sở Tài chính thì sao?") made standalone without a model: the
previous question with its agency (or province) swapped for the one the follow-up names.
With an LLM configured, the model rewrites instead (prompts/llm_condense.md) and this is
the fallback."""
from __future__ import annotations

import re

from assistant.answer.named import DOCUMENT_WORDS, document_mention
from core.text import folded_words
from ingest.agencies import agency_key
from ingest.header import PROVINCES

_FOLLOW_UP = re.compile(r"^(con|the con|vay con|vay|the|thi)\b|\b(thi sao|the nao|ra sao|nua)\s*\??$")


def is_follow_up(question: str) -> bool:
    q = folded_words(question)
    return bool(_FOLLOW_UP.search(q)) and len(q.split()) <= 12 or bool(_DOC_REF.search(question))


def _replace_name(text: str, old_names: list[str], new: str) -> str | None:
    """Swap the first of `old_names` written in `text` (any case, with or without accents)."""
    words = text.split()
    for old in sorted(old_names, key=len, reverse=True):
        key, size = agency_key(old, folded=True), len(old.split())
        for i in range(len(words) - size + 1):
            if agency_key(" ".join(words[i:i + size]), folded=True) == key:
                return " ".join(words[:i] + [new] + words[i + size:])
    return None


# "văn bản đó", "công văn này", "quyết định trên": the document the conversation is about
_DOC_REF = re.compile(r"\b(?:" + "|".join(DOCUMENT_WORDS) + r")\s+(?:đó|này|trên|ấy|vừa rồi|vừa hỏi)\b",
                      re.IGNORECASE)
_LEAD = re.compile(r"^(?:vậy|thế|còn|thì)(?:\s+(?:thì|còn))?\s+", re.IGNORECASE)


def standalone(question: str, previous: list[str], agencies, known_actors) -> str:
    """`question` unchanged unless it is a follow-up to the last of `previous`: "văn bản đó" becomes
    the document named before; "còn Sở Tài chính thì sao?" swaps the agency or province; "Vậy thời
    hạn là khi nào?" asks it of the agency and province asked about before."""
    if not previous:
        return question
    ref = _DOC_REF.search(question)
    if ref:
        named = next((m for m in map(_document_named, reversed(previous)) if m), None)
        return question[:ref.start()] + named + question[ref.end():] if named else question
    if not is_follow_up(question):
        return question
    last = standalone(previous[-1], previous[:-1], agencies, known_actors)   # itself a follow-up, maybe
    new = agencies.mentioned_in(question, set(known_actors))
    old = agencies.mentioned_in(last, set(known_actors))
    if new and old:
        aliases = [old[0], *next((e.get("aliases", []) for e in agencies.entries if e["canonical"] == old[0]), [])]
        # the name as written, with the words that go on naming a longer body ("Trung tâm Xúc tiến Đầu tư")
        aliases += _written_longer(last, aliases, known_actors)
        swapped = _replace_name(last, aliases, new[0])
        if swapped:
            return swapped
    named = _provinces_in(question)
    if named:
        before = _provinces_in(last)
        swapped = _replace_name(last, before, named[0]) if before else None
        return swapped or f"{last.rstrip(' ?')} ở {named[0]}?"
    subject = None if new else _subject([*previous[:-1], last], agencies, known_actors)
    core = _LEAD.sub("", question).strip().rstrip(" ?")
    topic = _TOPIC.search(last)   # "Sở Xây dựng phải làm gì về quy hoạch xã?": asked again of that topic
    if subject and topic and " về " not in f" {core} ":
        subject = f"{subject} về {topic.group(1)}"
    if subject and len(core.split()) >= 2:
        core = core.replace(" là ", f" của {subject} là ", 1) if " là " in core else f"{core} của {subject}"
        return core[0].upper() + core[1:] + "?"
    return question


_TOPIC = re.compile(r"\b(?:làm gì|việc gì|nhiệm vụ gì|những gì)\s+về\s+([^?]+?)\s*\??$", re.IGNORECASE)
# a document named by its type and title: "Kế hoạch kiểm tra cải cách hành chính năm 2026 do ai ký?"
_ASKING = r"(?:do|có|giao|yêu cầu|đề nghị|quy định|được|ban hành|là|gồm|nêu|cần|phải|thì)"
_TITLED = re.compile(r"\b(?:" + "|".join(w for w in DOCUMENT_WORDS if w != "văn bản") + r")\s+(?:\S+\s+){1,15}?\S+"
                     r"(?=\s+" + _ASKING + r"\b|\s*[?;]|$)", re.IGNORECASE)


def _document_named(text: str) -> str | None:
    """The words of an earlier question that name a document: by its number ("Công văn số 1468/STP-BTTP"),
    else by its type and title words ("Kế hoạch kiểm tra cải cách hành chính năm 2026")."""
    mention = document_mention(text)
    if mention:
        return mention
    m = _TITLED.search(text or "")
    return m.group(0) if m and len(m.group(0).split()) >= 4 else None


def _written_longer(text: str, names: list[str], known_actors) -> list[str]:
    """Each of `names` as `text` writes it together with the words after it that go on naming a
    longer body of `known_actors` ("Trung tâm" -> "Trung tâm Xúc tiến Đầu tư"), where words go on."""
    words = text.split()
    known = [agency_key(a, folded=True).split() for a in known_actors]
    out = []
    for name in names:
        size, key = len(name.split()), agency_key(name, folded=True)
        for i in range(len(words) - size + 1):
            if agency_key(" ".join(words[i:i + size]), folded=True) != key:
                continue
            end = i + size
            while end < len(words):
                longer = agency_key(" ".join(words[i:end + 1]), folded=True).split()
                if not any(n[:len(longer)] == longer for n in known):
                    break
                end += 1
            if end > i + size:
                out.append(" ".join(words[i:end]))
            break
    return out


def _provinces_in(text: str) -> list[str]:
    """The provinces a question writes, any case, with or without accents."""
    key = agency_key(text, folded=True)
    return [p for p in PROVINCES if agency_key(p, folded=True) in key]


def _subject(previous: list[str], agencies, known_actors) -> str | None:
    """'Sở Nội vụ ở Cao Bằng': the agency and province of the latest earlier question naming one."""
    for text in reversed(previous):
        agency = agencies.mentioned_in(text, set(known_actors))[:1]
        province = _provinces_in(text)[:1]
        if agency or province:
            return " ở ".join(agency + province)
    return None
