"""Node clustering trained on sampled subgraphs: the samplers of
`spektral_tv.sampling`, `training.subgraph_batches`, training with
`train_clustering_on_subgraphs` and prediction on the whole graph, and
`spektral-tv cluster --subgraph-nodes`."""

import json

import numpy as np
import pytest
import scipy.sparse as sp
import tensorflow as tf
import tf_keras as keras

from spektral_tv import datasets, metrics, sampling, training
from spektral_tv.experiments import clustering


def sparse_graph(n_nodes=300, avg_degree=4, n_features=5, seed=0):
    """A random symmetric weighted scipy graph without self-loops, and features."""
    rng = np.random.default_rng(seed)
    pairs = n_nodes * avg_degree // 2
    rows, cols = rng.integers(0, n_nodes, pairs), rng.integers(0, n_nodes, pairs)
    keep = rows != cols
    weights = rng.uniform(0.5, 2.0, keep.sum())
    a = sp.coo_matrix((weights, (rows[keep], cols[keep])), shape=(n_nodes, n_nodes))
    a = sp.csr_matrix(a + a.T, dtype=np.float32)
    return rng.normal(size=(n_nodes, n_features)).astype("float32"), a


def induced_edges(a, idx):
    """{(local i, local j): weight} of the edges of `a` with both ends in
    `idx`, from the edge list (no slicing)."""
    coo = sp.coo_matrix(a)
    local = {int(node): position for position, node in enumerate(idx)}
    return {
        (local[int(i)], local[int(j)]): float(w)
        for i, j, w in zip(coo.row, coo.col, coo.data)
        if int(i) in local and int(j) in local
    }


def tensor_edges(a_sub):
    return {
        (int(i), int(j)): float(w)
        for (i, j), w in zip(a_sub.indices.numpy(), a_sub.values.numpy())
        if w != 0
    }


def take(dataset, count):
    return [element[0] for element in dataset.take(count)]


@pytest.mark.parametrize("sampler", sampling.SAMPLERS)
def test_subgraphs_hold_exactly_the_edges_among_their_nodes(sampler):
    x, a = sparse_graph()
    data = training.subgraph_batches(x, a, 60, seed=3, sampler=sampler)
    nodes = sampling.node_batches(a, 60, seed=3, sampler=sampler)
    for (x_sub, a_sub), idx in zip(take(data, 8), nodes):
        assert isinstance(a_sub, tf.SparseTensor)
        assert tuple(a_sub.dense_shape.numpy()) == (idx.size, idx.size)
        np.testing.assert_array_equal(x_sub.numpy(), x[idx])
        expected = induced_edges(a, idx)
        assert expected, "a subgraph without edges tests nothing"
        got = tensor_edges(a_sub)
        assert got.keys() == expected.keys()
        for edge, weight in expected.items():
            assert got[edge] == pytest.approx(weight)


def test_normalize_gives_each_subgraph_its_own_normalized_adjacency():
    x, a = sparse_graph(seed=1)
    data = training.subgraph_batches(x, a, 80, seed=0, normalize=True)
    nodes = sampling.node_batches(a, 80, seed=0)
    for (_, a_sub), idx in zip(take(data, 3), nodes):
        dense = a[idx][:, idx].toarray().astype(np.float64)
        degree = dense.sum(axis=1)
        scale = np.where(degree > 0, 1 / np.sqrt(np.where(degree > 0, degree, 1)), 0.0)
        expected = scale[:, None] * dense * scale[None, :]
        np.testing.assert_allclose(tf.sparse.to_dense(a_sub).numpy(), expected, atol=1e-6)


def test_sparse_features_stay_sparse():
    x, a = sparse_graph(seed=2)
    x = sp.csr_matrix(np.where(x > 1.5, x, 0.0))
    (x_sub, _), *_ = take(training.subgraph_batches(x, a, 50, seed=0), 1)
    idx = next(sampling.node_batches(a, 50, seed=0))
    assert isinstance(x_sub, tf.SparseTensor)
    np.testing.assert_allclose(tf.sparse.to_dense(x_sub).numpy(), x[idx].toarray())


@pytest.mark.parametrize("sampler", sampling.SAMPLERS)
def test_same_seed_same_subgraphs_other_seed_others(sampler):
    _, a = sparse_graph()

    def first(seed, count=6):
        batches = sampling.node_batches(a, 50, seed=seed, sampler=sampler)
        return [next(batches) for _ in range(count)]

    for one, two in zip(first(7), first(7)):
        np.testing.assert_array_equal(one, two)
    assert any(not np.array_equal(p, q) for p, q in zip(first(7), first(8)))
    # The dataset restarts the sequence each time it is iterated.
    x = np.ones((a.shape[0], 1), "float32")
    data = training.subgraph_batches(x, a, 50, seed=7, sampler=sampler)
    for (_, one), (_, two) in zip(take(data, 3), take(data, 3)):
        np.testing.assert_array_equal(one.indices.numpy(), two.indices.numpy())


def test_uniform_batches_cover_every_node_once_an_epoch():
    _, a = sparse_graph(n_nodes=257)
    steps = sampling.steps_per_epoch(257, 50)
    assert steps == 6
    batches = sampling.node_batches(a, 50, seed=0, sampler="uniform")
    for _ in range(2):  # two epochs, each a partition of the nodes
        epoch = [next(batches) for _ in range(steps)]
        sizes = [idx.size for idx in epoch]
        assert max(sizes) <= 50 and max(sizes) - min(sizes) <= 1
        assert all(np.all(np.diff(idx) > 0) for idx in epoch)
        np.testing.assert_array_equal(np.sort(np.concatenate(epoch)), np.arange(257))


def test_walk_batches_have_the_asked_number_of_distinct_nodes():
    _, a = sparse_graph(n_nodes=200)
    a = a.tolil()
    a[5, :] = 0  # an isolated node: its walk stays on it
    a[:, 5] = 0
    rng = np.random.default_rng(0)
    for size in (2, 37, 150, 200, 500):
        idx = sampling.random_walk_nodes(a.tocsr(), size, rng)
        assert idx.size == min(size, 200)
        assert np.all(np.diff(idx) > 0) and idx[0] >= 0 and idx[-1] < 200


def test_walks_keep_more_edges_than_uniform_nodes():
    # Uniform nodes keep about n/N of their edges: sparse subgraphs with many
    # isolated nodes; walks sample neighbours together.
    _, a = sparse_graph(n_nodes=2000, avg_degree=4)
    uniform = sampling.edge_retention(a, 400, sampler="uniform", batches=10)
    walk = sampling.edge_retention(a, 400, sampler="walk", batches=10)
    assert uniform["kept"] == pytest.approx(400 / 2000, abs=0.05)
    assert walk["kept"] > 2 * uniform["kept"]
    assert walk["isolated"] < uniform["isolated"] / 2
    assert uniform["graph_mean_degree"] == walk["graph_mean_degree"]


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda a: sampling.steps_per_epoch(100, 1), "nodes_per_batch must be an integer >= 2"),
        (lambda a: sampling.steps_per_epoch(100, 2.5), "nodes_per_batch must be an integer >= 2"),
        (lambda a: next(sampling.node_batches(a, 1)), "nodes_per_batch"),
        (lambda a: next(sampling.node_batches(a, 10, sampler="bfs")), "sampler must be one of"),
        (
            lambda a: sampling.random_walk_nodes(a, 10, np.random.default_rng(), walk_length=0),
            "walk_length must be an integer >= 1",
        ),
        (
            lambda a: training.subgraph_batches(np.ones((5, 2)), a, 10),
            r"a must have shape \(5, 5\)",
        ),
        (lambda a: training.subgraph_batches(np.ones((300, 2)), a, 0), "nodes_per_batch"),
        (
            lambda a: training.subgraph_batches(np.ones((300, 2)), a, 9, sampler="x"),
            "sampler must be one of",
        ),
    ],
)
def test_bad_arguments_are_named(call, message):
    _, a = sparse_graph()
    with pytest.raises(ValueError, match=message):
        call(a)


def sbm():
    g = datasets.sbm([40, 40, 40], p_in=0.25, p_out=0.02, seed=0)
    return g.x, sp.csr_matrix(g.a), g.y


class StepCounter(keras.callbacks.Callback):
    def on_train_begin(self, logs=None):
        self.steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1


@pytest.mark.parametrize(
    "model_name, epochs, sampler",
    [("tvgnn", 60, "uniform"), ("tvgnn", 60, "walk"), ("mincut", 300, "walk")],
)
def test_trained_on_subgraphs_clusters_the_whole_sbm(model_name, epochs, sampler):
    x, a, labels = sbm()
    if model_name == "tvgnn":
        x = x * training.gtv_feature_scale(x, a, 0.8, 0.311, 512)
    counter = StepCounter()
    model, history, epoch_ms = training.train_clustering_on_subgraphs(
        model_name, x, a, 3, 40, sampler=sampler, epochs=epochs, seed=0, callbacks=[counter]
    )
    # An epoch is one pass over the 120 nodes: 3 subgraphs of 40.
    assert counter.steps == 3 * epochs and len(history["loss"]) == epochs
    assert epoch_ms > 0
    inputs, _ = training.clustering_inputs(model_name, x, a)
    s = model(inputs, training=False).numpy()
    assert s.shape == (120, 3)
    assert metrics.clustering_scores(labels, s)["nmi"] >= 0.9


def test_cli_subgraph_nodes_end_to_end(tmp_path):
    out = tmp_path / "out"
    summary = clustering.main(
        ["--subgraph-nodes", "40", "--epochs", "60", "--out", str(out), "--quiet"]
    )
    saved = json.loads((out / "results.json").read_text())
    settings = saved["settings"]
    assert settings["subgraph_nodes"] == 40 and settings["subgraph_sampler"] == "walk"
    assert settings["subgraph_steps_per_epoch"] == 3
    assert summary["runs"][0]["nmi"] >= 0.9
    assert (out / "assignments.png").exists()


def test_cli_default_trains_on_the_whole_graph():
    args = clustering.parse_args([])
    assert args.subgraph_nodes is None
    assert clustering.subgraph_settings(args, 120) == {"subgraph_nodes": None}


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--subgraph-nodes", "1"], "--subgraph-nodes must be >= 2"),
        (["--subgraph-sampler", "walk"], "--subgraph-sampler needs --subgraph-nodes"),
    ],
)
def test_cli_subgraph_mistakes(flags, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        clustering.parse_args(flags)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
