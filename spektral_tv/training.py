"""Feeding and training the models of `spektral_tv.models`, shared by the
experiments and the notebooks.

- `to_tensor`: a scipy / NumPy matrix as a `tf.SparseTensor` or dense tensor;
- `clustering_inputs`, `autoencoder_inputs`: the input tensors of a model;
- `gtv_feature_scale`: the feature scale at which GTVConv's first step has a
  chosen size;
- `train_clustering`, `train_autoencoder`: a fresh model trained with
  `model.fit`, with the papers' training settings (`CLUSTERING_TRAINING`,
  `AUTOENCODER_TRAINING`; the networks' settings are in `spektral_tv.models`);
- `subgraph_batches`, `train_clustering_on_subgraphs`: node clustering
  trained on sampled subgraphs (`spektral_tv.sampling`), one a step, for
  graphs too large to train on whole;
- `KeepLowestLoss`, `EpochTimer`, `ProgressBar`, `ResumableEarlyStopping`:
  `model.fit` callbacks; `FitCheckpoint`: a `fit` that resumes after a stop;
  `check_finite_history`: a clear error when training diverged.
"""

import math
import time

import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)

import numpy as np
import scipy.sparse as sp
import tensorflow as tf
import tf_keras as keras

from spektral_tv import models, sampling

__all__ = [
    "AUTOENCODER_TRAINING",
    "CheckpointMismatch",
    "CLASSIFICATION_TRAINING",
    "CLUSTERING_MODELS",
    "CLUSTERING_TRAINING",
    "TVGNN_CLASSIFICATION_LEARNING_RATES",
    "classification_training",
    "SPARSE_FEATURES_MAX_DENSITY",
    "EpochTimer",
    "FitCheckpoint",
    "KeepLowestLoss",
    "ProgressBar",
    "ResumableEarlyStopping",
    "TrainingDiverged",
    "autoencoder_inputs",
    "check_finite_history",
    "clustering_inputs",
    "gtv_feature_scale",
    "subgraph_batches",
    "to_tensor",
    "train_autoencoder",
    "train_clustering",
    "train_clustering_on_subgraphs",
]

#: Features denser than this are fed dense: a sparse product no longer pays.
SPARSE_FEATURES_MAX_DENSITY = 0.2

#: The clustering models: name -> (builder of `spektral_tv.models`, its network).
CLUSTERING_MODELS = {
    "tvgnn": (models.tvgnn_clustering_model, models.TVGNN_CLUSTERING),
    "mincut": (models.mincut_clustering_model, models.MINCUT_CLUSTERING),
}

#: The papers' training settings of the clustering models: TVGNN as the
#: authors' scripts (the TVGNN paper trains 10 000 epochs, its scripts 500),
#: MinCutPool as the MinCutPool paper's App. C.
CLUSTERING_TRAINING = {
    "tvgnn": dict(learning_rate=1e-3, epochs=500),
    "mincut": dict(learning_rate=5e-4, epochs=10000),
}

#: The MinCutPool paper's autoencoder (§5.2) and the authors' script: Adam
#: 5e-3 on the MSE, 10 000 iterations, early stopping on the training loss
#: (patience 1000, smallest improvement 1e-5).
AUTOENCODER_TRAINING = dict(learning_rate=5e-3, epochs=10000, patience=1000, min_delta=1e-5)


#: Learning rates of the TVGNN paper's Table 5 for graph classification.
TVGNN_CLASSIFICATION_LEARNING_RATES = {
    "bench-easy": 1e-3,
    "bench-hard": 5e-4,
    "MUTAG": 1e-2,
    "Mutagenicity": 5e-4,
    "NCI1": 5e-4,
    "PROTEINS": 1e-3,
    "DD": 1e-5,
    "COLLAB": 5e-5,
    "REDDIT-BINARY": 1e-3,
}

#: Training settings of graph classification (the TVGNN paper, App. B.3):
#: batch size 8 (the paper dropped to 1 on D&D and REDDIT-BINARY for memory,
#: not needed here; Top-K and SAGPool used 1), early stopping on the
#: validation loss with patience 20, at most 500 epochs; Adam 5e-4 for the
#: pools of the MinCutPool paper's configuration.
CLASSIFICATION_TRAINING = dict(learning_rate=5e-4, batch_size=8, epochs=500, patience=20)


def classification_training(pool, dataset=None):
    """The papers' training settings of graph classification with `pool` on
    `dataset` (a dataset name): `learning_rate`, `batch_size`, `epochs`,
    `patience`, as a new dict."""
    settings = dict(CLASSIFICATION_TRAINING)
    if pool == "tvgnn":
        key = models.table_key(dataset)
        settings["learning_rate"] = TVGNN_CLASSIFICATION_LEARNING_RATES.get(
            key, TVGNN_CLASSIFICATION_LEARNING_RATES["PROTEINS"]
        )
    if pool in ("topk", "sagpool"):
        settings["batch_size"] = 1
    return settings


class TrainingDiverged(FloatingPointError):
    """The training loss became NaN or infinite."""


class CheckpointMismatch(ValueError):
    """A `FitCheckpoint` folder holds the state of another training."""


def _check_model_name(model_name):
    if model_name not in CLUSTERING_MODELS:
        raise ValueError(
            f"model_name must be one of {sorted(CLUSTERING_MODELS)}, got {model_name!r}"
        )


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


def gtv_feature_scale(x, a, relative_step, delta_coeff, channels):
    """The factor for the node features `x` (N, F) at which the first GTVConv
    layer (default kernels, N(0, 2/channels)) moves the transformed features
    by about `relative_step` times their size.

    GTVConv takes a total variation step of fixed length: node i moves by
    about δ·d_i/F' per channel, whatever the scale of X̃ = XW, while a
    channel of X̃ has mean magnitude √(2/π)·√(2/F')·‖x_i‖₂. Their ratio is

        r ≈ δ·d̄ / (√(2/π)·√(2F')·mean_i ‖x_i‖₂),

    so features multiplied by the returned factor give r = `relative_step`.
    Row-normalized bag-of-words features (Cora, Citeseer, DBLP) sit at
    r ≈ 0.2 with the TVGNN paper's settings; small synthetic graphs with
    one-hot or coordinate features need larger steps (about 0.8).

    Args:
        x: node features, array-like or scipy sparse (N, F).
        a: adjacency, array-like or scipy sparse (N, N).
        relative_step: the wanted r, > 0.
        delta_coeff: GTVConv's δ (`delta_coeff`).
        channels: GTVConv's output channels F'.

    Returns:
        A float > 0.
    """
    if not relative_step > 0:
        raise ValueError(f"relative_step must be > 0, got {relative_step}")
    x = sp.csr_matrix(x, dtype=np.float64)
    row_norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    mean_degree = float(sp.csr_matrix(a).sum()) / a.shape[0]
    if not (row_norms.mean() > 0 and mean_degree > 0):
        raise ValueError("x and a must have non-zero rows to set a GTVConv step")
    step = delta_coeff * mean_degree / (math.sqrt(2 / math.pi) * math.sqrt(2 * channels))
    return float(step / (relative_step * row_norms.mean()))


def _feeds_sparse(x):
    """Whether features `x` are fed as a `tf.SparseTensor`: scipy matrices
    at most `SPARSE_FEATURES_MAX_DENSITY` dense."""
    return bool(sp.issparse(x) and x.nnz / np.prod(x.shape) <= SPARSE_FEATURES_MAX_DENSITY)


def _normalized(a):
    """D^-½ A D^-½ of a scipy adjacency (`GCSConv.preprocess`), as CSR."""
    from spektral.layers import GCSConv

    return sp.csr_matrix(GCSConv.preprocess(sp.csr_matrix(a)))


def clustering_inputs(model_name, x, a):
    """`([x, a], sparse_x)`: the input tensors of the clustering model
    `model_name` (`"tvgnn"` or `"mincut"`) for features `x` and adjacency `a`
    (scipy or array), and whether `x` is fed as a `tf.SparseTensor` (pass it
    as `sparse_features` to the builder).

    TVGNN takes the raw adjacency; MinCutPool's GCSConv the normalized one
    D^-½ A D^-½ (`GCSConv.preprocess`). Scipy features at most
    `SPARSE_FEATURES_MAX_DENSITY` dense are fed sparse."""
    _check_model_name(model_name)
    sparse_x = _feeds_sparse(x)
    if model_name == "mincut":
        a = _normalized(a)
    return [to_tensor(x, sparse_x), to_tensor(sp.csr_matrix(a), sparse=True)], sparse_x


def subgraph_batches(
    x, a, nodes_per_batch, seed=0, sampler="walk", normalize=False, sparse_features=None
):
    """An endless `tf.data.Dataset` of induced subgraphs of one graph, one
    element `((x_sub, a_sub),)` a step, as `model.fit` takes them for the
    clustering models (single mode; `a_sub` a `tf.SparseTensor`).

    The subgraphs are `spektral_tv.sampling.induced_subgraph` of the nodes
    of `spektral_tv.sampling.node_batches`: the same sequence for the same
    `seed`. They are cut from `x` and `a` in host memory as the steps ask for
    them (one ahead), so only one subgraph at a time is a tensor. Give
    `model.fit` `steps_per_epoch=sampling.steps_per_epoch(N, nodes_per_batch)`
    for epochs that visit every node once (`"uniform"`) or about once.

    Args:
        x: node features (N, F), array or scipy sparse.
        a: adjacency (N, N), scipy sparse (or array).
        nodes_per_batch: nodes of a subgraph, an integer >= 2.
        seed: the seed of the node draws.
        sampler: `"walk"` or `"uniform"` (`spektral_tv.sampling`).
        normalize: feed D^-½ A D^-½ of each subgraph (MinCutPool's GCSConv,
            as `clustering_inputs` does for the whole graph) instead of its
            raw edges.
        sparse_features: feed `x_sub` as a `tf.SparseTensor`; default as
            `clustering_inputs` decides for the whole `x`.

    Returns:
        A `tf.data.Dataset`; its `element_spec` has unknown node counts.
    """
    n_nodes, n_features = x.shape
    if a.shape != (n_nodes, n_nodes):
        raise ValueError(f"a must have shape ({n_nodes}, {n_nodes}) to match x, got {a.shape}")
    a = sp.csr_matrix(a, dtype=np.float32)
    if sp.issparse(x):
        x = sp.csr_matrix(x, dtype=np.float32)
    sparse_x = _feeds_sparse(x) if sparse_features is None else bool(sparse_features)
    if sparse_x and not sp.issparse(x):
        x = sp.csr_matrix(x, dtype=np.float32)
    sampling.check_node_batches(n_nodes, nodes_per_batch, sampler)

    def generate():
        # A fresh sequence each time the dataset is iterated: runs repeat.
        for idx in sampling.node_batches(a, nodes_per_batch, seed=seed, sampler=sampler):
            x_sub, a_sub = sampling.induced_subgraph(x, a, idx)
            if normalize:
                a_sub = _normalized(a_sub)
            yield ((to_tensor(x_sub, sparse_x), to_tensor(a_sub, sparse=True)),)

    x_spec = (tf.SparseTensorSpec if sparse_x else tf.TensorSpec)((None, n_features), tf.float32)
    a_spec = tf.SparseTensorSpec((None, None), tf.float32)
    data = tf.data.Dataset.from_generator(generate, output_signature=((x_spec, a_spec),))
    return data.prefetch(1)


def autoencoder_inputs(x, a):
    """`[x, a_norm, a]` tensors for `models.autoencoder_model` from features
    (N, F) and a scipy adjacency (N, N)."""
    from spektral.layers import GCSConv

    a = sp.csr_matrix(a, dtype=np.float32)
    return [
        to_tensor(x, sparse=False),
        to_tensor(GCSConv.preprocess(a), sparse=True),
        to_tensor(a, sparse=True),
    ]


class EpochTimer(keras.callbacks.Callback):
    """Wall time of every epoch, in ms (`epoch_ms`); resumable by
    `FitCheckpoint` (the times of the epochs before a stop are kept)."""

    _resumed = None

    def on_train_begin(self, logs=None):
        self.epoch_ms = list(self._resumed or [])

    def get_state(self):
        return {"epoch_ms": self.epoch_ms}, None

    def set_state(self, state, arrays=None):
        self._resumed = list(state["epoch_ms"])

    def on_epoch_begin(self, epoch, logs=None):
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epoch_ms.append(1000 * (time.perf_counter() - self._start))

    def median_ms(self):
        """Median epoch time in ms; the first epoch traces the graph, so it is
        left out when there are others."""
        return float(np.median(self.epoch_ms[1:] or self.epoch_ms))


class ResumableEarlyStopping(keras.callbacks.EarlyStopping):
    """Keras's `EarlyStopping` whose state (epochs without improvement, best
    value and epoch, best weights) `FitCheckpoint` saves and restores, so
    that a training stopped and resumed stops where an uninterrupted one
    would."""

    _resumed = None

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        if self._resumed is not None:
            state, arrays = self._resumed
            self.wait, self.best = state["wait"], state["best"]
            self.best_epoch, self.stopped_epoch = state["best_epoch"], state["stopped_epoch"]
            self.best_weights = arrays

    def get_state(self):
        state = {
            "wait": int(self.wait),
            "best": float(self.best),
            "best_epoch": int(self.best_epoch),
            "stopped_epoch": int(self.stopped_epoch),
        }
        return state, self.best_weights

    def set_state(self, state, arrays=None):
        self._resumed = (state, arrays)


class FitCheckpoint(keras.callbacks.Callback):
    """Makes a long `model.fit` resumable after the process is stopped.

    At the end of an epoch (at most every `min_interval_s` seconds) it
    writes to `folder` the model's weights and the optimizer's state (a
    `tf.train.Checkpoint`), the `History` so far and the state of the
    `stateful` callbacks (objects with `get_state()` / `set_state()`, such
    as `ResumableEarlyStopping` and `EpochTimer`). Keras's own
    `BackupAndRestore` restores weights, optimizer and epoch but not the
    other callbacks, whose state (the early-stopping patience and best
    weights) decides where training stops.

    Before `fit`, `restore(model)` reads the folder back and returns the
    epoch to continue from (`initial_epoch` of `fit`; 0 when there is
    nothing to resume), `finished` tells whether training had already
    stopped, and `history` holds the earlier epochs' logs followed by the
    new ones. The state names the last complete pair of files, written
    atomically, so a process killed while writing leaves the previous
    epoch's state. A resumed training is not bit-identical to an
    uninterrupted one: the loaders' shuffling order differs.

    Args:
        folder: where the state is written.
        fingerprint: a JSON-serializable description of the training
            (settings, seed, split); `restore` raises `CheckpointMismatch`
            for a folder written for another one.
        stateful: callbacks whose state is saved with the model's.
        min_interval_s: seconds between two writes (0: every epoch;
            default `MIN_INTERVAL_S`, a minute).

    Pass it to `fit` after the `stateful` callbacks, so that it saves their
    state of the same epoch (and sees an early stop).
    """

    STATE_FILE = "state.json"
    MIN_INTERVAL_S = 60.0

    def __init__(self, folder, fingerprint, stateful=(), min_interval_s=None):
        super().__init__()
        self.folder, self.fingerprint = folder, fingerprint
        self.stateful = list(stateful)
        if min_interval_s is None:
            min_interval_s = self.MIN_INTERVAL_S
        self.min_interval_s = float(min_interval_s)
        self.history, self.initial_epoch, self.finished = {}, 0, False
        self._last_write = time.perf_counter()

    @staticmethod
    def _trackables(model):
        return tf.train.Checkpoint(model=model, optimizer=model.optimizer)

    def _keys(self):
        return [f"{i}-{type(c).__name__}" for i, c in enumerate(self.stateful)]

    def restore(self, model):
        """Loads the saved state into `model` (built and compiled) and the
        `stateful` callbacks; returns the epoch to resume from."""
        import json
        import os

        path = os.path.join(self.folder, self.STATE_FILE)
        if not os.path.exists(path):
            return 0
        with open(path) as f:
            state = json.load(f)
        if state["fingerprint"] != json.loads(json.dumps(self.fingerprint)):
            raise CheckpointMismatch(
                f"{self.folder} holds the checkpoint of another training "
                "(other settings, seed or split); remove it or use another folder"
            )
        slot = os.path.join(self.folder, state["slot"])
        with model.distribute_strategy.scope():
            # The optimizer makes its slot variables on its first step;
            # make them now so that the checkpoint fills them.
            model.optimizer.build(model.trainable_variables)
        self._trackables(model).read(os.path.join(slot, "model")).assert_consumed()
        with np.load(os.path.join(slot, "arrays.npz")) as saved:
            arrays = {name: saved[name] for name in saved.files}
        for key, callback in zip(self._keys(), self.stateful):
            count = state["arrays"].get(key)
            weights = None if count is None else [arrays[f"{key}/{j}"] for j in range(count)]
            callback.set_state(state["callbacks"][key], weights)
        self.history = state["history"]
        self.initial_epoch, self.finished = state["epochs"], state["finished"]
        return self.initial_epoch

    def on_epoch_end(self, epoch, logs=None):
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(float(value))
        # Stopped early or at the last epoch: only the test is left to do.
        last = self.params.get("epochs")
        finished = bool(self.model.stop_training) or (last is not None and epoch + 1 >= last)
        now = time.perf_counter()
        if finished or now - self._last_write >= self.min_interval_s:
            self.save(epoch + 1, finished=finished)
            self._last_write = now

    def save(self, epochs, finished=False):
        """Writes the state after `epochs` epochs."""
        import json
        import os
        import shutil

        os.makedirs(self.folder, exist_ok=True)
        path = os.path.join(self.folder, self.STATE_FILE)
        current = None
        if os.path.exists(path):
            with open(path) as f:
                current = json.load(f)["slot"]
        # Two slots: the one the state names stays whole until the new
        # state, written last, names the other.
        slot = "slot-b" if current == "slot-a" else "slot-a"
        slot_path = os.path.join(self.folder, slot)
        shutil.rmtree(slot_path, ignore_errors=True)
        os.makedirs(slot_path)
        self._trackables(self.model).write(os.path.join(slot_path, "model"))
        callbacks, arrays, counts = {}, {}, {}
        for key, callback in zip(self._keys(), self.stateful):
            callbacks[key], weights = callback.get_state()
            if weights is not None:
                counts[key] = len(weights)
                arrays.update({f"{key}/{j}": w for j, w in enumerate(weights)})
        np.savez(os.path.join(slot_path, "arrays.npz"), **arrays)
        state = {
            "slot": slot,
            "epochs": int(epochs),
            "finished": finished,
            "history": self.history,
            "callbacks": callbacks,
            "arrays": counts,
            "fingerprint": self.fingerprint,
        }
        with open(path + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(path + ".tmp", path)
        self.finished = finished

    def remove(self):
        """Deletes the folder (when the training it saved is recorded)."""
        import shutil

        shutil.rmtree(self.folder, ignore_errors=True)


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


class ProgressBar(keras.callbacks.Callback):
    """A tqdm bar over the epochs of `model.fit` with the current loss: Keras
    prints a line per epoch, too much for one step an epoch.

    Args:
        description: the bar's label.
        every: refresh the bar's loss every this many epochs.
    """

    def __init__(self, description="", every=10):
        super().__init__()
        self.description, self.every = description, max(1, int(every))

    def on_train_begin(self, logs=None):
        from tqdm.auto import tqdm

        self._bar = tqdm(
            total=self.params.get("epochs"),
            desc=self.description,
            unit="epoch",
            leave=False,
            dynamic_ncols=True,
        )

    def on_epoch_end(self, epoch, logs=None):
        # `epoch + 1`, not one more: a resumed `fit` starts at `initial_epoch`.
        self._bar.update(epoch + 1 - self._bar.n)
        if logs and (epoch % self.every == 0 or epoch + 1 == self.params.get("epochs")):
            self._bar.set_postfix(loss=f"{logs.get('loss', float('nan')):.4f}", refresh=False)

    def on_train_end(self, logs=None):
        self._bar.close()


def check_finite_history(history, what="training"):
    """Raises `TrainingDiverged` naming the epoch when `history` (a
    `History.history` dict) holds a NaN or infinite loss: Keras's
    `TerminateOnNaN` stops the run there, this says so clearly."""
    losses = np.asarray(history.get("loss", []), dtype=float)
    bad = np.flatnonzero(~np.isfinite(losses))
    if bad.size:
        raise TrainingDiverged(
            f"{what} diverged: the loss became {losses[bad[0]]} at epoch {bad[0] + 1}. "
            "Try a smaller learning rate, or check the inputs for NaN or huge values."
        )


def _fit_callbacks(keep_lowest_loss, progress, callbacks):
    timer = EpochTimer()
    extra = [keras.callbacks.TerminateOnNaN(), timer]
    if keep_lowest_loss:
        extra.append(KeepLowestLoss())
    if progress:
        extra.append(ProgressBar(progress if isinstance(progress, str) else ""))
    return timer, extra + list(callbacks)


def _clustering_settings(model_name, epochs, learning_rate):
    """`(epochs, learning_rate)` with the papers' defaults, checked."""
    _check_model_name(model_name)
    settings = CLUSTERING_TRAINING[model_name]
    epochs = settings["epochs"] if epochs is None else int(epochs)
    learning_rate = settings["learning_rate"] if learning_rate is None else learning_rate
    if epochs < 1:
        raise ValueError(f"epochs must be >= 1, got {epochs}")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate}")
    return epochs, learning_rate


def _fit_clustering(
    model_name,
    data,
    n_features,
    k,
    sparse_features,
    steps,
    *,
    epochs,
    learning_rate,
    seed,
    keep_lowest_loss,
    progress,
    callbacks,
    config,
):
    """A fresh clustering model fitted on `data` (`steps` a Keras epoch):
    `(model, history dict, median ms per epoch)`."""
    builder, _ = CLUSTERING_MODELS[model_name]
    keras.utils.set_random_seed(seed)
    model = builder(n_features, k, sparse_features=sparse_features, **config)
    model.compile(keras.optimizers.Adam(learning_rate))
    timer, all_callbacks = _fit_callbacks(keep_lowest_loss, progress, callbacks)
    history = model.fit(
        data, steps_per_epoch=steps, epochs=epochs, verbose=0, callbacks=all_callbacks
    )
    check_finite_history(history.history, f"{model_name} clustering")
    return model, history.history, timer.median_ms()


def train_clustering(
    model_name,
    inputs,
    k,
    sparse_features=False,
    epochs=None,
    learning_rate=None,
    seed=0,
    keep_lowest_loss=True,
    progress=False,
    callbacks=(),
    **config,
):
    """Builds and trains one clustering model with `model.fit` on its pool's
    auxiliary losses alone (no labels), the whole graph as one step an epoch.

    Args:
        model_name: `"tvgnn"` or `"mincut"` (`CLUSTERING_MODELS`).
        inputs: the tensors that `clustering_inputs` returns.
        sparse_features: whether `inputs[0]` is sparse (`clustering_inputs`).
        k: number of clusters.
        epochs: default the papers' (`CLUSTERING_TRAINING`).
        learning_rate: default the papers' (`CLUSTERING_TRAINING`).
        seed: `keras.utils.set_random_seed` before building: runs repeat.
        keep_lowest_loss: end with the weights of the epoch of lowest loss
            (`KeepLowestLoss`) rather than the last.
        progress: show a progress bar (a string: its label).
        callbacks: more `model.fit` callbacks (e.g. TensorBoard).
        **config: overrides of the network's settings (`TVGNN_CLUSTERING`,
            `MINCUT_CLUSTERING`), e.g. `mlp_hidden=[256]`.

    Returns:
        `(model, history, epoch_ms)`: the trained model (its output is S),
        the `History.history` dict (the loss and each auxiliary loss per
        epoch) and the median time of an epoch in ms.

    Raises:
        TrainingDiverged: the loss became NaN or infinite.
    """
    epochs, learning_rate = _clustering_settings(model_name, epochs, learning_rate)
    data = tf.data.Dataset.from_tensors((tuple(inputs),)).repeat()
    return _fit_clustering(
        model_name,
        data,
        int(inputs[0].shape[-1]),
        k,
        sparse_features,
        1,
        epochs=epochs,
        learning_rate=learning_rate,
        seed=seed,
        keep_lowest_loss=keep_lowest_loss,
        progress=progress,
        callbacks=callbacks,
        config=config,
    )


def train_clustering_on_subgraphs(
    model_name,
    x,
    a,
    k,
    nodes_per_batch,
    sampler="walk",
    epochs=None,
    learning_rate=None,
    seed=0,
    keep_lowest_loss=True,
    progress=False,
    callbacks=(),
    **config,
):
    """Like `train_clustering`, but every step trains on one induced
    subgraph of `nodes_per_batch` nodes (`subgraph_batches`) instead of the
    whole graph; the model then applies unchanged to the whole graph
    (`clustering_inputs`), since its layers act per node and per edge.

    An epoch is one pass over the nodes: `sampling.steps_per_epoch(N,
    nodes_per_batch)` steps, so `epochs` counts the same node visits as in
    `train_clustering` (the papers' epochs are the default). The logged loss
    of an epoch is the mean over its subgraphs, and `keep_lowest_loss` keeps
    the weights at the end of the epoch where that mean was lowest.
    MinCutPool gets each subgraph's own D^-½ A D^-½ (the normalization of
    the graph it trains on, as the whole graph's at prediction).

    Args:
        model_name: `"tvgnn"` or `"mincut"` (`CLUSTERING_MODELS`).
        x: node features (N, F), array or scipy sparse (TVGNN: already
            scaled, if wanted, as for `clustering_inputs`).
        a: the raw adjacency (N, N), scipy sparse.
        k: number of clusters.
        nodes_per_batch: nodes of a subgraph, an integer >= 2.
        sampler: `"walk"` (more edges a subgraph; the better clustering
            on Cora) or `"uniform"` (`spektral_tv.sampling`).
        epochs: passes over the nodes; default the papers' epochs.
        learning_rate: default the papers' (`CLUSTERING_TRAINING`).
        seed: seeds the weights (as in `train_clustering`) and the subgraphs.
        keep_lowest_loss: as in `train_clustering`, on the epochs' mean loss.
        progress: as in `train_clustering`.
        callbacks: as in `train_clustering`.
        **config: as in `train_clustering`.

    Returns:
        `(model, history, epoch_ms)` as `train_clustering`.

    Raises:
        TrainingDiverged: the loss became NaN or infinite.
    """
    epochs, learning_rate = _clustering_settings(model_name, epochs, learning_rate)
    steps = sampling.steps_per_epoch(x.shape[0], nodes_per_batch)
    sparse_x = _feeds_sparse(x)
    data = subgraph_batches(
        x,
        a,
        nodes_per_batch,
        seed=seed,
        sampler=sampler,
        normalize=model_name == "mincut",
        sparse_features=sparse_x,
    )
    return _fit_clustering(
        model_name,
        data,
        int(x.shape[1]),
        k,
        sparse_x,
        steps,
        epochs=epochs,
        learning_rate=learning_rate,
        seed=seed,
        keep_lowest_loss=keep_lowest_loss,
        progress=progress,
        callbacks=callbacks,
        config=config,
    )


def train_autoencoder(
    pool, inputs, epochs=None, patience=None, seed=0, progress=False, callbacks=(), **config
):
    """Trains one autoencoder of `models.autoencoder_model` with `model.fit`
    on the MSE of the reconstructed features, with early stopping on the
    training loss (`AUTOENCODER_TRAINING`).

    Args:
        pool: one of `models.AUTOENCODER_POOLS`.
        inputs: what `autoencoder_inputs` returns.
        epochs: default `AUTOENCODER_TRAINING`'s.
        patience: default `AUTOENCODER_TRAINING`'s.
        seed: `keras.utils.set_random_seed` before building.
        progress: as in `train_clustering`.
        callbacks: as in `train_clustering`.
        **config: overrides of `models.AUTOENCODER`.

    Returns:
        `(model, x_rec, record)`: the model, the reconstruction (N, F) and a
        dict with `mse`, `epochs_run`, `lowest_loss`, `seconds` and the last
        value of every auxiliary loss (`aux_losses`).
    """
    settings = AUTOENCODER_TRAINING
    epochs = settings["epochs"] if epochs is None else int(epochs)
    patience = settings["patience"] if patience is None else int(patience)
    x = inputs[0]
    keras.utils.set_random_seed(seed)
    model = models.autoencoder_model(int(x.shape[0]), int(x.shape[1]), pool, **config)
    model.compile(keras.optimizers.Adam(settings["learning_rate"]), loss="mse")
    data = tf.data.Dataset.from_tensors((tuple(inputs), x)).repeat()
    stop = keras.callbacks.EarlyStopping(
        monitor="loss",
        patience=patience,
        min_delta=settings["min_delta"],
        restore_best_weights=True,
    )
    _, all_callbacks = _fit_callbacks(False, progress, [stop, *callbacks])
    start = time.perf_counter()
    history = model.fit(
        data, steps_per_epoch=1, epochs=epochs, verbose=0, callbacks=all_callbacks
    ).history
    seconds = time.perf_counter() - start
    check_finite_history(history, f"{pool} autoencoder")
    x_rec = model(inputs, training=False).numpy()
    record = {
        "mse": float(np.mean((x_rec - x.numpy()) ** 2)),
        "epochs_run": len(history["loss"]),
        "lowest_loss": float(np.min(history["loss"])),
        "seconds": seconds,
        "aux_losses": {k: float(v[-1]) for k, v in history.items() if k != "loss"},
    }
    return model, x_rec, record
