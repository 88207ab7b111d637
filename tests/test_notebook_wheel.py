"""Colab without a published package: a wheel built with `pip wheel`, found
and installed by the notebooks' first cell (with the `experiments` extra) in
a fresh virtual environment, then notebook 01's small run from there, away
from the repository. Slow: it installs TensorFlow (minutes, needs the
package registry)."""

import os
import pathlib
import shutil
import subprocess
import sys
import textwrap

import pytest

from spektral_tv import datasets

REPO = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOK = REPO / "notebooks" / "01_node_clustering.ipynb"

RUN_NOTEBOOK = textwrap.dedent("""
    import sys
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(sys.argv[1], as_version=4)
    NotebookClient(nb, timeout=1800, kernel_name="python3",
                   resources={"metadata": {"path": "."}}).execute()
    texts = [out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
             for out in cell.outputs]
    print("".join(texts))
    figures = sum("image/png" in out.get("data", {}) for cell in nb.cells
                  if cell.cell_type == "code" for out in cell.outputs)
    print(f"figures shown: {figures}")
""")


@pytest.mark.slow
def test_setup_cell_installs_an_uploaded_wheel_and_notebook_01_runs(tmp_path):
    try:
        datasets.Citation("cora", allow_download=False)
    except datasets.DatasetNotFoundError as error:
        pytest.skip(f"Cora not available offline (set SPEKTRAL_TV_DATA): {error}")
    work = tmp_path / "session"  # the Colab session's working folder
    work.mkdir()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--quiet",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        check=True,
        timeout=900,
    )
    (wheel,) = (tmp_path / "dist").glob("spektral_tv-*-py3-none-any.whl")
    shutil.copy(wheel, work)  # "uploaded"
    shutil.copy(NOTEBOOK, work)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    # Only what runs a notebook; the first cell installs spektral_tv from the wheel.
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "nbclient", "nbformat", "ipykernel"],
        check=True,
        timeout=1800,
    )
    env = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    env.update(SPEKTRAL_TV_SMALL="1", PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    env.setdefault("SPEKTRAL_TV_DATA", str(REPO.parent / "shared" / "data"))
    result = subprocess.run(
        [python, "-c", RUN_NOTEBOOK, NOTEBOOK.name],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=5400,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"pip install {work / wheel.name}[experiments]" in result.stdout
    assert "small run: True" in result.stdout
    assert "figures shown: 0" not in result.stdout
    # spektral_tv and the experiments' dependencies came from the wheel, into the venv.
    check = subprocess.run(
        [
            python,
            "-c",
            "import spektral_tv, skimage, tensorflow_datasets; print(spektral_tv.__file__)",
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert check.stdout.strip().startswith(str(venv))
