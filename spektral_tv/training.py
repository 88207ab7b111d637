"""Feeding and training the clustering models of `spektral_tv.models`, shared
by the scripts and the notebooks.

- `to_tensor`: a scipy / NumPy matrix as a `tf.SparseTensor` or dense tensor;
- `clustering_inputs`: the `[x, a]` inputs of the TVGNN or MinCutPool
  clustering model (raw adjacency for TVGNN, D^-½ A D^-½ for MinCutPool's
  GCSConv), features sparse when sparse enough to pay;
- `train_clustering`: a fresh TVGNN or MinCutPool clustering model trained
  with `model.fit` on its pool's auxiliary losses alone;
- `KeepLowestLoss`, `EpochTimer`: `model.fit` callbacks.
"""
import time

import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)

import numpy as np
import scipy.sparse as sp
import tensorflow as tf
import tf_keras as keras

from spektral_tv import models

__all__ = ["CLUSTERING_MODELS", "SPARSE_FEATURES_MAX_DENSITY", "EpochTimer",
           "KeepLowestLoss", "clustering_inputs", "to_tensor", "train_clustering"]

#: Features denser than this are fed dense: a sparse product no longer pays.
SPARSE_FEATURES_MAX_DENSITY = 0.2

#: The clustering models: name -> (builder of `spektral_tv.models`, its defaults).
CLUSTERING_MODELS = {
    "tvgnn": (models.tvgnn_clustering_model, models.TVGNN_CLUSTERING),
    "mincut": (models.mincut_clustering_model, models.MINCUT_CLUSTERING),
}


def _check_model_name(model_name):
    if model_name not in CLUSTERING_MODELS:
        raise ValueError(
            f"model_name must be one of {sorted(CLUSTERING_MODELS)}, got {model_name!r}")


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

    _check_model_name(model_name)
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
    """Restores, at the end of training, the weights saved at the end of the
    epoch with the lowest logged loss: an unsupervised model selection.

    Keras logs an epoch's loss as computed before the epoch's (last) update,
    so with one step an epoch the weights kept are those one update after
    the lowest loss. That is what the TVGNN authors' reference loop scores
    (train step, then evaluate, NMI kept at the lowest loss), and it saves
    copying the weights at every epoch. `best_epoch` is that epoch
    (0-based), `best_loss` its loss."""

    def on_train_begin(self, logs=None):
        self.best_loss, self.best_weights, self.best_epoch = float("inf"), None, None

    def on_epoch_end(self, epoch, logs=None):
        if logs["loss"] < self.best_loss:
            self.best_loss, self.best_weights = logs["loss"], self.model.get_weights()
            self.best_epoch = epoch

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.model.set_weights(self.best_weights)


def train_clustering(model_name, inputs, k, sparse_features=False, epochs=None,
                     seed=0, keep_lowest_loss=True, **config):
    """Builds and trains one clustering model with `model.fit` on its pool's
    auxiliary losses alone (no labels), the whole graph as one step an epoch.

    Args:
        model_name: `"tvgnn"` or `"mincut"` (`CLUSTERING_MODELS`).
        inputs, sparse_features: what `clustering_inputs` returns.
        k: number of clusters.
        epochs: default the model's configuration (`"epochs"`).
        seed: `keras.utils.set_random_seed` before building: runs repeat.
        keep_lowest_loss: end with the weights of the epoch of lowest loss
            (`KeepLowestLoss`) rather than the last.
        **config: overrides of the model's defaults (`TVGNN_CLUSTERING`,
            `MINCUT_CLUSTERING`), e.g. `learning_rate=1e-3`.

    Returns:
        `(model, history, epoch_ms)`: the trained model (its output is S),
        the `History.history` dict (the loss and each auxiliary loss per
        epoch) and the median time of an epoch in ms.
    """
    _check_model_name(model_name)
    builder, defaults = CLUSTERING_MODELS[model_name]
    config = {**defaults, **config}  # the builder names unknown keys
    epochs = config["epochs"] if epochs is None else int(epochs)
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    keras.utils.set_random_seed(seed)
    model = builder(int(inputs[0].shape[-1]), k, sparse_features=sparse_features, **config)
    model.compile(keras.optimizers.Adam(config["learning_rate"]))
    data = tf.data.Dataset.from_tensors((tuple(inputs),)).repeat()
    timer = EpochTimer()
    callbacks = [timer] + ([KeepLowestLoss()] if keep_lowest_loss else [])
    history = model.fit(data, steps_per_epoch=1, epochs=epochs, verbose=0,
                        callbacks=callbacks)
    return model, history.history, timer.median_ms()
