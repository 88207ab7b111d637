"""Seeded synthetic graphs of the two papers, as Spektral ``Graph`` objects.

Every generator returns a ``spektral.data.Graph`` with ``x`` float32 (N, F),
``a`` a scipy CSR (N, N) float32 adjacency (binary, symmetric, no
self-loops), and, where there is a ground truth, ``y`` the (N,) int64
community of each node. Geometric graphs also carry ``pos`` (N, 2), the
node coordinates used to draw them (equal to ``x``). The same arguments and
``seed`` always give the same graph (NumPy ``default_rng(seed)``).

Papers: "the MinCutPool paper" = Bianchi, Grattarola, Alippi, *Spectral
Clustering with Graph Neural Networks for Graph Pooling* (ICML 2020); "the
TVGNN paper" = Hansen, Bianchi, *Total Variation Graph Neural Networks* (ICML
2023). Sizes the papers leave out come from the authors' public scripts
(MinCutPool repository, ``Clustering.py`` and ``Autoencoder.py``, which build
these graphs with PyGSP: ``Community(N=150)``, ``Grid2d(N1=15, N2=10)``,
``Ring(N=200)``, ``Grid2d(N1=30, N2=30)``); the generators here are written
from those descriptions, without PyGSP: grid and ring with networkx, the
stochastic block models with a vectorized sampler (networkx's
``stochastic_block_model`` was measured here 170x slower on the 6000-node
graphs of :class:`~spektral_tv.datasets.LargeGraphs`: 888 ms against 5 ms).
"""

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree
from spektral.data import Graph

from ._graph import clean_adjacency

__all__ = ["community_graph", "grid2d", "grid_graph", "noisy_sbm", "ring_graph", "sbm"]


# ----------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------
def _adjacency(rows, cols, n):
    """The clean float32 CSR adjacency (N, N) of the edges ``(rows, cols)``."""
    rows = np.asarray(rows, dtype=np.int64)
    cols = np.asarray(cols, dtype=np.int64)
    a = sp.coo_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(n, n))
    return clean_adjacency(a, np.float32)


def _networkx_adjacency(graph):
    """The clean float32 CSR adjacency of a networkx graph, nodes in the
    graph's order."""
    return clean_adjacency(nx.to_scipy_sparse_array(graph, format="coo"), np.float32)


def _triangle_pairs(t, n):
    """The pairs (r, c), r < c < n, of the linear indices ``t`` of the strict
    upper triangle of an n x n matrix read row by row."""
    t = np.asarray(t, dtype=np.int64)
    if t.size == 0:
        return t, t

    def before(r):  # number of pairs in rows < r
        return r * (2 * n - r - 1) // 2

    b = 2 * n - 1
    r = np.floor((b - np.sqrt(np.maximum(b * b - 8.0 * t, 0.0))) / 2)
    r = np.clip(r.astype(np.int64), 0, n - 2)
    r = np.where(before(r) > t, r - 1, r)  # float round-off corrections
    r = np.where(before(r + 1) <= t, r + 1, r)
    c = t - before(r) + r + 1
    return r, c


def _sample_pairs(rng, n_pairs, p):
    """A uniformly random subset of ``range(n_pairs)`` whose size is
    Binomial(n_pairs, p): the same law as keeping each pair with probability
    p independently, in O(number kept) memory."""
    if n_pairs <= 0 or p <= 0:
        return np.zeros(0, np.int64)
    if p >= 1:
        return np.arange(n_pairs, dtype=np.int64)
    k = int(rng.binomial(n_pairs, p))
    return np.sort(rng.choice(n_pairs, size=k, replace=False)).astype(np.int64)


def _block_edges(rng, sizes, probs):
    """Edges of a stochastic block model with block sizes ``sizes`` and
    edge probabilities ``probs`` (K x K, symmetric)."""
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    rows, cols = [], []
    for i, ni in enumerate(sizes):
        t = _sample_pairs(rng, ni * (ni - 1) // 2, probs[i][i])
        r, c = _triangle_pairs(t, ni)
        rows.append(r + offsets[i])
        cols.append(c + offsets[i])
        for j in range(i + 1, len(sizes)):
            nj = sizes[j]
            t = _sample_pairs(rng, ni * nj, probs[i][j])
            rows.append(t // nj + offsets[i])
            cols.append(t % nj + offsets[j])
    return np.concatenate(rows), np.concatenate(cols)


def _check_probability(name, p):
    if not 0.0 <= float(p) <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p}")
    return float(p)


# ----------------------------------------------------------------------------
# Stochastic block models
# ----------------------------------------------------------------------------
def sbm(sizes, p_in, p_out, n_features=None, seed=0):
    """A stochastic block model (SBM): node ``i`` of community ``k`` is joined
    to each other node of ``k`` with probability ``p_in`` and to each node of
    another community with probability ``p_out``, independently.

    The planted-partition graph on which both papers' clustering losses are
    illustrated (the TVGNN paper, App. C.2, uses one with noisy features: see
    :func:`noisy_sbm`); it is also the quick test bed of the layers. Sampling
    takes O(N + E) memory (no N x N array).

    Args:
        sizes: the number of nodes of each community (nodes are numbered
            community by community).
        p_in: within-community edge probability.
        p_out: between-community edge probability.
        n_features: ``None`` (default): ``x`` is the identity ``I_N`` (one-hot
            node identity: a featureless graph, so the communities can only be
            found from the edges); an integer ``F``: ``x`` is (N, F) standard
            Gaussian noise, independent of the communities.
        seed: the random seed.

    Returns:
        A ``Graph`` with ``x``, ``a`` and ``y`` (the community of each node).
    """
    sizes = [int(s) for s in np.atleast_1d(sizes)]
    if not sizes or min(sizes) < 1:
        raise ValueError(f"sizes must be positive integers, got {sizes}")
    p_in = _check_probability("p_in", p_in)
    p_out = _check_probability("p_out", p_out)
    rng = np.random.default_rng(seed)
    n = sum(sizes)
    k = len(sizes)
    probs = np.full((k, k), p_out)
    np.fill_diagonal(probs, p_in)
    rows, cols = _block_edges(rng, sizes, probs)
    a = _adjacency(rows, cols, n)
    labels = np.repeat(np.arange(k), sizes).astype(np.int64)
    if n_features is None:
        x = np.eye(n, dtype=np.float32)
    else:
        n_features = int(n_features)
        if n_features < 1:
            raise ValueError("n_features must be None or a positive integer")
        x = rng.standard_normal((n, n_features)).astype(np.float32)
    return Graph(x=x, a=a, y=labels)


def noisy_sbm(n_nodes=200, n_communities=3, p_in=0.3, p_out=0.005, noise_std=1.5, seed=0):
    """The denoising task of the TVGNN paper (App. C.2, Figs. 20-21).

    "A Stochastic-Block Model graph with three communities. The graph has 200
    nodes, the probability of having a within-community edge is set to 0.3,
    and the probability of having an edge between communities is 0.005."
    Node features are the one-hot community indicator (``[1, 0, 0]``,
    ``[0, 1, 0]``, ``[0, 0, 1]``, the RGB colours of the figure), "corrupted
    ... by adding Gaussian noise from N(0, 1.5)". The paper does not say
    whether 1.5 is the standard deviation or the variance: ``noise_std`` is
    the standard deviation (pass ``noise_std=1.5 ** 0.5`` for the other
    reading). Edges are noisy too: the ``p_out`` edges join different
    communities. The labels stay clean.

    Args:
        n_nodes: number of nodes; the communities have sizes as equal as
            possible (200 -> 67, 67, 66).
        n_communities: number of communities (and of feature columns).
        p_in: within-community edge probability.
        p_out: between-community edge probability.
        noise_std: standard deviation of the Gaussian noise on the features.
        seed: the random seed (the graph does not depend on the noise).

    Returns:
        A ``Graph`` with ``x`` the noisy features (N, K), ``x_clean`` the
        one-hot features, ``a``, and ``y`` the (clean) community of each node.
    """
    n_nodes, n_communities = int(n_nodes), int(n_communities)
    if n_communities < 1 or n_nodes < n_communities:
        raise ValueError("need n_nodes >= n_communities >= 1")
    if noise_std < 0:
        raise ValueError("noise_std must be >= 0")
    sizes = [len(c) for c in np.array_split(np.arange(n_nodes), n_communities)]
    g = sbm(sizes, p_in, p_out, n_features=None, seed=seed)
    # A second stream for the noise, so the graph does not depend on it.
    rng = np.random.default_rng([int(seed), 1])
    x_clean = np.eye(n_communities, dtype=np.float32)[g.y]
    noise = rng.normal(0.0, noise_std, size=x_clean.shape)
    x = (x_clean + noise).astype(np.float32)
    return Graph(x=x, a=g.a, y=g.y, x_clean=x_clean)


# ----------------------------------------------------------------------------
# Geometric graphs
# ----------------------------------------------------------------------------
def community_graph(
    n_nodes=150,
    n_communities=None,
    seed=0,
    min_size=None,
    epsilon=None,
    world_density=None,
    size_ratio=1.0,
):
    """The community network of the MinCutPool paper's Fig. 3 (a-c) (§5.1,
    "Clustering on Synthetic Networks"): "a network with 6 communities ...
    The adjacency matrix A is binary and the features X are the 2-D node
    coordinates"; clustered with K = 6. The authors' script builds it as
    PyGSP's ``Community(N=150)``, whose construction this reproduces:

    - ``n_communities`` defaults to ``round(sqrt(N) / 2)`` (6 for N = 150);
      each community has at least ``min_size`` nodes (default
      ``round(N / (3 * n_communities))``, 8 for N = 150), the other nodes are
      spread over the communities at random;
    - the community centres sit on a circle of radius ``size_ratio * sqrt(N)``;
      the nodes of a community of size ``s`` are uniform in a disc of radius
      ``sqrt(s) / 2`` around its centre (the same density everywhere);
    - two nodes of the same community are joined when closer than
      ``epsilon`` (default ``sqrt(2 * sqrt(N)) / 2``, about 2.47 for N = 150);
    - ``round(world_density * N (N - 1) / 2)`` random pairs of distinct nodes
      anywhere are joined too (default density ``1 / N``: about N / 2 edges),
      the noise edges between communities.

    Args:
        n_nodes: number of nodes N (>= 2).
        n_communities: number of communities; default ``round(sqrt(N) / 2)``.
        seed: the random seed.
        min_size: smallest community size; default ``round(N / (3 K))``.
        epsilon: distance under which two nodes of a community are joined.
        world_density: probability of a noise edge between any two nodes.
        size_ratio: radius of the circle of centres, in units of ``sqrt(N)``.

    Returns:
        A ``Graph`` with ``x`` the 2-D coordinates (N, 2), ``a``, ``y`` the
        community of each node (nodes numbered community by community) and
        ``pos`` (= ``x``).
    """
    n = int(n_nodes)
    if n < 2:
        raise ValueError("n_nodes must be >= 2")
    k = int(n_communities) if n_communities else max(1, round(np.sqrt(n) / 2))
    min_size = int(min_size) if min_size is not None else round(n / (3 * k))
    min_size = max(min_size, 1)
    if min_size * k > n:
        raise ValueError(f"{k} communities of at least {min_size} nodes do not fit in {n} nodes")
    eps = float(epsilon) if epsilon is not None else np.sqrt(2 * np.sqrt(n)) / 2
    density = float(world_density) if world_density is not None else 1.0 / n
    density = _check_probability("world_density", density)
    rng = np.random.default_rng(seed)

    extra = np.bincount(rng.integers(0, k, size=n - min_size * k), minlength=k)
    sizes = min_size + extra
    labels = np.repeat(np.arange(k), sizes).astype(np.int64)

    angle = 2 * np.pi * np.arange(1, k + 1) / k
    centres = size_ratio * np.sqrt(n) * np.stack([np.cos(angle), np.sin(angle)], 1)
    radius = np.sqrt(rng.random(n)) * np.sqrt(sizes[labels]) / 2
    phi = 2 * np.pi * rng.random(n)
    pos = centres[labels] + radius[:, None] * np.stack([np.cos(phi), np.sin(phi)], 1)

    rows, cols = [], []
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    for c in range(k):
        # The pairs of the community closer than eps (a KD-tree: no s x s
        # distance matrix). query_pairs keeps d <= eps: the same edges as
        # d < eps except at exact ties, which continuous positions never make.
        pairs = cKDTree(pos[offsets[c] : offsets[c + 1]]).query_pairs(eps, output_type="ndarray")
        rows.append(pairs[:, 0] + offsets[c])
        cols.append(pairs[:, 1] + offsets[c])
    t = _sample_pairs(rng, n * (n - 1) // 2, density)
    r, q = _triangle_pairs(t, n)
    rows.append(r)
    cols.append(q)
    a = _adjacency(np.concatenate(rows), np.concatenate(cols), n)
    x = pos.astype(np.float32)
    return Graph(x=x, a=a, y=labels, pos=x.copy())


def grid2d(n_rows=30, n_cols=30):
    """A regular 2-D grid (4-neighbour lattice) with the node coordinates as
    features.

    - The MinCutPool paper, §5.2 (GNN autoencoder, Fig. 7): the grid whose coordinates the
      MinCutPool autoencoder reconstructs (the authors' script: PyGSP
      ``Grid2d(N1=30, N2=30)``, 900 nodes, pooling to 25% of the nodes).
    - The TVGNN paper, App. C.3 (Figs. 23-24b): the "2D grid graph" clustered with
      K = 10 to compare the sharpness of the assignments (its size is not
      given; 30 x 30 by default here).

    Node ``r * n_cols + c`` is at row ``r``, column ``c``; ``x[i] =
    (c / (n_cols - 1), r / (n_rows - 1))`` in [0, 1]^2.

    Args:
        n_rows: number of rows (>= 1).
        n_cols: number of columns (>= 1).

    Returns:
        A ``Graph`` with ``x`` (N, 2), ``a`` and ``pos`` (= ``x``); no labels
        (``y`` None).
    """
    n_rows, n_cols = int(n_rows), int(n_cols)
    if n_rows < 1 or n_cols < 1:
        raise ValueError("n_rows and n_cols must be >= 1")
    a = _networkx_adjacency(nx.grid_2d_graph(n_rows, n_cols))  # nodes row by row
    r, c = np.divmod(np.arange(n_rows * n_cols), n_cols)
    x = np.stack([c / max(n_cols - 1, 1), r / max(n_rows - 1, 1)], 1)
    x = x.astype(np.float32)
    return Graph(x=x, a=a, pos=x.copy())


def grid_graph(n_rows=15, n_cols=10):
    """The grid of the MinCutPool paper's Fig. 3 (d-f) (§5.1, "Clustering on
    Synthetic Networks": "a regular grid ... The adjacency matrix A is binary
    and the features X are the 2-D node coordinates"), clustered with K = 5.
    The authors' script uses PyGSP ``Grid2d(N1=15, N2=10)``: 150 nodes, the
    default here. Same construction as :func:`grid2d`."""
    return grid2d(n_rows, n_cols)


def ring_graph(n_nodes=200):
    """A ring (cycle) graph with the 2-D coordinates of the nodes on the unit
    circle as features.

    - The MinCutPool paper, §5.2 (GNN autoencoder, Fig. 6): the ring whose coordinates the
      autoencoder reconstructs (the authors' script: PyGSP ``Ring(N=200)``).
    - The TVGNN paper, App. C.3 (Figs. 22, 24a): the "2D ring graph" clustered with
      K = 5; the sharpness plot walks along the circumference, i.e. node
      order here (its size is not given; 200 by default).

    Node ``i`` is at angle ``2 pi i / N``: ``x[i] = (cos, sin)``, joined to
    nodes ``i - 1`` and ``i + 1`` (mod N).

    Args:
        n_nodes: number of nodes N (>= 3).

    Returns:
        A ``Graph`` with ``x`` (N, 2), ``a`` and ``pos`` (= ``x``); no labels
        (``y`` None).
    """
    n = int(n_nodes)
    if n < 3:
        raise ValueError("a ring needs n_nodes >= 3")
    a = _networkx_adjacency(nx.cycle_graph(n))
    angle = 2 * np.pi * np.arange(n) / n
    x = np.stack([np.cos(angle), np.sin(angle)], 1).astype(np.float32)
    return Graph(x=x, a=a, pos=x.copy())
