"""Check a generated answer against the clauses it was given, sentence by sentence.

A sentence is kept only when
- every [n] it carries refers to a clause that was given,
- its content words overlap the cited clauses enough, and
- every number, date, document number and agency name in it appears verbatim in a cited clause.
A sentence with facts but no [n] is unsupported too. Connectives and "không tìm thấy" pass.
Unsupported sentences are removed from the answer and returned, so the UI can show them flagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from core.text import nfc, squash
from core.text import split_sentences as sentence_split

_MARKER = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
# numbers incl. dates and document numbers: 15/7/2021, 76/NQ-CP, 1.500, 30%, 2021-2030
_DOC_NUMBER = re.compile(r"\b\d+[/\-][\wĐđ]+(?:[/\-][\wĐđ]+)*")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")
_WORD = re.compile(r"\w+")
# frequent function words: they say nothing about support
_STOP = set("""và của các cho với theo trong tại là có được những này đó một về để khi thì đã sẽ
phải như từ đến trên dưới hoặc cũng đồng thời việc cần nhằm bằng do vào ra không chưa nào gì
ai đâu nhau mỗi mọi rằng nêu sau trước giữa""".split())
_NOT_FOUND = re.compile(r"không tìm thấy|không có thông tin|không quy định|không đề cập", re.IGNORECASE)


@dataclass(frozen=True)
class Verdict:
    text: str                      # the answer with unsupported sentences removed
    unsupported: tuple[str, ...]   # removed sentences, as written by the model
    reasons: tuple[str, ...]       # one per unsupported sentence
    cited: tuple[int, ...]         # [n] used by the kept sentences, in order of first use


def split_sentences(text: str) -> list[str]:
    """A full stop followed by the marker ("… liên quan. [4]") ends the sentence after the marker."""
    return sentence_split(nfc(text or ""), keep_lists=True)


def markers(sentence: str) -> list[int]:
    return [int(x) for group in _MARKER.findall(sentence) for x in re.split(r"\s*[,;]\s*", group)]


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP and not w.isdigit()}


def facts(sentence: str, agencies=None, known_actors=()) -> list[str]:
    """Numbers, dates, document numbers and agency names: must appear verbatim in the source."""
    plain = _MARKER.sub(" ", sentence)
    found = _DOC_NUMBER.findall(plain)
    rest = _DOC_NUMBER.sub(" ", plain)
    found += [n for n in _NUMBER.findall(rest)]
    if agencies is not None:
        found += [a for a in agencies.mentioned_in(plain, set(known_actors))]
    return found


class AnswerVerifier:
    def __init__(self, agencies=None, known_actors=(), min_overlap: float = 0.5):
        self.agencies = agencies
        self.known_actors = set(known_actors)
        self.min_overlap = min_overlap

    def check(self, sentence: str, sources: dict[int, str]) -> str | None:
        """None when supported, else the reason."""
        cited = markers(sentence)
        claims = facts(sentence, self.agencies, self.known_actors)
        body = squash(_MARKER.sub(" ", sentence).strip(" -*•:"))
        if cited and not _words(body) and not claims:
            return "chỉ có số trích dẫn, không có nội dung / a marker without a statement"
        if not cited:
            if _NOT_FOUND.search(body) or (not claims and len(_words(body)) <= 6):
                return None
            return "không trích dẫn điều khoản nào / no citation"
        missing = [n for n in cited if n not in sources]
        if missing:
            return f"trích dẫn không tồn tại / cites clauses not given: {missing}"
        source = squash(" ".join(sources[n] for n in cited))
        words = _words(body)
        if words:
            overlap = len(words & _words(source)) / len(words)
            if overlap < self.min_overlap:
                return f"ít trùng với điều khoản / low overlap {overlap:.2f}"
        for claim in claims:
            if not self._appears(claim, source):
                return f"'{claim}' không có trong điều khoản trích dẫn / not in the cited clause"
        return None

    def _appears(self, claim: str, source: str) -> bool:
        if claim.lower() in source.lower():
            return True
        if self.agencies is not None:  # an agency may be named by another alias in the clause
            return claim in self.agencies.mentioned_in(source, self.known_actors)
        return False

    def verify(self, text: str, sources: dict[int, str]) -> Verdict:
        kept, dropped, reasons, cited = [], [], [], []
        for sentence in split_sentences(text):
            reason = self.check(sentence, sources)
            if reason is None:
                kept.append(sentence)
                cited += [n for n in markers(sentence) if n not in cited]
            else:
                dropped.append(sentence)
                reasons.append(reason)
        return Verdict("\n".join(kept), tuple(dropped), tuple(reasons), tuple(cited))
