"""Shared machinery of the offline-capable datasets: where the files are looked
for, the download (the only code here that touches the network), archive
extraction, fast text parsing, a restricted unpickler and graph clean-up.

Folder resolution (every dataset class):

1. ``$SPEKTRAL_TV_DATA/<Family>/<name>`` (the variable may hold several roots
   separated by ``os.pathsep``; each is laid out like Spektral's folder);
2. Spektral's own dataset folder ``spektral.datasets.utils.DATASET_FOLDER``
   (``~/spektral/datasets`` unless ``~/spektral/config.json`` says otherwise),
   read when a dataset is built, so it can be redirected at run time;
3. only when the files are missing everywhere: download from the dataset's
   real URLs into Spektral's folder (never into ``$SPEKTRAL_TV_DATA``).
   ``allow_download=False`` or ``SPEKTRAL_TV_OFFLINE=1`` forbid it.

If nothing works a :class:`DatasetNotFoundError` names every folder searched,
what each one lacked, and every URL tried.
"""
import io
import os
import os.path as osp
import pickle
import shutil
import tarfile
import tempfile
import urllib.request
import zipfile

import numpy as np
import scipy.sparse as sp
from spektral.data import Dataset

ENV_DATA = "SPEKTRAL_TV_DATA"
ENV_CACHE = "SPEKTRAL_TV_CACHE"
ENV_OFFLINE = "SPEKTRAL_TV_OFFLINE"
DOWNLOAD_TIMEOUT = 60  # seconds, per connection attempt / read


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset are in none of the folders searched, and could
    not be downloaded (or downloads are disabled)."""


# ----------------------------------------------------------------------------
# Folders
# ----------------------------------------------------------------------------
def spektral_dataset_folder():
    """Spektral's dataset folder, read now (tests may redirect it)."""
    from spektral.datasets import utils as spektral_utils

    return osp.expanduser(spektral_utils.DATASET_FOLDER)


def data_roots():
    """The roots searched, in order, as ``(description, path)`` pairs."""
    roots = []
    env = os.environ.get(ENV_DATA, "")
    for i, root in enumerate(p for p in env.split(os.pathsep) if p.strip()):
        what = "$" + ENV_DATA + ("" if i == 0 else f" (entry {i + 1})")
        roots.append((what, osp.abspath(osp.expanduser(root))))
    roots.append(("Spektral's dataset folder", spektral_dataset_folder()))
    return roots


def cache_folder():
    """Where archives found in a data root are extracted (never the data root):
    ``$SPEKTRAL_TV_CACHE``, else ``$XDG_CACHE_HOME/spektral_tv``, else
    ``~/.cache/spektral_tv``."""
    if os.environ.get(ENV_CACHE):
        return osp.abspath(osp.expanduser(os.environ[ENV_CACHE]))
    base = os.environ.get("XDG_CACHE_HOME") or osp.join("~", ".cache")
    return osp.abspath(osp.expanduser(osp.join(base, "spektral_tv")))


def downloads_allowed(allow_download=True):
    flag = os.environ.get(ENV_OFFLINE, "").strip().lower()
    return bool(allow_download) and flag not in ("1", "true", "yes", "on")


def missing_files(folder, files):
    return [f for f in files if not osp.isfile(osp.join(folder, f))]


def describe_search(searched):
    """Lines for the error message: one per ``(what, folder, missing)``."""
    lines = []
    for what, folder, missing in searched:
        if not osp.isdir(folder):
            state = "folder does not exist"
        else:
            state = "missing " + ", ".join(missing)
        lines.append(f"  - {what}: {folder} ({state})")
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# Download (the only network access of the package)
# ----------------------------------------------------------------------------
def download_url(url, path, timeout=DOWNLOAD_TIMEOUT):
    """Download ``url`` to the file ``path`` (atomically: a partial download
    never looks like a complete file). Raises ``OSError`` (``URLError``,
    ``HTTPError``, ``TimeoutError``...) on failure. Tests replace this function
    to stay offline."""
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, \
                urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out, length=1 << 20)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    return path


def download_first(urls, path):
    """Try each URL in turn until one downloads to ``path``.

    Returns ``(ok, attempts)`` with ``attempts`` a list of ``(url, error)``
    (``error`` is None for the URL that worked)."""
    import sys

    attempts = []
    for url in urls:
        print(f"spektral_tv: downloading {url} -> {path}", file=sys.stderr)
        try:
            download_url(url, path)  # a module global: tests replace it
        except Exception as e:  # noqa: BLE001 - reported to the user
            attempts.append((url, f"{type(e).__name__}: {e}"))
            continue
        attempts.append((url, None))
        return True, attempts
    return False, attempts


# ----------------------------------------------------------------------------
# Archives
# ----------------------------------------------------------------------------
def extract_archive(archive, dest):
    """Extract a .zip / .tar.* archive into ``dest`` safely (no absolute paths,
    no ``..``, no links out of ``dest``), through a temporary folder renamed
    into place, so an interrupted extraction leaves nothing half-written."""
    dest = osp.abspath(dest)
    parent = osp.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=".extract-")
    try:
        if zipfile.is_zipfile(archive):
            with zipfile.ZipFile(archive) as zf:
                for member in zf.namelist():
                    target = osp.abspath(osp.join(tmp, member))
                    if not (target == tmp or target.startswith(tmp + os.sep)):
                        raise ValueError(f"unsafe path {member!r} in {archive}")
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp, filter="data")
        if osp.isdir(dest):  # another process finished first
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest


def find_file(root, filename):
    """The folder under ``root`` (recursively, shallowest first) holding
    ``filename``, or None."""
    best = None
    for folder, _, files in os.walk(root):
        if filename in files:
            depth = folder.count(os.sep)
            if best is None or depth < best[0]:
                best = (depth, folder)
    return None if best is None else best[1]


# ----------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------
def read_numbers(path, dtype=np.int64, columns=None):
    """Parse a text file of numbers, one row a line, columns separated by
    commas (and/or spaces): the TU format. Returns a 1-D array
    (``columns=None``), or a 2-D one of ``columns`` columns (``"auto"``: as
    many as the file has).

    NumPy >= 1.23's ``np.loadtxt`` is a C parser (measured here: 1.7 s for
    COLLAB's 347 MB edge file, 0.1 s for REDDIT-BINARY's), faster than
    ``np.fromstring`` on the text with commas replaced (3.5 s / 0.24 s), which
    is the fallback for files ``loadtxt`` rejects (e.g. whitespace-separated
    columns)."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # empty file
            values = np.loadtxt(path, dtype=dtype, delimiter=",", ndmin=2)
    except ValueError:
        values = _read_numbers_fromstring(path, dtype)
    if columns is None:
        return values.reshape(-1)
    if columns == "auto":
        return values
    if values.size == 0:
        return values.reshape(0, columns)
    if values.shape[1] != columns:
        raise ValueError(f"malformed number file {path}: {values.shape[1]} "
                         f"columns, expected {columns}")
    return values


def _read_numbers_fromstring(path, dtype):
    with open(path, "rb") as f:
        text = f.read()
    columns = 1
    for line in text.splitlines():
        if line.strip():
            columns = len(line.replace(b",", b" ").split())
            break
    try:
        values = np.fromstring(text.replace(b",", b" "), dtype=dtype, sep=" ")
    except ValueError as e:
        raise ValueError(f"malformed number file {path}: {e}") from None
    if values.size % columns:
        raise ValueError(
            f"malformed number file {path}: {values.size} values do not make "
            f"rows of {columns} columns")
    return values.reshape(-1, columns)


_SPARSE_CLASSES = {
    "csr_matrix", "csc_matrix", "coo_matrix", "lil_matrix", "dok_matrix",
    "bsr_matrix", "dia_matrix", "csr_array", "csc_array", "coo_array",
    "lil_array", "dok_array", "bsr_array", "dia_array",
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only plain containers, NumPy arrays and SciPy sparse
    matrices: the content of the Planetoid files and the Bench npz files. Any
    other global (the way a malicious pickle runs code) is refused. Also maps
    the modules of old pickles (``scipy.sparse.csr``, ``numpy.core``) to
    their current homes, without the deprecation warnings."""

    _BUILTINS = frozenset({
        "list", "dict", "set", "frozenset", "tuple", "object", "int", "float",
        "complex", "bool", "str", "bytes", "bytearray", "slice", "range"})

    def find_class(self, module, name):
        import builtins
        import codecs
        import collections
        import copyreg

        if module in ("builtins", "__builtin__") and name in self._BUILTINS:
            return getattr(builtins, name)
        if module == "collections" and name in ("defaultdict", "OrderedDict"):
            return getattr(collections, name)
        if module in ("copyreg", "copy_reg") and name == "_reconstructor":
            return copyreg._reconstructor
        if module == "_codecs" and name == "encode":
            return codecs.encode
        if module == "numpy" and name in ("ndarray", "dtype"):
            return getattr(np, name)
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and \
                name in ("_reconstruct", "scalar"):
            try:
                from numpy._core import multiarray
            except ImportError:  # NumPy 1.x
                from numpy.core import multiarray
            return getattr(multiarray, name)
        if module in ("numpy.core.numeric", "numpy._core.numeric") and \
                name == "_frombuffer":
            try:
                from numpy._core import numeric
            except ImportError:  # NumPy 1.x
                from numpy.core import numeric
            return numeric._frombuffer
        if (module == "scipy.sparse" or module.startswith("scipy.sparse.")) \
                and name in _SPARSE_CLASSES:
            return getattr(sp, name)
        raise pickle.UnpicklingError(
            f"refusing to unpickle {module}.{name}: not a container, NumPy "
            "array or SciPy sparse matrix")


def load_pickle(path):
    """Load a (possibly Python 2) pickle of arrays / sparse matrices / dicts."""
    with open(path, "rb") as f:
        return RestrictedUnpickler(f, encoding="latin1").load()


def load_npz_keys(path, keys):
    """Read ``keys`` of an ``.npz`` file. Object arrays (pickled sparse
    matrices, arrays of arrays) go through :class:`RestrictedUnpickler`
    instead of ``np.load(allow_pickle=True)``, so a crafted file cannot run
    code; other arrays are read by NumPy without pickle."""
    from numpy.lib import format as npformat

    out = {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for key in keys:
            member = key + ".npy"
            if member not in names:
                raise KeyError(f"{path} has no array {key!r} "
                               f"(it has {sorted(n[:-4] for n in names)})")
            with zf.open(member) as f:
                version = npformat.read_magic(f)
                if version == (1, 0):
                    _, _, dtype = npformat.read_array_header_1_0(f)
                else:
                    _, _, dtype = npformat.read_array_header_2_0(f)
                if dtype.hasobject:
                    out[key] = RestrictedUnpickler(f, encoding="latin1").load()
                    continue
            with zf.open(member) as f:
                out[key] = npformat.read_array(io.BytesIO(f.read()),
                                               allow_pickle=False)
    return out


# ----------------------------------------------------------------------------
# Graph clean-up
# ----------------------------------------------------------------------------
def clean_adjacency(a, dtype=np.float32):
    """Binary, symmetric (union of both directions), no self-loops, no stored
    zeros, sorted indices: scipy CSR of ``dtype``."""
    a = sp.coo_matrix(a)
    keep = (a.row != a.col) & (a.data != 0)
    rows = np.concatenate([a.row[keep], a.col[keep]])
    cols = np.concatenate([a.col[keep], a.row[keep]])
    out = sp.csr_matrix((np.ones(rows.size, dtype), (rows, cols)),
                        shape=a.shape)
    out.sum_duplicates()
    out.data[:] = 1
    out.sort_indices()
    return out


def one_hot(values):
    """``(one_hot, codes, classes)`` of integer-like ``values`` (classes in
    sorted order, so -1/1 and 1..C both map to 0..C-1)."""
    classes, codes = np.unique(np.asarray(values), return_inverse=True)
    codes = codes.reshape(-1)
    return np.eye(len(classes), dtype=np.float32)[codes], codes, classes


# ----------------------------------------------------------------------------
# Base class
# ----------------------------------------------------------------------------
class GraphLabelsMixin:
    """``labels``: the class index of each graph of a graph-level dataset."""

    @property
    def labels(self):
        """(G,) int64 class index of each graph."""
        return np.array([int(np.argmax(g.y)) for g in self.graphs], np.int64)


class LocalDataset(Dataset):
    """A Spektral ``Dataset`` found in the local folders, downloaded only as
    a last resort. Subclasses define ``family``, ``_relative()``,
    ``_required()``, ``_urls(filename)`` and ``read()``."""

    family = None

    def __init__(self, allow_download=True, **kwargs):
        self.allow_download = allow_download
        self._folder = None
        self._folder = self._locate()
        super().__init__(**kwargs)

    # -- to override --------------------------------------------------------
    def _relative(self):
        """The dataset's folder relative to a data root."""
        raise NotImplementedError

    def _required(self):
        """The file names that must all be in the folder."""
        raise NotImplementedError

    def _urls(self, filename):
        """The URLs of ``filename``, tried in order."""
        raise NotImplementedError

    def _display_name(self):
        return getattr(self, "name", self.__class__.__name__)

    # -- resolution ---------------------------------------------------------
    @property
    def path(self):
        """The folder the dataset is read from."""
        if self._folder is not None:
            return self._folder
        return self.download_folder

    @property
    def download_folder(self):
        return osp.join(spektral_dataset_folder(), self._relative())

    def _candidates(self):
        return [(what, osp.join(root, self._relative()))
                for what, root in data_roots()]

    def _locate(self):
        required = self._required()
        searched = []
        for what, folder in self._candidates():
            missing = missing_files(folder, required)
            if not missing:
                return folder
            searched.append((what, folder, missing))
        folder = self._locate_extra(searched)
        if folder is not None:
            return folder
        return self._download_or_fail(searched)

    def _locate_extra(self, searched):
        """Hook (TU archives): another way to find the files, or None."""

    def download(self):
        """Download the missing files into Spektral's folder."""
        ok, attempts = self._download_files()
        if not ok:
            raise OSError("download failed: " + "; ".join(
                f"{u} ({e})" for u, e in attempts if e))
        return self.download_folder

    def _download_files(self):
        folder = self.download_folder
        all_attempts = []
        for filename in missing_files(folder, self._required()):
            ok, attempts = download_first(self._urls(filename),
                                          osp.join(folder, filename))
            all_attempts.extend(attempts)
            if not ok:
                return False, all_attempts
        return True, all_attempts

    def _download_or_fail(self, searched):
        name = self._display_name()
        files = ", ".join(self._required())
        head = (f"{self.__class__.__name__} {name!r}: the files ({files}) are "
                f"not in any of the folders searched:\n"
                f"{describe_search(searched)}\n")
        hint = (f"Put the files in one of these folders (set {ENV_DATA} to a "
                "folder laid out like Spektral's dataset folder, e.g. "
                f"$SPEKTRAL_TV_DATA/{self._relative()}/), or allow the "
                "download.")
        if not downloads_allowed(self.allow_download):
            urls = sorted({u for f in self._required() for u in self._urls(f)})
            raise DatasetNotFoundError(
                head + "Downloads are disabled (allow_download=False or "
                f"${ENV_OFFLINE}=1); the files come from:\n"
                + "\n".join(f"  - {u}" for u in urls) + "\n" + hint)
        try:
            ok, attempts = self._download_files()
        except OSError as e:  # e.g. the download folder is not writable
            where = f"(download folder {self.download_folder})"
            ok, attempts = False, [(where, str(e))]
        if ok:
            return self.download_folder
        tried = "\n".join(f"  - {u}: {e}" for u, e in attempts if e)
        raise DatasetNotFoundError(
            head + f"The download into {self.download_folder} failed "
            "(no network?). URLs tried:\n" + tried + "\n" + hint)
