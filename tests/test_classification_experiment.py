"""`spektral-tv classify` (spektral_tv.experiments.classification) end to end
on a tiny featureless TU dataset, every pool in every mode it supports, with
one and two pools; the hierarchical network and its settings."""

import json

import numpy as np
import pytest
import tensorflow as tf

from spektral_tv import training
from spektral_tv.experiments import classification
from spektral_tv.models import (
    POOL_CLASSIFICATION,
    TVGNN_CLASSIFICATION_BY_DATASET,
    classification_defaults,
    classification_model,
    pool_sizes,
)

# Spektral's loaders shuffle a Dataset in place (safe for its Graph objects).
pytestmark = pytest.mark.filterwarnings("ignore:you are shuffling")

N_GRAPHS = 16
SIZES = [6 + g % 5 for g in range(N_GRAPHS)]
PAIRS = [(pool, mode) for pool, modes in classification.POOL_MODES.items() for mode in modes]


def write_tiny_tu(root):
    """TINY: 16 featureless graphs, rings (class 1) and stars (class 2)."""
    folder = root / "TUDataset" / "TINY"
    folder.mkdir(parents=True)
    edges, indicator, labels, offset = [], [], [], 1
    for g, n in enumerate(SIZES):
        if g % 2 == 0:
            pairs = [(j, (j + 1) % n) for j in range(n)]
        else:
            pairs = [(0, j) for j in range(1, n)]
        edges += [(offset + u, offset + v) for u, v in pairs]
        edges += [(offset + v, offset + u) for u, v in pairs]
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


def run(out, *args):
    classification.main(
        [
            "--dataset",
            "TINY",
            "--folds",
            "2",
            "--epochs",
            "2",
            "--patience",
            "1",
            "--runs",
            "1",
            "--quiet",
            "--out",
            str(out),
            *args,
        ]
    )
    return json.loads((out / "results.json").read_text())


@pytest.mark.parametrize("pools", [1, 2])
@pytest.mark.parametrize("pool, mode", PAIRS)
def test_every_pool_and_mode_fits(tiny_data, pool, mode, pools):
    results = run(
        tiny_data / f"{pool}-{mode}-{pools}",
        "--pool",
        pool,
        "--mode",
        mode,
        "--pools",
        str(pools),
        "--max-folds",
        "1",
        "--epochs",
        "1",
        "--batch-size",
        "4",
    )
    fold = results["folds"][0]
    assert 0.0 <= fold["acc"] <= 100.0 and fold["epochs"] == 1
    assert results["pools"] == pools
    assert len(results["k"]) == pools


def test_results_json_and_protocol(tiny_data, capsys):
    results = run(tiny_data / "out", "--pool", "tvgnn", "--mode", "batch")
    folds = results["folds"]
    assert [f["fold"] for f in folds] == [0, 1]
    # Two stratified folds: every graph is tested exactly once.
    tested = sorted(i for split in results["splits"] for i in split["test"])
    assert tested == list(range(N_GRAPHS))
    for f, split in zip(folds, results["splits"]):
        assert f["n_train"] + f["n_val"] + f["n_test"] == N_GRAPHS
        assert not set(split["train"]) & set(split["val"])
        assert 0.0 <= f["acc"] <= 100.0 and f["peak_mb"] > 0
    accs = [f["acc"] for f in folds]
    assert results["acc_mean"] == pytest.approx(np.mean(accs))
    assert results["acc_std"] == pytest.approx(np.std(accs))
    # Featureless: one-hot degree (max degree 9 here: 10 columns) + clustering coefficient.
    assert results["n_features"] == 10 + 1
    assert results["k"] == pool_sizes(np.mean(SIZES), 2)
    assert results["training"]["batch_size"] == 8
    assert results["command"].startswith("spektral-tv classify")
    assert "mean ± std" in capsys.readouterr().out


def test_every_pool_gets_the_same_splits(tiny_data):
    a = run(tiny_data / "a", "--pool", "tvgnn", "--max-folds", "1", "--epochs", "1")
    b = run(tiny_data / "b", "--pool", "topk", "--max-folds", "1", "--epochs", "1")
    assert a["splits"] == b["splits"]


def test_resume_keeps_the_folds_done(tiny_data):
    args = ("--pool", "mincut", "--mode", "disjoint", "--epochs", "1")
    first = run(tiny_data / "out", *args, "--max-folds", "1")
    # A stopped job: fold 0 is done; --resume runs fold 1 only.
    resumed = run(tiny_data / "out", *args, "--resume")
    assert [f["fold"] for f in resumed["folds"]] == [0, 1]
    assert resumed["folds"][0] == first["folds"][0]
    # Splits of another seed cannot be resumed into the same folder.
    with pytest.raises(SystemExit) as exit_info:
        run(tiny_data / "out", *args, "--resume", "--seed", "1")
    assert exit_info.value.code == 2
    # Nor folds of other settings: they would be averaged with these.
    with pytest.raises(SystemExit) as exit_info:
        run(tiny_data / "out", *args, "--resume", "--lr", "0.5")
    assert exit_info.value.code == 2
    assert len(json.loads((tiny_data / "out" / "results.json").read_text())["folds"]) == 2


def test_resume_continues_a_stopped_fold(tiny_data, monkeypatch):
    args = ("--pool", "tvgnn", "--max-folds", "1", "--epochs", "4", "--patience", "10")
    whole = run(tiny_data / "whole", *args)["folds"][0]
    assert whole["epochs"] == 4 and whole["resumed_at_epoch"] is None

    # A job killed after epoch 2 of the fold: its state is saved every epoch here.
    monkeypatch.setattr(training.FitCheckpoint, "MIN_INTERVAL_S", 0.0)
    save = training.FitCheckpoint.on_epoch_end

    def killed_after_epoch_2(self, epoch, logs=None):
        save(self, epoch, logs)
        if epoch == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(training.FitCheckpoint, "on_epoch_end", killed_after_epoch_2)
    with pytest.raises(KeyboardInterrupt):
        run(tiny_data / "cut", *args)
    state = tiny_data / "cut" / classification.CHECKPOINTS / "run-0-fold-0" / "state.json"
    assert json.loads(state.read_text())["epochs"] == 2
    assert not (tiny_data / "cut" / "results.json").exists()
    monkeypatch.setattr(training.FitCheckpoint, "on_epoch_end", save)

    # Other settings cannot resume that fold: a usage error, the state kept.
    with pytest.raises(SystemExit) as exit_info:
        run(tiny_data / "cut", *args, "--resume", "--lr", "0.5")
    assert exit_info.value.code == 2 and state.exists()

    resumed = run(tiny_data / "cut", *args, "--resume")["folds"][0]
    assert resumed["resumed_at_epoch"] == 2
    assert resumed["epochs"] == whole["epochs"] == 4
    # The fold is recorded: its checkpoint is gone.
    assert not (tiny_data / "cut" / classification.CHECKPOINTS).exists()


def test_a_fold_stopped_after_its_last_epoch_is_only_tested(tiny_data, monkeypatch):
    args = ("--pool", "mincut", "--max-folds", "1", "--epochs", "3")
    monkeypatch.setattr(training.FitCheckpoint, "MIN_INTERVAL_S", 0.0)
    common = classification._common
    monkeypatch.setattr(classification, "_common", _WriteFails(common))
    with pytest.raises(KeyboardInterrupt):
        run(tiny_data / "out", *args)
    monkeypatch.setattr(classification, "_common", common)

    def no_training(*args, **kwargs):
        raise AssertionError("the finished fold was trained again")

    monkeypatch.setattr("tf_keras.Model.fit", no_training)
    record = run(tiny_data / "out", *args, "--resume")["folds"][0]
    assert record["epochs"] == 3 and record["resumed_at_epoch"] == 3
    assert 0.0 <= record["acc"] <= 100.0


class _WriteFails:
    """`_common` whose results writer is killed: the fold trained to its end,
    but its record was never written."""

    def __init__(self, common):
        self._common = common

    def __getattr__(self, name):
        return getattr(self._common, name)

    def write_json(self, path, data):
        raise KeyboardInterrupt


def test_seed_makes_a_run_repeatable(tiny_data):
    args = (
        "--pool",
        "tvgnn",
        "--mode",
        "disjoint",
        "--max-folds",
        "1",
        "--seed",
        "4",
        "--epochs",
        "1",
    )
    first = run(tiny_data / "a", *args)["folds"][0]
    second = run(tiny_data / "b", *args)["folds"][0]
    assert first["acc"] == second["acc"]
    # Float round-off of GTVConv at ε = 1e-3 (see docs/distributed.md) allows ~1e-5.
    assert first["test_loss"] == pytest.approx(second["test_loss"], rel=1e-4)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--pool", "diffpool", "--mode", "disjoint"], "--pool diffpool does not run in --mode"),
        (["--pool", "topk", "--mode", "batch"], "--pool topk does not run in --mode"),
        (["--folds", "1"], "--folds must be >= 2"),
        (["--k", "1"], "--k must be >= 2"),
        (["--k", "4", "3", "2"], "--k takes one value or one per pool"),
        (["--totvar-coeff", "-1"], "--totvar-coeff must be a finite number >= 0"),
    ],
)
def test_user_mistakes_are_usage_errors(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        classification.parse_args(flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_unknown_dataset_is_a_usage_error(tiny_data, capsys):
    out = tiny_data / "never"
    with pytest.raises(SystemExit) as exit_info:
        classification.main(["--dataset", "nosuch", "--out", str(out)])
    assert exit_info.value.code == 2
    assert "--dataset nosuch" in capsys.readouterr().err
    assert not out.exists()


def test_flags_override_the_papers_values():
    args = classification.parse_args(
        ["--dataset", "PROTEINS", "--pool", "tvgnn", "--lr", "0.01", "--mlp-hidden", "8", "8"]
    )
    network, settings = classification.settings_from_args(args)
    assert settings["learning_rate"] == 0.01 and network["mlp_hidden"] == [8, 8]
    assert network["delta_coeff"] == TVGNN_CLASSIFICATION_BY_DATASET["PROTEINS"]["delta_coeff"]
    args = classification.parse_args(["--pool", "mincut", "--delta", "1.0"])
    with pytest.raises(ValueError, match="--delta"):
        classification.settings_from_args(args)


def test_settings_follow_the_papers_tables():
    proteins = classification_defaults("tvgnn", "PROTEINS")
    assert (proteins["mp_layers"], proteins["mp_channels"], proteins["delta_coeff"]) == (
        3,
        64,
        2.073,
    )
    assert classification_defaults("tvgnn", "bench-hard-small")["delta_coeff"] == 2.288
    assert training.classification_training("tvgnn", "mutag")["learning_rate"] == 1e-2
    assert training.classification_training("tvgnn", "DD")["batch_size"] == 8
    assert training.classification_training("topk", "MUTAG")["batch_size"] == 1
    assert classification_defaults("tvgnn", "ENZYMES")["delta_coeff"] == 2.073  # PROTEINS row
    assert classification_defaults("topk", "MUTAG") == POOL_CLASSIFICATION
    with pytest.raises(ValueError, match="pool"):
        classification_defaults("maxpool")


def test_pool_sizes_halve_the_average_graph():
    assert pool_sizes(17.93, 2) == [9, 4]  # MUTAG: ⌈17.93⌉ = 18
    assert pool_sizes(39.06, 2) == [20, 10]  # PROTEINS
    assert pool_sizes(39.06, 1) == [20]
    assert pool_sizes(5, 3) == [2, 2, 2]  # never fewer than 2 clusters
    with pytest.raises(ValueError, match="n_pools"):
        pool_sizes(10, 0)


def test_classification_model_rejects_bad_arguments():
    with pytest.raises(ValueError, match="mode"):
        classification_model("dmon", 4, 2, 5, mode="disjoint")
    with pytest.raises(ValueError, match="channels"):
        classification_model("mincut", 4, 2, 5, channels=8)
    with pytest.raises(ValueError, match="learning_rate"):  # a training setting
        classification_model("mincut", 4, 2, 5, learning_rate=1e-3)
    with pytest.raises(ValueError, match="k must be"):
        classification_model("mincut", 4, 2, [5, 3, 2], n_pools=2)


@pytest.mark.parametrize("pool", ["tvgnn", "mincut"])
def test_disjoint_and_batch_networks_agree(pool):
    """The same weights on the same graphs give the same predictions in both
    modes: the mode change after the first pool keeps every graph intact."""
    rng = np.random.default_rng(0)
    sizes = [5, 7, 6]
    adjacencies = []
    for n in sizes:
        a = np.triu((rng.random((n, n)) < 0.5).astype("float32"), 1)
        a[np.arange(n - 1), np.arange(1, n)] = 1.0  # connected
        adjacencies.append(a + a.T)
    xs = [rng.normal(size=(n, 3)).astype("float32") for n in sizes]
    k = [3, 2]
    batch = classification_model(pool, 3, 2, k, mode="batch")
    disjoint = classification_model(pool, 3, 2, k, mode="disjoint")
    disjoint.set_weights(batch.get_weights())
    n_max = max(sizes)
    x_b = np.zeros((3, n_max, 4), "float32")
    a_b = np.zeros((3, n_max, n_max), "float32")
    for g, (x, a) in enumerate(zip(xs, adjacencies)):
        x_b[g, : len(x), :3], x_b[g, : len(x), 3] = x, 1.0
        a_b[g, : len(x), : len(x)] = a
    from scipy.linalg import block_diag

    a_d = tf.sparse.from_dense(block_diag(*adjacencies))
    i_d = np.repeat(np.arange(3), sizes)
    out_b = batch([x_b, a_b]).numpy()
    out_d = disjoint([np.concatenate(xs), a_d, i_d]).numpy()
    np.testing.assert_allclose(out_d, out_b, atol=1e-5)
    np.testing.assert_allclose(sum(disjoint.losses).numpy(), sum(batch.losses).numpy(), rtol=1e-4)


def test_tensorboard_logs_every_fold(tiny_data):
    pytest.importorskip("tensorboard")
    logs = tiny_data / "logs"
    run(tiny_data / "out", "--pool", "mincut", "--tensorboard", str(logs))
    for fold in (0, 1):
        assert list((logs / f"run-0-fold-{fold}").rglob("events.out.tfevents.*")), fold
