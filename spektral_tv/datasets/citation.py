"""The Planetoid citation networks Cora, Citeseer and Pubmed.

Read from the Planetoid files ``ind.<name>.{x,y,tx,ty,allx,ally,graph,test.index}``
(Yang et al., 2016), found in ``$SPEKTRAL_TV_DATA/Citation/<name>/``, then in
Spektral's ``<DATASET_FOLDER>/Citation/<name>/``, downloaded there only when
missing everywhere. Used by both papers' clustering experiments (MinCutPool
§5.1 Table 1 / App. C.1 Table 4; TVGNN §4.1 Table 1, App. B.2).
"""

import os.path as osp

import numpy as np
import scipy.sparse as sp

from ._base import LocalDataset, NodeLabelsMixin
from ._graph import clean_adjacency, float_dtype, normalize_rows, single_graph
from ._readers import DatasetFileError, load_pickle, read_numbers

PLANETOID_URLS = (
    "https://github.com/kimiyoung/planetoid/raw/master/data/{}",
    "https://github.com/tkipf/gcn/raw/master/gcn/data/{}",
)
SUFFIXES = ("x", "y", "tx", "ty", "allx", "ally", "graph", "test.index")


class Citation(NodeLabelsMixin, LocalDataset):
    """A Planetoid citation network as a single-graph Spektral ``Dataset``.

    **Arguments**

    - ``name``: ``'cora'``, ``'citeseer'`` or ``'pubmed'`` (any case);
    - ``sparse_features``: keep ``x`` as a scipy CSR matrix (float32), to
      feed a model a ``tf.SparseTensor``:
      ``spektral.utils.sp_matrix_to_sp_tensor(dataset[0].x)`` (Spektral's
      ``SingleLoader`` stacks ``x`` with ``np.vstack`` and cannot carry a
      sparse ``x``: build the inputs directly); default False: dense
      ``np.ndarray``, like Spektral;
    - ``normalize_x``: divide each feature row by its sum (rows of zeros stay);
    - ``dtype``: float dtype of ``x``, ``a`` and ``y`` (default float32);
    - ``allow_download``: if False, never download (raise instead);
    - further keyword arguments go to ``spektral.data.Dataset`` (``transforms``).

    **The graph** ``dataset[0]``: ``x`` (N, F), ``a`` scipy CSR (N, N) binary,
    symmetric (a citation in either direction makes an undirected edge),
    without self-loops; ``y`` (N, C) one-hot.

    **Attributes**: ``labels`` (N,) int class of each node, ``-1`` for the
    nodes without a label; ``mask_labeled``; ``mask_tr``, ``mask_va``,
    ``mask_te``: the public Planetoid split (training nodes, the next 500
    nodes, the test nodes), boolean (N,).

    **Citeseer**: 15 nodes of the test index range are in none of the feature
    and label files (the "isolated" nodes of the Planetoid code; they do have
    edges). They are kept (N = 3327, as in the papers) with zero features and
    an all-zero ``y`` row: their ``labels`` entry is ``-1``. (PyTorch
    Geometric, which the TVGNN reference code uses, gives them class 0 — use
    ``np.maximum(dataset.labels, 0)`` for that convention.)
    """

    family = "Citation"

    def __init__(
        self,
        name,
        sparse_features=False,
        normalize_x=False,
        dtype=np.float32,
        allow_download=True,
        **kwargs,
    ):
        name = str(name).lower()
        if name not in self.available_datasets():
            raise ValueError(
                f"unknown citation dataset {name!r}; available: "
                f"{', '.join(self.available_datasets())}"
            )
        self.name = name
        self.sparse_features = bool(sparse_features)
        self.normalize_x = bool(normalize_x)
        self.dtype = float_dtype(dtype)
        self.mask_tr = self.mask_va = self.mask_te = None
        super().__init__(allow_download=allow_download, **kwargs)

    @staticmethod
    def available_datasets():
        return ["cora", "citeseer", "pubmed"]

    # -- files ------------------------------------------------------------------
    def _relative(self):
        return f"Citation/{self.name}"

    def _required(self):
        return [f"ind.{self.name}.{s}" for s in SUFFIXES]

    def _urls(self, filename):
        return [u.format(filename) for u in PLANETOID_URLS]

    def _file(self, suffix):
        return osp.join(self.path, f"ind.{self.name}.{suffix}")

    # -- reading ----------------------------------------------------------------
    def read(self):
        objs = {s: load_pickle(self._file(s)) for s in SUFFIXES if s != "test.index"}
        test_index = read_numbers(self._file("test.index"), np.int64)
        allx = self._content("allx", objs, sp.csr_matrix)
        tx = self._content("tx", objs, sp.csr_matrix)
        ally = self._content("ally", objs, np.asarray)
        ty = self._content("ty", objs, np.asarray)
        n_train = self._content("y", objs, np.asarray).shape[0]
        graph = objs["graph"]
        if not isinstance(graph, dict):
            raise DatasetFileError(
                self._file("graph"),
                "holds a "
                f"{type(graph).__name__}, not the dict of neighbour lists "
                "of a Planetoid graph file",
            )

        n_all = allx.shape[0]
        if tx.shape[0] != test_index.size or ty.shape[0] != test_index.size:
            raise DatasetFileError(
                self._file("test.index"),
                f"{test_index.size} test indices, but tx has "
                f"{tx.shape[0]} rows and ty {ty.shape[0]}: one of the three files is "
                "truncated or from another dataset",
            )
        if test_index.min() < n_all:
            raise DatasetFileError(
                self._file("test.index"), f"test indices overlap the {n_all} rows of allx"
            )
        if np.unique(test_index).size != test_index.size:
            raise DatasetFileError(self._file("test.index"), "repeated test indices")
        neighbours = [np.asarray(v, dtype=np.int64).reshape(-1) for v in graph.values()]
        keys = np.fromiter(graph.keys(), dtype=np.int64, count=len(graph))
        max_id = max(
            [n_all - 1, int(test_index.max()), int(keys.max(initial=-1))]
            + [int(v.max()) for v in neighbours if v.size]
        )
        n_nodes = max_id + 1

        # Node features and labels: row i of tx / ty belongs to node
        # test_index[i]; nodes in no file (15 in Citeseer) get zeros.
        n_test = test_index.size
        source = np.full(n_nodes, n_all + n_test)  # default: an all-zero row
        source[:n_all] = np.arange(n_all)
        source[test_index] = n_all + np.arange(n_test)
        zero_x = sp.csr_matrix((1, allx.shape[1]), dtype=allx.dtype)
        x = sp.vstack([allx, tx, zero_x], format="csr")[source]
        x = x.astype(self.dtype)
        x.sort_indices()
        if self.normalize_x:
            x = normalize_rows(x)
        y = np.concatenate([ally, ty, np.zeros((1, ally.shape[1]))])[source]
        y = y.astype(self.dtype)

        rows = np.repeat(keys, [v.size for v in neighbours])
        cols = np.concatenate(neighbours) if neighbours else np.zeros(0, np.int64)
        a = sp.coo_matrix((np.ones(rows.size, self.dtype), (rows, cols)), shape=(n_nodes, n_nodes))
        a = clean_adjacency(a, self.dtype)

        self.mask_tr = _mask(np.arange(n_train), n_nodes)
        self.mask_va = _mask(np.arange(n_train, min(n_train + 500, n_nodes)), n_nodes)
        self.mask_te = _mask(test_index, n_nodes)
        return [single_graph(x, a, y, self.sparse_features)]

    def _content(self, suffix, objs, convert):
        """``objs[suffix]`` as ``convert`` makes it (a 2-D matrix), or a
        DatasetFileError naming the file when it holds something else."""
        try:
            value = convert(objs[suffix])
        except (TypeError, ValueError) as e:
            value, error = None, f" ({type(e).__name__}: {e})"
        else:
            error = ""
        if value is None or value.ndim != 2:
            raise DatasetFileError(
                self._file(suffix),
                f"does not hold a 2-D matrix{error}: not a Planetoid {suffix!r} file",
            )
        return value

    # -- conveniences -------------------------------------------------------------
    @property
    def mask_labeled(self):
        """(N,) bool, True for the nodes with a label."""
        return self.labels >= 0


def _mask(idx, n):
    mask = np.zeros(n, dtype=bool)
    mask[np.asarray(idx, dtype=np.int64)] = True
    return mask


class Cora(Citation):
    """``Citation('cora', ...)``."""

    def __init__(self, **kwargs):
        super().__init__("cora", **kwargs)


class Citeseer(Citation):
    """``Citation('citeseer', ...)``."""

    def __init__(self, **kwargs):
        super().__init__("citeseer", **kwargs)


class Pubmed(Citation):
    """``Citation('pubmed', ...)``."""

    def __init__(self, **kwargs):
        super().__init__("pubmed", **kwargs)
