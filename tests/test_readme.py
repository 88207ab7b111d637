"""The README's quickstart runs and does what it says."""

import pathlib
import re
import subprocess
import sys

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_quickstart_runs_and_finds_the_communities():
    text = README.read_text()
    quickstart = text.split("## Quickstart", 1)[1]
    code = re.search(r"```python\n(.*?)```", quickstart, re.S).group(1)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-2000:]
    nmi = float(re.search(r"NMI ([0-9.]+)", result.stdout).group(1))
    assert nmi >= 0.9, result.stdout
    assert "tv_loss" in result.stdout and "balance_loss" in result.stdout
