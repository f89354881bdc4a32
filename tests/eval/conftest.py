"""Paths of the synthetic evaluation datasets (written for these tests; no real ALQAC data)."""
from __future__ import annotations

from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
MINI_ALQAC = DATA / "mini_alqac"          # two invented laws 10/2099/QH99 and 11/2099/QH99, 6 questions
MINI_JSONL = DATA / "mini_dev.jsonl"      # seed_dev format over data/directives, one negative
LAW_FILES = {"alqac-10-2099-QH99.txt": "10/2099/QH99", "alqac-11-2099-QH99.txt": "11/2099/QH99"}
