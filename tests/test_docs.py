"""The documentation site: `mkdocs build --strict` passes (zero warnings) and
fails when a page references an object that does not exist.

Needs the `docs` extra (mkdocs, mkdocs-material, mkdocstrings[python]); the
build reads the package statically (no TensorFlow), about 5-10 s."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

try:
    import material  # noqa: F401
    import mkdocs  # noqa: F401
    import mkdocstrings  # noqa: F401
    import mkdocstrings_handlers.python  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    pytest.skip(
        f"the docs tools are not installed ({error}); pip install -e '.[docs]' to build the site",
        allow_module_level=True,
    )

ROOT = pathlib.Path(__file__).resolve().parents[1]
CONFIG = ROOT / "mkdocs.yml"
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")  # Material's banner, not a warning
TIMEOUT = 300

# Builds with mkdocs' API so that docs_dir can point at a modified copy; the
# config (hooks, mkdocstrings paths) still resolves relative to the repository.
BUILD_COPY = """
import logging
import sys
logging.basicConfig(level=logging.WARNING, format="%(levelname)s - %(message)s")
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort
config = load_config(config_file=sys.argv[1], docs_dir=sys.argv[2], site_dir=sys.argv[3],
                     strict=True)
try:
    build(config)
except Abort as error:
    print(error, file=sys.stderr)
    sys.exit(1)
"""


def run(args):
    result = subprocess.run(
        args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=TIMEOUT
    )
    return result.returncode, result.stdout + result.stderr


def experiment_modules():
    return sorted(
        p.stem
        for p in (ROOT / "spektral_tv" / "experiments").glob("*.py")
        if not p.stem.startswith("_")
    )


def test_site_builds_strict(tmp_path):
    site = tmp_path / "site"
    code, output = run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "--config-file",
            str(CONFIG),
            "--site-dir",
            str(site),
        ]
    )
    assert code == 0, f"mkdocs build --strict failed:\n{output}"
    assert "WARNING" not in output, output
    for page in [
        "index.html",
        "getting-started/index.html",
        "environment/index.html",
        "command-line/index.html",
        "results/index.html",
        "experiments/index.html",
        "performance/index.html",
        "api/layers/index.html",
        "api/ops/index.html",
    ]:
        assert (site / page).is_file(), page
    assert (site / "img" / "data-modes.png").is_file()
    # One API page per experiment module that exists (added by docs/hooks.py).
    for module in experiment_modules():
        assert (site / "api" / "experiments" / module / "index.html").is_file(), module
    # The layers' docstrings: display math became MathJax blocks, not Markdown.
    layers = (site / "api" / "layers" / "index.html").read_text(encoding="utf-8")
    assert '<div class="arithmatex">' in layers
    assert "$$" not in layers
    assert 'id="spektral_tv.layers.GTVConv"' in layers


def test_missing_object_fails_the_build(tmp_path):
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("__pycache__"))
    page = docs / "api" / "layers.md"
    page.write_text(
        page.read_text(encoding="utf-8") + "\n::: spektral_tv.layers.NoSuchLayer\n",
        encoding="utf-8",
    )
    code, output = run(
        [sys.executable, "-c", BUILD_COPY, str(CONFIG), str(docs), str(tmp_path / "site")]
    )
    assert code != 0, f"the build passed with a missing object:\n{output}"
    assert "NoSuchLayer" in output, output
