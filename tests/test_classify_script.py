"""scripts/classify.py end to end on a tiny featureless TU dataset, in both
data modes, and the classification model builder's configuration."""
import importlib.util
import json
import pathlib

import numpy as np
import pytest

from spektral_tv.models import (
    POOL_CLASSIFICATION,
    TVGNN_CLASSIFICATION_BY_DATASET,
    classification_defaults,
    classification_model,
)

# Spektral's loaders shuffle a Dataset in place (safe for its Graph objects).
pytestmark = pytest.mark.filterwarnings("ignore:you are shuffling")

SCRIPT = pathlib.Path(__file__).resolve().parents[1] / "scripts" / "classify.py"
N_GRAPHS = 16


@pytest.fixture(scope="module")
def classify():
    spec = importlib.util.spec_from_file_location("classify_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def write_tiny_tu(root):
    """TINY: 16 featureless graphs, rings (class 1) and stars (class 2)."""
    folder = root / "TUDataset" / "TINY"
    folder.mkdir(parents=True)
    edges, indicator, labels, offset = [], [], [], 1
    for g in range(N_GRAPHS):
        n = 6 + g % 5
        if g % 2 == 0:
            pairs = [(j, (j + 1) % n) for j in range(n)]
        else:
            pairs = [(0, j) for j in range(1, n)]
        edges += [(offset + u, offset + v) for u, v in pairs]
        indicator += [g + 1] * n
        labels.append(1 + g % 2)
        offset += n
    (folder / "TINY_A.txt").write_text("".join(f"{u}, {v}\n" for u, v in edges))
    (folder / "TINY_graph_indicator.txt").write_text("\n".join(map(str, indicator)) + "\n")
    (folder / "TINY_graph_labels.txt").write_text("\n".join(map(str, labels)) + "\n")


@pytest.fixture
def tiny_data(tmp_path, monkeypatch):
    write_tiny_tu(tmp_path / "data")
    monkeypatch.setenv("SPEKTRAL_TV_DATA", str(tmp_path / "data"))
    monkeypatch.setenv("SPEKTRAL_TV_OFFLINE", "1")
    return tmp_path


def run(classify, out, *args):
    classify.main(["--dataset", "TINY", "--folds", "2", "--epochs", "2", "--patience", "1",
                   "--out", str(out), *args])
    return json.loads((out / "results.json").read_text())


@pytest.mark.parametrize("pool, mode", [("tvgnn", "batch"), ("mincut", "disjoint")])
def test_results_json_in_each_mode(classify, tiny_data, pool, mode, capsys):
    results = run(classify, tiny_data / mode, "--pool", pool, "--mode", mode)
    assert (results["pool"], results["mode"]) == (pool, mode)
    folds = results["folds"]
    assert [f["fold"] for f in folds] == [0, 1]
    # Two stratified folds: every graph is tested exactly once.
    assert sum(f["n_test"] for f in folds) == N_GRAPHS
    for f in folds:
        assert 0.0 <= f["acc"] <= 100.0
        assert f["epoch_s"] > 0 and f["peak_mb"] > 0 and 1 <= f["epochs"] <= 2
        assert f["n_train"] + f["n_val"] + f["n_test"] == N_GRAPHS
    accs = [f["acc"] for f in folds]
    assert results["acc_mean"] == pytest.approx(np.mean(accs))
    assert results["acc_std"] == pytest.approx(np.std(accs))
    assert results["epoch_s"] == pytest.approx(np.mean([f["epoch_s"] for f in folds]))
    # Featureless: one-hot degree (max degree 9 here: 10 columns) + clustering coefficient.
    assert results["n_features"] == 10 + 1
    assert results["k"] == int(np.ceil(np.mean([6 + g % 5 for g in range(N_GRAPHS)]))) // 2
    assert results["config"]["batch_size"] == 8
    assert "mean ± std" in capsys.readouterr().out


def test_seed_makes_a_run_repeatable(classify, tiny_data):
    args = ("--pool", "tvgnn", "--mode", "disjoint", "--max-folds", "1", "--seed", "4",
            "--epochs", "1")
    first = run(classify, tiny_data / "a", *args)["folds"][0]
    second = run(classify, tiny_data / "b", *args)["folds"][0]
    assert first["acc"] == second["acc"]
    assert first["test_loss"] == pytest.approx(second["test_loss"], rel=1e-5)


@pytest.mark.parametrize("pool, mode", [("diffpool", "disjoint"), ("topk", "batch")])
def test_unsupported_pool_and_mode_is_a_usage_error(classify, pool, mode, capsys):
    with pytest.raises(SystemExit) as exit_info:
        classify.parse_args(["--pool", pool, "--mode", mode])
    assert exit_info.value.code == 2
    message = capsys.readouterr().err
    assert f"--pool {pool}" in message and f"--mode {mode}" in message


def test_flags_override_the_papers_values(classify):
    args = classify.parse_args(["--dataset", "PROTEINS", "--pool", "tvgnn", "--lr", "0.01",
                                "--mlp-hidden", "8", "8"])
    config = classify.config_from_args(args)
    assert config["learning_rate"] == 0.01 and config["mlp_hidden"] == [8, 8]
    assert config["delta_coeff"] == TVGNN_CLASSIFICATION_BY_DATASET["PROTEINS"]["delta_coeff"]
    args = classify.parse_args(["--pool", "mincut", "--delta", "1.0"])
    with pytest.raises(ValueError, match="--delta"):
        classify.config_from_args(args)


def test_classification_defaults_follow_the_tables():
    proteins = classification_defaults("tvgnn", "PROTEINS")
    assert (proteins["mp_layers"], proteins["mp_channels"], proteins["delta_coeff"]) == \
        (3, 64, 2.073)
    assert classification_defaults("tvgnn", "bench-hard-small")["delta_coeff"] == 2.288
    assert classification_defaults("tvgnn", "mutag")["learning_rate"] == 1e-2
    assert classification_defaults("tvgnn", "ENZYMES")["delta_coeff"] == 2.073  # PROTEINS row
    assert classification_defaults("topk", "MUTAG") == POOL_CLASSIFICATION
    with pytest.raises(ValueError, match="pool"):
        classification_defaults("maxpool")


def test_classification_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        classification_model("dmon", 4, 2, 5, mode="disjoint")
    with pytest.raises(ValueError, match="channels"):
        classification_model("mincut", 4, 2, 5, channels=8)
