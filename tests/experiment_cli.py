"""Runs `python -m spektral_tv EXPERIMENT ...` as a user would, to check
that a user mistake ends as a usage error."""

import subprocess
import sys


def assert_usage_error(tmp_path, experiment, flags, message):
    """`spektral-tv EXPERIMENT FLAGS --out TMP/never` exits with code 2, its
    last line names the mistake (`message`), no traceback, no output folder,
    and TensorFlow was not loaded to say so."""
    out = tmp_path / "never"
    result = subprocess.run(
        [sys.executable, "-m", "spektral_tv", experiment, *flags, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, (flags, result.stderr)
    assert message in result.stderr.splitlines()[-1], (flags, result.stderr)
    assert "Traceback" not in result.stderr
    assert not out.exists()
    # Refused before TensorFlow is imported: the answer is immediate.
    assert "tensorflow" not in result.stderr.lower()
