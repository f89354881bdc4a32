"""Evaluation datasets: our JSONL (shared/eval/seed_dev.jsonl) and the ALQAC format.

ALQAC (law.json: laws with articles; question.json: questions with relevant_articles) is
turned into Vietnamese legal documents ("Điều N. <title>" followed by the article text) that
go through the normal ingest pipeline; answers are scored at article level. The data is read
from where it lies (../shared) and written only into the evaluation's own data dir.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from core.settings import PROJECT_ROOT
from core.text import nfc

SEED_DEV = PROJECT_ROOT.parent / "shared" / "eval" / "seed_dev.jsonl"
ALQAC_2022 = PROJECT_ROOT.parent / "shared" / "data" / "alqac2022"

# Names of the laws in ALQAC 2022, for the title line of the generated documents.
LAW_TITLES = {"91/2015/QH13": "BỘ LUẬT DÂN SỰ", "24/2018/QH14": "LUẬT AN NINH MẠNG",
              "45/2019/QH14": "BỘ LUẬT LAO ĐỘNG", "01/VBHN-VPQH": "BỘ LUẬT HÌNH SỰ"}
_DIEU = re.compile(r"^Điều\s+(\d+[a-zđ]?)\b")


@dataclass(frozen=True)
class Question:
    qid: str
    text: str
    qtype: str = ""
    gold_quotes: tuple[str, ...] = ()       # seed_dev: verbatim quotes a cited passage must contain
    gold_articles: tuple[str, ...] = ()     # ALQAC: "law_id#article_id"
    negative: bool = False


@dataclass
class Dataset:
    name: str
    kind: str                               # "jsonl" | "alqac"
    questions: list[Question]
    corpus: list[Path] = field(default_factory=list)   # files to ingest; empty = the app's corpus
    fingerprint: str = ""
    document_laws: dict[str, str] = field(default_factory=dict)  # generated file name -> law id


def load_jsonl(path: Path) -> Dataset:
    questions = []
    raw = path.read_bytes()
    for line_no, line in enumerate(raw.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise ValueError(f"{path}:{line_no}: not valid JSON ({e.msg})") from e
        if "question" not in row:
            raise ValueError(f"{path}:{line_no}: missing 'question'")
        gold = tuple(row.get("gold_quotes") or ())
        questions.append(Question(qid=str(row.get("id", line_no)), text=nfc(row["question"]),
                                  qtype=row.get("type", ""), gold_quotes=gold,
                                  negative=row.get("type") == "negative" or not gold))
    return Dataset(name=path.stem, kind="jsonl", questions=questions,
                   fingerprint=hashlib.sha256(raw).hexdigest()[:12])


def law_file_name(law_id: str) -> str:
    return "alqac-" + re.sub(r"[^\w]+", "-", law_id).strip("-") + ".txt"


def law_document(law: dict) -> str:
    """One law as a Vietnamese legal text our clause parser reads: title, số, then Điều N."""
    title = LAW_TITLES.get(law["id"], "VĂN BẢN LUẬT")
    parts = [title, f"Số: {law['id']}", ""]
    for article in law["articles"]:
        body = nfc(article["text"]).strip()
        head, _, rest = body.partition("\n")
        parts.append(f"Điều {article['id']}. {head.strip()}")
        parts.append("")
        if rest.strip():
            parts.append(rest.strip())
            parts.append("")
    return "\n".join(parts)


def load_alqac(folder: Path, work_dir: Path) -> Dataset:
    """Reads law.json and question.json from `folder`, writes one .txt per law into
    `work_dir/corpus` (outside the repository) and returns the questions."""
    law_path, question_path = folder / "law.json", folder / "question.json"
    for p in (law_path, question_path):
        if not p.exists():
            raise FileNotFoundError(f"{p} not found: an ALQAC folder holds law.json and question.json")
    laws, rows = _read_json(law_path), _read_json(question_path)
    digest = hashlib.sha256(law_path.read_bytes() + question_path.read_bytes()).hexdigest()[:12]
    corpus_dir = work_dir / "corpus"
    corpus_dir.mkdir(parents=True, exist_ok=True)
    files, document_laws = [], {}
    try:
        for law in laws:
            path = corpus_dir / law_file_name(law["id"])
            text = law_document(law)
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                path.write_text(text, encoding="utf-8")
            files.append(path)
            document_laws[path.name] = law["id"]
    except (KeyError, TypeError) as e:
        raise ValueError(f"{law_path}: not in ALQAC format (each law needs 'id' and 'articles' with "
                         f"'id' and 'text'; problem: {e!r})") from e
    try:
        questions = [Question(qid=r["id"], text=nfc(r["text"]), qtype="alqac",
                              gold_articles=tuple(f"{a['law_id']}#{a['article_id']}" for a in r["relevant_articles"]),
                              negative=not r["relevant_articles"])  # no gold article: must be refused
                     for r in rows]
    except (KeyError, TypeError) as e:
        raise ValueError(f"{question_path}: not in ALQAC format (each question needs 'id', 'text' and "
                         f"'relevant_articles' with 'law_id' and 'article_id'; problem: {e!r})") from e
    return Dataset(name=folder.name, kind="alqac", questions=questions, corpus=files, fingerprint=digest,
                   document_laws=document_laws)


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}:{e.lineno}: not valid JSON ({e.msg})") from e


def load_dataset(path: str | Path, work_dir: Path) -> Dataset:
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} not found — give a .jsonl file (seed_dev format) "
                                "or a folder with ALQAC law.json and question.json")
    if path.is_dir():
        return load_alqac(path, work_dir)
    if path.suffix == ".jsonl":
        return load_jsonl(path)
    raise ValueError(f"{path}: unknown dataset format — give a .jsonl file (seed_dev format) "
                     "or a folder with ALQAC law.json and question.json")


def article_of(clause: str, document: str, document_laws: dict[str, str]) -> str | None:
    """'Điều 418, khoản 1' in alqac-01-VBHN-VPQH.txt -> '01/VBHN-VPQH#418'."""
    m = _DIEU.match(clause)
    law = document_laws.get(document)
    return f"{law}#{m.group(1)}" if m and law else None


def ci_slice(dataset: Dataset, size: int = 100) -> Dataset:
    """A fixed, spread-out slice (every 5th question) for CI; the full run is a documented command."""
    step = max(1, len(dataset.questions) // size)
    questions = dataset.questions[::step][:size]
    return Dataset(name=f"{dataset.name}-slice{len(questions)}", kind=dataset.kind, questions=questions,
                   corpus=dataset.corpus, fingerprint=dataset.fingerprint, document_laws=dataset.document_laws)

