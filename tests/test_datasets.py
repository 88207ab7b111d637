"""spektral_tv.datasets: the real datasets on the shared offline files (with
sockets blocked), folder resolution, the download path against an offline
fake, the error messages, and the seeded synthetic graphs.

The real datasets are read from $SPEKTRAL_TV_DATA (or <repo>/../shared/data);
their tests skip, saying which file is missing, when the files are absent.
SPEKTRAL_TV_SKIP_SLOW=1 skips the three big TU datasets (about 10 s together).
No test touches the network, the user's ~/spektral folder or ~/.cache.
"""

import functools
import os
import pickle
import socket
import zipfile
from collections import defaultdict

import numpy as np
import pytest
import scipy.sparse as sp
import spektral.datasets.utils as spektral_utils
from sklearn.cluster import SpectralClustering
from sklearn.metrics import normalized_mutual_info_score

import spektral_tv.datasets._download as download
import spektral_tv.datasets._readers as readers
from spektral_tv.datasets import (
    DBLP,
    Bench,
    Citation,
    DatasetFileError,
    DatasetNotFoundError,
    TUDataset,
    community_graph,
    degree_features,
    grid2d,
    grid_graph,
    noisy_sbm,
    ring_graph,
    sbm,
)
from spektral_tv.datasets.synthetic import _triangle_pairs

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.abspath(
    os.environ.get("SPEKTRAL_TV_DATA") or os.path.join(REPO, "..", "shared", "data")
)
slow = pytest.mark.skipif(
    os.environ.get("SPEKTRAL_TV_SKIP_SLOW") == "1", reason="big dataset; SPEKTRAL_TV_SKIP_SLOW=1"
)


# ----------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _isolated_folders(monkeypatch, tmp_path):
    """Spektral's folder, the cache and $SPEKTRAL_TV_DATA all point into
    tmp_path: no test reads or writes the user's folders."""
    monkeypatch.setattr(spektral_utils, "DATASET_FOLDER", str(tmp_path / "spektral"))
    monkeypatch.setenv("SPEKTRAL_TV_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SPEKTRAL_TV_DATA", str(tmp_path / "data"))
    monkeypatch.delenv("SPEKTRAL_TV_OFFLINE", raising=False)


def _block_sockets(monkeypatch, attempts):
    def blocked(*args, **kwargs):
        attempts.append(("socket", args[:2]))
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket, "socket", blocked)
    monkeypatch.setattr(socket, "create_connection", blocked)
    monkeypatch.setattr(socket, "getaddrinfo", blocked)


@pytest.fixture
def no_network(monkeypatch):
    """Sockets raise, and so does the download function: returns the list of
    attempts, which a test asserts empty."""
    attempts = []
    _block_sockets(monkeypatch, attempts)

    def no_download(url, path, **kwargs):
        attempts.append(("download", url))
        raise OSError("download attempted in an offline test")

    monkeypatch.setattr(download, "download_url", no_download)
    return attempts


@pytest.fixture
def shared(monkeypatch):
    """$SPEKTRAL_TV_DATA = the shared offline data; a function that skips the
    test when one of the given files (relative to it) is missing."""
    if not os.path.isdir(SHARED):
        pytest.skip(f"shared data folder {SHARED} not found (set SPEKTRAL_TV_DATA)")
    monkeypatch.setenv("SPEKTRAL_TV_DATA", SHARED)

    def need(*relative):
        for rel in relative:
            if not os.path.exists(os.path.join(SHARED, rel)):
                pytest.skip(f"{rel} is not in the shared data folder {SHARED}")

    return need


@pytest.fixture
def fake_remote(monkeypatch, tmp_path):
    """A folder standing for the internet: download_url copies the file named
    like the URL's last part, and records every URL; URLs containing a string
    of `fail` raise like a 404."""
    remote = tmp_path / "remote"
    remote.mkdir()
    calls = []
    fail = []

    def fake_download(url, path, **kwargs):
        calls.append(url)
        if any(f in url for f in fail):
            raise OSError(f"HTTP Error 404: Not Found ({url})")
        src = remote / url.rsplit("/", 1)[-1]
        if not src.exists():
            raise OSError(f"HTTP Error 404: Not Found ({url})")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(src, "rb") as fi, open(path, "wb") as fo:
            fo.write(fi.read())
        return path

    monkeypatch.setattr(download, "download_url", fake_download)
    return remote, calls, fail


# ----------------------------------------------------------------------------
# Checks
# ----------------------------------------------------------------------------
def assert_clean_adjacency(a, n=None):
    assert sp.isspmatrix_csr(a) or isinstance(a, sp.csr_array)
    assert a.dtype == np.float32
    if n is not None:
        assert a.shape == (n, n)
    assert (a != a.T).nnz == 0, "not symmetric"
    assert not a.diagonal().any(), "self-loops"
    assert np.all(a.data == 1), "not binary"


def check_graph_dataset(ds):
    for g in ds:
        assert_clean_adjacency(g.a)
        if g.x is not None:
            assert g.x.dtype == np.float32 and g.x.shape[0] == g.a.shape[0]
        assert g.y.dtype == np.float32 and g.y.sum() == 1


# ----------------------------------------------------------------------------
# Real datasets on the shared files
# ----------------------------------------------------------------------------
CITATION = {  # N, F, C, undirected edges, train, unlabeled (papers' tables)
    "cora": (2708, 1433, 7, 5278, 140, 0),
    "citeseer": (3327, 3703, 6, 4552, 120, 15),
}


@pytest.mark.parametrize("name", sorted(CITATION))
def test_citation_shared_files(name, shared, no_network):
    shared(f"Citation/{name}/ind.{name}.allx")
    n, f, c, e, n_train, n_unlabeled = CITATION[name]
    ds = Citation(name)
    assert no_network == []
    assert ds.path == os.path.join(SHARED, "Citation", name)
    assert len(ds) == 1 and ds.n_nodes == n
    g = ds[0]
    assert isinstance(g.x, np.ndarray) and g.x.shape == (n, f) and g.x.dtype == np.float32
    assert_clean_adjacency(g.a, n)
    assert g.a.nnz // 2 == e
    assert g.y.shape == (n, c) and set(np.unique(g.y)) <= {0.0, 1.0}
    assert ds.n_classes == c and ds.labels.shape == (n,)
    assert (ds.labels == -1).sum() == n_unlabeled
    np.testing.assert_array_equal(ds.labels[ds.mask_labeled], g.y[ds.mask_labeled].argmax(1))
    assert (ds.mask_tr.sum(), ds.mask_va.sum(), ds.mask_te.sum()) == (n_train, 500, 1000)
    if n_unlabeled:  # Citeseer's test-range nodes absent from the test files
        lonely = ~ds.mask_labeled
        assert not g.x[lonely].any()
        assert not ds.mask_te[lonely].any()


def test_citation_sparse_features(shared, no_network):
    shared("Citation/cora/ind.cora.allx")
    dense = Citation("cora")[0].x
    ds = Citation("CORA", sparse_features=True, normalize_x=True)
    x = ds[0].x
    assert sp.issparse(x) and x.format == "csr" and x.dtype == np.float32
    assert ds.n_node_features == 1433
    from spektral.utils import sp_matrix_to_sp_tensor

    st = sp_matrix_to_sp_tensor(x)
    assert tuple(st.shape) == (2708, 1433) and st.values.shape[0] == x.nnz
    rows = dense.sum(1, keepdims=True)
    np.testing.assert_allclose(x.toarray(), dense / np.where(rows == 0, 1, rows), rtol=1e-6)
    assert no_network == []


def test_dblp_shared_file(shared, no_network):
    shared("Citation/dblp/dblp.npz")
    ds = DBLP()
    assert no_network == []
    g = ds[0]
    assert g.x.shape == (17716, 1639) and g.x.dtype == np.float32
    assert set(np.unique(g.x)) == {0.0, 1.0}  # binarized TF-IDF
    assert_clean_adjacency(g.a, 17716)
    assert g.a.nnz // 2 == 52867
    assert g.y.shape == (17716, 4) and ds.n_classes == 4
    np.testing.assert_array_equal(np.bincount(ds.labels), [7920, 5645, 1982, 2169])
    assert sp.issparse(DBLP(sparse_features=True)[0].x)


# name: graphs, classes, node features (None: featureless), mean nodes, mean edges
TU = {
    "MUTAG": (188, 2, 7, 17.93, 19.79),
    "PROTEINS": (1113, 2, 4, 39.06, 72.82),
    "ENZYMES": (600, 6, 21, 32.63, 62.14),
    "NCI1": (4110, 2, 37, 29.87, 32.30),
    "Mutagenicity": (4337, 2, 14, 30.32, 30.77),
    "IMDB-BINARY": (1000, 2, None, 19.77, 96.53),
    "DD": (1178, 2, 82, 284.32, 715.66),
    "REDDIT-BINARY": (2000, 2, None, 429.63, 497.75),
}


@pytest.mark.parametrize(
    "name", [n if n not in ("DD", "REDDIT-BINARY") else pytest.param(n, marks=slow) for n in TU]
)
def test_tudataset_shared_files(name, shared, no_network):
    shared(f"TUDataset/{name}/{name}_A.txt")
    n_graphs, n_classes, n_features, mean_nodes, mean_edges = TU[name]
    ds = TUDataset(name)
    assert no_network == []
    assert len(ds) == n_graphs
    assert ds.n_labels == n_classes == ds.n_classes
    assert ds.n_node_features == n_features
    assert np.bincount(ds.labels, minlength=n_classes).min() > 0
    nodes = ds.map(lambda g: g.n_nodes)
    edges = ds.map(lambda g: g.a.nnz // 2)
    assert np.mean(nodes) == pytest.approx(mean_nodes, abs=0.005)
    assert np.mean(edges) == pytest.approx(mean_edges, abs=0.005)
    indicator = os.path.join(SHARED, "TUDataset", name, f"{name}_graph_indicator.txt")
    assert sum(nodes) == readers.read_numbers(indicator).size
    check_graph_dataset(ds)
    if n_features is None:
        assert all(g.x is None for g in ds)


@slow
def test_collab_archive_extracted_to_cache(shared, no_network, tmp_path, monkeypatch):
    shared("TUDataset/COLLAB.tar.xz")
    before = sorted(os.listdir(os.path.join(SHARED, "TUDataset")))
    ds = TUDataset("COLLAB")
    assert no_network == []
    assert ds.path.startswith(str(tmp_path / "cache"))  # never the data folder
    assert sorted(os.listdir(os.path.join(SHARED, "TUDataset"))) == before
    assert len(ds) == 5000 and ds.n_classes == 3 and ds.n_node_features is None
    assert np.mean(ds.map(lambda g: g.n_nodes)) == pytest.approx(74.49, abs=0.005)
    # Table 5 of paper 000 counts 2457.78 edges a graph: the file's 2837
    # self-loops included; without them 2457.22.
    assert np.mean(ds.map(lambda g: g.a.nnz // 2)) == pytest.approx(2457.22, abs=0.005)
    assert all(not g.a.diagonal().any() for g in ds[:50])
    # Second load: straight from the cache, no new extraction.
    import spektral_tv.datasets.tudataset as tumod

    monkeypatch.setattr(tumod, "extract_archive", lambda *a: pytest.fail("extracted twice"))
    monkeypatch.setattr(TUDataset, "read", lambda self: [])  # resolution only
    assert TUDataset("COLLAB", allow_download=False).path == ds.path


@pytest.mark.parametrize(
    "name,sizes", [("easy_small", (239, 30, 31)), ("hard_small", (245, 29, 26))]
)
def test_bench_shared_files(name, sizes, shared, no_network):
    shared(f"Bench/{name}.npz")
    ds = Bench(name)
    assert no_network == []
    assert len(ds) == 300 and ds.n_node_features == 5 and ds.n_labels == 3
    assert tuple(len(ds.splits[s]) for s in ("train", "val", "test")) == sizes
    every = np.concatenate([ds.splits[s] for s in ("train", "val", "test")])
    np.testing.assert_array_equal(every, np.arange(300))
    np.testing.assert_array_equal(np.bincount(ds.labels), [100, 100, 100])
    test_set = ds[ds.splits["test"]]
    assert len(test_set) == sizes[2] and test_set[0] is ds[sizes[0] + sizes[1]]
    check_graph_dataset(ds)
    assert all(39 <= g.n_nodes <= 78 for g in ds)  # "between 40 and 80" nodes


def test_spektral_loaders_accept_the_graphs(shared, no_network):
    from spektral.data import DisjointLoader, SingleLoader

    shared("TUDataset/MUTAG/MUTAG_A.txt", "Citation/cora/ind.cora.allx")
    (x, a, i), y = next(
        iter(DisjointLoader(TUDataset("MUTAG"), batch_size=4, epochs=1, shuffle=False))
    )
    assert x.shape[1] == 7 and a.shape[0] == x.shape[0] == i.shape[0] and y.shape == (4, 2)
    (x, a), y = next(iter(SingleLoader(Citation("cora"), epochs=1)))
    assert x.shape == (2708, 1433) and a.shape == (2708, 2708) and y.shape == (2708, 7)


def test_degree_features_on_imdb(shared, no_network):
    shared("TUDataset/IMDB-BINARY/IMDB-BINARY_A.txt")
    ds = TUDataset("IMDB-BINARY", transforms=functools.partial(degree_features, max_degree=20))
    assert ds.n_node_features == 21
    g = ds[0]
    np.testing.assert_array_equal(g.x.argmax(1), np.minimum(np.diff(g.a.indptr), 20))


# ----------------------------------------------------------------------------
# Small fake datasets, written in tmp folders
# ----------------------------------------------------------------------------
def write_planetoid(folder, name):
    """Planetoid files of a 12-node graph; node 8 is in the test range but in
    no file (like Citeseer's isolated nodes). Returns the true x, y, edges."""
    folder.mkdir(parents=True, exist_ok=True)
    n, f, c = 12, 4, 3
    rng = np.random.default_rng(0)
    x = rng.random((n, f)).astype(np.float32) + 0.1
    labels = np.arange(n) % c
    x[8] = 0
    y = np.eye(c, dtype=np.int32)[labels]
    y[8] = 0
    test_index = np.array([9, 7, 11, 6, 10])  # unsorted, as in Planetoid
    objects = {
        "x": sp.csr_matrix(x[:3]),
        "y": y[:3],
        "allx": sp.csr_matrix(x[:6]),
        "ally": y[:6],
        "tx": sp.csr_matrix(x[test_index]),
        "ty": y[test_index],
    }
    graph = defaultdict(list)
    edges = [
        (0, 1),
        (1, 0),
        (1, 2),
        (2, 3),
        (3, 3),
        (4, 5),
        (5, 4),
        (5, 4),
        (6, 7),
        (7, 9),
        (9, 10),
        (10, 11),
        (0, 11),
    ]
    for s, t in edges:  # one-directional, duplicated and self-loop edges
        graph[s].append(t)
    objects["graph"] = graph
    for suffix, obj in objects.items():
        with open(folder / f"ind.{name}.{suffix}", "wb") as fh:
            pickle.dump(obj, fh, protocol=2)
    (folder / f"ind.{name}.test.index").write_text("\n".join(str(i) for i in test_index) + "\n")
    true_edges = {tuple(sorted(e)) for e in edges if e[0] != e[1]}
    return x, labels, true_edges


def check_fake_planetoid(ds, x, labels, true_edges):
    g = ds[0]
    np.testing.assert_allclose(g.x, x)
    expected = labels.copy()
    expected[8] = -1
    np.testing.assert_array_equal(ds.labels, expected)
    assert_clean_adjacency(g.a, 12)
    r, c = sp.triu(g.a).nonzero()
    assert set(zip(r.tolist(), c.tolist())) == true_edges
    assert ds.mask_tr.sum() == 3 and ds.mask_te.sum() == 5
    np.testing.assert_array_equal(np.flatnonzero(ds.mask_te), [6, 7, 9, 10, 11])


def test_pubmed_loader_on_small_planetoid_files(tmp_path, no_network):
    x, labels, edges = write_planetoid(tmp_path / "data" / "Citation" / "pubmed", "pubmed")
    ds = Citation("pubmed")
    assert no_network == []
    assert ds.path == str(tmp_path / "data" / "Citation" / "pubmed")
    check_fake_planetoid(ds, x, labels, edges)


def test_citation_download_path(tmp_path, fake_remote):
    remote, calls, fail = fake_remote
    x, labels, edges = write_planetoid(remote, "pubmed")
    fail.append("kimiyoung")  # the first mirror fails: the second one is used
    ds = Citation("pubmed")
    target = tmp_path / "spektral" / "Citation" / "pubmed"
    assert ds.path == str(target)
    assert len(calls) == 16
    assert all(
        u.startswith("https://github.com/kimiyoung/planetoid/raw/master/data/ind.pubmed.")
        for u in calls[::2]
    )
    assert all(
        u.startswith("https://github.com/tkipf/gcn/raw/master/gcn/data/ind.pubmed.")
        for u in calls[1::2]
    )
    check_fake_planetoid(ds, x, labels, edges)
    assert not [f for f in os.listdir(target) if f.startswith(".part")]
    calls.clear()
    Citation("pubmed")  # now found in Spektral's folder: no download
    assert calls == []


def write_tu(folder, name):
    """A 3-graph TU dataset: labels 1..3, node labels and attributes,
    one-directional, duplicated and self-loop edges."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}_graph_indicator.txt").write_text("1\n1\n1\n2\n2\n3\n3\n3\n3\n")
    (folder / f"{name}_A.txt").write_text(
        "1, 2\n2, 1\n2, 3\n3, 3\n4, 5\n4, 5\n6, 7\n7, 8\n8, 9\n9, 6\n"
    )
    (folder / f"{name}_graph_labels.txt").write_text("3\n1\n2\n")
    (folder / f"{name}_node_labels.txt").write_text("0\n5\n5\n0\n2\n2\n0\n5\n2\n")
    (folder / f"{name}_node_attributes.txt").write_text(
        "".join(f" {i}.5, {-i}\n" for i in range(9))
    )
    (folder / f"{name}_edge_labels.txt").write_text("1\n" * 10)


def check_fake_tu(ds):
    assert len(ds) == 3
    np.testing.assert_array_equal(ds.labels, [2, 0, 1])
    np.testing.assert_array_equal(ds.label_values, [1, 2, 3])
    assert [g.n_nodes for g in ds] == [3, 2, 4]
    assert [g.a.nnz // 2 for g in ds] == [2, 1, 4]
    check_graph_dataset(ds)
    x = np.concatenate([g.x for g in ds])
    np.testing.assert_allclose(x[:, 0], np.arange(9) + 0.5)
    np.testing.assert_allclose(x[:, 1], -np.arange(9))
    np.testing.assert_array_equal(x[:, 2:].argmax(1), [0, 2, 2, 0, 1, 1, 0, 2, 1])
    assert x.shape[1] == 5


def test_tudataset_parsing_on_small_files(tmp_path, no_network):
    write_tu(tmp_path / "data" / "TUDataset" / "TOY", "TOY")
    ds = TUDataset("TOY")
    assert no_network == []
    check_fake_tu(ds)
    only_labels = TUDataset("TOY", node_attributes=False)
    assert only_labels.n_node_features == 3
    assert TUDataset("TOY", node_attributes=False, node_labels=False)[0].x is None


def test_tudataset_unsorted_indicator(tmp_path, no_network):
    folder = tmp_path / "data" / "TUDataset" / "MIX"
    folder.mkdir(parents=True)
    (folder / "MIX_graph_indicator.txt").write_text("2\n1\n2\n1\n")
    (folder / "MIX_A.txt").write_text("1, 3\n2, 4\n")
    (folder / "MIX_graph_labels.txt").write_text("-1\n1\n")
    (folder / "MIX_node_attributes.txt").write_text("0\n1\n2\n3\n")
    ds = TUDataset("MIX")
    np.testing.assert_array_equal(ds[0].x[:, 0], [1, 3])  # graph 1: nodes 2, 4
    np.testing.assert_array_equal(ds[1].x[:, 0], [0, 2])
    assert all(g.a.nnz == 2 for g in ds)
    np.testing.assert_array_equal(ds.labels, [0, 1])
    (folder / "MIX_A.txt").write_text("1, 2\n")  # joins graphs 2 and 1
    with pytest.raises(ValueError, match="joins two graphs"):
        TUDataset("MIX")


def write_tu_zip(path, scratch):
    """The TU zip of :func:`write_tu`'s TOY dataset, as TU Dortmund serves it
    (one folder TOY/ inside); ``scratch`` a folder for the source files."""
    src = scratch / "zipsrc" / "TOY"
    write_tu(src, "TOY")
    with zipfile.ZipFile(path, "w") as zf:
        for f in sorted(os.listdir(src)):
            zf.write(src / f, f"TOY/{f}")


def test_tudataset_download_path(tmp_path, fake_remote):
    remote, calls, _ = fake_remote
    write_tu_zip(remote / "TOY.zip", tmp_path)
    ds = TUDataset("TOY")
    assert calls == ["https://www.chrsmrrs.com/graphkerneldatasets/TOY.zip"]
    target = tmp_path / "spektral" / "TUDataset" / "TOY"
    assert ds.path == str(target)
    assert os.path.isfile(target / "TOY_A.txt")
    assert not os.path.exists(tmp_path / "spektral" / "TUDataset" / "TOY.zip")
    check_fake_tu(ds)


def test_tudataset_archive_in_data_root(tmp_path, no_network):
    import tarfile

    src = tmp_path / "tarsrc" / "TOY"
    write_tu(src, "TOY")
    (tmp_path / "data" / "TUDataset").mkdir(parents=True)
    with tarfile.open(tmp_path / "data" / "TUDataset" / "TOY.tar.xz", "w:xz") as tf:
        tf.add(src, arcname="TOY")
    ds = TUDataset("TOY")
    assert ds.path.startswith(str(tmp_path / "cache"))
    assert os.listdir(tmp_path / "data" / "TUDataset") == ["TOY.tar.xz"]
    check_fake_tu(ds)
    assert no_network == []


def test_resolution_order(tmp_path, no_network, monkeypatch):
    write_tu(tmp_path / "spektral" / "TUDataset" / "TOY", "TOY")
    assert TUDataset("TOY").path == str(tmp_path / "spektral" / "TUDataset" / "TOY")
    write_tu(tmp_path / "data" / "TUDataset" / "TOY", "TOY")
    assert TUDataset("TOY").path == str(tmp_path / "data" / "TUDataset" / "TOY")
    # Several roots in $SPEKTRAL_TV_DATA: the first one holding the files wins.
    write_tu(tmp_path / "other" / "TUDataset" / "TOY", "TOY")
    monkeypatch.setenv(
        "SPEKTRAL_TV_DATA",
        os.pathsep.join(
            [str(tmp_path / "empty"), str(tmp_path / "other"), str(tmp_path / "data")]
        ),
    )
    assert TUDataset("TOY").path == str(tmp_path / "other" / "TUDataset" / "TOY")
    assert no_network == []


def write_bench(path):
    rng = np.random.default_rng(0)
    data = {}
    for prefix, n in (("tr", 4), ("val", 2), ("te", 3)):
        adjs, feats = [], []
        for _ in range(n):
            k = int(rng.integers(3, 7))
            a = np.triu(rng.random((k, k)) < 0.5, 1)
            adjs.append(sp.csr_matrix((a + a.T).astype(np.float32)))
            feats.append(np.eye(5, dtype=np.float32)[rng.integers(0, 5, k)])
        data[f"{prefix}_adj"] = np.array(adjs + [None], dtype=object)[:-1]
        data[f"{prefix}_feat"] = np.array(feats + [None], dtype=object)[:-1]
        data[f"{prefix}_class"] = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    np.savez(path, **data)
    return data


def test_bench_download_path(tmp_path, fake_remote):
    remote, calls, _ = fake_remote
    data = write_bench(remote / "hard.npz")
    ds = Bench("hard")
    assert calls == [
        (
            "https://github.com/FilippoMB/Benchmark_dataset_for_graph_classification/"
            "raw/master/datasets/hard.npz"
        )
    ]
    assert ds.path == str(tmp_path / "spektral" / "Bench")
    assert len(ds) == 9
    assert {k: v.tolist() for k, v in ds.splits.items()} == {
        "train": [0, 1, 2, 3],
        "val": [4, 5],
        "test": [6, 7, 8],
    }
    np.testing.assert_array_equal(ds[5].x, data["val_feat"][1])
    np.testing.assert_array_equal(ds[5].a.toarray(), data["val_adj"][1].toarray())
    check_graph_dataset(ds)


def test_dblp_download_path(tmp_path, fake_remote):
    remote, calls, fail = fake_remote
    a = sp.csr_matrix(
        np.array([[0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 1, 0], [1, 0, 0, 0]], dtype=np.float64)
    )
    x = sp.csr_matrix(np.array([[0.5, 0, 0], [0, 0.2, 0], [0, 0, 0], [0.1, 0.1, 0.1]]))
    np.savez(
        remote / "dblp.npz",
        adj_data=a.data,
        adj_indices=a.indices,
        adj_indptr=a.indptr,
        adj_shape=a.shape,
        attr_data=x.data,
        attr_indices=x.indices,
        attr_indptr=x.indptr,
        attr_shape=x.shape,
        labels=np.array([0, 1, 1, 3]),
    )
    fail.append("graph2gauss")
    ds = DBLP()
    assert calls == [
        "https://github.com/abojchevski/graph2gauss/raw/master/data/dblp.npz",
        "https://raw.githubusercontent.com/EdisonLeeeee/GraphData/master/datasets/dblp.npz",
    ]
    g = ds[0]
    assert_clean_adjacency(g.a, 4)
    assert g.a.nnz == 6  # 0-1, 1-2, 0-3 both ways; the self-loop 2-2 dropped
    np.testing.assert_array_equal(g.x, (x.toarray() > 0).astype(np.float32))
    np.testing.assert_array_equal(ds.labels, [0, 1, 1, 2])  # classes 0, 1, 3 -> 0..2


# ----------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------
def test_missing_files_error_names_folders_and_urls(tmp_path, monkeypatch):
    """Downloads allowed, network down: the real download function runs with
    sockets blocked, and the error names every folder searched and URL tried."""
    attempts = []
    _block_sockets(monkeypatch, attempts)
    with pytest.raises(DatasetNotFoundError) as err:
        TUDataset("PROTEINS")
    msg = str(err.value)
    assert attempts, "the download was not attempted"
    assert str(tmp_path / "data" / "TUDataset" / "PROTEINS") in msg
    assert str(tmp_path / "spektral" / "TUDataset" / "PROTEINS") in msg
    assert "$SPEKTRAL_TV_DATA" in msg and "Spektral's dataset folder" in msg
    assert "https://www.chrsmrrs.com/graphkerneldatasets/PROTEINS.zip" in msg
    assert "PROTEINS_A.txt" in msg
    assert isinstance(err.value, FileNotFoundError)
    leftovers = tmp_path / "spektral" / "TUDataset"
    assert not leftovers.exists() or os.listdir(leftovers) == []  # no partial file


@pytest.mark.parametrize(
    "make,relative,url_part",
    [
        (lambda **k: Citation("citeseer", **k), "Citation/citeseer", "ind.citeseer.allx"),
        (lambda **k: DBLP(**k), "Citation/dblp", "dblp.npz"),
        (lambda **k: Bench("easy", **k), "Bench", "datasets/easy.npz"),
    ],
)
def test_missing_files_error_without_download(make, relative, url_part, tmp_path, no_network):
    with pytest.raises(DatasetNotFoundError) as err:
        make(allow_download=False)
    msg = str(err.value)
    assert str(tmp_path / "data" / relative) in msg
    assert str(tmp_path / "spektral" / relative) in msg
    assert "Downloads are disabled" in msg and url_part in msg
    assert no_network == []


def test_offline_environment_variable(monkeypatch, no_network):
    monkeypatch.setenv("SPEKTRAL_TV_OFFLINE", "1")
    with pytest.raises(DatasetNotFoundError, match="Downloads are disabled"):
        Citation("cora")
    assert no_network == []


def test_failed_download_lists_every_url(fake_remote):
    _, calls, fail = fake_remote
    fail.append("https://")
    with pytest.raises(DatasetNotFoundError) as err:
        DBLP()
    assert len(calls) == 2 and all(u in str(err.value) for u in calls)
    assert "404" in str(err.value)


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown citation dataset"):
        Citation("arxiv")
    with pytest.raises(ValueError, match="unknown Bench dataset"):
        Bench("medium")
    with pytest.raises(ValueError, match="invalid TU dataset name"):
        TUDataset("../PROTEINS")


def test_dtype_argument(tmp_path, no_network):
    import tensorflow as tf

    write_tu(tmp_path / "data" / "TUDataset" / "TOY", "TOY")
    assert TUDataset("TOY", dtype=tf.float64)[0].x.dtype == np.float64
    assert TUDataset("TOY", dtype="float16")[0].a.dtype == np.float16
    for make in (
        lambda: TUDataset("TOY", dtype="int32"),
        lambda: Citation("cora", dtype=np.int64),
        lambda: Bench("easy", dtype="nonsense"),
    ):
        with pytest.raises(ValueError, match="dtype must be a float dtype"):
            make()


def test_download_url_reads_file_urls(tmp_path):
    """The real download function, on a file:// URL (no network)."""
    src = tmp_path / "src.bin"
    src.write_bytes(b"\x00\x01" * 1000)
    out = download.download_url(src.as_uri(), str(tmp_path / "d" / "out.bin"))
    with open(out, "rb") as fh:
        assert fh.read() == src.read_bytes()
    with pytest.raises(OSError):
        download.download_url((tmp_path / "absent").as_uri(), str(tmp_path / "d" / "x"))
    assert sorted(os.listdir(tmp_path / "d")) == ["out.bin"]  # no partial file


def test_restricted_unpickler_refuses_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.getcwd, ())

    path = tmp_path / "evil.pkl"
    path.write_bytes(pickle.dumps(Evil()))
    with pytest.raises(DatasetFileError, match="refusing"):
        readers.load_pickle(str(path))
    np.savez(tmp_path / "evil.npz", tr_adj=np.array([Evil(), Evil()], dtype=object))
    with pytest.raises(DatasetFileError, match="refusing"):
        readers.load_npz_keys(str(tmp_path / "evil.npz"), ["tr_adj"])


def test_read_numbers_formats(tmp_path):
    p = tmp_path / "n.txt"
    p.write_text("1, 2\n3,4\n 5 ,  6\n")
    np.testing.assert_array_equal(
        readers.read_numbers(str(p), columns=2), [[1, 2], [3, 4], [5, 6]]
    )
    p.write_text("1 2\n3 4\n")  # whitespace-separated: the fallback parser
    np.testing.assert_array_equal(readers.read_numbers(str(p), columns="auto"), [[1, 2], [3, 4]])
    p.write_text("-1\n1\n")
    np.testing.assert_array_equal(readers.read_numbers(str(p)), [-1, 1])
    p.write_text("1, 2\n3\n")
    with pytest.raises(ValueError):
        readers.read_numbers(str(p), columns=2)
    p.write_text("1, x\n")
    with pytest.raises(ValueError, match="malformed"):
        readers.read_numbers(str(p), columns=2)


def test_degree_features():
    from spektral.data import Graph

    a = sp.csr_matrix(
        np.array([[0, 1, 1, 1], [1, 0, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0]], dtype=np.float32)
    )  # self-loop on 2
    g = Graph(a=a, y=np.array([1.0, 0.0]))
    out = degree_features(g, max_degree=2)
    assert g.x is None  # the input is not changed
    np.testing.assert_array_equal(out.x, np.eye(3, dtype=np.float32)[[2, 1, 1, 1]])
    assert out.y is g.y and out.a is g.a
    x = np.ones((4, 2), np.float32)
    both = degree_features(Graph(x=x, a=a.toarray()), max_degree=5)
    assert both.x.shape == (4, 8)
    np.testing.assert_array_equal(both.x[:, 2:].argmax(1), [3, 1, 1, 1])
    only = degree_features(Graph(x=x, a=a), max_degree=5, concatenate=False)
    assert only.x.shape == (4, 6)


# ----------------------------------------------------------------------------
# Synthetic graphs
# ----------------------------------------------------------------------------
def _cluster(a, k):
    return SpectralClustering(k, affinity="precomputed", random_state=0).fit_predict(a.toarray())


def test_triangle_pairs_enumerate_the_upper_triangle():
    for n in (2, 3, 7, 40):
        r, c = _triangle_pairs(np.arange(n * (n - 1) // 2), n)
        rr, cc = np.triu_indices(n, 1)
        np.testing.assert_array_equal(r, rr)
        np.testing.assert_array_equal(c, cc)
    n = 300_000  # big indices: no float round-off
    t = np.array([0, 1, n * (n - 1) // 2 - 1, 12_345_678_901, 4 * 10**10])
    r, c = _triangle_pairs(t, n)
    assert np.all((r < c) & (c < n))
    np.testing.assert_array_equal(r * (2 * n - r - 1) // 2 + c - r - 1, t)


def test_sbm():
    g = sbm([300, 200, 250], p_in=0.1, p_out=0.01, seed=3)
    n = 750
    assert g.x.shape == (n, n) and g.x.dtype == np.float32
    np.testing.assert_array_equal(g.x, np.eye(n))
    assert_clean_adjacency(g.a, n)
    np.testing.assert_array_equal(g.y, np.repeat([0, 1, 2], [300, 200, 250]))
    same = g.y[:, None] == g.y[None]
    dense = g.a.toarray() > 0
    p_in = dense[same].sum() / (same.sum() - n)
    p_out = dense[~same].sum() / (~same).sum()
    assert p_in == pytest.approx(0.1, rel=0.05) and p_out == pytest.approx(0.01, rel=0.1)
    # Same seed, same graph; another seed, another graph.
    again = sbm([300, 200, 250], p_in=0.1, p_out=0.01, seed=3)
    assert (again.a != g.a).nnz == 0
    assert (sbm([300, 200, 250], p_in=0.1, p_out=0.01, seed=4).a != g.a).nnz > 0
    noisy = sbm([40, 40, 40], 0.25, 0.02, n_features=8, seed=0)
    assert noisy.x.shape == (120, 8) and abs(noisy.x.mean()) < 0.2
    np.testing.assert_array_equal(noisy.x, sbm([40, 40, 40], 0.25, 0.02, n_features=8).x)
    assert normalized_mutual_info_score(noisy.y, _cluster(noisy.a, 3)) > 0.95
    with pytest.raises(ValueError):
        sbm([10, 10], 1.5, 0.1)


def test_noisy_sbm_matches_appendix_c2():
    g = noisy_sbm(seed=0)
    assert g.x.shape == (200, 3) and g.x.dtype == np.float32
    np.testing.assert_array_equal(np.bincount(g.y), [67, 67, 66])
    np.testing.assert_array_equal(g.x_clean, np.eye(3)[g.y])
    assert np.std(g.x - g.x_clean) == pytest.approx(1.5, rel=0.1)
    assert_clean_adjacency(g.a, 200)
    same = g.y[:, None] == g.y[None]
    dense = g.a.toarray() > 0
    assert dense[same].sum() / (same.sum() - 200) == pytest.approx(0.3, rel=0.1)
    assert dense[~same].sum() / (~same).sum() < 0.01
    # Labels are clean: the graph alone recovers them; the features do not.
    assert normalized_mutual_info_score(g.y, _cluster(g.a, 3)) > 0.95
    assert (g.x.argmax(1) == g.y).mean() < 0.8
    h = noisy_sbm(seed=0)
    np.testing.assert_array_equal(h.x, g.x)
    assert not np.array_equal(noisy_sbm(seed=1).x, g.x)
    assert (noisy_sbm(seed=0, noise_std=0.0).x == g.x_clean).all()


def test_community_graph_matches_figure_3():
    g = community_graph(seed=0)
    assert g.x.shape == (150, 2) and g.x.dtype == np.float32
    np.testing.assert_array_equal(g.pos, g.x)
    assert_clean_adjacency(g.a, 150)
    sizes = np.bincount(g.y)
    assert len(sizes) == 6 and sizes.min() >= 8 and sizes.sum() == 150
    assert np.all(np.diff(g.y) >= 0)  # numbered community by community
    coo = g.a.tocoo()
    inter = (g.y[coo.row] != g.y[coo.col]).sum() / coo.nnz
    assert 0 < inter < 0.1  # a few noise edges between communities
    assert normalized_mutual_info_score(g.y, _cluster(g.a, 6)) > 0.95
    again = community_graph(seed=0)
    np.testing.assert_array_equal(again.x, g.x)
    assert (again.a != g.a).nnz == 0
    assert not np.array_equal(community_graph(seed=1).x, g.x)
    assert len(np.unique(community_graph(n_nodes=400, seed=0).y)) == 10


def test_grids_and_ring():
    g = grid_graph()  # Fig. 3 (d-f): 15 x 10
    assert g.x.shape == (150, 2) and g.y is None
    assert_clean_adjacency(g.a, 150)
    assert g.a.nnz // 2 == 15 * 9 + 14 * 10
    deg = np.diff(g.a.indptr)
    assert sorted(np.unique(deg)) == [2, 3, 4] and (deg == 2).sum() == 4
    assert g.x.min() == 0 and g.x.max() == 1
    # Neighbours are one grid step apart.
    coo = g.a.tocoo()
    steps = np.abs(g.x[coo.row] - g.x[coo.col])
    assert np.allclose(np.sort(steps, 1)[:, 0], 0)
    big = grid2d()
    assert big.n_nodes == 900 and big.a.nnz // 2 == 2 * 30 * 29
    r = ring_graph()
    assert r.x.shape == (200, 2)
    assert_clean_adjacency(r.a, 200)
    assert np.all(np.diff(r.a.indptr) == 2)
    np.testing.assert_allclose(np.linalg.norm(r.x, axis=1), 1, rtol=1e-6)
    assert r.a[0, 199] == 1 and r.a[0, 1] == 1
    with pytest.raises(ValueError):
        ring_graph(2)
