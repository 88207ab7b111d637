"""The papers' tables live in one plain-data module that the command line
reads before TensorFlow loads, and that `spektral_tv.models` re-exports."""

import subprocess
import sys

from spektral_tv import hyperparameters, models

TABLES = (
    "TVGNN_CLUSTERING",
    "MINCUT_CLUSTERING",
    "AUTOENCODER",
    "AUTOENCODER_POOLS",
    "TVGNN_CLASSIFICATION_BY_DATASET",
    "TVGNN_CLASSIFICATION",
    "POOL_CLASSIFICATION",
    "CLASSIFICATION_POOLS",
    "POOL_MODES",
    "DENSE_POOLS",
    "pool_sizes",
    "classification_defaults",
    "table_key",
)


def test_models_re_exports_the_same_objects():
    for name in TABLES:
        assert getattr(models, name) is getattr(hyperparameters, name), name


def test_command_line_parsers_load_without_tensorflow():
    code = (
        "import sys\n"
        "from spektral_tv import hyperparameters\n"
        "from spektral_tv.experiments import autoencoder, classification, clustering\n"
        "classification.parse_args(['--pool', 'mincut'])\n"
        "autoencoder.parse_args([])\n"
        "clustering.parse_args([])\n"
        "sys.exit(int('tensorflow' in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr or "tensorflow was imported"


def test_every_pool_has_its_modes_and_every_table_row_its_keys():
    assert set(hyperparameters.POOL_MODES) == set(hyperparameters.CLASSIFICATION_POOLS)
    assert set(hyperparameters.DENSE_POOLS) <= set(hyperparameters.CLASSIFICATION_POOLS)
    keys = set(hyperparameters.TVGNN_CLASSIFICATION)
    for name, row in hyperparameters.TVGNN_CLASSIFICATION_BY_DATASET.items():
        assert set(row) | {"epsilon"} == keys, name
