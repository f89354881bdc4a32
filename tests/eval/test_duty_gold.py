"""The real-corpus duty scorer is a pure function: hand-made cases with known answers."""
from core.types import Duty, DutyTime
from eval.duty_gold import contains, load_gold, score


def duty(actor, quote, role="chủ trì", when=None, date=None, document="a.docx"):
    return Duty(duty_id=actor + quote, doc_id="d", document=document, province=None, actor=actor, actor_text=actor,
                role=role, action="", quote=quote, clause="Mục 1", chunk_id="c", start=0, end=0,
                time=DutyTime(text=when, kind="date" if date else "none", date=date))


GOLD = {"a.docx": [
    {"file": "a.docx", "actor": "Sở Nội vụ", "role": "chủ trì", "deadline_text": "trước ngày 05/5/2026",
     "deadline_date": "2026-05-05", "evidence": "Giao Sở Nội vụ chủ trì, phối hợp với Sở Tài chính"},
    {"file": "a.docx", "actor": "Sở Tài chính", "role": "phối hợp", "deadline_text": "trước ngày 05/5/2026",
     "deadline_date": "2026-05-05", "evidence": "Giao Sở Nội vụ chủ trì, phối hợp với Sở Tài chính"},
], "b.pdf": []}
CLAUSE = "1. Giao Sở Nội vụ chủ trì , phối hợp với Sở Tài chính rà soát, báo cáo trước ngày 05/5/2026."


def test_perfect_prediction_scores_one():
    s = score([duty("Sở Nội vụ", CLAUSE, when="trước ngày 05/5/2026", date="2026-05-05"),
               duty("Sở Tài chính", CLAUSE, role="phối hợp", when="trước ngày 05/5/2026", date="2026-05-05")],
              GOLD, {"a.docx", "b.pdf"})
    assert (s["precision"], s["recall"], s["role"], s["deadline"]) == (1.0, 1.0, 1.0, 1.0)


def test_wrong_actor_role_deadline_and_extras_count_against():
    s = score([duty("Sở Nội vụ", CLAUSE, role="thực hiện"),                    # role and deadline wrong
               duty("Sở Tài chính bố trí kinh phí", CLAUSE, role="phối hợp"),   # actor wrong
               duty("Sở Y tế", "Sở Y tế báo cáo.", document="b.pdf")],          # a duty the gold does not have
              GOLD, {"a.docx", "b.pdf"})
    assert (s["matched"], s["predicted"], s["gold"]) == (1, 3, 2)
    assert s["precision"] == 1 / 3 and s["recall"] == 0.5 and s["role"] == 0.0 and s["deadline"] == 0.0
    assert [g["actor"] for g in s["missing"]] == ["Sở Tài chính"]


def test_one_prediction_matches_one_gold_duty_only():
    s = score([duty("Sở Nội vụ", CLAUSE, when="trước ngày 05/5/2026", date="2026-05-05")],
              {"a.docx": GOLD["a.docx"] + [dict(GOLD["a.docx"][0])]}, {"a.docx"})
    assert (s["matched"], s["gold"]) == (1, 3)


def test_evidence_found_despite_ocr_slips_and_tone_placement():
    assert contains("giao so noi vu chu tri, phoi hop voi so tai chinh va cac don vi",
                    "giao so noi vu chu tri, phoi hop voi so tai chnh")
    assert not contains("mot cau hoan toan khac ve chuyen khac nhau", "giao so noi vu chu tri, phoi hop")


def test_committed_gold_covers_46_documents_with_well_formed_rows():
    gold = load_gold()
    assert len(gold) == 46
    roles = {"chủ trì", "phối hợp", "thực hiện", "tham mưu", "theo dõi, đôn đốc", "báo cáo"}
    for name, rows in gold.items():
        for row in rows:
            assert row["file"] == name and row["role"] in roles and row["actor"] and row["evidence"], row
