"""Empty, truncated and garbage dataset files: every kind of file the datasets
read (.npz, Planetoid pickles, TU text files, archives) raises a
DatasetFileError (a ValueError) that names the file and says what to do,
never a bare BadZipFile / UnpicklingError / ValueError. Files are made in
tmp_path; no test touches the network."""

import os
import tarfile
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp

import spektral_tv.datasets._readers as readers
from spektral_tv.datasets import DBLP, Bench, Citation, DatasetFileError, TUDataset
from test_datasets import (  # noqa: F401 - fixtures used by name
    _isolated_folders,
    fake_remote,
    no_network,
    write_bench,
    write_planetoid,
    write_tu,
    write_tu_zip,
)

HTML = b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n"


def empty(path):
    path.write_bytes(b"")


def truncated(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def garbage(path):
    path.write_bytes(HTML)  # what a failed download often saves instead


DAMAGES = [empty, truncated, garbage]


def check_error(err, path, *hints):
    """The error is a DatasetFileError (a ValueError) naming ``path`` and
    saying what to do (each of ``hints``)."""
    assert isinstance(err.value, ValueError)
    msg = str(err.value)
    assert str(path) in msg and err.value.path == str(path)
    for hint in hints:
        assert hint in msg, f"{hint!r} not in {msg!r}"


def assert_bad_file(make_dataset, path, *hints):
    """Building the dataset raises a DatasetFileError naming ``path``."""
    with pytest.raises(DatasetFileError) as err:
        make_dataset()
    check_error(err, path, *hints)


def write_dblp(path):
    a = sp.csr_matrix(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], dtype=np.float64))
    x = sp.csr_matrix(np.eye(3))
    np.savez(
        path,
        adj_data=a.data,
        adj_indices=a.indices,
        adj_indptr=a.indptr,
        adj_shape=a.shape,
        attr_data=x.data,
        attr_indices=x.indices,
        attr_indptr=x.indptr,
        attr_shape=x.shape,
        labels=np.array([0, 1, 1]),
    )


# ----------------------------------------------------------------------------
# .npz files
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("damage", DAMAGES)
def test_bad_dblp_npz(damage, tmp_path, no_network):
    folder = tmp_path / "data" / "Citation" / "dblp"
    folder.mkdir(parents=True)
    write_dblp(folder / "dblp.npz")
    assert DBLP()[0].n_nodes == 3  # the good file reads
    damage(folder / "dblp.npz")
    assert_bad_file(
        DBLP,
        folder / "dblp.npz",
        "Delete it to download it again",
        "https://github.com/abojchevski/graph2gauss/raw/master/data/dblp.npz",
    )
    assert no_network == []


@pytest.mark.parametrize("damage", DAMAGES)
def test_bad_bench_npz(damage, tmp_path, no_network):
    folder = tmp_path / "data" / "Bench"
    folder.mkdir(parents=True)
    write_bench(folder / "easy.npz")
    damage(folder / "easy.npz")
    assert_bad_file(lambda: Bench("easy"), folder / "easy.npz", "Delete it", "datasets/easy.npz")


def test_npz_of_another_dataset(tmp_path, no_network):
    folder = tmp_path / "data" / "Citation" / "dblp"
    folder.mkdir(parents=True)
    np.savez(folder / "dblp.npz", something=np.arange(3))
    with pytest.raises(DatasetFileError, match="has no array 'adj_data'") as err:
        DBLP()
    check_error(err, folder / "dblp.npz", "Delete it")


def test_empty_npz_message(tmp_path):
    path = tmp_path / "x.npz"
    empty(path)
    with pytest.raises(DatasetFileError, match=r"the file is empty \(0 bytes\)"):
        readers.load_npz_keys(str(path), ["a"])
    garbage(path)
    with pytest.raises(DatasetFileError, match="BadZipFile") as err:
        readers.load_npz_keys(str(path), ["a"])
    assert isinstance(err.value.__cause__, zipfile.BadZipFile)


# ----------------------------------------------------------------------------
# Planetoid files
# ----------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", ["allx", "graph", "ty", "test.index"])
@pytest.mark.parametrize("damage", DAMAGES)
def test_bad_planetoid_file(suffix, damage, tmp_path, no_network):
    folder = tmp_path / "data" / "Citation" / "pubmed"
    write_planetoid(folder, "pubmed")
    path = folder / f"ind.pubmed.{suffix}"
    damage(path)
    assert_bad_file(
        lambda: Citation("pubmed"),
        path,
        "Delete it to download it again",
        f"https://github.com/kimiyoung/planetoid/raw/master/data/ind.pubmed.{suffix}",
    )
    assert no_network == []


def test_planetoid_file_of_the_wrong_content(tmp_path, no_network):
    import pickle

    folder = tmp_path / "data" / "Citation" / "pubmed"
    write_planetoid(folder, "pubmed")
    with open(folder / "ind.pubmed.graph", "wb") as fh:
        pickle.dump([1, 2, 3], fh)
    with pytest.raises(DatasetFileError, match="not the dict") as err:
        Citation("pubmed")
    check_error(err, folder / "ind.pubmed.graph", "Delete it")
    with open(folder / "ind.pubmed.allx", "wb") as fh:
        pickle.dump("text", fh)
    with pytest.raises(DatasetFileError, match="2-D matrix") as err:
        Citation("pubmed")
    check_error(err, folder / "ind.pubmed.allx", "Delete it")
    write_planetoid(folder, "pubmed")
    (folder / "ind.pubmed.test.index").write_text("9\n7\n")  # lines lost at the end
    with pytest.raises(DatasetFileError, match="2 test indices") as err:
        Citation("pubmed")
    check_error(err, folder / "ind.pubmed.test.index")


# ----------------------------------------------------------------------------
# TU text files
# ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "kind", ["A", "graph_indicator", "graph_labels", "node_labels", "node_attributes"]
)
@pytest.mark.parametrize("damage", [empty, garbage])
def test_bad_tu_text_file(kind, damage, tmp_path, no_network):
    folder = tmp_path / "data" / "TUDataset" / "TOY"
    write_tu(folder, "TOY")
    path = folder / f"TOY_{kind}.txt"
    damage(path)
    assert_bad_file(
        lambda: TUDataset("TOY"),
        path,
        f"Delete the folder {folder}",
        "https://www.chrsmrrs.com/graphkerneldatasets/TOY.zip",
    )


@pytest.mark.parametrize(
    "kind,keep,match",
    [
        ("A", "1, 2\n2, 1\n2, ", "malformed"),  # cut inside a line
        ("graph_indicator", "1\n1\n1\n2\n2\n", "names 2 graphs"),  # cut at a line end
        ("node_labels", "0\n5\n5\n0\n", "4 lines, but the graph indicator has 9"),
        ("node_attributes", " 0.5, 0\n 1.5, -1\n 2.", "malformed"),
    ],
)
def test_truncated_tu_text_file(kind, keep, match, tmp_path, no_network):
    folder = tmp_path / "data" / "TUDataset" / "TOY"
    write_tu(folder, "TOY")
    path = folder / f"TOY_{kind}.txt"
    path.write_text(keep)
    with pytest.raises(DatasetFileError, match=match) as err:
        TUDataset("TOY")
    check_error(err, path, "Delete the folder")


# ----------------------------------------------------------------------------
# Archives
# ----------------------------------------------------------------------------
def write_tu_archive(tmp_path, archive):
    src = tmp_path / "src" / "TOY"
    write_tu(src, "TOY")
    archive.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive, "w:xz") as tf:
        tf.add(src, arcname="TOY")


@pytest.mark.parametrize("damage", DAMAGES)
def test_bad_archive_in_data_root(damage, tmp_path, no_network):
    archive = tmp_path / "data" / "TUDataset" / "TOY.tar.xz"
    write_tu_archive(tmp_path, archive)
    damage(archive)
    assert_bad_file(
        lambda: TUDataset("TOY"),
        archive,
        "Replace it with a complete copy of https://www.chrsmrrs.com/graphkerneldatasets/TOY.zip",
        "or delete it",
    )
    extracted = tmp_path / "cache" / "TUDataset" / "_extracted"
    assert not extracted.exists() or os.listdir(extracted) == []  # nothing half-written
    assert os.listdir(archive.parent) == ["TOY.tar.xz"]  # the data root is never written


def test_unsafe_archive_is_refused(tmp_path, no_network):
    import io

    archive = tmp_path / "data" / "TUDataset" / "TOY.tar.xz"
    archive.parent.mkdir(parents=True)
    with tarfile.open(archive, "w:xz") as tf:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 5
        tf.addfile(info, io.BytesIO(b"hello"))
    with pytest.raises(DatasetFileError, match="outside the destination") as err:
        TUDataset("TOY")
    check_error(err, archive)
    assert not (tmp_path / "cache" / "TUDataset" / "escape.txt").exists()


@pytest.mark.parametrize("damage", DAMAGES)
def test_bad_downloaded_archive(damage, tmp_path, fake_remote):
    remote, _, _ = fake_remote
    write_tu_zip(remote / "TOY.zip", tmp_path)
    damage(remote / "TOY.zip")
    parent = tmp_path / "spektral" / "TUDataset"
    assert_bad_file(
        lambda: TUDataset("TOY"),
        parent / "TOY.zip",
        "downloaded from https://www.chrsmrrs.com/graphkerneldatasets/TOY.zip",
        "has been deleted",
    )
    assert os.listdir(parent) == []  # neither the zip nor a partial dataset folder


def test_bad_file_in_extraction_cache(tmp_path, no_network):
    archive = tmp_path / "data" / "TUDataset" / "TOY.tar.xz"
    write_tu_archive(tmp_path, archive)
    ds = TUDataset("TOY")
    cached = os.path.join(ds.path, "TOY_graph_labels.txt")
    with open(cached, "w") as fh:
        fh.write("3\n1\nx\n")
    root = tmp_path / "cache" / "TUDataset" / "_extracted" / "TOY"
    assert_bad_file(lambda: TUDataset("TOY"), cached, f"delete {root} to extract it again")


# ----------------------------------------------------------------------------
# The readers alone
# ----------------------------------------------------------------------------
def test_read_numbers_refuses_empty_and_binary_files(tmp_path):
    path = tmp_path / "n.txt"
    empty(path)
    with pytest.raises(DatasetFileError, match="empty"):
        readers.read_numbers(str(path))
    path.write_text("\n  \n")
    with pytest.raises(DatasetFileError, match="empty"):
        readers.read_numbers(str(path))
    path.write_bytes(bytes(range(256)))
    with pytest.raises(DatasetFileError, match="n.txt"):
        readers.read_numbers(str(path), columns=2)


def test_missing_file_is_not_a_dataset_file_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        readers.load_pickle(str(tmp_path / "absent"))
    with pytest.raises(FileNotFoundError):
        readers.load_npz_keys(str(tmp_path / "absent.npz"), ["a"])
