"""Clustering metrics for node clustering with pooling layers.

Pure NumPy / SciPy / scikit-learn: this module does not import TensorFlow, so
it can score saved predictions without loading a model.

* :func:`nmi`, :func:`accuracy` and :func:`completeness` compare a hard
  clustering with ground-truth classes. They are invariant to renaming the
  cluster ids.
* :func:`sharpness` describes soft assignments ``S`` (N, K), e.g. the output of
  ``MinCutPool`` / ``AsymCheegerCutPool``: how close they are to one-hot.
* :func:`collapsed_clusters` counts the clusters that have (nearly) no nodes.
* :func:`clustering_scores` computes NMI, ACC and CS at once from hard labels
  or from a soft ``S`` (hardened with an argmax).

The conventions follow the code of the MinCutPool and TVGNN papers: NMI is
scikit-learn's ``normalized_mutual_info_score`` with arithmetic normalisation
and ACC uses the best one-to-one matching of clusters to classes
(Kuhn-Munkres).
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import completeness_score, normalized_mutual_info_score
from sklearn.metrics.cluster import contingency_matrix

__all__ = [
    "nmi",
    "accuracy",
    "completeness",
    "sharpness",
    "collapsed_clusters",
    "clustering_scores",
]


# --------------------------------------------------------------------------- #
# Input validation
# --------------------------------------------------------------------------- #
def _as_labels(labels, name):
    """`labels` as a non-empty 1-D NumPy array; ValueError naming `name`."""
    try:
        arr = np.asarray(labels)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"`{name}` must be a 1-D sequence of labels: {exc}") from exc
    if arr.ndim != 1:
        hint = (
            " (for soft assignments S of shape (N, K) use "
            "`clustering_scores` or take `S.argmax(axis=1)`)"
            if arr.ndim == 2
            else ""
        )
        raise ValueError(
            f"`{name}` must be a 1-D sequence of labels, got an array of shape {arr.shape}{hint}."
        )
    if arr.size == 0:
        raise ValueError(f"`{name}` is empty: at least one label is needed.")
    if arr.dtype.kind == "f" and not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` contains NaN or infinite labels.")
    if arr.dtype.kind == "c":
        raise ValueError(f"`{name}` must not contain complex numbers.")
    return arr


def _label_pair(labels_true, labels_pred, pred_name="labels_pred"):
    y_true = _as_labels(labels_true, "labels_true")
    y_pred = _as_labels(labels_pred, pred_name)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"`{pred_name}` has {y_pred.shape[0]} labels but `labels_true` has "
            f"{y_true.shape[0]}: they must have the same length."
        )
    return y_true, y_pred


def _as_assignments(s, name="s", atol=1e-4):
    """Validate soft assignments: 2-D, finite, non-negative, rows sum to 1."""
    try:
        arr = np.asarray(s, dtype=np.float64)
    except Exception as exc:
        raise ValueError(f"`{name}` must be a numeric array of shape (N, K): {exc}") from exc
    if arr.ndim != 2:
        raise ValueError(
            f"`{name}` must be a 2-D array of soft assignments (N, K), got shape {arr.shape}."
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise ValueError(
            f"`{name}` is empty (shape {arr.shape}): it needs at least one node and one cluster."
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    if np.any(arr < 0):
        raise ValueError(
            f"`{name}` has negative entries (min {arr.min():.3g}): soft "
            "assignments must be non-negative."
        )
    row_sums = arr.sum(axis=1)
    bad = np.abs(row_sums - 1.0) > atol
    if np.any(bad):
        first = int(np.argmax(bad))
        raise ValueError(
            f"`{name}` rows must sum to 1 (tolerance {atol:g}); {int(bad.sum())} "
            f"row(s) do not, e.g. row {first} sums to {row_sums[first]:.6g}."
        )
    return arr


# --------------------------------------------------------------------------- #
# Hard-clustering scores
# --------------------------------------------------------------------------- #
def nmi(labels_true, labels_pred):
    """Normalized mutual information between classes and clusters.

    ``NMI = I(Y; C) / ((H(Y) + H(C)) / 2)``, i.e. scikit-learn's
    ``normalized_mutual_info_score`` with ``average_method="arithmetic"``
    (natural logarithms; the base cancels).

    Args:
        labels_true: ground-truth classes, a 1-D list or array of length N.
        labels_pred: cluster ids, a 1-D list or array of length N. Ids are
            arbitrary (renaming them does not change the score).

    Returns:
        float in [0, 1]; 1 for a clustering equal to the classes up to
        renaming. If both labelings have a single group, scikit-learn returns
        1.0.

    Raises:
        ValueError: if an input is not 1-D, is empty, or the lengths differ.
    """
    y_true, y_pred = _label_pair(labels_true, labels_pred)
    return float(normalized_mutual_info_score(y_true, y_pred, average_method="arithmetic"))


def accuracy(labels_true, labels_pred):
    """Clustering accuracy after the best one-to-one matching of clusters to classes.

    Builds the contingency matrix ``C[i, j]`` = number of nodes of class ``i``
    in cluster ``j`` and finds the matching of clusters to classes that
    maximises the number of correctly placed nodes with the Kuhn-Munkres
    algorithm (``scipy.optimize.linear_sum_assignment``). The matrix may be
    rectangular: when there are more clusters than classes, the unmatched
    clusters count as errors; when there are fewer, the unmatched classes do.

    Args:
        labels_true: ground-truth classes, a 1-D list or array of length N.
        labels_pred: cluster ids, a 1-D list or array of length N.

    Returns:
        float in [0, 1]: matched nodes / N.

    Raises:
        ValueError: if an input is not 1-D, is empty, or the lengths differ.
    """
    y_true, y_pred = _label_pair(labels_true, labels_pred)
    counts = contingency_matrix(y_true, y_pred)  # classes x clusters, sorted ids
    rows, cols = linear_sum_assignment(counts, maximize=True)
    return float(counts[rows, cols].sum() / y_true.shape[0])


def completeness(labels_true, labels_pred):
    """Completeness: whether all members of a class fall in the same cluster.

    ``CS = 1 - H(C | Y) / H(C)`` (scikit-learn's ``completeness_score``); 1
    when every class lies in a single cluster. A single cluster is trivially
    complete (score 1.0, scikit-learn's convention).

    Args:
        labels_true: ground-truth classes, a 1-D list or array of length N.
        labels_pred: cluster ids, a 1-D list or array of length N.

    Returns:
        float in [0, 1].

    Raises:
        ValueError: if an input is not 1-D, is empty, or the lengths differ.
    """
    y_true, y_pred = _label_pair(labels_true, labels_pred)
    return float(completeness_score(y_true, y_pred))


# --------------------------------------------------------------------------- #
# Soft assignments
# --------------------------------------------------------------------------- #
def sharpness(s, crisp_threshold=0.9, atol=1e-4):
    """Statistics describing how crisp soft cluster assignments are.

    Args:
        s: soft assignments S of shape (N, K), a list or array; entries
            non-negative and each row summing to 1 (within `atol`), e.g. the
            softmax output of a pooling layer for one graph.
        crisp_threshold: a node is "crisp" when its largest assignment is
            ``>= crisp_threshold``. A number in (0, 1]; default 0.9.
        atol: tolerance on the row sums (float32 softmax outputs are not
            exactly normalised).

    Returns:
        dict with
            ``mean_max``: mean over nodes of ``max_k s_ik`` (1/K for uniform
            rows, 1 for one-hot rows);
            ``median_max``: median over nodes of ``max_k s_ik``;
            ``fraction_crisp``: share of nodes whose max is
            ``>= crisp_threshold``;
            ``entropy``: mean row entropy ``-sum_k s_ik log s_ik`` divided by
            ``log K`` (0 = one-hot, 1 = uniform; 0 when K = 1), with
            ``0 log 0 = 0``;
            ``cluster_sizes``: int array of length K, the number of nodes whose
            argmax is each cluster (empty clusters included; ties go to the
            lowest index, as in ``np.argmax``).

    Raises:
        ValueError: if `s` is not 2-D, is empty, has negative or non-finite
            entries, or rows that do not sum to 1; or if `crisp_threshold` is
            not a number in (0, 1].
    """
    if (
        isinstance(crisp_threshold, bool)
        or not isinstance(crisp_threshold, (int, float, np.integer, np.floating))
        or not 0 < crisp_threshold <= 1
    ):
        raise ValueError(f"`crisp_threshold` must be a number in (0, 1], got {crisp_threshold!r}.")
    arr = _as_assignments(s, "s", atol)
    n, k = arr.shape
    row_max = arr.max(axis=1)
    plogp = arr * np.log(np.where(arr > 0, arr, 1.0))  # 0 log 0 = 0
    row_entropy = -plogp.sum(axis=1)
    if k > 1:
        entropy = float(np.clip(row_entropy.mean() / np.log(k), 0.0, 1.0))
    else:
        entropy = 0.0
    return {
        "mean_max": float(row_max.mean()),
        "median_max": float(np.median(row_max)),
        "fraction_crisp": float(np.mean(row_max >= crisp_threshold)),
        "entropy": entropy,
        "cluster_sizes": np.bincount(arr.argmax(axis=1), minlength=k).astype(np.int64),
    }


# A cluster with fewer nodes than this share of N / K has collapsed: its
# softmax column has saturated near 0, and the gradients that could refill it
# vanish (8 of 10 Cora TVGNN runs lose one this way early in training, and
# most of those lose a class in the ACC matching: docs/results.md).
COLLAPSED_SHARE = 0.1


def collapsed_clusters(cluster_sizes, share=COLLAPSED_SHARE):
    """How many clusters hold fewer than `share` · N / K nodes.

    Args:
        cluster_sizes: the hard cluster sizes (K,) of a clustering, e.g.
            ``sharpness(s)["cluster_sizes"]``.
        share: the fraction of an even share N / K below which a cluster
            counts as collapsed; default 0.1.

    Returns:
        int: the number of collapsed clusters.
    """
    sizes = [int(size) for size in cluster_sizes]
    floor = share * sum(sizes) / len(sizes)
    return sum(1 for size in sizes if size < floor)


def clustering_scores(labels_true, s_or_labels, atol=1e-4):
    """NMI, ACC and completeness of a clustering, from hard labels or soft S.

    Args:
        labels_true: ground-truth classes, a 1-D list or array of length N.
        s_or_labels: either cluster ids (1-D, length N) or soft assignments S
            of shape (N, K) (validated like in :func:`sharpness` and hardened
            with ``argmax`` over clusters).
        atol: tolerance on the row sums of a soft S.

    Returns:
        dict: ``{"nmi": float, "acc": float, "cs": float}`` (see :func:`nmi`,
        :func:`accuracy`, :func:`completeness`).

    Raises:
        ValueError: on invalid, empty or mismatched inputs, naming the argument.
    """
    try:
        arr = np.asarray(s_or_labels)
    except Exception as exc:
        raise ValueError(f"`s_or_labels` must be 1-D labels or a 2-D array S: {exc}") from exc
    if arr.ndim == 2:
        arr = _as_assignments(arr, "s_or_labels", atol).argmax(axis=1)
    y_true, y_pred = _label_pair(labels_true, arr, pred_name="s_or_labels")
    return {
        "nmi": nmi(y_true, y_pred),
        "acc": accuracy(y_true, y_pred),
        "cs": completeness(y_true, y_pred),
    }
