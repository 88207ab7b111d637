"""Bench-easy and Bench-hard (Bianchi et al.,
https://github.com/FilippoMB/Benchmark_dataset_for_graph_classification): 3
classes of graphs whose class depends on where the node colours (one-hot x of
size 5) sit on the graph, so neither x nor A alone tells the class. Used in
MinCutPool §5.3 Table 2 / App. C.2 Table 5 and TVGNN §4.3 Table 2.

Versions: ``easy`` and ``hard`` (1800 graphs, 100-200 nodes), ``easy_small``
and ``hard_small`` (300 graphs, 40-80 nodes). Each is one file
``<root>/Bench/<name>.npz`` holding a fixed split: ``tr_adj``/``tr_feat``/
``tr_class``, ``val_*``, ``te_*`` (pickled CSR adjacency matrices and
feature arrays; they are unpickled by a restricted unpickler that accepts
only arrays and sparse matrices).
"""

import os.path as osp

import numpy as np
import scipy.sparse as sp
from spektral.data import Graph

from ._base import GraphLabelsMixin, LocalDataset
from ._graph import clean_adjacency, float_dtype
from ._readers import DatasetFileError, decoding, load_npz_keys

BENCH_URL = (
    "https://github.com/FilippoMB/Benchmark_dataset_for_graph_classification/"
    "raw/master/datasets/{}.npz"
)
SPLITS = (("train", "tr"), ("val", "val"), ("test", "te"))
_ALIASES = {"small_easy": "easy_small", "small_hard": "hard_small"}


class Bench(GraphLabelsMixin, LocalDataset):
    """Bench-easy / Bench-hard as a Spektral ``Dataset``.

    **Arguments**

    - ``name``: ``'easy'``, ``'hard'``, ``'easy_small'`` or ``'hard_small'``
      (``'small_easy'`` / ``'small_hard'`` are accepted too);
    - ``dtype``: float dtype (default float32);
    - ``allow_download``: if False, never download.

    The graphs come in the order train, validation, test. ``splits`` is
    ``{'train': idx, 'val': idx, 'test': idx}``, integer indices into the
    dataset: ``dataset[dataset.splits['train']]`` is the training set.
    Each graph: ``x`` (n, 5) one-hot colours, ``a`` scipy CSR (binary,
    symmetric, no self-loops), ``y`` one-hot (3,). ``labels``: (G,) ints.
    """

    family = "Bench"

    def __init__(self, name, dtype=np.float32, allow_download=True, **kwargs):
        name = str(name).lower().replace("-", "_")
        name = _ALIASES.get(name, name)
        if name not in self.available_datasets():
            raise ValueError(
                f"unknown Bench dataset {name!r}; available: "
                f"{', '.join(self.available_datasets())}"
            )
        self.name = name
        self.dtype = float_dtype(dtype)
        self.splits = None
        super().__init__(allow_download=allow_download, **kwargs)

    @staticmethod
    def available_datasets():
        return ["easy", "hard", "easy_small", "hard_small"]

    def _relative(self):
        return "Bench"

    def _required(self):
        return [f"{self.name}.npz"]

    def _urls(self, filename):
        return [BENCH_URL.format(self.name)]

    def read(self):
        path = osp.join(self.path, f"{self.name}.npz")
        keys = [f"{p}_{k}" for _, p in SPLITS for k in ("adj", "feat", "class")]
        f = load_npz_keys(path, keys)
        graphs, self.splits, start = [], {}, 0
        for split, prefix in SPLITS:
            adj, feat = f[f"{prefix}_adj"], f[f"{prefix}_feat"]
            cls = np.asarray(f[f"{prefix}_class"])
            if cls.ndim != 2:
                raise DatasetFileError(
                    path, f"expected one-hot classes in {prefix}_class, got shape {cls.shape}"
                )
            if not len(adj) == len(feat) == len(cls):
                raise DatasetFileError(
                    path, f"{prefix}_adj, {prefix}_feat and {prefix}_class differ in length"
                )
            with decoding(path, "a Bench file (adjacency matrices and feature arrays)"):
                for a, x, y in zip(adj, feat, cls):
                    a = clean_adjacency(sp.csr_matrix(a), self.dtype)
                    x = np.asarray(x, dtype=self.dtype)
                    if x.shape[0] != a.shape[0]:
                        raise DatasetFileError(
                            path,
                            f"in {prefix}_feat and {prefix}_adj, "
                            "x and a disagree on the number of nodes",
                        )
                    graphs.append(Graph(x=x, a=a, y=y.astype(self.dtype)))
            self.splits[split] = np.arange(start, start + len(cls))
            start += len(cls)
        return graphs

    @property
    def n_classes(self):
        return int(self.graphs[0].y.shape[-1]) if self.graphs else None
