"""DBLP (the citation graph of Bojchevski & Günnemann's graph2gauss data, as
PyTorch Geometric's ``CitationFull('DBLP')``): 17 716 nodes, 1 639 features,
4 classes. Used in the TVGNN paper's clustering experiment (§4.1 Table 1,
App. B.2).

The file ``dblp.npz`` (keys ``adj_data/adj_indices/adj_indptr/adj_shape``,
``attr_*``, ``labels``) lives in ``<root>/Citation/dblp/``.
"""

import os.path as osp

import numpy as np
import scipy.sparse as sp

from ._base import LocalDataset, NodeLabelsMixin
from ._graph import clean_adjacency, float_dtype, normalize_rows, one_hot, single_graph
from ._readers import DatasetFileError, decoding, load_npz_keys

DBLP_URLS = (
    "https://github.com/abojchevski/graph2gauss/raw/master/data/dblp.npz",
    "https://raw.githubusercontent.com/EdisonLeeeee/GraphData/master/datasets/dblp.npz",
)
_KEYS = (
    "adj_data",
    "adj_indices",
    "adj_indptr",
    "adj_shape",
    "attr_data",
    "attr_indices",
    "attr_indptr",
    "attr_shape",
    "labels",
)


class DBLP(NodeLabelsMixin, LocalDataset):
    """DBLP as a single-graph Spektral ``Dataset``.

    **Arguments**

    - ``sparse_features``: keep ``x`` as scipy CSR (default: dense array);
    - ``binarize``: set every non-zero feature to 1 (default True, as
      Spektral and PyTorch Geometric do; the file holds TF-IDF weights);
    - ``normalize_x``: divide each feature row by its sum;
    - ``dtype``: float dtype (default float32);
    - ``allow_download``: if False, never download.

    The adjacency is made symmetric (union of both directions), binary,
    without self-loops: 52 867 undirected edges. ``y`` is one-hot (N, 4);
    ``labels`` the (N,) int classes.
    """

    family = "Citation"

    def __init__(
        self,
        sparse_features=False,
        binarize=True,
        normalize_x=False,
        dtype=np.float32,
        allow_download=True,
        **kwargs,
    ):
        self.name = "dblp"
        self.sparse_features = bool(sparse_features)
        self.binarize = bool(binarize)
        self.normalize_x = bool(normalize_x)
        self.dtype = float_dtype(dtype)
        super().__init__(allow_download=allow_download, **kwargs)

    def _relative(self):
        return "Citation/dblp"

    def _required(self):
        return ["dblp.npz"]

    def _urls(self, filename):
        return list(DBLP_URLS)

    def read(self):
        path = osp.join(self.path, "dblp.npz")
        f = load_npz_keys(path, _KEYS)
        # Arrays of the wrong length or shape (another file saved as dblp.npz)
        # make scipy raise: name the file.
        with decoding(path, "the graph2gauss DBLP file (CSR arrays of adj and attr)"):
            a = sp.csr_matrix(
                (f["adj_data"], f["adj_indices"], f["adj_indptr"]),
                shape=tuple(int(s) for s in f["adj_shape"]),
            )
            x = sp.csr_matrix(
                (f["attr_data"], f["attr_indices"], f["attr_indptr"]),
                shape=tuple(int(s) for s in f["attr_shape"]),
            )
        if not a.shape[0] == a.shape[1] == x.shape[0] == np.size(f["labels"]):
            raise DatasetFileError(
                path,
                f"adjacency {a.shape}, features {x.shape} and "
                f"{np.size(f['labels'])} labels disagree on the number "
                "of nodes",
            )
        a = clean_adjacency(a, self.dtype)
        x = x.astype(self.dtype)
        x.eliminate_zeros()
        if self.binarize:
            x.data[:] = 1
        if self.normalize_x:
            x = normalize_rows(x)
        x.sort_indices()
        y, _, _ = one_hot(f["labels"])
        return [single_graph(x, a, y.astype(self.dtype), self.sparse_features)]
