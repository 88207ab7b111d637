"""spektral_tv.training: model inputs and callbacks shared by scripts and notebooks."""

import numpy as np
import pytest
import scipy.sparse as sp
import tensorflow as tf
import tf_keras as keras
from spektral.layers import GCSConv

from spektral_tv import datasets, metrics
from spektral_tv.models import TVGNN_CLUSTERING
from spektral_tv.training import (
    CheckpointMismatch,
    EpochTimer,
    FitCheckpoint,
    KeepLowestLoss,
    ResumableEarlyStopping,
    clustering_inputs,
    gtv_feature_scale,
    to_tensor,
    train_clustering,
)


def path_graph(n=5):
    a = sp.diags([np.ones(n - 1), np.ones(n - 1)], [-1, 1], format="csr", dtype=np.float32)
    return a


def test_to_tensor_sparse_and_dense():
    a = path_graph()
    sparse = to_tensor(a, sparse=True)
    assert isinstance(sparse, tf.SparseTensor) and sparse.dtype == tf.float32
    np.testing.assert_array_equal(tf.sparse.to_dense(sparse).numpy(), a.toarray())
    dense = to_tensor(a, sparse=False)
    assert not isinstance(dense, tf.SparseTensor)
    np.testing.assert_array_equal(dense.numpy(), a.toarray())


def test_clustering_inputs_adjacency_per_model():
    a = path_graph()
    x = np.eye(5, dtype=np.float32)
    (_, a_tvgnn), _ = clustering_inputs("tvgnn", x, a)
    np.testing.assert_allclose(tf.sparse.to_dense(a_tvgnn).numpy(), a.toarray())
    (_, a_mincut), _ = clustering_inputs("mincut", x, a)
    np.testing.assert_allclose(
        tf.sparse.to_dense(a_mincut).numpy(), GCSConv.preprocess(a).toarray(), rtol=1e-6
    )
    with pytest.raises(ValueError, match="model_name"):
        clustering_inputs("diffpool", x, a)


def test_clustering_inputs_sparse_features_only_when_sparse_enough():
    a = path_graph(10)
    sparse_x = sp.eye(10, format="csr", dtype=np.float32)  # 10% dense
    (x_in, _), is_sparse = clustering_inputs("tvgnn", sparse_x, a)
    assert is_sparse and isinstance(x_in, tf.SparseTensor)
    dense_x = sp.csr_matrix(np.ones((10, 3), np.float32))
    (x_in, _), is_sparse = clustering_inputs("tvgnn", dense_x, a)
    assert not is_sparse and not isinstance(x_in, tf.SparseTensor)


def test_keep_lowest_loss_restores_best_epoch():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    # A learning rate this large makes the loss diverge after the first steps.
    model.compile(keras.optimizers.SGD(3.0), loss="mse")
    x, y = np.ones((4, 1), np.float32), np.zeros((4, 1), np.float32)
    keep = KeepLowestLoss()
    history = model.fit(x, y, epochs=6, verbose=0, callbacks=[keep])
    losses = history.history["loss"]
    assert keep.best_epoch == int(np.argmin(losses))
    assert keep.best_loss == pytest.approx(min(losses))
    assert keep.best_epoch < len(losses) - 1
    # One step an epoch: the weights kept are those one update after the
    # lowest loss, whose loss is the next epoch's logged loss.
    assert float(model.evaluate(x, y, verbose=0)) == pytest.approx(
        losses[keep.best_epoch + 1], rel=1e-6
    )


def test_epoch_timer_median_leaves_out_the_tracing_epoch():
    from spektral_tv.training import EpochTimer

    timer = EpochTimer()
    timer.epoch_ms = [900.0, 10.0, 30.0, 20.0]
    assert timer.median_ms() == 20.0
    timer.epoch_ms = [900.0]
    assert timer.median_ms() == 900.0


@pytest.mark.parametrize("model_name", ["tvgnn", "mincut"])
def test_train_clustering_finds_sbm_communities_and_repeats(model_name):
    g = datasets.sbm([20, 20, 20], p_in=0.5, p_out=0.01, seed=3)
    x = g.x
    if model_name == "tvgnn":  # features scaled for GTVConv's step, as `cluster` does
        x = x * gtv_feature_scale(x, g.a, 0.8, TVGNN_CLUSTERING["delta_coeff"], 32)
    inputs, sparse_x = clustering_inputs(model_name, x, g.a)
    epochs = 60 if model_name == "tvgnn" else 300
    model, history, epoch_ms = train_clustering(
        model_name, inputs, 3, sparse_features=sparse_x, epochs=epochs, seed=1, mp_channels=32
    )
    s = model(inputs, training=False).numpy()
    assert s.shape == (60, 3) and np.allclose(s.sum(axis=1), 1, atol=1e-5)
    assert len(history["loss"]) == epochs and epoch_ms > 0
    assert metrics.nmi(g.y, s.argmax(axis=1)) > 0.9
    # Same seed, same run; the weights kept are those of the lowest loss.
    again, history_again, _ = train_clustering(
        model_name, inputs, 3, sparse_features=sparse_x, epochs=epochs, seed=1, mp_channels=32
    )
    np.testing.assert_allclose(again(inputs, training=False).numpy(), s, atol=1e-5)
    np.testing.assert_allclose(history_again["loss"], history["loss"], rtol=1e-5)


def test_train_clustering_keeps_lowest_loss_or_last():
    g = datasets.sbm([15, 15], p_in=0.5, p_out=0.02, seed=0)
    inputs, sparse_x = clustering_inputs("tvgnn", g.x, g.a)

    def weights(epochs, keep):
        model, history, _ = train_clustering(
            "tvgnn",
            inputs,
            2,
            epochs=epochs,
            seed=0,
            keep_lowest_loss=keep,
            learning_rate=0.5,
            mp_channels=16,
        )
        return model.get_weights(), history["loss"]

    # A learning rate this large makes the loss jump back up after epoch 2.
    kept, losses = weights(4, keep=True)
    best = int(np.argmin(losses))
    assert best < len(losses) - 1, "the check needs a lowest loss before the last epoch"
    # Kept: the weights at the end of the lowest-loss epoch (KeepLowestLoss),
    # i.e. those of a run stopped there; not those of the last epoch.
    stopped, _ = weights(best + 1, keep=False)
    last, _ = weights(4, keep=False)
    # Two fits agree only to float round-off (CPU reductions are not ordered), so the
    # kept weights must sit far closer to the stopped run's than to the last epoch's.
    to_stopped = max(np.max(np.abs(k - s)) for k, s in zip(kept, stopped))
    to_last = max(np.max(np.abs(k - w)) for k, w in zip(kept, last))
    assert to_stopped < 1e-4, to_stopped
    assert to_last > 100 * max(to_stopped, 1e-6), (to_last, to_stopped)


def test_train_clustering_bad_arguments():
    g = datasets.sbm([10, 10], p_in=0.5, p_out=0.02, seed=0)
    inputs, _ = clustering_inputs("tvgnn", g.x, g.a)
    with pytest.raises(ValueError, match="model_name"):
        train_clustering("diffpool", inputs, 2)
    with pytest.raises(ValueError, match="epochs"):
        train_clustering("tvgnn", inputs, 2, epochs=0)
    with pytest.raises(ValueError, match="mp_chanels"):
        train_clustering("tvgnn", inputs, 2, epochs=1, mp_chanels=8)


# ----------------------------------------------------------------------------
# FitCheckpoint: a fit stopped and resumed ends as an uninterrupted one
# ----------------------------------------------------------------------------
RNG = np.random.default_rng(0)
NOISE = [
    RNG.normal(size=shape).astype("float32") for shape in [(40, 3), (40, 1), (20, 3), (20, 1)]
]


def small_regressor(seed):
    keras.utils.set_random_seed(seed)
    model = keras.Sequential(
        [keras.layers.Dense(16, activation="tanh", input_shape=(3,)), keras.layers.Dense(1)]
    )
    model.compile(keras.optimizers.Adam(0.03), loss="mse")
    return model


class KillAfter(keras.callbacks.Callback):
    """Stands for a killed process: raises at the end of epoch `epochs`."""

    def __init__(self, epochs):
        super().__init__()
        self.epochs = epochs

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 == self.epochs:
            raise KeyboardInterrupt


def checkpointed_fit(model, folder, fingerprint=None, extra=()):
    """Fits noise (the validation loss rises soon: early stopping at epoch
    7) with early stopping and a checkpoint; resumes what `folder` holds."""
    x, y, x_val, y_val = NOISE
    stopper = ResumableEarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)
    clock = EpochTimer()
    saver = FitCheckpoint(folder, fingerprint or {"run": 0}, [clock, stopper], min_interval_s=0)
    initial_epoch = saver.restore(model)
    model.fit(
        x,
        y,
        batch_size=10,
        shuffle=False,
        validation_data=(x_val, y_val),
        epochs=100,
        initial_epoch=initial_epoch,
        callbacks=[clock, stopper, saver, *extra],
        verbose=0,
    )
    return saver, stopper, clock


def test_fit_checkpoint_resumes_where_training_stopped(tmp_path):
    whole = small_regressor(0)
    saver, stopper, _ = checkpointed_fit(whole, str(tmp_path / "whole"))
    assert len(saver.history["loss"]) == 7 and stopper.stopped_epoch == 6

    with pytest.raises(KeyboardInterrupt):
        checkpointed_fit(small_regressor(0), str(tmp_path / "cut"), extra=[KillAfter(5)])
    # Another initialization: everything must come from the checkpoint.
    resumed = small_regressor(1)
    saver2, stopper2, clock2 = checkpointed_fit(resumed, str(tmp_path / "cut"))
    assert saver2.initial_epoch == 5
    # The patience counter went on (not reset: the stop would come later),
    # the Adam moments too (else the weights would differ), and the best
    # weights were restored at the end.
    assert stopper2.stopped_epoch == stopper.stopped_epoch
    assert stopper2.best_epoch == stopper.best_epoch
    np.testing.assert_allclose(saver2.history["val_loss"], saver.history["val_loss"], rtol=1e-5)
    for w, w2 in zip(whole.get_weights(), resumed.get_weights()):
        np.testing.assert_allclose(w2, w, rtol=1e-5, atol=1e-6)
    assert len(clock2.epoch_ms) == 7
    assert saver2.finished


def test_fit_checkpoint_refuses_another_training(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        checkpointed_fit(small_regressor(0), str(tmp_path), {"seed": 0}, extra=[KillAfter(2)])
    with pytest.raises(CheckpointMismatch, match="another training"):
        checkpointed_fit(small_regressor(0), str(tmp_path), {"seed": 1})


def test_fit_checkpoint_keeps_the_last_whole_state(tmp_path):
    model = small_regressor(0)
    model.fit(*NOISE[:2], epochs=1, verbose=0)  # the optimizer makes its slots
    saver = FitCheckpoint(str(tmp_path), {"run": 0}, min_interval_s=0)
    saver.set_model(model)
    saver.save(3)
    saver.save(4)
    # A write killed half-way leaves the other slot, named by the state file.
    (tmp_path / "slot-a" / "arrays.npz").write_bytes(b"truncated")
    again = FitCheckpoint(str(tmp_path), {"run": 0})
    assert again.restore(small_regressor(1)) == 4
