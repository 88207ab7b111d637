"""Training the graph classifiers of `spektral_tv.models` under `tf.distribute`
(several GPUs, several machines) with whole graphs on every replica.

Keras splits a batch itself when it distributes an ordinary dataset: it cuts
the rows of `x`, `a` and `i` of a disjoint batch independently (the second
replica then indexes nodes it does not have). Here each replica builds its
own batches of whole graphs instead, with
`strategy.distribute_datasets_from_function`:

- `replica_batches`: the plan of an epoch: the graphs (shuffled or not) cut
  into global batches of `batch_size` graphs, each cut into one slice of
  whole graphs per replica (sizes as even as possible, e.g. 8 graphs on 2
  replicas: 4 + 4; 7: 4 + 3). Every worker computes the same plan from the
  same seed, so the replicas of one step get disjoint slices of the same
  global batch.
- `graph_dataset`: the distributed dataset. Each input pipeline (one per
  worker, `input_context.input_pipeline_id`) collates only the slices of its
  own replicas, with the collate function of Spektral's loaders: disjoint
  mode gives what `DisjointLoader` gives (`x`, the sparse block-diagonal
  `a`, `i`), batch mode what `BatchLoader(mask=True)` gives (`x` padded,
  with the mask as last column, dense `a`), i.e. the inputs of
  `models.classification_model` in each mode.
- `strategy_from_name`: `"default"`, `"mirrored"`, `"multiworker"`.
- `classification_model`: the classifier built and compiled inside
  `strategy.scope()`, trained with the loss reduction below;
  `use_graph_mean_loss` does the same for any compiled model.

**Loss reduction.** Keras divides every replica's loss by the number of
replicas R and sums the gradients, i.e. it minimizes the mean of the
replicas' means: with a global batch of 6 graphs on two replicas as 4 + 2,
the two graphs of the second replica would weigh twice as much as the four
of the first. `use_graph_mean_loss` weighs replica r's loss by b_r / B
instead (b_r its graphs, B = Σ b_r those of the step, summed across replicas
in the step), so that the gradient is that of the **mean over the B graphs**
of cross-entropy plus the pools' auxiliary losses (which are means over the
graphs of a replica) plus the weight regularization (counted once: the
weights b_r / B sum to 1): the same update as one device on the same global
batch, whatever the split. The logged `loss` and compiled metrics are
already weighted by graphs in Keras, so they are the means over the graphs
of the epoch, as on one device. The pools' per-name logs (`cut_loss`,
`pool1_tv_loss`, ...) are Keras `Mean`s of one value per replica and step:
the mean of the replicas' means, equal to one device's log when every step
splits evenly (the global batch a multiple of R, and so the epoch's last
batch), and otherwise weighted per replica rather than per graph.

**Global batch and learning rate.** `batch_size` is the global batch: the
graphs of one step summed over all replicas of all workers (each replica
gets about batch_size / R). The learning rate is not changed: the loss is
the mean over the global batch, so a step is the step of one device on
that batch. Keeping the papers' batch of 8 with more replicas gives the same
training, only split; a larger global batch (e.g. 8·R) gives fewer, less
noisy steps, for which the learning rate may need tuning (no rule applied).
"""

import os

import spektral_tv  # noqa: F401  (TF_USE_LEGACY_KERAS before TensorFlow)

import numpy as np
import tensorflow as tf
import tf_keras as keras

from spektral_tv import models

__all__ = [
    "MODES",
    "STRATEGIES",
    "classification_model",
    "graph_dataset",
    "replica_batches",
    "strategy_from_name",
    "use_graph_mean_loss",
    "worker_index",
]

#: The names `strategy_from_name` knows (the experiments' `--strategy`).
STRATEGIES = ("default", "mirrored", "multiworker")
#: The data modes of `graph_dataset`.
MODES = ("disjoint", "batch")


def strategy_from_name(name, devices=None):
    """The `tf.distribute.Strategy` called `name`:

    - `"default"`: TensorFlow's default strategy (one device: the GPU if there
      is one, else the CPU);
    - `"mirrored"`: `tf.distribute.MirroredStrategy(devices)`: one replica per
      local GPU (all of them when `devices` is None; the CPU when there is no
      GPU), variables mirrored, gradients all-reduced;
    - `"multiworker"`: `tf.distribute.MultiWorkerMirroredStrategy()`: the
      same over several processes or machines described by the `TF_CONFIG`
      environment variable (one worker alone without it). Create it at the
      start of the program, before other TensorFlow work.
    """
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        return tf.distribute.MirroredStrategy(devices)
    if name == "multiworker":
        if devices is not None:
            raise ValueError(
                "devices applies to 'mirrored' only; a worker of "
                "'multiworker' uses its local GPUs (or its CPU)"
            )
        return tf.distribute.MultiWorkerMirroredStrategy()
    raise ValueError(f"strategy must be one of {STRATEGIES}, got {name!r}")


def replica_batches(n_graphs, batch_size, n_replicas, shuffle=False, seed=0):
    """One epoch's plan: a list of steps, each a list of `n_replicas` index
    arrays (the graphs of each replica in that step).

    The graphs (in a permutation drawn from `seed` when `shuffle`) are cut
    into global batches of `batch_size` graphs, the last one smaller; an
    epoch's last batch with fewer graphs than replicas joins the batch before
    it (every replica needs at least one graph). Each global batch is then cut
    into `n_replicas` consecutive slices as even as possible (the first ones
    one graph larger). With `n_replicas=1` the steps are the global batches.
    """
    n_graphs, batch_size, n_replicas = int(n_graphs), int(batch_size), int(n_replicas)
    if n_replicas < 1:
        raise ValueError(f"n_replicas must be >= 1, got {n_replicas}")
    if batch_size < n_replicas:
        raise ValueError(
            f"batch_size ({batch_size}) must be at least the number of "
            f"replicas ({n_replicas}): each replica needs whole graphs"
        )
    if n_graphs < n_replicas:
        raise ValueError(f"{n_graphs} graph(s) cannot feed {n_replicas} replicas")
    order = np.random.RandomState(seed).permutation(n_graphs) if shuffle else np.arange(n_graphs)
    batches = [order[start : start + batch_size] for start in range(0, n_graphs, batch_size)]
    if len(batches) > 1 and len(batches[-1]) < n_replicas:
        batches[-2:] = [np.concatenate(batches[-2:])]
    return [np.array_split(batch, n_replicas) for batch in batches]


def _loader(dataset, mode):
    """A Spektral loader over `dataset`, used for its `collate` and
    `tf_signature` only (never iterated)."""
    from spektral.data import BatchLoader, DisjointLoader

    if mode == "batch":
        return BatchLoader(dataset, batch_size=1, mask=True, shuffle=False)
    return DisjointLoader(dataset, batch_size=1, shuffle=False)


def graph_dataset(strategy, dataset, mode, batch_size, shuffle=False, seed=0):
    """A distributed dataset that gives each replica whole graphs of
    `dataset`, for `model.fit` / `evaluate` under `strategy`.

    Args:
        strategy: a `tf.distribute.Strategy` (`strategy_from_name`).
        dataset: a Spektral `Dataset` of graphs with graph labels `y`.
        mode: `"disjoint"` (per replica `((x, a, i), y)` as Spektral's
            `DisjointLoader`) or `"batch"` (`((x, a), y)` as
            `BatchLoader(mask=True)`, padded to the replica's largest graph).
        batch_size: the global batch, graphs per step over all replicas.
        shuffle: a new permutation every epoch (epoch e draws with seed + e,
            the same on every worker).
        seed: seed of the permutations.

    Returns:
        `(distributed_dataset, steps_per_epoch)`. The dataset repeats without
        end: pass `steps_per_epoch` (or `validation_steps`, `steps`) to Keras.
        Each input pipeline (`input_context.input_pipeline_id`, one per worker)
        collates the slices (`replica_batches`) of its own replicas only, in
        the order in which `tf.distribute` hands elements to its local
        replicas (one element per replica and step).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    n_replicas = strategy.num_replicas_in_sync
    steps = len(replica_batches(len(dataset), batch_size, n_replicas))

    def dataset_fn(input_context):
        local = input_context.num_replicas_in_sync // input_context.num_input_pipelines
        first = input_context.input_pipeline_id * local
        loader = _loader(dataset, mode)

        def generate():
            epoch = 0
            while True:
                plan = replica_batches(
                    len(dataset), batch_size, n_replicas, shuffle=shuffle, seed=seed + epoch
                )
                for step in plan:
                    for replica in range(first, first + local):
                        yield loader.collate([dataset[int(j)] for j in step[replica]])
                epoch += 1

        return tf.data.Dataset.from_generator(
            generate, output_signature=loader.tf_signature()
        ).prefetch(local)

    options = tf.distribute.InputOptions(experimental_fetch_to_device=True)
    return strategy.distribute_datasets_from_function(dataset_fn, options), steps


def use_graph_mean_loss(model):
    """Makes `model.fit` minimize the mean over the graphs of each global
    batch, however the replicas split it (see the module's docstring): the
    model's `train_step` weighs replica r's loss by b_r / B instead of Keras's
    1 / R. On one replica the step is Keras's own. Call it on a compiled
    model before `fit`; returns the model.

    The replaced `train_step` is an attribute of this model object only: the
    saved model is the ordinary Functional model."""

    def train_step(data):
        x, y, sample_weight = keras.utils.unpack_x_y_sample_weight(data)
        context = tf.distribute.get_replica_context()
        with tf.GradientTape() as tape:
            y_pred = model(x, training=True)
            # Keras's loss: (this replica's mean + model.losses) / R.
            loss = model.compute_loss(x, y, y_pred, sample_weight)
            replicas = context.num_replicas_in_sync
            if replicas > 1:
                local = tf.cast(tf.shape(tf.nest.flatten(y)[0])[0], loss.dtype)
                total = context.all_reduce(tf.distribute.ReduceOp.SUM, local)
                loss = loss * (replicas * local / total)
        model.optimizer.minimize(loss, model.trainable_variables, tape=tape)
        return model.compute_metrics(x, y, y_pred, sample_weight)

    model.train_step = train_step
    # A train function made before (an earlier fit) would keep the old step.
    model.train_function = None
    return model


def classification_model(
    strategy,
    pool,
    n_features,
    n_classes,
    k,
    mode="disjoint",
    n_pools=2,
    learning_rate=5e-4,
    metrics=("acc",),
    optimizer=None,
    **network,
):
    """`models.classification_model(pool, n_features, n_classes, k, mode,
    n_pools, **network)` built and compiled (`optimizer`, a function of the
    learning rate, default `keras.optimizers.Adam`; categorical
    cross-entropy; `metrics`) inside `strategy.scope()`, with
    `use_graph_mean_loss`: feed it `graph_dataset(strategy, ...)` in the same
    `mode`. `learning_rate` is the one of one device on the same global batch."""
    with strategy.scope():
        model = models.classification_model(
            pool, n_features, n_classes, k, mode=mode, n_pools=n_pools, **network
        )
        model.compile(
            (optimizer or keras.optimizers.Adam)(learning_rate),
            loss="categorical_crossentropy",
            metrics=list(metrics),
        )
    return use_graph_mean_loss(model)


def worker_index():
    """This process's index among the workers of `TF_CONFIG` (0 without it):
    only worker 0 (the chief) should write results."""
    import json

    config = json.loads(os.environ.get("TF_CONFIG") or "{}")
    return int(config.get("task", {}).get("index", 0))
