"""Words of a text with their offsets, and what a Vietnamese POS tagger says of them (pure but for
the tagger it is given). The agency recognizer (ingest/actors.py) and the duty extractor read
sentences through `Tokens`: built once, tagged only when a question needs the tags."""
from __future__ import annotations

import re
from collections.abc import Callable

from ingest.syllables import is_syllable

TOKEN = re.compile(r"\w+(?:[&'’.]\w+)*|[^\w\s]")
NOUN_TAGS = {"N", "Np", "Nc", "Ny", "Nu", "M", "Nb"}

Tagger = Callable[[str], list[tuple[str, str]]]
Phrases = dict[str, list[tuple[str, ...]]]  # first word -> the phrases starting with it, longest first


def phrases(words: tuple[str, ...]) -> Phrases:
    out: Phrases = {}
    for phrase in sorted((tuple(TOKEN.findall(w)) for w in words), key=len, reverse=True):
        out.setdefault(phrase[0], []).append(phrase)
    return out


def low(word: str) -> str:
    return word.lower().replace("uỷ", "ủy").replace("toà", "tòa")


def capital(word: str) -> bool:
    return word[:1].isupper() or (any(c.isupper() for c in word) and word.isalnum())


class Tokens:
    """A text's words with offsets, and what the tagger says of them: built once, queried often,
    tagged only when a question needs the tags (most sentences never name an agency)."""

    def __init__(self, text: str, tagger: Tagger | None):
        self.text = text
        found = list(TOKEN.finditer(text))
        self.words = [m.group(0) for m in found]
        self.starts = [m.start() for m in found]
        self.ends = [m.end() for m in found]
        self.low = [low(w) for w in self.words]
        self._tagger = tagger
        self._tags: tuple[list[bool], list[bool], list[str]] | None = None

    @property
    def noun(self) -> list[bool]:
        return self._tagged()[0]

    @property
    def joined(self) -> list[bool]:
        """True for a syllable that continues the previous one's word ("Tài chính")."""
        return self._tagged()[1]

    @property
    def tags(self) -> list[str]:
        """The tagger's tag of each word's first syllable and its following ones ("" untagged)."""
        return self._tagged()[2]

    @property
    def first_tag(self) -> str | None:
        tags = self._tagged()[2]
        return tags[0] if tags else None

    def _tagged(self) -> tuple[list[bool], list[bool], list[str]]:
        if self._tags is None:
            self._tags = self._tag()
        return self._tags

    def _tag(self) -> tuple[list[bool], list[bool], list[str]]:
        n = len(self.words)
        if not self._tagger:
            # one lower-case syllable after a capitalised one continues it (Vietnamese words are mostly two)
            joined = [i > 0 and not capital(w) and w.isalpha() and self.words[i - 1].istitle()
                      and self.words[i - 1].isalpha() for i, w in enumerate(self.words)]
            return [False] * n, joined, []
        noun, joined, tags = [False] * n, [False] * n, [""] * n
        # a capital at the start misleads the tagger into reading a name ("Tham mưu" as a noun)
        text = self.text[:1].lower() + self.text[1:] if self.text[:1].isupper() and not self.text[:2].isupper() \
            else self.text
        position, i = 0, 0
        for word, tag in self._tagger(text):
            at = text.find(word.split()[0], position)
            if at < 0:
                continue
            position = at + len(word)
            while i < n and self.starts[i] < at:
                i += 1
            k = 0
            while i < n and self.starts[i] < at + len(word):
                noun[i], joined[i], tags[i] = tag in NOUN_TAGS, k > 0 and not self._name_ends(i), tag
                i, k = i + 1, k + 1
        return noun, joined, tags

    def _name_ends(self, i: int) -> bool:
        """A lower-case syllable after a capitalised one that is not Vietnamese (an ethnic or foreign
        place name: "ĐăkDrô", "ĐắkR'lấp") begins a word of its own, whatever the segmenter joined
        ("UBND xã ĐăkDrô lập các thủ tục": "lập" is the verb, not part of the name)."""
        before, word = self.words[i - 1], self.words[i]
        return word[:1].islower() and capital(before) and not before.isupper() and not is_syllable(before)

    def match(self, i: int, phrases: Phrases) -> int:
        """Number of tokens at i matching the longest phrase (0 if none)."""
        if i >= len(self.low):
            return 0
        for p in phrases.get(self.low[i], ()):
            if tuple(self.low[i:i + len(p)]) == p:
                return len(p)
        return 0


_TAGGER: list = []


def default_tagger() -> Tagger | None:
    """underthesea's Vietnamese word segmenter and POS tagger (the 2023 VLSP CRF models bundled in the
    package, run by its Rust CRF), or None when underthesea is not installed. Chosen over the
    package's default `pos_tag` model: 2x faster here, and it tags "chủ trì", "rà soát" as verbs."""
    if not _TAGGER:
        _TAGGER.append(_load_tagger())
    return _TAGGER[0]


def _load_tagger() -> Tagger | None:
    import sys
    # underthesea's package __init__ imports its optional translation pipeline, which pulls in
    # transformers and torch (4 s of a cold `app.py ask`). We never translate: marking that module
    # absent makes the package skip it, as it skips any optional module that fails to import.
    sys.modules.setdefault("underthesea.pipeline.translate", None)
    try:  # heavy: imported on first use only
        import underthesea.pipeline.pos_tag as pos_package
        from underthesea import word_tokenize
        from underthesea.models.fast_crf_sequence_tagger import FastCRFSequenceTagger
    except ImportError:
        return None
    import os

    model = FastCRFSequenceTagger()
    model.load(os.path.join(os.path.dirname(pos_package.__file__), "models", "pos_crf_vlsp2013_20230303"))

    import threading
    one_at_a_time = threading.Lock()   # a server tags questions beside an ingest's duty extraction

    def tag(text: str) -> list[tuple[str, str]]:
        with one_at_a_time:
            words = word_tokenize(text)
            return list(zip(words, (t[2:] for t in model.predict([[w] for w in words])))) if words else []

    return tag
