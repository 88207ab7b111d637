"""Subgraphs of one large graph, for training node clustering on pieces of a
graph that is too large to train on whole (NumPy and SciPy only; the
`tf.data` pipeline is `spektral_tv.training.subgraph_batches`).

A subgraph is a set of nodes with the edges among them (the *induced*
subgraph): `x[idx]` and `a[idx][:, idx]`. Two ways to choose the nodes:

- `"walk"` (the default): short random walks from uniformly drawn roots
  until `n` distinct nodes are visited (`random_walk_nodes`): neighbours
  are sampled together, so a subgraph keeps many more of its nodes' edges;
  nodes of high degree are drawn more often and no epoch is guaranteed to
  cover every node.
- `"uniform"`: every epoch a random permutation of the nodes cut into
  `ceil(N / n)` batches of about `n` nodes (`uniform_node_batches`): each
  node is in exactly one batch an epoch. A node keeps only the edges to the
  other sampled nodes, about a fraction n / N of them: on sparse graphs the
  subgraphs get very sparse (`edge_retention` measures it).

On Cora (1000-node subgraphs) uniform nodes keep a mean degree of 1.3 of
3.9 with a third of them isolated, walks 3.2 with none isolated; TVGNN
trained on walks clustered Cora as well as on the whole graph, on uniform
nodes worse, and DBLP about 0.04 NMI worse (docs: Results, Training on
subgraphs).
"""

import math

import numpy as np
import scipy.sparse as sp

__all__ = [
    "SAMPLERS",
    "check_node_batches",
    "edge_retention",
    "induced_subgraph",
    "node_batches",
    "random_walk_nodes",
    "steps_per_epoch",
    "uniform_node_batches",
]

#: The node samplers of `node_batches`, the default first.
SAMPLERS = ("walk", "uniform")

#: Steps of each random walk of the `"walk"` sampler.
WALK_LENGTH = 4


def _check_batch(n_nodes, nodes_per_batch):
    if int(nodes_per_batch) != nodes_per_batch or nodes_per_batch < 2:
        raise ValueError(f"nodes_per_batch must be an integer >= 2, got {nodes_per_batch}")
    if n_nodes < 2:
        raise ValueError(f"the graph must have at least 2 nodes, got {n_nodes}")
    return min(int(nodes_per_batch), int(n_nodes))


def check_node_batches(n_nodes, nodes_per_batch, sampler):
    """The `ValueError` that `node_batches` would raise for these arguments,
    raised now: `node_batches` is a generator, which checks only when first
    iterated."""
    if sampler not in SAMPLERS:
        raise ValueError(f"sampler must be one of {SAMPLERS}, got {sampler!r}")
    _check_batch(n_nodes, nodes_per_batch)


def steps_per_epoch(n_nodes, nodes_per_batch):
    """`ceil(n_nodes / nodes_per_batch)`: the subgraphs an epoch of training
    takes, so that an epoch visits about every node once."""
    return math.ceil(n_nodes / _check_batch(n_nodes, nodes_per_batch))


def uniform_node_batches(n_nodes, nodes_per_batch, rng):
    """One epoch of uniform node batches: a random permutation of
    `range(n_nodes)` cut into `steps_per_epoch(n_nodes, nodes_per_batch)`
    parts whose sizes differ by at most one (none larger than
    `nodes_per_batch`), each sorted.

    Args:
        n_nodes: N, the number of nodes of the graph.
        nodes_per_batch: the largest batch, an integer >= 2.
        rng: a `numpy.random.Generator`.

    Returns:
        A list of int64 index arrays that together hold every node once.
    """
    steps = steps_per_epoch(n_nodes, nodes_per_batch)
    order = rng.permutation(n_nodes)
    return [np.sort(part).astype(np.int64) for part in np.array_split(order, steps)]


def random_walk_nodes(a, nodes_per_batch, rng, walk_length=WALK_LENGTH):
    """The nodes visited by random walks of `walk_length` steps from roots
    drawn uniformly at random, walk after walk, until `nodes_per_batch`
    distinct nodes are seen (an isolated node's walk stays on it).

    Args:
        a: the adjacency (N, N), scipy sparse or array (its nonzero pattern
            is used, the weights are not).
        nodes_per_batch: how many nodes to return, an integer >= 2 (at most N).
        rng: a `numpy.random.Generator`.
        walk_length: steps of each walk, >= 1.

    Returns:
        A sorted int64 array of `min(nodes_per_batch, N)` distinct nodes.
    """
    a = sp.csr_matrix(a)
    n_nodes = a.shape[0]
    size = _check_batch(n_nodes, nodes_per_batch)
    if int(walk_length) != walk_length or walk_length < 1:
        raise ValueError(f"walk_length must be an integer >= 1, got {walk_length}")
    degree = np.diff(a.indptr)
    seen = np.zeros(n_nodes, dtype=bool)
    picked = []
    count = 0
    while count < size:
        # Enough walks for the nodes still missing if every visit were new.
        walks = math.ceil((size - count) / (walk_length + 1))
        path = np.empty((walks, walk_length + 1), dtype=np.int64)
        path[:, 0] = rng.integers(0, n_nodes, walks)
        for step in range(1, walk_length + 1):
            here = path[:, step - 1]
            offset = np.floor(rng.random(walks) * degree[here]).astype(np.int64)
            moves = degree[here] > 0
            path[:, step] = here
            path[moves, step] = a.indices[a.indptr[here[moves]] + offset[moves]]
        # New nodes in the order of the walks (walk by walk), at most `size`.
        visits = path.ravel()
        _, first = np.unique(visits, return_index=True)
        new = visits[np.sort(first)]
        new = new[~seen[new]][: size - count]
        seen[new] = True
        picked.append(new)
        count += new.size
    return np.sort(np.concatenate(picked))


def node_batches(a, nodes_per_batch, seed=0, sampler="walk"):
    """An endless iterator of node index arrays (sorted, int64) for the
    subgraphs of the graph with adjacency `a`, the same sequence for the
    same `seed`.

    Args:
        a: the adjacency (N, N), scipy sparse or array.
        nodes_per_batch: nodes of a subgraph, an integer >= 2 (`"uniform"`:
            the largest batch of an epoch, see `uniform_node_batches`).
        seed: the seed of the random draws.
        sampler: `"walk"` (`random_walk_nodes`) or `"uniform"` (every node
            once an epoch of `steps_per_epoch` batches).

    Yields:
        int64 arrays of node indices.
    """
    n_nodes = a.shape[0]
    check_node_batches(n_nodes, nodes_per_batch, sampler)
    rng = np.random.default_rng(seed)
    if sampler == "walk":
        a = sp.csr_matrix(a)
    while True:
        if sampler == "uniform":
            yield from uniform_node_batches(n_nodes, nodes_per_batch, rng)
        else:
            yield random_walk_nodes(a, nodes_per_batch, rng)


def induced_subgraph(x, a, idx):
    """`(x[idx], a[idx][:, idx])`: the features of the nodes `idx` and the
    edges among them, renumbered 0..len(idx)-1 in the order of `idx`; `a`
    comes back as CSR when it is scipy sparse."""
    idx = np.asarray(idx, dtype=np.int64)
    if sp.issparse(a):
        a = sp.csr_matrix(a)
    if sp.issparse(x):
        x = sp.csr_matrix(x)
    return x[idx], a[idx][:, idx]


def edge_retention(a, nodes_per_batch, seed=0, sampler="walk", batches=20):
    """How many of their edges the sampled nodes keep in their subgraph,
    averaged over `batches` subgraphs of `node_batches`.

    Returns:
        A dict: `kept` (the edges of the subgraphs over the edges of their
        nodes in the whole graph, the fraction of edge ends a subgraph
        keeps), `mean_degree` (in the subgraphs), `graph_mean_degree` (in
        the whole graph), `isolated` (the fraction of sampled nodes without
        an edge in their subgraph).
    """
    a = sp.csr_matrix(a) != 0
    a = (sp.triu(a, 1) + sp.tril(a, -1)).tocsr()  # self-loops are no edges
    degree = np.diff(a.indptr)
    kept, total, nodes, isolated = 0, 0, 0, 0
    batches_iter = node_batches(a, nodes_per_batch, seed=seed, sampler=sampler)
    for _, idx in zip(range(batches), batches_iter):
        sub = a[idx][:, idx]
        sub_degree = np.diff(sub.indptr)
        kept += sub.nnz
        total += degree[idx].sum()
        nodes += idx.size
        isolated += int((sub_degree == 0).sum())
    return {
        "kept": float(kept / max(total, 1)),
        "mean_degree": float(kept / nodes),
        "graph_mean_degree": float(a.nnz / a.shape[0]),
        "isolated": float(isolated / nodes),
    }
