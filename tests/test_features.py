"""Surrogate node features (degree, clustering coefficient) and the synthetic
large-graph classification set."""

import numpy as np
import pytest
import scipy.sparse as sp
from spektral.data import Graph

from spektral_tv.datasets import (
    LargeGraphs,
    clustering_coefficient,
    clustering_coefficient_features,
    structural_features,
)


def triangle_with_tail():
    """Nodes 0-1-2 form a triangle, 2-3 and 3-4 a tail; node 5 is isolated."""
    edges = [(0, 1), (1, 2), (0, 2), (2, 3), (3, 4)]
    a = np.zeros((6, 6), "float32")
    for u, v in edges:
        a[u, v] = a[v, u] = 1
    return a


def test_clustering_coefficient_by_hand():
    a = triangle_with_tail()
    # Node 2: neighbours 0, 1, 3 -> 3 pairs, 1 of them joined (0-1).
    expected = [1.0, 1.0, 1 / 3, 0.0, 0.0, 0.0]
    np.testing.assert_allclose(clustering_coefficient(a), expected)
    # Sparse input, a self-loop and edge weights change nothing.
    weighted = sp.csr_matrix(a * 2.5 + np.diag([1, 0, 0, 0, 0, 0]))
    np.testing.assert_allclose(clustering_coefficient(weighted), expected)
    # A complete graph: every coefficient is 1.
    np.testing.assert_allclose(clustering_coefficient(np.ones((5, 5)) - np.eye(5)), 1.0)


def test_clustering_coefficient_features_append_one_column():
    a = triangle_with_tail()
    x = np.arange(12, dtype="float32").reshape(6, 2)
    graph = Graph(x=x, a=sp.csr_matrix(a))
    out = clustering_coefficient_features(graph)
    assert out.x.shape == (6, 3) and out.x.dtype == np.float32
    np.testing.assert_array_equal(out.x[:, :2], x)
    np.testing.assert_allclose(out.x[:, 2], clustering_coefficient(a))
    assert graph.x.shape == (6, 2)  # the input is not changed
    assert clustering_coefficient_features(graph, concatenate=False).x.shape == (6, 1)


def test_structural_features_of_a_featureless_graph():
    a = triangle_with_tail()
    out = structural_features(Graph(a=sp.csr_matrix(a)), max_degree=2)
    # One-hot degrees clipped at 2 (node 2 has degree 3), then the coefficient.
    np.testing.assert_array_equal(out.x[:, :3].argmax(1), [2, 2, 2, 2, 1, 0])
    np.testing.assert_allclose(out.x[:, 3], clustering_coefficient(a))
    assert out.x.shape == (6, 4)


def test_large_graphs():
    kwargs = dict(
        n_graphs=20,
        min_nodes=30,
        median_nodes=100,
        max_nodes=1500,
        max_fraction=0.2,
        avg_degree=5,
        seed=1,
    )
    ds = LargeGraphs(**kwargs)
    sizes = np.array([g.n_nodes for g in ds])
    assert sizes[0] == sizes[1] == 1500 and (sizes == 1500).sum() == 4
    assert sizes.min() >= 30 and 50 < np.median(sizes) < 200
    np.testing.assert_array_equal(ds.labels, [0, 1] * 10)
    degree = sum(g.a.nnz for g in ds) / sizes.sum()
    assert 4.0 < degree < 6.0
    for g in ds:
        assert (abs(g.a - g.a.T)).nnz == 0 and g.a.diagonal().sum() == 0
        assert g.x.shape == (g.n_nodes, 8)
    again = LargeGraphs(**kwargs)
    assert all((g.a != h.a).nnz == 0 for g, h in zip(ds, again))
    with pytest.raises(ValueError, match="min_nodes"):
        LargeGraphs(min_nodes=500, max_nodes=100)
