"""The notebooks: committed without outputs, sharing one Colab-ready setup cell,
and executed top to bottom with nbclient under the small-run switch
(SPEKTRAL_TV_SMALL=1), in a temporary working folder."""

import pathlib
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from spektral_tv import datasets

NOTEBOOKS = pathlib.Path(__file__).resolve().parents[1] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
# Datasets each notebook reads (the others build their graphs or ship their image).
NEEDS_DATA = {
    "01_node_clustering.ipynb": lambda: datasets.Citation("cora", allow_download=False),
    "03_graph_classification.ipynb": lambda: datasets.TUDataset("MUTAG", allow_download=False),
}
# Per cell; the small runs take about a minute each on a quiet 2-core CPU.
CELL_TIMEOUT = 900


def read(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def first_code_cell(nb):
    return next(cell for cell in nb.cells if cell.cell_type == "code").source


def test_the_four_notebooks_exist():
    assert NAMES == [
        "01_node_clustering.ipynb",
        "02_image_segmentation.ipynb",
        "03_graph_classification.ipynb",
        "04_autoencoder_and_sharpness.ipynb",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = read(name)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, (name, cell.source[:60])


def test_setup_cell_shared_and_sets_legacy_keras_before_tensorflow():
    setups = {name: first_code_cell(read(name)) for name in NAMES}
    setup = setups[NAMES[0]]
    assert all(s == setup for s in setups.values()), "the setup cells differ"
    assert setup.count("SPEKTRAL_TV_INSTALL = ") == 1
    assert 'SMALL = os.environ.get("SPEKTRAL_TV_SMALL") == "1"' in setup
    assert 'IN_COLAB = "google.colab" in sys.modules' in setup
    legacy = setup.index('os.environ["TF_USE_LEGACY_KERAS"] = "1"')
    assert legacy < setup.index("import tensorflow") < setup.index("import spektral_tv")
    assert "Restart session" in setup


def test_kernel_runs_this_python(tmp_path):
    # ipykernel's "python3" kernelspec starts sys.executable (the venv's python).
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import sys; print(sys.executable)")]
    )
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    printed = nb.cells[0].outputs[0]["text"].strip()
    assert pathlib.Path(printed).resolve() == pathlib.Path(sys.executable).resolve()


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_small(name, tmp_path, monkeypatch):
    if name in NEEDS_DATA:
        try:
            NEEDS_DATA[name]()
        except datasets.DatasetNotFoundError as error:
            pytest.skip(f"dataset not available offline (set SPEKTRAL_TV_DATA): {error}")
    monkeypatch.setenv("SPEKTRAL_TV_SMALL", "1")  # inherited by the kernel
    monkeypatch.chdir(tmp_path)
    nb = read(name)
    NotebookClient(
        nb,
        timeout=CELL_TIMEOUT,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    ).execute()
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    assert any("small run: True" in out.get("text", "") for out in outputs)
    assert any("image/png" in out.get("data", {}) for out in outputs), "no figure shown"
    assert not list(NOTEBOOKS.glob("*.png")), "the notebook wrote into the repository"
