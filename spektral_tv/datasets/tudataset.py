"""The TU Dortmund graph-classification benchmarks (Morris et al., 2020,
https://chrsmrrs.github.io/datasets/): PROTEINS, ENZYMES, MUTAG, Mutagenicity,
NCI1, D&D, IMDB-BINARY, REDDIT-BINARY, COLLAB, ...

Used in both papers' graph classification (MinCutPool §5.3 Table 2 and
App. C.2 Table 5; TVGNN §4.3 Table 2, App. B.2).

Files, in ``<root>/TUDataset/<NAME>/`` (the standard TU text format, 1-based
node ids)::

    NAME_A.txt                 one "i, j" line per (directed) edge
    NAME_graph_indicator.txt   graph id of each node
    NAME_graph_labels.txt      class of each graph (or NAME_graph_attributes.txt)
    NAME_node_labels.txt       optional, one-hot encoded into x
    NAME_node_attributes.txt   optional, float columns of x
    (edge labels / attributes are ignored)

A data root may instead hold ``TUDataset/NAME.tar.xz`` (``.tar.gz``, ``.tgz``,
``.tar``, ``.zip``): it is extracted once into the cache folder
(``$SPEKTRAL_TV_CACHE/TUDataset/``, default ``~/.cache/spektral_tv/TUDataset/``),
never next to the archive.
"""

import os
import os.path as osp
import shutil
import tempfile

import numpy as np
import scipy.sparse as sp
from spektral.data import Graph

from ._base import GraphLabelsMixin, LocalDataset
from ._download import download_first, extract_archive
from ._graph import float_dtype, one_hot
from ._paths import cache_folder, data_roots, find_file, missing_files
from ._readers import DatasetFileError, read_numbers

TU_URL = "https://www.chrsmrrs.com/graphkerneldatasets/{}.zip"
ARCHIVE_EXTENSIONS = (".tar.xz", ".tar.gz", ".tgz", ".tar.bz2", ".tar", ".zip")


class TUDataset(GraphLabelsMixin, LocalDataset):
    """A TU Dortmund graph-classification dataset as a Spektral ``Dataset``.

    **Arguments**

    - ``name``: the TU name, case as on the TU site (e.g. ``'PROTEINS'``,
      ``'DD'``, ``'IMDB-BINARY'``, ``'REDDIT-BINARY'``, ``'COLLAB'``);
    - ``node_attributes``, ``node_labels``: put the node attributes (floats)
      and the one-hot node labels in ``x`` (both default True; attributes
      first, as Spektral does);
    - ``dtype``: float dtype of ``x``, ``a`` and ``y`` (default float32);
    - ``allow_download``: if False, never download.

    **Each graph**: ``a`` scipy CSR (n, n), binary, symmetric, no self-loops
    (duplicate edges merged); ``x`` (n, F) or ``None`` for the featureless
    datasets (IMDB-BINARY, REDDIT-BINARY, COLLAB: see
    :func:`spektral_tv.datasets.degree_features`);
    ``y`` the one-hot graph class: the label values, whatever they are
    (``-1/1``, ``0/1``, ``1..C``), sorted and mapped to ``0..C-1``. With only
    ``NAME_graph_attributes.txt``, ``y`` holds those floats instead.

    **Attributes**: ``labels`` (G,) int class of each graph; ``label_values``
    the original label of each class index.
    """

    family = "TUDataset"

    def __init__(
        self,
        name,
        node_attributes=True,
        node_labels=True,
        dtype=np.float32,
        allow_download=True,
        **kwargs,
    ):
        name = str(name)
        if not name or "/" in name or "\\" in name or name.startswith("."):
            raise ValueError(f"invalid TU dataset name {name!r}")
        self.name = name
        self.node_attributes = bool(node_attributes)
        self.node_labels = bool(node_labels)
        self.dtype = float_dtype(dtype)
        self.label_values = None
        super().__init__(allow_download=allow_download, **kwargs)

    @staticmethod
    def available_datasets():
        """The TU datasets of the two papers (any other TU name works too, if
        its files are local or downloadable; no web page is consulted)."""
        return [
            "PROTEINS",
            "ENZYMES",
            "MUTAG",
            "Mutagenicity",
            "NCI1",
            "DD",
            "IMDB-BINARY",
            "REDDIT-BINARY",
            "COLLAB",
        ]

    # -- files ------------------------------------------------------------------
    def _relative(self):
        return f"TUDataset/{self.name}"

    def _required(self):
        return [f"{self.name}_A.txt", f"{self.name}_graph_indicator.txt"]

    def _urls(self, filename):
        return [TU_URL.format(self.name)]

    def _extraction_root(self):
        return osp.join(cache_folder(), "TUDataset", "_extracted", self.name)

    def _locate_extra(self, searched):
        """The extraction cache, then archives in the data roots."""
        required = self._required()
        root = self._extraction_root()
        cached = find_file(root, required[0]) if osp.isdir(root) else None
        if cached and not missing_files(cached, required):
            return cached
        searched.append(("extraction cache", root, required))
        for what, data_root in data_roots():
            for ext in ARCHIVE_EXTENSIONS:
                archive = osp.join(data_root, "TUDataset", self.name + ext)
                if not osp.isfile(archive):
                    continue
                if osp.isdir(root):  # a broken earlier extraction
                    shutil.rmtree(root)
                try:
                    extract_archive(archive, root)
                except DatasetFileError as error:
                    error.remedy = (
                        f"Replace it with a complete copy of {self._urls(None)[0]} "
                        "(any of the archive formats), or delete it to let the "
                        "dataset be downloaded."
                    )
                    raise
                folder = find_file(root, required[0])
                if folder and not missing_files(folder, required):
                    return folder
                searched.append((f"{what} archive", archive, ["(no complete dataset inside)"]))
        return None

    def _download_files(self):
        """Download NAME.zip from TU Dortmund, unpack it into Spektral's
        ``TUDataset/NAME/`` folder, delete the zip."""
        target = self.download_folder
        parent = osp.dirname(target)
        os.makedirs(parent, exist_ok=True)
        zip_path = osp.join(parent, self.name + ".zip")
        ok, attempts = download_first(self._urls(None), zip_path)
        if not ok:
            return False, attempts
        tmp = tempfile.mkdtemp(dir=parent, prefix=".unpack-")
        try:
            unpacked = osp.join(tmp, "x")
            try:
                extract_archive(zip_path, unpacked)
            except DatasetFileError as error:
                error.remedy = (
                    f"It was downloaded from {self._urls(None)[0]} and has been "
                    "deleted; load the dataset again to download it again, or "
                    "download and unpack it by hand into "
                    f"{self.download_folder}."
                )
                raise
            inner = find_file(unpacked, self._required()[0])
            if inner is None:
                problem = f"the zip holds no {self._required()[0]}"
                return False, [*attempts, (self._urls(None)[0], problem)]
            os.makedirs(target, exist_ok=True)
            for fname in os.listdir(inner):
                shutil.move(osp.join(inner, fname), osp.join(target, fname))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
            if osp.exists(zip_path):
                os.remove(zip_path)
        return True, attempts

    def _remedy(self, path):
        root = self._extraction_root()
        if osp.abspath(path).startswith(root + os.sep):
            return (
                f"It was extracted from an archive of a data folder: delete {root} "
                "to extract it again, and check the archive."
            )
        return (
            f"Delete the folder {osp.dirname(path)} to download the dataset again "
            f"(from {self._urls(None)[0]}), or replace the files with complete copies "
            "from there."
        )

    def _file(self, kind):
        return osp.join(self.path, f"{self.name}_{kind}.txt")

    # -- reading ----------------------------------------------------------------
    def read(self):
        graph_of = read_numbers(self._file("graph_indicator"), np.int64) - 1
        n_total = graph_of.size

        if osp.isfile(self._file("graph_labels")):
            raw = read_numbers(self._file("graph_labels"), np.int64)
            y, _, self.label_values = one_hot(raw)
            y = y.astype(self.dtype)
        elif osp.isfile(self._file("graph_attributes")):
            y = read_numbers(self._file("graph_attributes"), np.float64, columns="auto").astype(
                self.dtype
            )
        else:
            raise FileNotFoundError(
                f"{self.name}: neither {self._file('graph_labels')} nor "
                f"{self._file('graph_attributes')} exists"
            )
        n_graphs = y.shape[0]
        indicator = self._file("graph_indicator")
        if graph_of.min() < 0 or graph_of.max() >= n_graphs:
            raise DatasetFileError(
                indicator, f"graph ids out of range 1..{n_graphs} (the number of graph labels)"
            )
        if graph_of.max() + 1 < n_graphs:
            raise DatasetFileError(
                indicator,
                f"names {graph_of.max() + 1} graphs, but there "
                f"are {n_graphs} graph labels: one of the files is truncated",
            )

        # Nodes of one graph must be contiguous: reorder them if they are not.
        order = None
        if np.any(np.diff(graph_of) < 0):
            order = np.argsort(graph_of, kind="stable")
            graph_of = graph_of[order]
        n_nodes = np.bincount(graph_of, minlength=n_graphs)
        offsets = np.concatenate([[0], np.cumsum(n_nodes)])

        # Edges: symmetrize, drop self-loops and duplicates (one global CSR
        # whose diagonal blocks are the graphs).
        edges = read_numbers(self._file("A"), np.int64, columns=2)
        edges -= 1
        if edges.min() < 0 or edges.max() >= n_total:
            raise DatasetFileError(
                self._file("A"),
                f"node ids out of range 1..{n_total} (the number of lines of the graph indicator)",
            )
        index_dtype = np.int32 if n_total < 2**31 - 1 else np.int64
        if order is not None:
            new_id = np.empty(n_total, index_dtype)
            new_id[order] = np.arange(n_total)
            edges = new_id[edges]
        else:
            edges = edges.astype(index_dtype)
        src, dst = edges[:, 0], edges[:, 1]
        del edges
        if np.any(graph_of[src] != graph_of[dst]):
            raise DatasetFileError(
                self._file("A"), "an edge joins two graphs of the graph indicator"
            )
        keep = src != dst
        src, dst = src[keep], dst[keep]
        rows = np.concatenate([src, dst])
        cols = np.concatenate([dst, src])
        del src, dst, keep
        big = sp.csr_matrix((np.ones(rows.size, np.int8), (rows, cols)), shape=(n_total, n_total))
        del rows, cols
        big.sum_duplicates()
        big.sort_indices()
        indptr, indices = big.indptr.astype(np.int64), big.indices

        # Node features.
        parts = []
        if self.node_attributes and osp.isfile(self._file("node_attributes")):
            parts.append(self._node_file("node_attributes", np.float64, n_total))
        if self.node_labels and osp.isfile(self._file("node_labels")):
            node_labels = self._node_file("node_labels", np.int64, n_total)
            parts.extend(one_hot(col)[0] for col in node_labels.T)
        x_all = None
        if parts:
            x_all = np.concatenate(parts, axis=1).astype(self.dtype, copy=False)
            if order is not None:
                x_all = x_all[order]

        graphs = []
        for g in range(n_graphs):
            start, stop = offsets[g], offsets[g + 1]
            lo, hi = indptr[start], indptr[stop]
            a = sp.csr_matrix(
                (
                    np.ones(hi - lo, self.dtype),
                    indices[lo:hi] - start,
                    indptr[start : stop + 1] - lo,
                ),
                shape=(stop - start, stop - start),
            )
            x = None if x_all is None else x_all[start:stop]
            graphs.append(Graph(x=x, a=a, y=y[g]))
        return graphs

    def _node_file(self, kind, dtype, n_total):
        """The rows of a per-node file, one per line of the graph indicator."""
        values = read_numbers(self._file(kind), dtype, columns="auto")
        if values.shape[0] != n_total:
            raise DatasetFileError(
                self._file(kind),
                f"{values.shape[0]} lines, but the graph "
                f"indicator has {n_total}: one of the two is truncated",
            )
        return values

    # -- conveniences -------------------------------------------------------------
    @property
    def n_classes(self):
        return None if self.label_values is None else len(self.label_values)
