"""`spektral-tv autoencode` (spektral_tv.experiments.autoencoder) on few
epochs, and the unpooling against the MinCutPool paper's eq. 8."""

import importlib.util
import json

import numpy as np
import pytest
from experiment_cli import assert_usage_error
from reference import softmax
import tensorflow as tf

from spektral_tv import datasets
from spektral_tv.experiments import autoencoder
from spektral_tv.layers import AssignmentUnpool, TopKUnpool
from spektral_tv.models import autoencoder_model, autoencoder_parts
from spektral_tv.training import autoencoder_inputs


def run(tmp_path, *args):
    out = tmp_path / "out"
    return out, autoencoder.main([*args, "--out", str(out), "--quiet"])


def test_assignment_unpool_is_s_x_pool_and_s_a_pool_st():
    rng = np.random.default_rng(0)
    s = softmax(rng.normal(size=(9, 3))).astype("float32")
    x_pool = rng.normal(size=(3, 4)).astype("float32")
    a_pool = rng.random((3, 3)).astype("float32")
    x_rec, a_rec = AssignmentUnpool()([x_pool, a_pool, s])
    np.testing.assert_allclose(x_rec.numpy(), s @ x_pool, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(a_rec.numpy(), s @ a_pool @ s.T, rtol=1e-5, atol=1e-6)
    # A sparse pooled adjacency gives the same, and batch mode works per graph.
    a_sparse = tf.sparse.from_dense(a_pool)
    np.testing.assert_allclose(
        AssignmentUnpool()([x_pool, a_sparse, s])[1].numpy(),
        s @ a_pool @ s.T,
        rtol=1e-5,
        atol=1e-6,
    )
    x_b, a_b = AssignmentUnpool()([x_pool[None], a_pool[None], s[None]])
    assert x_b.shape == (1, 9, 4) and a_b.shape == (1, 9, 9)


@pytest.mark.parametrize("sparse", [False, True])
def test_topk_unpool_puts_the_kept_nodes_back(sparse):
    mask = np.array([0, 1, 0, 0, 1, 1, 0], "int32")
    kept = np.flatnonzero(mask)
    x_pool = np.arange(6, dtype="float32").reshape(3, 2) + 1
    a_pool = np.array([[0, 1, 0], [1, 0, 2], [0, 2, 0]], "float32")
    selection = np.eye(7, dtype="float32")[kept]  # M, (K, N)
    a_in = tf.sparse.from_dense(a_pool) if sparse else a_pool
    x_rec, a_rec = TopKUnpool()([x_pool, a_in, mask])
    a_rec = tf.sparse.to_dense(tf.sparse.reorder(a_rec)) if sparse else a_rec
    np.testing.assert_array_equal(x_rec.numpy(), selection.T @ x_pool)
    np.testing.assert_array_equal(a_rec.numpy(), selection.T @ a_pool @ selection)


@pytest.mark.parametrize("pool", ["mincut", "tvgnn", "diffpool", "topk"])
def test_autoencoder_unpooling_inside_the_model(pool):
    graph = datasets.ring_graph(24)
    inputs = autoencoder_inputs(graph.x, graph.a)
    model = autoencoder_model(24, 2, pool)
    parts = {
        k: v.numpy()
        if not isinstance(v, tf.SparseTensor)
        else tf.sparse.to_dense(tf.sparse.reorder(v)).numpy()
        for k, v in autoencoder_parts(model)(inputs).items()
    }
    assert parts["x_rec"].shape == (24, 2)
    assert parts["x_pool"].shape[0] == 6  # 25% of the nodes
    if pool == "topk":
        kept = np.flatnonzero(parts["selection"])
        assert kept.size == 6
        m = np.eye(24, dtype="float32")[kept]
    else:
        m = parts["selection"].T  # S is (N, K): Sᵀ plays M's part
        assert m.shape == (6, 24)
        np.testing.assert_allclose(m.sum(axis=0), 1.0, atol=1e-5)
    np.testing.assert_allclose(parts["x_unpool"], m.T @ parts["x_pool"], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(parts["a_unpool"], m.T @ parts["a_pool"] @ m, rtol=1e-4, atol=1e-5)


def test_autoencoder_rejects_unknown_pool_and_hyper_parameters():
    with pytest.raises(ValueError, match="pool"):
        autoencoder_model(10, 2, "sagpool")
    with pytest.raises(ValueError, match="hidden_units"):
        autoencoder_model(10, 2, "mincut", hidden_units=3)


def test_all_pools(tmp_path):
    out, summary = run(tmp_path, "--graph", "ring", "--pool", "all", "--epochs", "3")
    saved = json.loads((out / "results.json").read_text())
    assert saved["mse"] == summary["mse"]
    assert saved["command"].startswith("spektral-tv autoencode --graph ring")
    assert sorted(saved["mse"]) == ["diffpool", "mincut", "topk", "tvgnn"]
    for pool, record in saved["runs"].items():
        assert np.isfinite(record["mse"]) and record["mse"] >= 0
        assert record["mse"] == saved["mse"][pool]
        assert 1 <= record["epochs_run"] <= 3
        assert np.load(out / f"reconstruction-{pool}.npy").shape == (200, 2)
    assert saved["n_nodes"] == 200
    assert (out / "reconstruction.png").stat().st_size > 5000


def test_one_pool_on_the_grid_and_resume(tmp_path):
    out, first = run(tmp_path, "--graph", "grid", "--pool", "mincut", "--epochs", "2")
    saved = json.loads((out / "results.json").read_text())
    assert isinstance(saved["mse"], float) and np.isfinite(saved["mse"])
    assert saved["n_nodes"] == 900 and saved["pool"] == "mincut"
    assert saved["config"]["epochs"] == 2 and saved["config"]["learning_rate"] == 5e-3
    assert (out / "reconstruction.png").exists()
    # --resume keeps the pool done (same record, not trained again)
    _, resumed = run(tmp_path, "--graph", "grid", "--pool", "mincut", "--epochs", "2", "--resume")
    assert resumed["runs"]["mincut"] == first["runs"]["mincut"]


def test_totvar_coeff_reaches_the_tvgnn_pool(tmp_path):
    _, summary = run(
        tmp_path, "--graph", "ring", "--pool", "tvgnn", "--epochs", "2", "--totvar-coeff", "0.1"
    )
    assert summary["config"]["totvar_coeff"] == 0.1
    pool = autoencoder_model(24, 2, "tvgnn", totvar_coeff=0.1).get_layer("pool")
    assert pool.get_config()["totvar_coeff"] == 0.1


def test_tensorboard_logs_every_pool(tmp_path):
    pytest.importorskip("tensorboard")
    logs = tmp_path / "logs"
    run(tmp_path, "--pool", "tvgnn", "--epochs", "2", "--tensorboard", str(logs))
    assert list((logs / "tvgnn").rglob("events.out.tfevents.*"))


def test_saved_model_loads_without_custom_objects(tmp_path):
    import tf_keras as keras

    path = tmp_path / "ae.keras"
    run(tmp_path, "--pool", "tvgnn", "--epochs", "2", "--save-model", str(path))
    assert path.exists()
    model = keras.models.load_model(path)
    assert model.output_shape == (None, 2)


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--epochs", "0"], "--epochs must be >= 1"),
        (["--patience", "0"], "--patience must be >= 1"),
        (
            ["--pool", "tvgnn", "--totvar-coeff", "-1"],
            "--totvar-coeff must be a finite number >= 0",
        ),
        (["--pool", "tvgnn", "--totvar-coeff", "nan"], "--totvar-coeff must be a finite number"),
        (["--pool", "mincut", "--totvar-coeff", "0.1"], "--totvar-coeff applies to --pool tvgnn"),
        (["--pool", "all", "--save-model", "m.keras"], "--save-model needs one --pool"),
        (["--save-model", "m.h5"], "--save-model must end in .keras"),
        (["--graph", "torus"], "invalid choice"),
        *(
            []
            if importlib.util.find_spec("tensorboard")
            else [(["--tensorboard", "logs"], "--tensorboard needs the tensorboard package")]
        ),
    ],
)
def test_user_mistakes_exit_2_with_one_line_and_no_folder(tmp_path, flags, message):
    assert_usage_error(tmp_path, "autoencode", flags, message)
