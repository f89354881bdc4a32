"""The wording of an assignment, sentence by sentence (pure): the words that assign ("Giao",
"Yêu cầu", "Đề nghị", "chỉ đạo"), that make a partner ("phối hợp với"), that open a sentence before
its subject ("Trong tháng 12/2025, …"), that say the role ("chủ trì", "tham mưu", "theo dõi, đôn
đốc"), and how a clause is cut into sentence parts. ingest/duties.py reads documents with these."""
from __future__ import annotations

import re
from datetime import date

from core.text import split_sentences, squash
from ingest.actors import find_agencies
from ingest.agencies import agency_key
from ingest.relations import DOC_TYPES
from ingest.structure import CLOSING_MARK

_I = re.IGNORECASE
# Adverbs and modals before the verb that says the role: "khẩn trương chủ trì", "có trách nhiệm tham mưu".
ADVERBS = re.compile(r"^(?:(?:khẩn trương|chủ động|tiếp tục|kịp thời|thường xuyên|nghiêm túc|tập trung|sớm|cần|phải"
                      r"|đồng thời|định kỳ|tích cực|quyết liệt|khẩn cấp|ngay"
                      r"|có trách nhiệm|chịu trách nhiệm|chỉ đạo|là cơ quan thường trực,?)\s*,?\s+)+", _I)
ROLE_START = (
    (re.compile(r"^chủ trì\b", _I), "chủ trì"),
    (re.compile(r"^phối hợp\b", _I), "phối hợp"),
    (re.compile(r"^(?:tham mưu|đề xuất|trình)\b", _I), "tham mưu"),
    (re.compile(r"^(?:theo dõi|đôn đốc|(?:tổ chức\s+)?kiểm tra|giám sát)\b", _I), "theo dõi, đôn đốc"),
    (re.compile(r"^(?:tổng hợp,? báo cáo|báo cáo)\b", _I), "báo cáo"),
)
TRIGGER = re.compile(r"(?<!\w)(?<!được )(?<!đã )(?:giao(?: cho)?|yêu cầu|đề nghị|chỉ đạo|nhắc nhở|ủy quyền cho)\s+", _I)
# "phối hợp (với) X", and "chủ trì, cùng X …" (X helps the lead)
COORDINATE = re.compile(r"(?<!\w)phối hợp(?: chặt chẽ)?(?: (?:với|cùng))?\s+|(?<=chủ trì, )cùng(?: với)?\s+", _I)
# An opening phrase before the subject: "Trong tháng 12/2025, Sở …", "Căn cứ …, Sở …", "Riêng Sở …".
OPENING = re.compile(r"^(?:(?:đồng thời|riêng|ngoài ra|theo đó|do đó|vì vậy|trên cơ sở đó|bên cạnh đó)\s*,?\s*"
                     r"|(?:trong|căn cứ|sau khi|trên cơ sở|để|nhằm|đối với|quý|tháng|năm|từ|đến|khi)\b"
                     r"[^,;:]{0,160},\s*)", _I)
# Words after an agency that make it something other than the subject of a task ("Sở Nội vụ của …");
# "X ban hành / gửi …" is a task in an article ("Trưởng ban ban hành Quy chế …"), "đã ban hành" is not.
THEN = re.compile(r"^(?:của|về|tại|theo(?! dõi)|đã|được|là|trong|ngày|số|năm|đến|như|với|cho|và|hoặc|thì|có tên|tham dự"
                  r"|vào|đối với|trên|do|nhằm)\b", _I)
REFERENCE = re.compile(
    r"\b(?:Chỉ thị|Nghị quyết|Quyết định|Kế hoạch|Công văn|văn bản|Thông tư|Nghị định|Luật|Thông báo|Chương trình)"
    r"\s+số\s+[\w/.\-]+(?:\s+ngày\s+\d{1,2}/\d{1,2}/\d{4})?", re.UNICODE)
# The execution article of a decision: "Chánh Văn phòng …; Giám đốc …; Thủ trưởng … chịu trách nhiệm thi
# hành Quyết định này" (its subject is a list of bodies, however long, split by ';' or ',').
EXECUTION = re.compile(r"\s+(?:chịu|có)\s+trách\s+nhiệm\s+(?:thi\s+hành|thực\s+hiện)\s+(?:Quyết\s+định|Chỉ\s+thị"
                       r"|Nghị\s+quyết|Kế\s+hoạch|Thông\s+báo|Công\s+văn|văn\s+bản)\s+này", _I)
# Predicates that report, thank, acknowledge or submit: a body saying something, not being given a task.
NOT_A_TASK = re.compile(r"(?:(?:đã|đang|cũng|rất|xin)\s+)*(?:ghi nhận|biểu dương|đánh giá cao|cảm ơn|trân trọng|"
                        r"nhận được|nhận thấy|thống nhất với|kính (?:trình|báo cáo|đề nghị|gửi)|thông báo|dự kiến|"
                        r"báo cáo như sau|xin báo cáo|là cơ quan|được giao|"
                        # the standing provisions of a body being set up: how it works, not what it must do
                        r"làm việc theo (?:chế độ|quy chế|nguyên tắc)|hoạt động theo (?:chế độ|quy chế)|"
                        r"(?:được\s+)?sử dụng con dấu|tự giải thể|được hưởng)\b", _I)
# A sentence that only says when: "Hoàn thành trong tháng 9/2019.", "Thời gian thực hiện: Quý II/2026".
ONLY_WHEN = re.compile(r"(?:hoàn thành|thời gian(?: hoàn thành| thực hiện)?|thời hạn(?: hoàn thành)?)(?:\s*:\s*|\s+)"
                       r"(?:xong\s+)?(?:trong|trước|chậm nhất|vào|từ|đến|quý|tháng|năm|ngày)\b[^;]{0,60}$", _I)
# An assignment reported as already made: "UBND tỉnh đã có văn bản số … giao Sở …".
DONE_BEFORE = re.compile(r"\bđã\s+(?:có\s+|ban hành\s+)?(?:văn bản|công văn|quyết định|thông báo|kế hoạch|ý kiến)\b"
                         r"[^.;:]{0,120}$", _I)
# Private persons are told, not assigned ("Kính gửi: Các hộ dân thôn 3", "Ông Nguyễn Văn A").
PRIVATE = re.compile(r"(?:các\s+)?(?:hộ(?:\s+gia\s+đình|\s+dân)?|ông|bà|anh|chị|công dân|người dân|nhân dân|cá nhân)\b",
                     _I)
# "Thời gian thẩm định: Bộ Nội vụ thành lập …": a short topic label before the subject.
LABEL = re.compile(r"[^,;:()]{2,60}:\s+")
# "…, có trách nhiệm …" after "X là cơ quan thường trực …": X's task.
CHARGED = re.compile(r",\s*(?:có|chịu)\s+trách\s+nhiệm\b|,\s*có\s+nhiệm\s+vụ\b", _I)
# "Ban Chỉ đạo có nhiệm vụ:", "Sở Nội vụ có trách nhiệm sau:", "… thực hiện các nhiệm vụ sau:": the items below
# are its tasks (the line names its actor and no task of its own)
CHARGE_LEAD_IN = re.compile(r"^\s*(?:(?:có|chịu)\s+(?:các\s+|những\s+)?(?:trách nhiệm|nhiệm vụ)"
                            r"(?:,?\s*(?:quyền hạn|nhiệm vụ))?|"
                            r"thực hiện\s+(?:các|những)\s+(?:nhiệm vụ|nội dung|việc))"
                            r"(?:\s+(?:chính|cụ thể|chủ yếu))?(?:\s+(?:sau|như sau|sau đây))?\s*:\s*$", _I)
# "Sở Khoa học và Công nghệ là cơ quan thường trực, theo dõi, đôn đốc …": the standing body's tasks follow
STANDING = re.compile(r"^\s*là\s+(?:cơ quan|đơn vị)\s+(?:thường trực|đầu mối)\b[^,.;:]{0,80},\s*(?=\w)", _I)
# The members of a body being set up are listed, not assigned: "… gồm các thành viên sau:", "Thành phần gồm:".
COMPOSITION = re.compile(r"\bgồm(?: có)?(?: các)? (?:thành viên|ông|bà|đồng chí)|\bthành phần(?: \w+){0,4} gồm\b", _I)
# "Số liệu của các bộ, ngành đề nghị gửi về Bộ Nội vụ trước ngày …": a request to send, its subject a
# thing, who sends it named after "của" or, where nobody is, the letter's addressees.
SUBMIT = re.compile(r"(?<!\w)(?:đề nghị|yêu cầu)\s+(?:gửi|nộp|báo cáo|cung cấp)\b", _I)
# "Hồ sơ đề nghị Chủ tịch UBND tỉnh tặng Bằng khen …", "theo đề nghị của Sở …": a proposal named, not made.
PROPOSAL_NOUN = re.compile(r"(?:\b(?:hồ sơ|tờ trình|theo|xét|trên cơ sở|căn cứ)\s*$)", _I)
GIVEN = re.compile(r"(?:nhiệm vụ|công việc|nội dung|việc|những gì)\s+(?:được|do|của|mà|đã được)\b[^.;]{0,100}$", _I)
# "dự toán giao cho các cơ quan", "chỉ tiêu giao cho UBND các xã": what is allotted to a body, not a task
ALLOTTED = re.compile(r"\b(?:dự toán|kinh phí|ngân sách|nguồn vốn|vốn|biên chế|chỉ tiêu|định mức)\s*$", _I)
PASSIVE_AGENT = re.compile(r"\b(?:được|do|bởi)\s+[^,]{0,60},\s*$", _I)
SHORT_NAME = re.compile(r"\s*\((?:sau đây\s+)?(?:gọi|viết)\s+tắt\s+là:?\s*(?P<short>[^)]{2,60})\)", _I)
# Headings that name whose tasks follow.
ABOUT = re.compile(r"^(?:đối với|trách nhiệm của|(?:chức năng,\s*)?nhiệm vụ(?:,? quyền hạn| và quyền hạn)? của)\s+",
                   _I)
# A subject that restates the addressee ("Người đứng đầu các cơ quan … phải …" under "1. Thủ trưởng các sở …").
RESTATED = re.compile(r"^(?:người đứng đầu|thủ trưởng|lãnh đạo)?\s*(?:các|mỗi|từng)?\s*"
                      r"(?:cơ quan|đơn vị|địa phương)\b", _I)


def role_of(predicate: str) -> str:
    text = ADVERBS.sub("", predicate.strip(" ,:;-–")).strip()
    for pattern, role in ROLE_START:
        if pattern.match(text):
            return role
    return "thực hiện"


def action_phrase(text: str, limit: int = 160) -> str:
    first = CLOSING_MARK.sub("", (split_sentences(squash(text), keep_lists=True) or [""])[0]).strip(" ;.,:-–")
    if len(first) > limit:
        cut = first.rfind(" ", 0, limit)
        first = first[:cut if cut > 0 else limit] + " …"
    return first[:1].upper() + first[1:]


def sentence_parts(text: str) -> list[tuple[str, str]]:
    """(part, its sentence) for each sentence and each of its ';' parts; a ';' does not cut a list
    of agencies ("Chánh Văn phòng UBND tỉnh; Giám đốc …; … chịu trách nhiệm thi hành …", "UBND tỉnh
    yêu cầu Thủ trưởng các sở; Chủ tịch UBND các huyện …")."""
    out: list[tuple[str, str]] = []
    for sentence in split_sentences(squash(text), keep_lists=True):
        if EXECUTION.search(sentence):
            out.extend((piece, sentence[:_LONGEST]) for piece in _pieces(sentence))
            continue
        parts: list[str] = []
        joining = False
        for part in (p.strip() for p in _top_level_split(sentence, ";")):
            if not part:
                continue
            if joining and not _INLINE_ITEM.match(part):  # "…; (2) …" opens the next numbered task
                parts[-1] += "; " + part
            else:
                parts.append(part)
            spans = find_agencies(parts[-1])
            joining = bool(spans) and spans[-1].end >= len(parts[-1]) - 1 and not parts[-1].endswith(":")
        out.extend((piece, sentence[:_LONGEST]) for p in parts for item in _enumerated(p, sentence)
                   for piece in _pieces(item))
    return out


# "… tập trung: (1) Đẩy mạnh …; (2) Tham mưu …": tasks numbered inside one sentence.
_INLINE_ITEM = re.compile(r"(?:^|(?<=:)\s*)\(?(?:\d{1,2}|[a-zđ])\)\s+")


def _enumerated(part: str, sentence: str) -> list[str]:
    """A ';' part of a sentence that numbers its tasks inline, "(1) …; (2) …": the lead-in before
    the first item (when it says more than "tập trung:") and the item without its number, each a
    task of its own, as lines "1. …", "2. …" would be. Only where a "(2)" follows in the sentence."""
    m = _INLINE_ITEM.search(part)
    if not m or not re.search(r"[\s(](?:2|b)\)\s", sentence):
        return [part]
    lead, item = part[:m.start()].strip(), part[m.end():].strip()
    return [x for x in (lead, item) if x]


def _top_level_split(text: str, mark: str) -> list[str]:
    """`text` cut at `mark` outside brackets: "(Kiosk …; khám chữa bệnh …; thanh toán …)" lists
    examples of one task, not tasks of their own. With a bracket left open (a typo, an OCR slip)
    every mark cuts, as if there were no brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(0, depth - 1)
        elif char == mark and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts if depth == 0 else text.split(mark)


_LONGEST = 1500  # characters: past this a "sentence" is a run-on line, cut at commas


def _pieces(part: str) -> list[str]:
    if len(part) <= _LONGEST:
        return [part]
    out, start = [], 0
    while start < len(part):
        end = part.rfind(", ", start, start + _LONGEST) if start + _LONGEST < len(part) else len(part)
        end = end if end > start else min(len(part), start + _LONGEST)
        out.append(part[start:end].strip(" ,"))
        start = end + 1
    return [p for p in out if p]


_MARKER = re.compile(r"^(?:[IVX]+[.)]|\d{1,2}(?:\.\d{1,2})*[.)]|[a-zđ]\)|[-•+–*])\s*")
_TASK_START = re.compile(r"^[^\W\d]", re.UNICODE)
# "Hướng dẫn số 37/HD-BCA-C04 ngày …", "Kết luận số 178-KL/TW …": an item of a list of documents cited,
# which opens with a verb's look ("Hướng dẫn") but assigns nothing.
_CITATION = re.compile(rf"^(?:{DOC_TYPES}|Kết luận|Báo cáo|Tờ trình|Đề án|Chương trình|Thông tri)\s+(?:số\s+)?"
                       r"\d+[\w.\-]*/[\w\-./Đđ]+", _I)


def is_task(part: str) -> bool:
    """A line under an addressee that is more than a fragment or a lead-in to a list."""
    words = len(part.split())
    # "Tăng cường tính chủ động … cụ thể:" is a task of its own; "Nhiệm vụ:" only leads in.
    return (bool(_TASK_START.match(part)) and not _CITATION.match(part) and words >= 3
            and (not part.rstrip().endswith(":") or words >= 10))


def strip_marker(line: str) -> str:
    return _MARKER.sub("", line.strip()).strip()


def in_scope(addressing_path: str, path: str) -> bool:
    """Does the line at `addressing_path` ("Mục 2, điểm b") address the clause at `path`? Its
    children do, and the unnumbered paragraphs that follow it under the same parent."""
    if path.startswith(addressing_path + ","):
        return True
    if not addressing_path:
        return True  # addressed in the opening paragraphs: the whole body
    parent = addressing_path.rsplit(",", 1)[0] if "," in addressing_path else ""
    return bool(parent) and path.startswith(parent + ", đoạn") or (not parent and path.startswith(addressing_path))


def writes_upward(issuer: str | None, recipients: tuple[str, ...]) -> bool:
    """Is the letter addressed to the issuer's parent body ("UBND TỈNH LÂM ĐỒNG / SỞ NỘI VỤ" writing
    to "Ủy ban nhân dân tỉnh" or its Chủ tịch)?"""
    lines = [x.strip() for x in (issuer or "").split("/") if x.strip()]
    if len(lines) < 2 or re.match(r"(?i)(?:tỉnh|huyện|xã|thành phố|thị xã|quận|phường)\b", lines[1]):
        return False  # one body ("ỦY BAN NHÂN DÂN / TỈNH LÂM ĐỒNG"): no parent named
    parent = agency_key(lines[0], folded=True).split()
    head = " ".join(parent[:2])  # "ubnd tinh", "bo cong an"
    return any(agency_key(r, folded=True).removeprefix("dong chi ").removeprefix("chu tich ").startswith(head)
               for r in recipients)


def iso_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value and len(value) == 10 else None
    except ValueError:
        return None


def tidy(name: str) -> str:
    name = re.sub(r"\s+", " ", name).strip(" ,;:.")
    return name[:1].upper() + name[1:]
