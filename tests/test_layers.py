"""The layers point one way: core ← ingest, index ← assistant ← ui ← app.py (eval beside ui).

Every import of every module of the project is read with `ast`, including imports inside
functions, and checked against the direction; dynamic imports cannot go around it."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LAYERS = {"core", "ingest", "index", "assistant", "ui", "eval"}
# what each part may import of the project (itself included)
ALLOWED = {
    "core": {"core"},
    "ingest": {"core", "ingest"},
    "index": {"core", "index"},
    "assistant": {"core", "ingest", "index", "assistant"},
    "eval": {"core", "ingest", "index", "assistant", "eval"},
    "ui": {"core", "ingest", "index", "assistant", "eval", "ui"},
    "app": {"core", "ingest", "index", "assistant", "eval", "ui"},
}
FREE = {"tests", "scripts"}   # may import anything
PROJECT = LAYERS | {"app", "tests", "scripts"}


def project_modules() -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.py") if not any(part.startswith(".") for part in p.relative_to(ROOT).parts))


def part_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_packages(path: Path) -> list[tuple[int, str]]:
    """(line, top-level package) of every import in the module, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside the module's own package
                out.append((node.lineno, part_of(path)))
            elif node.module:
                out.append((node.lineno, node.module.split(".")[0]))
    return out


def dynamic_imports(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else ""
            if name in ("import_module", "__import__"):
                lines.append(node.lineno)
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if any(n.split(".")[0] == "importlib" for n in names):
                lines.append(node.lineno)
    return lines


def violations(modules: list[Path]) -> list[str]:
    found = []
    for path in modules:
        part = part_of(path)
        if part in FREE:
            continue
        allowed = ALLOWED[part]
        for line, package in imported_packages(path):
            if package in PROJECT and package not in allowed:
                found.append(f"{path.relative_to(ROOT)}:{line} ({part}) imports {package}")
        found += [f"{path.relative_to(ROOT)}:{line} imports dynamically" for line in dynamic_imports(path)]
    return found


def test_every_import_points_down():
    assert violations(project_modules()) == []


def test_no_top_level_code_outside_the_layout():
    strays = []
    for entry in ROOT.iterdir():
        if entry.name.startswith("."):
            continue
        if entry.is_file() and entry.suffix == ".py" and entry.name != "app.py":
            strays.append(entry.name)
        if entry.is_dir() and entry.name not in PROJECT and any(entry.rglob("*.py")):
            strays.append(entry.name + "/")
    assert strays == []


def test_the_checker_catches_upward_and_dynamic_imports(tmp_path, monkeypatch):
    """The rule itself can fail: an ingest module importing assistant inside a function, and a
    core module importing through importlib, are both reported."""
    (tmp_path / "ingest").mkdir()
    (tmp_path / "core").mkdir()
    bad = tmp_path / "ingest" / "x.py"
    bad.write_text("def f():\n    from assistant.library import Library\n    return Library\n")
    sneaky = tmp_path / "core" / "y.py"
    sneaky.write_text("import importlib\nm = importlib.import_module('ui.cli')\n")
    fine = tmp_path / "core" / "z.py"
    fine.write_text("from . import y\nimport re\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    found = violations([bad, sneaky, fine])
    assert any("ingest/x.py:2" in v and "assistant" in v for v in found), found
    assert any("core/y.py:1" in v for v in found) and any("core/y.py:2" in v for v in found), found
    assert not any("z.py" in v for v in found)


def _run(code: str, env: dict) -> str:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def _bare_env() -> dict:
    skip = ("OPENBLAS_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS", "OMP_NUM_THREADS",
            "ANONYMIZED_TELEMETRY", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "GRADIO_ANALYTICS_ENABLED",
            "TOKENIZERS_PARALLELISM")
    return {k: v for k, v in os.environ.items() if k not in skip}


def test_importing_core_changes_no_environment_variable():
    code = ("import os, json; before = dict(os.environ);"
            "import core, core.types, core.text, core.errors, core.settings;"
            "print(json.dumps(dict(os.environ) == before))")
    assert _run(code, _bare_env()) == "true"


BLAS_THREADS = ("from threadpoolctl import threadpool_info;"
                "print(max(i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'))")


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: BLAS uses one thread anyway")
def test_prepare_environment_before_numpy_gives_one_blas_thread():
    prepared = _run("from core.settings import prepare_environment; prepare_environment(); import numpy;"
                    + BLAS_THREADS, _bare_env())
    assert prepared == "1"
    # the control: the same process without it uses every core, so the check above can fail
    assert int(_run("import numpy;" + BLAS_THREADS, _bare_env())) > 1


def test_app_main_prepares_the_environment_before_numpy_loads():
    code = ("import sys, os, app, ui.cli;"
            "assert 'numpy' not in sys.modules, 'importing app or ui.cli loads numpy';"
            "ui.cli.run = lambda argv, build_app: print(os.environ.get('OPENBLAS_NUM_THREADS'),"
            " os.environ.get('HF_HUB_OFFLINE'), 'numpy' in sys.modules) or 0;"
            "app.main([])")
    assert _run(code, _bare_env()) == "1 1 False"
