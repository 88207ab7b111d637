"""Clustering metrics against hand-computed values and a brute-force ACC."""

import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

from spektral_tv.metrics import (
    accuracy,
    clustering_scores,
    collapsed_clusters,
    completeness,
    nmi,
    sharpness,
)

LN2, LN3, LN6 = math.log(2), math.log(3), math.log(6)


# --------------------------------------------------------------------------- #
# Hard clusterings
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("as_list", [True, False])
def test_perfect_clustering_with_permuted_ids(as_list):
    y_true = [0, 0, 1, 1, 1, 2, 2]
    y_pred = [2, 2, 0, 0, 0, 1, 1]  # same partition, ids permuted
    if not as_list:
        y_true, y_pred = np.array(y_true), np.array(y_pred)
    assert nmi(y_true, y_pred) == pytest.approx(1.0, abs=1e-12)
    assert accuracy(y_true, y_pred) == 1.0
    assert completeness(y_true, y_pred) == pytest.approx(1.0, abs=1e-12)
    scores = clustering_scores(y_true, y_pred)
    assert set(scores) == {"nmi", "acc", "cs"}
    assert scores["acc"] == 1.0
    assert scores["nmi"] == pytest.approx(1.0, abs=1e-12)
    assert scores["cs"] == pytest.approx(1.0, abs=1e-12)


def test_non_integer_label_ids():
    y_true = ["a", "a", "b", "b"]
    y_pred = [7, 7, -3, -3]
    assert accuracy(y_true, y_pred) == 1.0
    assert nmi(y_true, y_pred) == pytest.approx(1.0, abs=1e-12)


def test_two_by_two_with_one_error():
    y_true = [0, 0, 1, 1]
    y_pred = [1, 1, 1, 0]
    # Contingency (rows: class 0, 1; columns: cluster 0, 1) = [[0, 2], [1, 1]].
    # Best matching: class 0 -> cluster 1 (2 nodes), class 1 -> cluster 0
    # (1 node): 3 of 4 correct. (The other matching gives 0 + 1 = 1.)
    assert accuracy(y_true, y_pred) == 0.75
    # Entropies (natural log), p(Y) = (1/2, 1/2), p(C) = (1/4, 3/4),
    # p(Y, C) = {(0,1): 1/2, (1,0): 1/4, (1,1): 1/4}:
    #   H(Y)    = ln 2
    #   H(C)    = -(1/4 ln 1/4 + 3/4 ln 3/4) = 2 ln 2 - 3/4 ln 3
    #   H(Y, C) = -(1/2 ln 1/2 + 2 * 1/4 ln 1/4) = 3/2 ln 2
    #   I(Y; C) = H(Y) + H(C) - H(Y, C) = 3/2 ln 2 - 3/4 ln 3   (~0.21576)
    #   NMI = I / ((H(Y) + H(C)) / 2)
    #       = (3/2 ln 2 - 3/4 ln 3) / ((3 ln 2 - 3/4 ln 3) / 2)  (~0.34371)
    #   CS  = 1 - H(C|Y) / H(C) = I / H(C)
    #       = (3/2 ln 2 - 3/4 ln 3) / (2 ln 2 - 3/4 ln 3)        (~0.38369)
    h_y = LN2
    h_c = 2 * LN2 - 0.75 * LN3
    mi = 1.5 * LN2 - 0.75 * LN3
    assert nmi(y_true, y_pred) == pytest.approx(mi / ((h_y + h_c) / 2), abs=1e-12)
    assert nmi(y_true, y_pred) == pytest.approx(0.34371, abs=1e-5)
    assert completeness(y_true, y_pred) == pytest.approx(mi / h_c, abs=1e-12)
    assert completeness(y_true, y_pred) == pytest.approx(0.38369, abs=1e-5)


def test_nmi_is_symmetric_and_cs_is_not():
    y_true = [0, 0, 1, 1]
    y_pred = [1, 1, 1, 0]
    assert nmi(y_true, y_pred) == pytest.approx(nmi(y_pred, y_true), abs=1e-12)
    # completeness(y_pred, y_true) is the homogeneity: I / H(Y).
    assert completeness(y_pred, y_true) == pytest.approx((1.5 * LN2 - 0.75 * LN3) / LN2, abs=1e-12)


def test_more_clusters_than_classes():
    y_true = [0, 0, 0, 1, 1, 1]
    y_pred = [0, 0, 1, 2, 2, 3]
    # Contingency = [[2, 1, 0, 0], [0, 0, 2, 1]]: class 0 -> cluster 0 (2),
    # class 1 -> cluster 2 (2); clusters 1 and 3 are unmatched, so their
    # 2 nodes are errors: ACC = 4/6.
    assert accuracy(y_true, y_pred) == pytest.approx(4 / 6, abs=1e-15)
    # Every cluster is pure, so H(Y|C) = 0 and I = H(Y) = ln 2.
    #   H(C) = -(2 * 2/6 ln 2/6 + 2 * 1/6 ln 1/6) = 2/3 ln 3 + 1/3 ln 6
    h_c = 2 / 3 * LN3 + 1 / 3 * LN6
    assert completeness(y_true, y_pred) == pytest.approx(LN2 / h_c, abs=1e-12)
    assert nmi(y_true, y_pred) == pytest.approx(LN2 / ((LN2 + h_c) / 2), abs=1e-12)


def test_fewer_clusters_than_classes():
    # One cluster for three classes: the best single match is the largest
    # class (2 of 4 nodes); the mutual information is 0.
    y_true = [0, 1, 2, 2]
    y_pred = [5, 5, 5, 5]
    assert accuracy(y_true, y_pred) == 0.5
    assert nmi(y_true, y_pred) == pytest.approx(0.0, abs=1e-12)
    # Two clusters for three classes: contingency [[1, 0], [1, 0], [0, 2]]
    # -> 2 + 1 = 3 of 4.
    assert accuracy(y_true, [0, 0, 1, 1]) == 0.75


def _brute_force_accuracy(y_true, y_pred):
    classes = sorted(set(y_true))
    clusters = sorted(set(y_pred))
    m = max(len(classes), len(clusters))
    counts = np.zeros((m, m), dtype=int)  # padded with empty classes/clusters
    for t, p in zip(y_true, y_pred):
        counts[classes.index(t), clusters.index(p)] += 1
    best = max(
        sum(counts[i, perm[i]] for i in range(m)) for perm in itertools.permutations(range(m))
    )
    return best / len(y_true)


@pytest.mark.parametrize("seed", range(40))
def test_accuracy_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_classes = int(rng.integers(1, 6))
    n_clusters = int(rng.integers(1, 6))
    n = int(rng.integers(1, 25))
    y_true = rng.integers(0, n_classes, size=n)
    # Non-contiguous cluster ids, to exercise the relabelling.
    y_pred = rng.choice([3, 8, 11, 20, 42][:n_clusters], size=n)
    expected = _brute_force_accuracy(y_true.tolist(), y_pred.tolist())
    assert accuracy(y_true, y_pred) == pytest.approx(expected, abs=1e-15)
    assert 0.0 <= accuracy(y_true, y_pred) <= 1.0


# --------------------------------------------------------------------------- #
# Soft assignments
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("k", [2, 3, 7])
def test_uniform_assignments(k):
    s = np.full((5, k), 1.0 / k)
    stats = sharpness(s)
    assert stats["entropy"] == pytest.approx(1.0, abs=1e-12)
    assert stats["mean_max"] == pytest.approx(1.0 / k, abs=1e-12)
    assert stats["median_max"] == pytest.approx(1.0 / k, abs=1e-12)
    assert stats["fraction_crisp"] == 0.0
    # Ties go to the lowest index, as np.argmax.
    assert stats["cluster_sizes"].tolist() == [5] + [0] * (k - 1)


def test_one_hot_assignments_with_an_empty_cluster():
    s = np.eye(4)[[0, 0, 2, 3, 3, 3]]  # cluster 1 is empty
    stats = sharpness(s.tolist())
    assert stats["entropy"] == 0.0
    assert stats["fraction_crisp"] == 1.0
    assert stats["mean_max"] == 1.0
    assert stats["median_max"] == 1.0
    assert stats["cluster_sizes"].tolist() == [2, 0, 1, 3]
    assert len(stats["cluster_sizes"]) == 4


def test_sharpness_mixed_rows_by_hand():
    s = [[0.5, 0.5], [1.0, 0.0], [0.05, 0.95]]
    stats = sharpness(s)
    # Row maxima 0.5, 1, 0.95.
    assert stats["mean_max"] == pytest.approx((0.5 + 1 + 0.95) / 3, abs=1e-12)
    assert stats["median_max"] == pytest.approx(0.95, abs=1e-12)
    assert stats["fraction_crisp"] == pytest.approx(2 / 3, abs=1e-12)
    # Normalised row entropies: 1, 0, -(0.05 ln 0.05 + 0.95 ln 0.95) / ln 2.
    h3 = -(0.05 * math.log(0.05) + 0.95 * math.log(0.95)) / LN2
    assert stats["entropy"] == pytest.approx((1 + 0 + h3) / 3, abs=1e-12)
    assert stats["cluster_sizes"].tolist() == [2, 1]
    # The threshold is an argument and is inclusive.
    assert sharpness(s, crisp_threshold=0.96)["fraction_crisp"] == pytest.approx(1 / 3)
    assert sharpness(s, crisp_threshold=0.95)["fraction_crisp"] == pytest.approx(2 / 3)
    assert sharpness(s, crisp_threshold=0.5)["fraction_crisp"] == 1.0


def test_single_cluster_and_float32_rows():
    assert sharpness(np.ones((3, 1)))["entropy"] == 0.0
    # float32 softmax rows do not sum exactly to 1; they are accepted.
    logits = np.random.default_rng(0).normal(size=(50, 6)).astype("float32")
    s = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    stats = sharpness(s)
    assert 0.0 < stats["entropy"] < 1.0
    assert stats["cluster_sizes"].sum() == 50


def test_clustering_scores_from_soft_assignments():
    y_true = [0, 0, 1, 1]
    s = [[0.2, 0.8], [0.4, 0.6], [0.3, 0.7], [0.9, 0.1]]  # argmax [1, 1, 1, 0]
    assert clustering_scores(y_true, s) == clustering_scores(y_true, [1, 1, 1, 0])
    assert clustering_scores(y_true, np.array(s))["acc"] == 0.75


# --------------------------------------------------------------------------- #
# Invalid inputs
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("fn", [nmi, accuracy, completeness, clustering_scores])
def test_length_mismatch_names_the_argument(fn):
    name = "s_or_labels" if fn is clustering_scores else "labels_pred"
    with pytest.raises(ValueError, match=f"`{name}`"):
        fn([0, 1, 1], [0, 1])


@pytest.mark.parametrize("fn", [nmi, accuracy, completeness, clustering_scores])
def test_empty_inputs_raise(fn):
    with pytest.raises(ValueError, match="`labels_true`"):
        fn([], [])
    with pytest.raises(ValueError, match="`labels_true`"):
        fn([], [0, 1])


@pytest.mark.parametrize("fn", [nmi, accuracy, completeness])
def test_bad_label_arrays(fn):
    with pytest.raises(ValueError, match="`labels_pred`"):
        fn([0, 1], [[0.5, 0.5], [1.0, 0.0]])  # soft S given as labels
    with pytest.raises(ValueError, match="`labels_true`"):
        fn(3, [0])  # scalar
    with pytest.raises(ValueError, match="`labels_pred`"):
        fn([0, 1], [0.0, float("nan")])


@pytest.mark.parametrize(
    "s",
    [
        [0.5, 0.5],  # 1-D
        np.ones((2, 2, 2)) / 2,  # 3-D
        np.zeros((0, 3)),  # no nodes
        np.zeros((3, 0)),  # no clusters
        [[1.2, -0.2], [0.5, 0.5]],  # negative entry
        [[0.5, 0.4], [0.5, 0.5]],  # row sums to 0.9
        [[0.6, 0.6], [0.5, 0.5]],  # row sums to 1.2
        [[float("nan"), 1.0], [0.5, 0.5]],  # NaN
        [["a", "b"]],  # not numeric
    ],
)
def test_sharpness_rejects_invalid_s(s):
    with pytest.raises(ValueError, match="`s`"):
        sharpness(s)


@pytest.mark.parametrize("threshold", [0, -0.1, 1.5, float("nan"), "0.9", True])
def test_sharpness_rejects_bad_threshold(threshold):
    with pytest.raises(ValueError, match="`crisp_threshold`"):
        sharpness(np.eye(2), crisp_threshold=threshold)


def test_clustering_scores_validates_soft_s():
    with pytest.raises(ValueError, match="`s_or_labels`"):
        clustering_scores([0, 1], [[0.5, 0.6], [0.5, 0.5]])
    with pytest.raises(ValueError, match="`s_or_labels`"):
        clustering_scores([0, 1, 1], np.eye(2))  # 2 rows for 3 labels
    with pytest.raises(ValueError, match="`s_or_labels`"):
        clustering_scores([0, 1], np.ones((2, 2, 2)) / 2)


def test_module_does_not_import_tensorflow():
    code = "import sys, spektral_tv.metrics; sys.exit(int('tensorflow' in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert result.returncode == 0, result.stderr.decode()


@pytest.mark.parametrize(
    "sizes, collapsed",
    [
        ([387, 387, 387, 387, 387, 387, 386], 0),
        ([637, 476, 414, 387, 387, 375, 32], 1),  # Cora, TVGNN seed 1
        ([695, 433, 418, 388, 387, 387, 0], 1),  # an empty cluster
        ([100, 100, 0, 0], 2),
        ([95, 7, 98], 0),  # 7 of N/K = 66.7: not below a tenth
        ([97, 6, 97, 0], 1),
    ],
)
def test_collapsed_clusters_counts_clusters_below_a_tenth_of_n_over_k(sizes, collapsed):
    assert collapsed_clusters(sizes) == collapsed
