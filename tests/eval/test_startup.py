"""The cold-start benchmark's plumbing (eval/startup.py) with real processes: no timing
assertions, speed is measured by `python -m eval.startup`, never by a timed test."""
from eval.startup import measure_over_samples


def test_cold_ask_and_serve_are_measured_over_a_built_index():
    lines = []
    figures = measure_over_samples(runs=1, log=lines.append, settle_s=1.0)
    assert set(figures) == {"cold_ask_s", "serve_ready_s", "serve_warm_rss_mb"}
    assert figures["cold_ask_s"] > 0 and figures["serve_ready_s"] > 0 and figures["serve_warm_rss_mb"] > 50
    assert len(lines) == 2 and lines[0].startswith("cold ask, run 1") and "RSS" in lines[1]
