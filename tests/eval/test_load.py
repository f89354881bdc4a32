"""The load benchmark's plumbing (eval/load.py) against the real served app: no timing assertions,
speed is measured by `python -m eval.load`, never by a timed test."""
import json

from eval.load import main, questions, run_step, table


def test_five_users_get_real_cited_answers(served_client):
    asked = questions()
    step = run_step(served_client.src, users=5, asked=asked, requests=3, seconds=300)
    assert step.errors == 0, step.error_reasons
    assert step.requests == 15 and len(step.samples) == 15
    answered = [s for s in step.samples if not s.refused]
    assert answered, "every question was refused"
    assert all(s.text.strip() for s in step.samples)
    assert all(s.citations > 0 and "[1]" in s.text for s in answered)
    assert step.p50_ms > 0 and step.requests_per_s > 0


def test_chat_event_answers_like_the_page(served_client):
    step = run_step(served_client.src, users=2, asked=["Ai chủ trì kiểm tra công vụ đột xuất?"], requests=1,
                    seconds=300, endpoint="respond")
    assert step.errors == 0, step.error_reasons
    assert all(s.citations > 0 and "Sở Nội vụ" in s.text for s in step.samples)


def test_cli_serves_its_own_app_and_reports_every_step(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAG_EMBED_MODEL", "hash")  # the child server's index: quick to build, real answers
    out = tmp_path / "load.json"
    assert main(["--users", "1,3", "--requests", "2", "--seconds", "120", "--json", str(out)]) == 0
    report = json.loads(out.read_text(encoding="utf-8"))
    assert [s["users"] for s in report["steps"]] == [1, 3]
    assert [s["requests"] for s in report["steps"]] == [2, 6]
    assert all(s["errors"] == 0 and s["peak_rss_mb"] > 100 and s["server_cpu_cores"] is not None
               for s in report["steps"])
    printed = capsys.readouterr().out
    assert "| users | requests | errors |" in printed and "\n| 3 | 6 | 0 |" in printed


def test_table_compares_p95_with_users_over_cores():
    from eval.load import Step

    steps = [Step(1, 10, 0, {}, 1.0, 10.0, 100.0, 120.0, 130.0, 0, 900.0, 1.0),
             Step(10, 100, 1, {"HTTP 503: queue full": 1}, 5.0, 19.8, 480.0, 600.0, 700.0, 0, 950.0, 1.9)]
    text = table(steps, cores=2)
    assert "| 10 | 100 | 1 | 19.8 | 480 | 600 | 700 | 500 | 950 | 1.90 |" in text
    assert "10 users: HTTP 503: queue full (×1)" in text
