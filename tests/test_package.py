"""The package's shape: stage subpackages as public faces, course tooling kept apart."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aigc_kit"
STAGES = ["runtime", "data", "features", "models", "training", "generation", "evaluation",
          "interaction", "apps.music", "apps.speech", "apps.video", "apps.provenance"]


def test_the_top_level_holds_stage_packages_and_no_loose_modules():
    modules = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert modules == ["__init__.py", "__main__.py"]
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())
    assert packages == sorted(["apps", "check", "course", "data", "evaluation", "features",
                               "generation", "interaction", "models", "runtime", "training"])


def test_importing_every_stage_needs_no_notebook_tooling():
    code = ("import sys, aigc_kit\n"
            + "".join(f"import aigc_kit.{stage}\n" for stage in STAGES)
            + "import aigc_kit.course.cli\n"
            + "print(sorted(m for m in ('papermill', 'nbconvert', 'jupytext', 'nbformat')"
              " if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_face_exports_what_it_lists(stage):
    import importlib

    face = importlib.import_module(f"aigc_kit.{stage}")
    assert face.__all__ and face.__doc__
    missing = [name for name in face.__all__ if not hasattr(face, name)]
    assert not missing


def test_no_module_imports_a_private_name_of_another():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("aigc_kit"):
                offenders += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                              if a.name.startswith("_") and a.name != "__version__"]
    assert offenders == []


def test_no_function_body_over_100_lines_nor_public_function_over_16_parameters():
    too_long, too_wide = [], []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                body = body[1:] or body
            if body[-1].end_lineno - body[0].lineno + 1 > 100:
                too_long.append(f"{path.name}:{node.name}")
            args = node.args
            n = len(args.posonlyargs) + len(args.args) + len(args.kwonlyargs)
            if args.args and args.args[0].arg in ("self", "cls"):
                n -= 1
            if n > 16 and not node.name.startswith("_"):
                too_wide.append(f"{path.name}:{node.name}")
    assert too_long == [] and too_wide == []
