"""Feeding and training the clustering models of `spektral_tv.models`, shared
by the scripts and the notebooks.

- `to_tensor`: a scipy / NumPy matrix as a `tf.SparseTensor` or dense tensor;
- `clustering_inputs`: the `[x, a]` inputs of the TVGNN or MinCutPool
  clustering model (raw adjacency for TVGNN, D^-½ A D^-½ for MinCutPool's
  GCSConv), features sparse when sparse enough to pay;
- `KeepLowestLoss`, `EpochTimer`: `model.fit` callbacks.
"""
import time

import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)

import numpy as np
import scipy.sparse as sp
import tensorflow as tf
import tf_keras as keras

__all__ = ["SPARSE_FEATURES_MAX_DENSITY", "EpochTimer", "KeepLowestLoss",
           "clustering_inputs", "to_tensor"]

#: Features denser than this are fed dense: a sparse product no longer pays.
SPARSE_FEATURES_MAX_DENSITY = 0.2


def to_tensor(matrix, sparse):
    """`matrix` (scipy sparse or array-like) as float32: a reordered
    `tf.SparseTensor` if `sparse` and `matrix` is a scipy matrix, else dense."""
    if sp.issparse(matrix) and sparse:
        coo = sp.coo_matrix(matrix, dtype=np.float32)
        indices = np.stack([coo.row, coo.col], axis=1).astype(np.int64)
        return tf.sparse.reorder(tf.SparseTensor(indices, coo.data, coo.shape))
    if sp.issparse(matrix):
        matrix = matrix.toarray()
    return tf.constant(np.asarray(matrix, dtype=np.float32))


def clustering_inputs(model_name, x, a):
    """`([x, a], sparse_x)`: the input tensors of the clustering model
    `model_name` (`"tvgnn"` or `"mincut"`) for features `x` and adjacency `a`
    (scipy or array), and whether `x` is fed as a `tf.SparseTensor` (pass it
    as `sparse_features` to the builder).

    TVGNN takes the raw adjacency; MinCutPool's GCSConv the normalized one
    D^-½ A D^-½ (`GCSConv.preprocess`). Scipy features at most
    `SPARSE_FEATURES_MAX_DENSITY` dense are fed sparse."""
    from spektral.layers import GCSConv

    if model_name not in ("tvgnn", "mincut"):
        raise ValueError(f"model_name must be 'tvgnn' or 'mincut', got {model_name!r}")
    sparse_x = bool(sp.issparse(x)
                    and x.nnz / np.prod(x.shape) <= SPARSE_FEATURES_MAX_DENSITY)
    if model_name == "mincut":
        a = GCSConv.preprocess(sp.csr_matrix(a))
    return [to_tensor(x, sparse_x), to_tensor(sp.csr_matrix(a), sparse=True)], sparse_x


class EpochTimer(keras.callbacks.Callback):
    """Wall time of every epoch, in ms (`epoch_ms`)."""

    def on_train_begin(self, logs=None):
        self.epoch_ms = []

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_ms.append(1000 * (time.perf_counter() - self._start))

    def median_ms(self):
        """Median epoch time in ms; the first epoch traces the graph, so it is
        left out when there are others."""
        return float(np.median(self.epoch_ms[1:] or self.epoch_ms))


class KeepLowestLoss(keras.callbacks.Callback):
    """Restores, at the end of training, the weights of the epoch with the
    lowest loss: an unsupervised model selection, as the TVGNN reference code
    reports the clustering at its lowest training loss. `best_epoch` is that
    epoch (0-based)."""

    def on_train_begin(self, logs=None):
        self.best_loss, self.best_weights, self.best_epoch = float("inf"), None, None

    def on_epoch_end(self, epoch, logs=None):
        if logs["loss"] < self.best_loss:
            self.best_loss, self.best_weights = logs["loss"], self.model.get_weights()
            self.best_epoch = epoch

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)
