"""Duty extraction (who must do what, by when) on the bundled samples and on small real-format
texts in tests/data: heading addressees, inline assignments, coordination, recurring and dated
deadlines, province-scoped aliases, documents without structure, and garbage that must not crash."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from core.text import squash
from core.types import Document, Duty, DutyTime, Header
from ingest.agencies import AgencyNames, is_generic
from ingest.chunk import ClauseChunker
from ingest.duties import DutyExtractor, parse_time
from ingest.load import load_directive
from tests.ingest.conftest import DATA, SAMPLES

THANH_HOA = "thanh-hoa-2022-trach-nhiem-nguoi-dung-dau.txt"
CAO_BANG = "cao-bang-2022-chi-thi-ky-luat-cai-cach-hanh-chinh.txt"
NGHE_AN = "nghe-an-10331-UBND-KSTT-2021-ky-luat-ky-cuong.txt"
TIME_DOC = "cong-van-thoi-han.txt"            # Thanh Hóa, aliases ("Sở NV", "VP UBND tỉnh", "Báo tỉnh"), deadlines
NO_HEADINGS = "cong-van-khong-de-muc.txt"     # plain paragraphs, with a Kính gửi list
NO_ADDRESSEES = "ghi-chep-khong-nguoi-nhan.txt"  # plain paragraphs, nobody addressed


@pytest.fixture(scope="module")
def agencies() -> AgencyNames:
    return AgencyNames.load()


def extract_path(path: Path) -> tuple[Document, list[Duty]]:
    doc = load_directive(path)
    return doc, DutyExtractor().extract(doc, ClauseChunker().chunk(doc))


def extract_text(tmp_path: Path, text: str, name: str = "van-ban.txt") -> tuple[Document, list[Duty]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract_path(path)


def sample(name: str) -> Path:
    return next(p for p in SAMPLES if p.name == name)


@pytest.fixture(scope="module")
def thanh_hoa():
    return extract_path(sample(THANH_HOA))


@pytest.fixture(scope="module")
def cao_bang():
    return extract_path(sample(CAO_BANG))


@pytest.fixture(scope="module")
def time_doc():
    return extract_path(DATA / TIME_DOC)


def not_generic(agencies: AgencyNames, d: Duty) -> bool:
    """An actor is a named agency: a known one, or at least not a phrase like 'các cơ quan, đơn vị'."""
    return bool(agencies.canonical(d.actor, d.province)) or not is_generic(d.actor)


def at(duties: list[Duty], clause: str) -> dict[str, Duty]:
    """The duties of one clause, by actor."""
    return {d.actor: d for d in duties if d.clause == clause}


# ---- who: headings, inline assignments, coordination ---------------------------------------------
def test_heading_addressee_applies_to_every_bullet_under_it(thanh_hoa):
    _, duties = thanh_hoa
    under = [d for d in duties if d.clause.startswith("Mục 3,")]
    assert sorted({d.clause for d in under}) == [f"Mục 3, gạch đầu dòng {i}" for i in (1, 2, 3)]
    leads = [d for d in under if d.role != "phối hợp"]
    # one duty per sentence part: a bullet of two instructions gives Sở Nội vụ two duties
    assert sorted({(d.clause, d.actor) for d in leads}) == [(f"Mục 3, gạch đầu dòng {i}", "Sở Nội vụ")
                                                            for i in (1, 2, 3)]
    assert all(d.actor_text == "Sở Nội vụ" for d in leads)
    # The heading of the next item does not leak back: Mục 2 belongs to the Văn phòng.
    assert at(duties, "Mục 2, gạch đầu dòng 1").keys() == {"Văn phòng UBND tỉnh"}


def test_chu_tri_phoi_hop_gives_two_duties_on_the_same_clause(thanh_hoa):
    _, duties = thanh_hoa
    clause = at(duties, "Mục 3, gạch đầu dòng 3")
    assert {"Sở Nội vụ", "Văn phòng UBND tỉnh"} <= clause.keys()  # and "các đơn vị liên quan", a group partner
    lead, partner = clause["Sở Nội vụ"], clause["Văn phòng UBND tỉnh"]
    assert (lead.role, partner.role) == ("chủ trì", "phối hợp")
    assert partner.actor_text == "Văn phòng Ủy ban nhân dân tỉnh"
    assert lead.chunk_id == partner.chunk_id and lead.quote == partner.quote  # the same sentence
    assert lead.quote.startswith("Chủ trì, phối hợp với Văn phòng Ủy ban nhân dân tỉnh")
    assert lead.duty_id != partner.duty_id


def test_alias_partner_in_a_chu_tri_clause_is_canonical(time_doc):
    """'… phối hợp với VP UBND tỉnh tổng hợp …': the partner is the agency, not 'VP UBND tỉnh tổng hợp …'."""
    _, duties = time_doc
    clause = at(duties, "Mục 1, điểm a")
    assert clause.keys() == {"Sở Nội vụ", "Văn phòng UBND tỉnh"}
    assert clause["Sở Nội vụ"].role == "chủ trì" and clause["Sở Nội vụ"].actor_text == "Sở NV"
    assert clause["Văn phòng UBND tỉnh"].role == "phối hợp"
    assert clause["Văn phòng UBND tỉnh"].actor_text == "VP UBND tỉnh"


def test_cao_bang_paragraph_after_3c_belongs_to_van_phong_not_so_noi_vu(cao_bang):
    _, duties = cao_bang
    paragraph = [d for d in duties if d.clause == "Mục 3, đoạn 1"]
    assert paragraph, "the paragraph after 3c assigns a duty"
    # its sentence "…, giao Văn phòng UBND tỉnh chủ động ban hành văn bản …" is the Văn phòng's
    giving = [d for d in paragraph if "giao Văn phòng UBND tỉnh chủ động" in d.quote]
    assert {d.actor for d in giving} == {"Văn phòng UBND tỉnh"}
    # …while 3c itself is Sở Nội vụ's, with the Văn phòng coordinating.
    c = at(duties, "Mục 3, điểm c")
    assert c["Sở Nội vụ"].role == "chủ trì" and c["Văn phòng UBND tỉnh"].role == "phối hợp"


def test_subject_list_splits_into_each_agency(thanh_hoa):
    _, duties = thanh_hoa
    assert set(at(duties, "Mục 4")) == {"Báo Thanh Hóa", "Đài Phát thanh và Truyền hình Thanh Hóa",
                                        "Đài Truyền thanh cấp huyện", "Các cơ quan, đơn vị có liên quan"}
    assert at(duties, "Mục 4")["Các cơ quan, đơn vị có liên quan"].role == "phối hợp"  # a group is kept as written


def test_the_receiver_of_reports_is_not_given_the_senders_duty(thanh_hoa):
    """"… có văn bản gửi về Sở Nội vụ để tổng hợp" is a duty of the senders; the real-corpus readers
    (tests/data/real/LABELLING.md) never made the receiver an actor of it."""
    _, duties = thanh_hoa
    closing = at(duties, "Phần kết thúc, đoạn 1")
    assert "Sở Nội vụ" not in closing
    assert {"Thủ trưởng các sở, ban, ngành tỉnh", "Chủ tịch UBND cấp huyện"} <= set(closing)
    assert all(not d.action.endswith(("/", "./.", ".")) for d in closing.values())  # no closing mark


def test_closing_mark_is_not_part_of_an_action():
    _, duties = extract_path(sample("long-an-2021-trach-nhiem-cong-vu.txt"))
    closing = [d for d in duties if d.clause.startswith("Phần kết thúc")]
    assert closing
    assert all("/" not in d.action[-3:] for d in closing), [d.action for d in closing]


def test_semicolons_inside_brackets_list_examples_not_tasks():
    from ingest.sentences import sentence_parts

    text = ("Sở Y tế tiếp tục đẩy mạnh ứng dụng tiện ích trong lĩnh vực y tế (kiosk khám sức khỏe; thanh toán "
            "viện phí không dùng tiền mặt; khai báo lưu trú); báo cáo kết quả về Sở Nội vụ.")
    parts = [part for part, _ in sentence_parts(text)]
    assert len(parts) == 2
    assert parts[0].endswith("khai báo lưu trú)") and parts[1].startswith("báo cáo kết quả")
    # a bracket left open (an OCR slip) protects nothing: every ';' cuts as before
    assert len(sentence_parts("Sở Y tế rà soát (mục a; tổng hợp số liệu; đôn đốc thực hiện.")) == 3


# ---- when ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("text, kind, rrule", [
    ("hằng tháng", "recurring", "FREQ=MONTHLY"),
    ("định kỳ hằng quý", "recurring", "FREQ=MONTHLY;INTERVAL=3"),
    ("cuối năm", "recurring", "FREQ=YEARLY;BYMONTH=12"),
    ("hằng năm", "recurring", "FREQ=YEARLY"),
    ("hàng tuần", "recurring", "FREQ=WEEKLY"),
    ("sau các kỳ nghỉ Lễ, Tết", "recurring", None),
])
def test_recurring_time_phrases(text, kind, rrule):
    time = parse_time(f"Tổ chức kiểm tra {text} tại các cơ quan, đơn vị.")
    assert (time.kind, time.rrule, time.date) == (kind, rrule, None)
    assert time.text and text.lower() in time.text.lower()


@pytest.mark.parametrize("text, iso", [
    ("trước ngày 15/01/2022", "2022-01-15"),
    ("chậm nhất là ngày 5/3/2023", "2023-03-05"),
    ("trước ngày 31 tháng 12 năm 2022", "2022-12-31"),
    ("hoàn thành trong ngày 29/02/2024", "2024-02-29"),
])
def test_absolute_deadline(text, iso):
    time = parse_time(f"Gửi báo cáo về Sở Nội vụ {text}.")
    assert time == DutyTime(text=text, kind="date", date=iso)


@pytest.mark.parametrize("text", ["trước ngày 30/02/2022", "trước ngày 31/04/2023", "trước ngày 15/13/2022",
                                  "trước ngày 00/01/2022"])
def test_impossible_date_is_not_a_deadline(text):
    """A typo must not become a date a calendar export cannot represent."""
    time = parse_time(f"Gửi báo cáo {text}.")
    assert time.kind != "date" and time.date is None


def test_first_valid_date_wins_over_an_impossible_one():
    time = parse_time("Gửi báo cáo trước ngày 30/02/2022, chậm nhất trước ngày 05/03/2022.")
    assert (time.kind, time.date) == ("date", "2022-03-05")


def test_relative_deadline():
    time = parse_time("Ban hành kế hoạch trong thời hạn 10 ngày kể từ ngày ký văn bản này.")
    assert time.kind == "relative" and time.date is None and time.rrule is None
    assert time.text.startswith("trong thời hạn 10 ngày kể từ ngày ký")


@pytest.mark.parametrize("text", [
    "Triển khai các nhiệm vụ theo Nghị quyết số 76/NQ-CP ngày 15/7/2021 của Chính phủ.",
    "Thực hiện Kế hoạch số 1929/KH-UBND ngày 27/7/2022 của UBND tỉnh.",
    "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015.",
])
def test_a_referenced_documents_date_is_not_a_deadline(text):
    assert parse_time(text) == DutyTime()


def test_deadlines_in_a_directive(time_doc):
    _, duties = time_doc
    sn = {d.clause: d.time for d in duties if d.actor == "Sở Nội vụ"}
    assert sn["Mục 1, điểm a"].rrule == "FREQ=MONTHLY"
    assert sn["Mục 1, điểm b"].rrule == "FREQ=MONTHLY;INTERVAL=3"
    assert (sn["Mục 1, điểm c"].kind, sn["Mục 1, điểm c"].date) == ("date", "2022-01-15")
    assert sn["Mục 1, điểm d"] == DutyTime()  # only a referenced plan's date
    huyen = {d.clause: d.time for d in duties if d.actor == "Chủ tịch UBND cấp huyện"}
    assert huyen["Mục 2, điểm a"].kind == "relative"
    assert huyen["Mục 2, điểm b"].rrule == "FREQ=YEARLY;BYMONTH=12"
    assert {d.time.rrule for d in duties if d.clause == "Mục 3"} == {"FREQ=YEARLY"}


def test_recurring_times_of_the_samples(thanh_hoa):
    _, duties = thanh_hoa
    vp = at(duties, "Mục 2, gạch đầu dòng 1")["Văn phòng UBND tỉnh"]
    assert (vp.time.kind, vp.time.rrule) == ("recurring", "FREQ=MONTHLY")
    check = at(duties, "Mục 1, gạch đầu dòng 4")
    assert all("sau các kỳ nghỉ Lễ, Tết" in d.time.text for d in check.values())


def test_no_sample_reads_a_referenced_documents_date_as_a_deadline():
    for path in SAMPLES:
        _, duties = extract_path(path)
        # None of the four samples sets a calendar deadline; all their dates belong to cited documents.
        assert not [d for d in duties if d.time.kind == "date"], path.name


def test_references_of_nghe_an_muc_1():
    _, duties = extract_path(sample(NGHE_AN))
    refs = {r for d in duties if d.clause == "Mục 1" for r in d.references}
    assert "Chỉ thị số 26/CT-TTg ngày 05/9/2016" in refs
    assert "Quyết định số 1847/QĐ-TTg ngày 27/12/2018" in refs
    assert all(d.time.kind == "none" for d in duties if d.clause == "Mục 1")


# ---- documents without structure, garbage ---------------------------------------------------------
def test_document_without_structure_yields_one_duty_per_addressee():
    doc, duties = extract_path(DATA / NO_HEADINGS)
    assert len(doc.header.recipients) == 3
    assert sorted(d.actor for d in duties) == sorted(["Sở Tài chính", "Văn phòng UBND tỉnh", "Chủ tịch UBND cấp huyện"])
    assert {d.role for d in duties} == {"thực hiện"}
    assert {d.actor_text for d in duties} >= {"Văn phòng Ủy ban nhân dân tỉnh"}
    assert len({d.duty_id for d in duties}) == 3
    for d in duties:
        assert d.province == "Bình Định" and d.quote in squash(doc.text)


CONG_DIEN_ITEM1 = "1. Thực hiện nghiêm túc Công văn số 2171/UBND-KTN ngày 15/5/2019 của UBND tỉnh."
CONG_DIEN_ITEM2 = "2. Chủ động túc trực 24/24h đối phó với tình hình dịch bệnh."
CONG_DIEN = """ỦY BAN NHÂN DÂN
HUYỆN MẪU SƠN
Số: 12/CĐ-UBND
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Mẫu Sơn, ngày 17 tháng 5 năm 2019
CÔNG ĐIỆN
Về việc phòng, chống dịch tả lợn Châu Phi
Để chủ động phòng, chống dịch bệnh, Chủ tịch UBND huyện yêu cầu:
""" + CONG_DIEN_ITEM1 + "\n" + CONG_DIEN_ITEM2 + """
3. Giao Phòng Nông nghiệp và PTNT tham mưu UBND huyện thành lập Ban chỉ đạo phòng chống dịch.
Nhận Công điện này, yêu cầu Thủ trưởng các phòng, ban, đơn vị; Chủ tịch UBND các xã, thị trấn khẩn trương \
triển khai thực hiện./.
Nơi nhận:
- Như trên;
- Lưu: VT.
CHỦ TỊCH
"""


def test_a_closing_request_to_carry_out_the_document_names_who_does_the_unassigned_tasks(tmp_path):
    _, duties = extract_text(tmp_path, CONG_DIEN)
    for clause in ("Mục 1", "Mục 2"):
        assert set(at(duties, clause)) == {"Thủ trưởng các phòng, ban, đơn vị", "Chủ tịch UBND các xã, thị trấn"}
    assert set(at(duties, "Mục 3")) == {"Phòng Nông nghiệp và PTNT"}          # named there: its own actor
    # a closing that only informs ("thông báo để … biết") names no one to carry the tasks out
    informing = CONG_DIEN.replace("Nhận Công điện này, yêu cầu", "UBND huyện thông báo để").replace(
        "khẩn trương triển khai thực hiện./.", "biết./.")
    _, duties = extract_text(tmp_path, informing, "thong-bao.txt")
    assert not at(duties, "Mục 1")


def cong_dien_duties(tmp_path: Path, item1: str | None = None, item2: str | None = None) -> list[Duty]:
    """The duties of CONG_DIEN with its item 1 or 2 written anew."""
    text = CONG_DIEN
    for old, new in ((CONG_DIEN_ITEM1, item1), (CONG_DIEN_ITEM2, item2)):
        text = text.replace(old, new) if new else text
    return extract_text(tmp_path, text)[1]


def test_tasks_numbered_inside_one_sentence_are_tasks_of_their_own(tmp_path):
    duties = cong_dien_duties(tmp_path, item2=(
        "2. Giao Phòng Y tế thực hiện các việc sau: (1) Rà soát kế hoạch phòng dịch tại các xã; (2) Tổ chức tiêm "
        "phòng cho đàn lợn trước ngày 30/5/2019; (3) Báo cáo kết quả về UBND huyện."))
    items = [(d.actor, d.role, d.action) for d in duties if d.clause == "Mục 2"]
    assert items == [("Phòng Y tế", "thực hiện", "Rà soát kế hoạch phòng dịch tại các xã"),
                     ("Phòng Y tế", "thực hiện", "Tổ chức tiêm phòng cho đàn lợn trước ngày 30/5/2019"),
                     ("Phòng Y tế", "báo cáo", "Báo cáo kết quả về UBND huyện")]
    assert [d.time.date for d in duties if d.clause == "Mục 2"][1] == "2019-05-30"


def test_a_request_to_send_something_binds_whose_it_is_or_the_addressees(tmp_path):
    duties = cong_dien_duties(
        tmp_path, item1="1. Văn bản góp ý đề nghị gửi về Phòng Tư pháp trước ngày 25/5/2019.",
        item2="2. Báo cáo kết quả của UBND các xã đề nghị gửi về Phòng Nông nghiệp và PTNT trước ngày 30/5/2019.")
    # nobody named: those the closing asks to carry the document out
    assert {(a, d.role, d.time.date) for a, d in at(duties, "Mục 1").items()} == {
        ("Thủ trưởng các phòng, ban, đơn vị", "báo cáo", "2019-05-25"),
        ("Chủ tịch UBND các xã, thị trấn", "báo cáo", "2019-05-25")}
    # "của UBND các xã": theirs to send
    assert {(a, d.role, d.time.date) for a, d in at(duties, "Mục 2").items()} == {
        ("UBND các xã", "báo cáo", "2019-05-30")}


def test_a_proposal_named_is_not_a_request_made(tmp_path):
    duties = cong_dien_duties(tmp_path, item2=(
        "2. Hồ sơ đề nghị Chủ tịch UBND huyện tặng Giấy khen gồm 02 bộ. Trên cơ sở đề nghị của Phòng Tư pháp, "
        "giao Phòng Nội vụ thẩm định hồ sơ."))
    assert [(d.actor, d.action) for d in duties if d.clause == "Mục 2"] == [("Phòng Nội vụ", "Thẩm định hồ sơ")]


def test_a_list_of_documents_cited_is_not_a_list_of_tasks(tmp_path):
    duties = cong_dien_duties(tmp_path, item1=(
        "1. Ban Chỉ đạo huyện thực hiện nhiệm vụ theo Quyết định số 21/2019/QĐ-UBND ngày 02/5/2019 của UBND "
        "tỉnh; Hướng dẫn số 35/HD-SNN ngày 10 tháng 5 năm 2019 của Sở Nông nghiệp và PTNT hướng dẫn trình tự, "
        "thủ tục xét duyệt; Kết luận số 12-KL/HU ngày 12/5/2019 của Huyện ủy."))
    cited = [d for d in duties if d.clause == "Mục 1"]
    assert {d.actor for d in cited} == {"Ban Chỉ đạo huyện"}
    assert not any(d.action.startswith(("Hướng dẫn số", "Kết luận số")) for d in cited), [d.action for d in cited]


@pytest.mark.parametrize("name", [NO_ADDRESSEES, "ghi-chu-khong-cau-truc.txt"])
def test_document_with_neither_structure_nor_addressees_yields_nothing(name):
    _, duties = extract_path(DATA / name)
    assert duties == []


_WORDS = ("Sở", "Nội", "vụ", "giao", "chủ", "trì", "phối", "hợp", "với", "Văn", "phòng", "UBND", "tỉnh", "hằng",
          "tháng", "trước", "ngày", "15/01/2022", "Yêu", "cầu", "Kính", "gửi:", "-", "1.", "a)", "Báo", "Đài", ",",
          ";", ".", "./.", "Chủ", "tịch", "các", "huyện", "thị", "xã", "thành", "phố", "định", "kỳ", "30/02/2022",
          "Nghị", "quyết", "số", "76/NQ-CP", "Điều", "khoản", "Phần", "I.", "\n", "\n\n", "**", "##", "đ)", "+")


@pytest.mark.parametrize("seed", range(8))
def test_random_vietnamese_words_never_raise(tmp_path, agencies, seed):
    rng = random.Random(seed)
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 600)))
    doc, duties = extract_text(tmp_path, text)
    for d in duties:
        assert d.quote in squash(doc.text)
        assert d.actor and not_generic(agencies, d)


def test_very_long_single_line_never_raises(tmp_path):
    line = ("Giao Sở Nội vụ chủ trì, phối hợp với Văn phòng UBND tỉnh, các cơ quan, đơn vị liên quan "
            "tổ chức kiểm tra hằng tháng, báo cáo trước ngày 15/01/2022 ") * 3000
    doc, duties = extract_text(tmp_path, "Kính gửi: Sở Nội vụ\n\n" + line)
    assert len(doc.text) > 300_000
    assert all(d.quote in squash(doc.text) for d in duties)


_PIECES = [*"aăâđeêioôơuưyAĐSởNộiụvgchủtrìp,.;:/-()0123456789 \n", "Sở Nội vụ ", "Giao ", "phối hợp với ",
           "hằng tháng", "trước ngày ", "1. ", "a) ", "- ", "Kính gửi:\n", "./.", "các cơ quan, đơn vị "]


def test_arbitrary_text_never_raises():
    """Seeded fuzz straight into the extractor, including the empty text and no chunks at all."""
    rng = random.Random(20240501)
    texts = ["", " ", "\n\n", "./.", "Giao", "1.", "a)"]
    texts += ["".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 200))) for _ in range(300)]
    extractor, chunker = DutyExtractor(), ClauseChunker()
    for text in texts:
        doc = Document(source="/tmp/x.txt", name="x.txt", text=text, header=Header(recipients=("Sở NV",)),
                       content_hash="0")
        assert extractor.extract(doc, []) == []
        for d in extractor.extract(doc, chunker.chunk(doc)):
            assert d.quote in squash(text[d.start:d.end]), text  # the sentence that assigns, verbatim


# ---- canonical names -----------------------------------------------------------------------------
@pytest.mark.parametrize("written, canonical", [
    ("Sở NV", "Sở Nội vụ"),
    ("sở nội vụ", "Sở Nội vụ"),
    ("VP UBND tỉnh", "Văn phòng UBND tỉnh"),
    ("Văn phòng Ủy ban nhân dân tỉnh", "Văn phòng UBND tỉnh"),
    ("Văn phòng Uỷ ban nhân dân tỉnh", "Văn phòng UBND tỉnh"),
    ("Chủ tịch UBND các huyện, thị xã, thành phố", "Chủ tịch UBND cấp huyện"),
    ("Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố", "Chủ tịch UBND cấp huyện"),
])
def test_aliases_are_canonicalised(agencies, written, canonical):
    assert agencies.canonical(written) == canonical
    assert agencies.split(written) == [(written, canonical)]


def test_a_body_named_after_its_province_takes_the_documents_province(agencies):
    """"Báo tỉnh" is the newspaper of the document's province, whichever province that is (a rule,
    not one entry per province)."""
    assert agencies.canonical("Báo tỉnh", "Thanh Hóa") == "Báo Thanh Hóa"
    assert agencies.canonical("Báo tỉnh", "Cao Bằng") == "Báo Cao Bằng"
    assert agencies.canonical("Đài Phát thanh và Truyền hình tỉnh", "Long An") == "Đài Phát thanh và Truyền hình Long An"
    assert agencies.canonical("Báo tỉnh") is None
    assert agencies.canonical("Công an tỉnh Lâm Đồng", "Lâm Đồng") == "Công an tỉnh"


@pytest.mark.parametrize("place, newspaper", [("Thanh Hóa", "Báo Thanh Hóa"), ("Cao Bằng", "Báo Cao Bằng")])
def test_province_of_the_document_scopes_its_aliases(tmp_path, place, newspaper):
    text = (DATA / TIME_DOC).read_text(encoding="utf-8").replace("TỈNH THANH HÓA", f"TỈNH {place.upper()}")
    text = text.replace("Thanh Hóa, ngày", f"{place}, ngày")
    doc, duties = extract_text(tmp_path, text)
    assert doc.header.province == place
    media = at(duties, "Mục 3")
    assert newspaper in media and media[newspaper].actor_text == "Báo tỉnh"
    assert {"Báo Thanh Hóa", "Báo Cao Bằng"} - {newspaper} & set(media) == set()
    assert all(d.province == place for d in duties)


def test_split_a_list_of_agencies(agencies):
    parts = agencies.split("Báo Thanh Hóa, Đài Phát thanh và Truyền hình Thanh Hóa, Đài Truyền thanh cấp huyện",
                           "Thanh Hóa")
    assert [c for _, c in parts] == ["Báo Thanh Hóa", "Đài Phát thanh và Truyền hình Thanh Hóa",
                                     "Đài Truyền thanh cấp huyện"]
    assert [t for t, _ in parts] == ["Báo Thanh Hóa", "Đài Phát thanh và Truyền hình Thanh Hóa",
                                     "Đài Truyền thanh cấp huyện"]


@pytest.mark.parametrize("phrase", ["các cơ quan, đơn vị liên quan", "các cơ quan, đơn vị có liên quan",
                                    "các ngành, đơn vị liên quan", "cơ quan, đơn vị", "các địa phương"])
def test_generic_phrases_are_not_actors(agencies, phrase):
    assert is_generic(phrase)
    assert agencies.split(phrase) == []


def test_known_alias_inside_a_list_is_an_actor_even_if_it_reads_generic(agencies):
    """'Các sở, ban, ngành, UBND …' names the heads of departments (an alias), not 'anyone'."""
    parts = {c: t for t, c in agencies.split("Các sở, ban, ngành, Chủ tịch UBND các huyện, thị xã, thành phố")}
    assert set(parts) == {"Thủ trưởng các sở, ban, ngành tỉnh", "Chủ tịch UBND cấp huyện"}


def test_a_list_subject_with_an_alias_gets_its_dated_duty():
    _, duties = extract_path(DATA / "ke-hoach-phan-muc.txt")
    last = at(duties, "Phần III, Mục 2")
    assert "Thủ trưởng các sở, ban, ngành tỉnh" in last
    assert last["Thủ trưởng các sở, ban, ngành tỉnh"].time.date == "2023-12-15"


@pytest.mark.parametrize("path", [*SAMPLES, DATA / TIME_DOC, DATA / NO_HEADINGS], ids=lambda p: p.stem[:20])
def test_every_quote_is_a_verbatim_sentence_of_its_clause(agencies, path):
    doc, duties = extract_path(path)
    chunks = {c.chunk_id: c for c in ClauseChunker().chunk(doc)}
    assert duties
    whole = squash(doc.text)
    for d in duties:
        assert d.actor and d.actor[0].isupper(), d.actor
        assert d.quote in whole
        assert d.quote in squash(doc.text[d.start:d.end])
        chunk = chunks[d.chunk_id]
        assert (chunk.start, chunk.end, chunk.clause) == (d.start, d.end, d.clause)
        assert d.doc_id == doc.doc_id and d.document == doc.name
        assert d.role in ("chủ trì", "phối hợp", "thực hiện", "tham mưu", "theo dõi, đôn đốc", "báo cáo")
    assert len({d.duty_id for d in duties}) == len(duties)  # one duty per sentence part and actor


def test_extraction_is_deterministic_and_ids_are_stable(thanh_hoa):
    _, first = thanh_hoa
    _, again = extract_path(sample(THANH_HOA))
    assert [d.to_dict() for d in first] == [d.to_dict() for d in again]
    assert Duty.from_dict(first[0].to_dict()) == first[0]


@pytest.mark.parametrize("question, expected", [
    ("Sở Nội vụ phải làm gì?", ["Sở Nội vụ"]),
    ("so noi vu phai lam gi", ["Sở Nội vụ"]),
    ("Những việc gì giao cho Chủ tịch UBND các huyện?", ["Chủ tịch UBND cấp huyện"]),
    ("Sở Nội vụ và Văn phòng UBND tỉnh phải làm gì?", ["Văn phòng UBND tỉnh", "Sở Nội vụ"]),
    ("Văn phòng Ủy ban nhân dân tỉnh và UBND tỉnh làm gì?", ["Văn phòng UBND tỉnh", "UBND tỉnh"]),
    ("UBND tỉnh phải làm gì?", ["UBND tỉnh"]),
])
def test_agencies_mentioned_in_a_question(agencies, question, expected):
    """A name inside a longer one ('UBND tỉnh' in 'Văn phòng UBND tỉnh') is not a second agency."""
    assert agencies.mentioned_in(question) == expected


@pytest.mark.parametrize("query, canonical", [
    ("Sở NV", "Sở Nội vụ"), ("so noi vu", "Sở Nội vụ"), ("VP UBND tỉnh", "Văn phòng UBND tỉnh"),
    ("văn phòng ủy ban nhân dân tỉnh", "Văn phòng UBND tỉnh"), ("Chủ tịch UBND các huyện", "Chủ tịch UBND cấp huyện"),
    ("Không Có Cơ Quan Này", None),
    ("cán bộ công chức", "Cán bộ, công chức, viên chức, người lao động"),
    ("công chức", "Cán bộ, công chức, viên chức, người lao động"),
])
def test_resolve_a_users_name_for_an_agency(agencies, query, canonical):
    assert agencies.resolve(query) == canonical


def decision(number: str, body: str) -> str:
    """A Quyết định of UBND tỉnh Gia Lai setting up a working group, with `body` as its articles."""
    return (f"ỦY BAN NHÂN DÂN\nTỈNH GIA LAI\nSố: {number}/QĐ-UBND\nGia Lai, ngày 3 tháng 3 năm 2026\n\n"
            f"QUYẾT ĐỊNH\nVề việc thành lập Tổ công tác chuyển đổi số\n\n{body}")


EXECUTION_DECISION = decision("88", """Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.
Điều 2. Tổ công tác có nhiệm vụ tham mưu cho UBND tỉnh các giải pháp chuyển đổi số.
Điều 3. Chánh Văn phòng UBND tỉnh; Giám đốc Sở Khoa học và Công nghệ; \
Trưởng ban Bảo vệ chăm sóc sức khỏe cán bộ tỉnh; Thủ trưởng các cơ quan, đơn vị có liên quan \
và các thành viên có tên tại Điều 1 chịu trách nhiệm thi hành Quyết định này./.
""")


def test_the_execution_article_gives_each_body_of_its_semicolon_list(tmp_path):
    _, duties = extract_text(tmp_path, EXECUTION_DECISION)
    executing = [d.actor_text for d in duties if "thi hành Quyết định này" in d.quote]
    assert executing == ["Chánh Văn phòng UBND tỉnh", "Giám đốc Sở Khoa học và Công nghệ",
                         "Trưởng ban Bảo vệ chăm sóc sức khỏe cán bộ tỉnh",       # lower-case name kept whole
                         "Thủ trưởng các cơ quan, đơn vị có liên quan", "các thành viên có tên tại Điều 1"]
    assert {d.role for d in duties if d.actor_text in executing} == {"thực hiện"}


def test_how_a_body_being_set_up_works_is_no_task(tmp_path):
    standing = ("Điều 2. Các thành viên Tổ công tác làm việc theo chế độ kiêm nhiệm. Tổ trưởng, các thành viên "
                "khác sử dụng con dấu của cơ quan nơi công tác. Tổ công tác tự giải thể sau khi hoàn thành nhiệm vụ.")
    _, duties = extract_text(tmp_path, EXECUTION_DECISION.replace(
        "Điều 2. Tổ công tác có nhiệm vụ tham mưu cho UBND tỉnh các giải pháp chuyển đổi số.", standing))
    assert [(d.actor_text, d.action) for d in duties if "Điều 2" in d.clause] == []


BARE_HEAD_LETTER = """ỦY BAN NHÂN DÂN
TỈNH GIA LAI
Số: 12/TB-UBND
Gia Lai, ngày 5 tháng 3 năm 2026

THÔNG BÁO
Kết luận của Chủ tịch UBND tỉnh tại buổi làm việc

1. Giao Trung tâm Phục vụ hành chính công tỉnh rà soát quy trình tiếp nhận hồ sơ.
2. Giao Trung tâm chủ trì, phối hợp với Sở Nội vụ tổ chức tập huấn trước ngày 30/4/2026.
3. Giao Trung tâm Công nghệ thông tin tỉnh nâng cấp cổng dịch vụ công.
4. Giao Trung tâm bảo đảm an toàn dữ liệu.
5. Báo và Phát thanh, Truyền hình Gia Lai tăng cường tuyên truyền kết quả thực hiện.
"""


def test_a_bare_head_refers_back_to_the_body_named_last_before_it(tmp_path):
    _, duties = extract_text(tmp_path, BARE_HEAD_LETTER)
    by_item = {d.quote[:12]: d.actor_text for d in duties if d.role != "phối hợp"}
    assert by_item["Giao Trung t"] in ("Trung tâm Phục vụ hành chính công tỉnh", "Trung tâm Công nghệ thông tin tỉnh")
    leads = [d.actor_text for d in duties if d.role == "chủ trì"]
    assert leads == ["Trung tâm Phục vụ hành chính công tỉnh"]           # item 2: the one named in item 1
    last = [d.actor_text for d in duties if "an toàn dữ liệu" in d.quote]
    assert last == ["Trung tâm Công nghệ thông tin tỉnh"]                 # item 4: the one named in item 3
    assert [d.actor_text for d in duties if "tuyên truyền" in d.quote] == ["Báo và Phát thanh, Truyền hình Gia Lai"]


SECTION_TIME_REPORT = """ỦY BAN NHÂN DÂN
TỈNH GIA LAI
Số: 40/KH-UBND
Gia Lai, ngày 2 tháng 2 năm 2026

KẾ HOẠCH
Triển khai chuyển đổi số năm 2026

I. KẾT QUẢ THÁNG 1
Các sở đã hoàn thành việc rà soát dữ liệu.
II. NHIỆM VỤ THÁNG 3
Trong tháng 3/2026, tập trung thực hiện các nhiệm vụ sau đây:
1. Sở Khoa học và Công nghệ
a) Nâng cấp nền tảng tích hợp, chia sẻ dữ liệu của tỉnh.
b) Hướng dẫn các xã triển khai chữ ký số.
2. Sở Nội vụ
a) Rà soát vị trí việc làm của công chức cấp xã.
III. TỔ CHỨC THỰC HIỆN
Sở Tài chính bố trí kinh phí thực hiện Kế hoạch.
"""


def test_a_sections_opening_line_gives_its_time_to_the_tasks_below_it(tmp_path):
    _, duties = extract_text(tmp_path, SECTION_TIME_REPORT)
    timed = {d.actor_text: d.time.date for d in duties}
    tasks = [d for d in duties if d.actor_text in ("Sở Khoa học và Công nghệ", "Sở Nội vụ")]
    assert len(tasks) == 3 and {d.time.date for d in tasks} == {"2026-03-31"}
    assert timed.get("Sở Tài chính") is None          # section III is outside the line's section


COMPOSITION_DECISION = decision("91", """\
Điều 1. Thành lập Tổ công tác chuyển đổi số tỉnh Gia Lai gồm các thành viên sau:
1. Giám đốc Sở Khoa học và Công nghệ, Tổ trưởng;
2. Phó Giám đốc Sở Nội vụ, Tổ phó;
3. Các thành viên:
- Phó Chánh Văn phòng UBND tỉnh;
- Phó Giám đốc Công an tỉnh phụ trách Đề án 06.
Điều 2. Giao Sở Khoa học và Công nghệ bảo đảm điều kiện hoạt động của Tổ công tác.
""")


def test_the_members_of_a_body_being_set_up_are_not_duties(tmp_path):
    _, duties = extract_text(tmp_path, COMPOSITION_DECISION)
    assert [(d.actor_text, d.clause.split(", ")[-1]) for d in duties if "Điều 1" in d.clause] == []
    assert any(d.actor_text == "Sở Khoa học và Công nghệ" and "Điều 2" in d.clause for d in duties)


def test_the_directors_of_departments_listed_after_a_colon_are_each_charged(tmp_path):
    """"Giám đốc các Sở: Y tế, Tài chính, Văn hóa, Thể thao và Du lịch" names three directors (split at
    commas, not inside a department's name the alias table knows with a comma)."""
    from ingest.actors import enumerated

    assert enumerated("Thủ trưởng các sở, ban, ngành") == ["Thủ trưởng các sở, ban, ngành"]
    assert enumerated("Trưởng các Phòng: Nội vụ, Tư pháp") == ["Trưởng Phòng Nội vụ", "Trưởng Phòng Tư pháp"]
    listed = "Chánh Văn phòng UBND tỉnh; Giám đốc các Sở: Y tế, Tài chính, Văn hóa, Thể thao và Du lịch; "
    text = EXECUTION_DECISION.replace("Chánh Văn phòng UBND tỉnh; ", listed)
    _, duties = extract_text(tmp_path, text)
    executing = [d.actor_text for d in duties if "thi hành Quyết định này" in d.quote]
    assert executing[:4] == ["Chánh Văn phòng UBND tỉnh", "Giám đốc Sở Y tế", "Giám đốc Sở Tài chính",
                             "Giám đốc Sở Văn hóa, Thể thao và Du lịch"], executing
    # "… và các ông, bà có tên tại Điều 1" after the list is another group, not a department
    assert enumerated("Giám đốc các Sở: Nội vụ, Tài chính và các ông, bà có tên tại Điều 1") == \
        ["Giám đốc Sở Nội vụ", "Giám đốc Sở Tài chính", "các ông, bà có tên tại Điều 1"]


@pytest.mark.parametrize("heading", ["Ban Chỉ đạo có nhiệm vụ:", "Ban Chỉ đạo có nhiệm vụ sau:",
                                     "Ban Chỉ đạo thực hiện các nhiệm vụ sau:", "Ban Chỉ đạo có trách nhiệm:"])
def test_a_line_that_says_a_body_has_tasks_gives_it_the_items_below(tmp_path, heading):
    tasks = f"Điều 2. {heading}\n1. Chỉ đạo, điều phối việc chuyển đổi số trên địa bàn tỉnh.\n" \
            "2. Kiểm tra, đôn đốc các sở, ngành thực hiện nhiệm vụ chuyển đổi số."
    text = EXECUTION_DECISION.replace("Điều 2. Tổ công tác có nhiệm vụ tham mưu cho UBND tỉnh các giải pháp chuyển đổi số.",
                                      tasks)
    _, duties = extract_text(tmp_path, text)
    items = [(d.actor_text, d.clause) for d in duties if d.clause.startswith("Điều 2")]
    assert items == [("Ban Chỉ đạo", "Điều 2, khoản 1"), ("Ban Chỉ đạo", "Điều 2, khoản 2")], items


@pytest.mark.parametrize("sentence, expected", [
    # the role in brackets after each name
    ("Điều 1. Giao Sở Xây dựng (chủ trì), Sở Tài chính (phối hợp) rà soát quy hoạch, báo cáo trước ngày 30/4/2026.",
     {("Sở Xây dựng", "chủ trì"), ("Sở Tài chính", "phối hợp")}),
    ("Điều 1. Giao Sở Y tế (chủ trì) và Công an tỉnh (phối hợp) kiểm tra an toàn thực phẩm.",
     {("Sở Y tế", "chủ trì"), ("Công an tỉnh", "phối hợp")}),
    # "chủ trì, cùng X": X helps
    ("Điều 1. Sở Nông nghiệp và Môi trường chủ trì, cùng Sở Xây dựng kiểm tra hiện trạng đất đai.",
     {("Sở Nông nghiệp và Môi trường", "chủ trì"), ("Sở Xây dựng", "phối hợp")}),
])
def test_who_leads_and_who_helps_in_the_ways_conclusions_write_it(tmp_path, sentence, expected):
    text = EXECUTION_DECISION.replace("Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.", sentence)
    _, duties = extract_text(tmp_path, text)
    got = {(d.actor_text, d.role) for d in duties if d.clause.startswith("Điều 1")}
    assert got == expected, got
    lead = next(d for d in duties if d.clause.startswith("Điều 1") and d.role == "chủ trì")
    assert "(chủ trì)" not in lead.action and "(phối hợp)" not in lead.action, lead.action


def test_an_assignment_after_a_colon_is_read_though_capitalised(tmp_path):
    article = "Điều 2. Tổ công tác có nhiệm vụ tham mưu cho UBND tỉnh các giải pháp chuyển đổi số."
    text = EXECUTION_DECISION.replace(article, "Điều 2. Về hạ tầng số: Đề nghị Sở Y tế bảo đảm đường truyền.")
    _, duties = extract_text(tmp_path, text)
    assert [d.actor_text for d in duties if "đường truyền" in d.quote] == ["Sở Y tế"]


@pytest.mark.parametrize("sentence", [
    "Ủy ban nhân dân tỉnh ghi nhận và đánh giá cao sự chủ động của các xã.",
    "Sở Nội vụ kính trình Ủy ban nhân dân tỉnh xem xét.",
    "Trung tâm dự kiến tổ chức hội thảo vào tháng 12.",
    # an allotment is no task: the budget, the target or the staff quota given to a body
    "Kinh phí kiểm tra sử dụng trong dự toán giao cho các cơ quan, đơn vị, địa phương theo phân cấp.",
    "Thực hiện đạt các chỉ tiêu giao cho UBND các xã trong năm 2026.",
])
def test_a_body_reporting_or_acknowledging_is_not_given_a_task(tmp_path, sentence):
    letter = EXECUTION_DECISION.replace("Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.", "Điều 1. " + sentence)
    _, duties = extract_text(tmp_path, letter)
    assert [d.actor_text for d in duties if "Điều 1" in d.clause] == []


def test_authorising_a_body_gives_it_the_task(tmp_path):
    letter = EXECUTION_DECISION.replace("Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.",
                                        "Điều 1. Ủy quyền cho lãnh đạo Sở Nội vụ dự Đại hội của Hội Cựu chiến binh.")
    _, duties = extract_text(tmp_path, letter)
    assert [d.actor_text for d in duties if "Điều 1" in d.clause] == ["lãnh đạo Sở Nội vụ"]


def test_a_sentence_that_only_says_when_times_the_task_before_it(tmp_path):
    task = "Điều 1. Giao Sở Tư pháp rà soát các thủ tục hành chính. Hoàn thành trong tháng 9/2026."
    letter = EXECUTION_DECISION.replace("Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.", task)
    _, duties = extract_text(tmp_path, letter)
    first = [d for d in duties if "Điều 1" in d.clause]
    assert [(d.actor_text, d.time.date) for d in first] == [("Sở Tư pháp", "2026-09-30")]


def test_an_assignment_reported_as_already_made_is_background(tmp_path):
    past = ("Điều 1. UBND tỉnh đã có văn bản số 12/UBND-NC ngày 3/1/2026 giao Sở Xây dựng chủ trì, phối hợp với "
            "Sở Tài chính rà soát quy hoạch.")
    _, duties = extract_text(tmp_path, EXECUTION_DECISION.replace(
        "Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.", past))
    assert [d.actor_text for d in duties if "Điều 1" in d.clause] == []


def test_a_report_says_who_directed_what_but_assigns_only_by_its_requests(tmp_path):
    report = """ỦY BAN NHÂN DÂN TỈNH MẪU SƠN
SỞ NỘI VỤ
Số: 15/BC-SNV
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Mẫu Sơn, ngày 30 tháng 11 năm 2025
BÁO CÁO
Kết quả cải cách hành chính tháng 11 năm 2025
I. KẾT QUẢ THỰC HIỆN
1. Trong tháng 11/2025, Ban Chỉ đạo tỉnh tiếp tục chỉ đạo các cơ quan, đơn vị rà soát thủ tục hành chính.
II. ĐỀ XUẤT, KIẾN NGHỊ
1. Đề nghị Sở Tài chính bố trí kinh phí cho các xã trước ngày 15/12/2025.
Nơi nhận:
- UBND tỉnh;
- Lưu: VT.
GIÁM ĐỐC
"""
    doc, duties = extract_text(tmp_path, report, "bao-cao.txt")
    assert doc.header.doc_type == "Báo cáo"
    assert [(d.actor_text, d.time.date) for d in duties] == [("Sở Tài chính", "2025-12-15")]


def test_private_persons_addressed_by_a_reply_are_not_given_duties(tmp_path):
    reply = """ỦY BAN NHÂN DÂN
HUYỆN MẪU SƠN
Số: 45/UBND-NC
V/v trả lời kiến nghị
Mẫu Sơn, ngày 2 tháng 4 năm 2026
Kính gửi: Các hộ dân thôn 3, xã Mẫu Sơn.

Ủy ban nhân dân huyện nhận được đơn kiến nghị của các hộ dân về việc làm đường giao thông.
Sau khi kiểm tra, việc làm đường sẽ được xem xét trong kế hoạch đầu tư công năm 2027.
"""
    _, duties = extract_text(tmp_path, reply)
    assert [d.actor_text for d in duties] == []


def test_a_subject_after_a_topic_label_and_a_standing_body_charged_with_a_task(tmp_path):
    text = EXECUTION_DECISION.replace(
        "Điều 1. Thành lập Tổ công tác chuyển đổi số của tỉnh.",
        "Điều 1. Thời gian thẩm định: Sở Nội vụ thành lập Hội đồng thẩm định, hoàn thành trong Quý I/2026.").replace(
        "Điều 2. Tổ công tác có nhiệm vụ tham mưu cho UBND tỉnh các giải pháp chuyển đổi số.",
        "Điều 2. Sở Tư pháp là cơ quan thường trực của Tổ công tác, có trách nhiệm tổng hợp báo cáo định kỳ.")
    _, duties = extract_text(tmp_path, text)
    first = [(d.actor_text, d.time.date) for d in duties if "Điều 1" in d.clause]
    assert first == [("Sở Nội vụ", "2026-03-31")]
    assert [d.actor_text for d in duties if "Điều 2" in d.clause] == ["Sở Tư pháp"]


def test_an_appendix_line_that_names_nobody_is_not_given_to_the_addressees(tmp_path):
    text = """ỦY BAN NHÂN DÂN
TỈNH MẪU SƠN
Số: 46/UBND-NC
V/v rà soát cơ sở cai nghiện
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Mẫu Sơn, ngày 12 tháng 1 năm 2026
Kính gửi: Ủy ban nhân dân các xã, phường.
Đề nghị rà soát số cơ sở cai nghiện, báo cáo trước ngày 15/02/2026.
Nơi nhận:
- Như trên;
- Lưu: VT.
CHỦ TỊCH
Nguyễn Văn A
PHỤ LỤC
TIÊU CHÍ ĐÁNH GIÁ
Có từ 5 điểm tổ chức sử dụng trái phép chất ma túy trở lên.
Công an tỉnh tổng hợp kết quả đánh giá.
"""
    doc, duties = extract_text(tmp_path, text)
    body = [d for d in duties if not d.clause.startswith("Phụ lục")]
    appendix = [(d.actor, d.clause) for d in duties if d.clause.startswith("Phụ lục")]
    # the letter itself names nobody: it is its addressees' to do, though its appendix names an actor
    assert [d.actor for d in body] == list(doc.header.recipients), [(d.actor, d.clause) for d in duties]
    # a criterion of the appendix is nobody's task; a line of it that names its actor still is
    assert [a for a, _ in appendix] == ["Công an tỉnh"], appendix


def test_tasks_that_name_no_deadline_are_due_when_their_results_are(tmp_path):
    text = """BỘ NỘI VỤ
Số: 58/BNV-CCHC
V/v bổ sung số liệu
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Hà Nội, ngày 20 tháng 7 năm 2025
Kính gửi: Ủy ban nhân dân các tỉnh, thành phố trực thuộc Trung ương.
Bộ Nội vụ đề nghị Ủy ban nhân dân các tỉnh, thành phố cập nhật, bổ sung số liệu theo các phụ lục kèm theo.
Số liệu của các địa phương đề nghị gửi về Bộ Nội vụ trước ngày 10 tháng 8 năm 2025 để tổng hợp.
Nơi nhận:
- Như trên;
- Lưu: VT.
BỘ TRƯỞNG
"""
    _, duties = extract_text(tmp_path, text)
    update = next(d for d in duties if d.action.startswith("Cập nhật"))
    assert update.time.date == "2025-08-10", [(d.actor, d.action, d.time.text) for d in duties]


def test_an_agency_that_theo_doi_is_charged_while_one_that_acts_theo_a_document_is_not(tmp_path):
    """"theo" after an agency reads "according to" ("Sở Nội vụ theo Công văn số …"), but "theo dõi"
    is the verb "monitor": "2. Sở Xây dựng theo dõi tiến độ …" charges Sở Xây dựng."""
    _, duties = extract_text(tmp_path, "Số: 30/TB-UBND\n\nLâm Đồng, ngày 22 tháng 4 năm 2026\n\nV/v quy hoạch\n\n"
                             "1. Giao Sở Nội vụ rà soát biên chế.\n\n"
                             "2. Sở Xây dựng theo dõi, đôn đốc tiến độ và định kỳ trước ngày 15 hàng tháng báo cáo "
                             "UBND tỉnh.\n")
    second = [d for d in duties if d.clause == "Mục 2"]
    assert [(d.actor, d.role) for d in second][:1] == [("Sở Xây dựng", "theo dõi, đôn đốc")]
    assert second[0].time.rrule == "FREQ=MONTHLY;BYMONTHDAY=15"


def test_an_article_whose_subject_issues_or_sends_charges_it(tmp_path):
    """"Trưởng ban X ban hành Quy chế …", "Sở Nội vụ gửi báo cáo … trước ngày …" in a decision's
    articles are duties; "UBND tỉnh đã ban hành …" and the preamble's "Sở Tư pháp gửi Công văn …"
    are not."""
    _, duties = extract_text(tmp_path, (
        "ỦY BAN NHÂN DÂN\nTỈNH LÂM ĐỒNG\n\nSố: 12/QĐ-UBND\n\nLâm Đồng, ngày 05 tháng 3 năm 2026\n\nQUYẾT ĐỊNH\n"
        "Về việc thành lập Ban X\n\nXét đề nghị của Sở Nội vụ tại Tờ trình số 30/TTr-SNV.\n\n"
        "Sở Tư pháp gửi Công văn số 12/STP ngày 01/3/2026 đề nghị góp ý.\n\nĐiều 1. Thành lập Ban X.\n\n"
        "Điều 2. Trưởng ban X ban hành Quy chế làm việc của Ban.\n\n"
        "Điều 3. Sở Nội vụ gửi báo cáo kết quả về UBND tỉnh trước ngày 30/6/2026.\n\n"
        "Điều 4. UBND tỉnh đã ban hành Kế hoạch số 5/KH-UBND.\n"))
    assert [(d.clause, d.actor) for d in duties] == [("Điều 2", "Trưởng ban X"), ("Điều 3", "Sở Nội vụ")]
    assert duties[1].time.date == "2026-06-30"


def test_a_recurrence_lasts_the_period_its_document_is_for():
    _, duties = extract_path(sample("nghe-an-10331-UBND-KSTT-2021-ky-luat-ky-cuong.txt"))   # "… năm 2022"
    recurring = [d for d in duties if d.time.kind == "recurring"]
    assert recurring and {d.time.until for d in recurring} == {"2022-12-31"}
    assert all(d.time.until is None for d in duties if d.time.kind != "recurring")


def test_a_bodys_name_cut_short_by_a_typo_is_the_one_longer_name_it_begins(tmp_path):
    text = ("Số: 12/TB-UBND\n\nLâm Đồng, ngày 20 tháng 4 năm 2026\n\nTHÔNG BÁO\nKết luận về xúc tiến đầu tư\n\n"
            "1. Giao Trung tâm Xúc đầu tư, Thương mại và Du lịch nghiên cứu tổ chức Hội nghị gặp mặt doanh nghiệp.\n\n"
            "2. Giao Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh chủ trì rà soát danh mục dự án.\n\n"
            "3. Giao UBND các xã rà soát quỹ đất.\n\n4. Giao UBND các xã liên quan bàn giao mặt bằng.\n")
    _, duties = extract_text(tmp_path, text)
    by_clause = {d.clause: d.actor for d in duties}
    assert by_clause["Mục 1"] == by_clause["Mục 2"] == "Trung tâm Xúc tiến Đầu tư, Thương mại và Du lịch tỉnh"
    # a group is no body cut short: all communes are not the communes concerned
    assert by_clause["Mục 3"] == "UBND các xã" and by_clause["Mục 4"] == "UBND các xã liên quan"
