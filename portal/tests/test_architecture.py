"""The layers of docs/architecture.md hold, and the import-linter contract really catches a breach."""

import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("portal", "articles", "faq")


def copy_project(destination):
    for package in PACKAGES:
        shutil.copytree(
            settings.BASE_DIR / package, destination / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(settings.BASE_DIR / "pyproject.toml", destination / "pyproject.toml")


def lint_imports(cwd):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_layers_hold(tmp_path):
    copy_project(tmp_path)
    completed = lint_imports(tmp_path)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "1 kept, 0 broken" in completed.stdout


def test_a_lower_layer_importing_a_higher_one_breaks_the_contract(tmp_path):
    copy_project(tmp_path)
    diff_module = tmp_path / "portal" / "content" / "readability.py"
    diff_module.write_text(diff_module.read_text() + "\nfrom portal.reading.models import Patient  # noqa: E402\n")

    completed = lint_imports(tmp_path)

    assert completed.returncode == 1
    assert "portal.content is not allowed to import portal.reading" in completed.stdout
    assert "portal.content.readability -> portal.reading.models" in completed.stdout
