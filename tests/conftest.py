import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import spektral_tv  # noqa: E402,F401  (must come before TensorFlow)
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402


def random_graph(
    n_nodes, n_features=4, density=0.35, seed=0, weighted=False, isolated=False, self_loop=False
):
    """A random symmetric graph (x, a) as float32 NumPy arrays."""
    rng = np.random.default_rng(seed)
    a = (rng.random((n_nodes, n_nodes)) < density).astype("float32")
    if weighted:
        a *= rng.uniform(0.2, 2.0, size=a.shape).astype("float32")
    a = np.triu(a, 1)
    a = a + a.T
    if isolated:
        a[-1, :] = 0
        a[:, -1] = 0
    if self_loop:
        a[0, 0] = 1.0
    x = rng.normal(size=(n_nodes, n_features)).astype("float32")
    return x, a


def disjoint_union(graphs):
    """Stack graphs as Spektral's DisjointLoader does: x, block-diagonal a, i."""
    sizes = [g[0].shape[0] for g in graphs]
    total = sum(sizes)
    x = np.concatenate([g[0] for g in graphs])
    a = np.zeros((total, total), "float32")
    start = 0
    for (_, ag), n in zip(graphs, sizes):
        a[start : start + n, start : start + n] = ag
        start += n
    i = np.repeat(np.arange(len(graphs)), sizes).astype("int64")
    return x, a, i


def padded_batch(graphs, pad_value=0.0):
    """Zero-padded batch (x, a, mask) like BatchLoader(mask=True); padded
    entries of x and a are filled with `pad_value` to prove they are ignored."""
    n_max = max(g[0].shape[0] for g in graphs)
    n_features = graphs[0][0].shape[1]
    x = np.full((len(graphs), n_max, n_features), pad_value, "float32")
    a = np.full((len(graphs), n_max, n_max), pad_value, "float32")
    mask = np.zeros((len(graphs), n_max, 1), "float32")
    for b, (xg, ag) in enumerate(graphs):
        n = xg.shape[0]
        x[b, :n] = xg
        a[b, :n, :n] = ag
        a[b, :n, n:] = pad_value
        a[b, n:, :n] = pad_value
        mask[b, :n] = 1.0
    return x, a, mask


def sparse(a):
    return tf.sparse.from_dense(tf.constant(a))


@pytest.fixture(autouse=True)
def _clear_session():
    tf.keras.backend.clear_session()
    tf.random.set_seed(0)
    yield
