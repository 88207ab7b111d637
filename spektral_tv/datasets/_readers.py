"""Readers of the dataset files: TU text files of numbers, Planetoid pickles
(through a restricted unpickler) and ``.npz`` archives. A file that cannot be
decoded raises :class:`DatasetFileError` naming it, never a bare
``BadZipFile`` / ``UnpicklingError`` / ``ValueError``.
"""

import contextlib
import io
import os
import pickle
import warnings
import zipfile

import numpy as np
import scipy.sparse as sp


class DatasetFileError(ValueError):
    """A dataset file is empty, truncated, malformed or not the dataset's file.

    Attributes:
        path: the file.
        problem: what is wrong with it.
        remedy: what to do about it, or None. The dataset class that reads the
            file fills it in: it knows where the file comes from.
    """

    def __init__(self, path, problem, remedy=None):
        super().__init__(str(path), problem, remedy)
        self.path = str(path)
        self.problem = problem
        self.remedy = remedy

    def __str__(self):
        text = f"{self.path}: {self.problem}"
        return f"{text}\n{self.remedy}" if self.remedy else text


@contextlib.contextmanager
def decoding(path, kind):
    """Turn any error raised while decoding ``path`` into a
    :class:`DatasetFileError` that names the file and says it is empty,
    truncated or not ``kind``. Missing or unreadable files (``FileNotFoundError``,
    ``PermissionError``...) and ``MemoryError`` pass through: those are not
    problems of the file's content."""
    try:
        yield
    except (DatasetFileError, MemoryError, FileNotFoundError, PermissionError, IsADirectoryError):
        raise
    except Exception as e:  # noqa: BLE001 - whatever a broken file makes a decoder raise
        if _file_size(path) == 0:
            problem = f"the file is empty (0 bytes), not {kind}"
        else:
            problem = (
                f"cannot be read as {kind} ({type(e).__name__}: {e}); the file is "
                "truncated, corrupted or not the dataset's file"
            )
        raise DatasetFileError(path, problem) from e


def _file_size(path):
    """The size of ``path`` in bytes, or None if it cannot be read."""
    try:
        return os.path.getsize(path)
    except OSError:
        return None


# ----------------------------------------------------------------------------
# Text files of numbers
# ----------------------------------------------------------------------------
def read_numbers(path, dtype=np.int64, columns=None):
    """Parse a text file of numbers, one row a line, columns separated by
    commas (with or without spaces) or by whitespace: the TU format.

    ``np.loadtxt`` (a C parser since NumPy 1.23; measured here: 1.7 s for
    COLLAB's 347 MB edge file, 0.1 s for REDDIT-BINARY's) reads it, first with
    commas as delimiters, then, if that fails, with whitespace.

    Args:
        path: the file.
        dtype: NumPy dtype of the values.
        columns: None for a 1-D array of all values; an int for a 2-D array
            of that many columns; ``"auto"`` for as many columns as the file has.

    Returns:
        The values as a NumPy array.

    Raises:
        DatasetFileError: the file is empty, holds something other than
            numbers, or rows of another number of columns.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # loadtxt on an empty file
        try:
            values = np.loadtxt(path, dtype=dtype, delimiter=",", ndmin=2)
        except ValueError as comma_error:
            try:
                values = np.loadtxt(path, dtype=dtype, ndmin=2)  # whitespace-separated
            except ValueError as space_error:
                if _file_size(path) == 0:
                    raise DatasetFileError(path, "the file is empty (0 bytes)") from None
                # Report the parser the file was written for.
                error = comma_error if _first_line_has_comma(path) else space_error
                raise DatasetFileError(
                    path,
                    f"malformed number file ({error}); the file is truncated, "
                    "corrupted or not the dataset's file",
                ) from error
    if values.size == 0:
        raise DatasetFileError(path, "the file is empty: no numbers in it")
    if columns is None:
        return values.reshape(-1)
    if columns != "auto" and values.shape[1] != columns:
        raise DatasetFileError(
            path, f"malformed number file: {values.shape[1]} columns, expected {columns}"
        )
    return values


def _first_line_has_comma(path):
    with open(path, "rb") as f:
        return b"," in f.readline()


# ----------------------------------------------------------------------------
# Pickles and npz archives
# ----------------------------------------------------------------------------
_SPARSE_CLASSES = {
    "csr_matrix",
    "csc_matrix",
    "coo_matrix",
    "lil_matrix",
    "dok_matrix",
    "bsr_matrix",
    "dia_matrix",
    "csr_array",
    "csc_array",
    "coo_array",
    "lil_array",
    "dok_array",
    "bsr_array",
    "dia_array",
}


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickles only plain containers, NumPy arrays and SciPy sparse
    matrices: the content of the Planetoid files and the Bench npz files. Any
    other global (the way a malicious pickle runs code) is refused. Also maps
    the modules of old pickles (``scipy.sparse.csr``, ``numpy.core``) to
    their current homes, without the deprecation warnings."""

    _BUILTINS = frozenset(
        {
            "list",
            "dict",
            "set",
            "frozenset",
            "tuple",
            "object",
            "int",
            "float",
            "complex",
            "bool",
            "str",
            "bytes",
            "bytearray",
            "slice",
            "range",
        }
    )

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
        if module in ("numpy.core.multiarray", "numpy._core.multiarray") and name in (
            "_reconstruct",
            "scalar",
        ):
            return getattr(_numpy_core("multiarray"), name)
        if module in ("numpy.core.numeric", "numpy._core.numeric") and name == "_frombuffer":
            return _numpy_core("numeric")._frombuffer
        if (
            module == "scipy.sparse" or module.startswith("scipy.sparse.")
        ) and name in _SPARSE_CLASSES:
            return getattr(sp, name)
        raise pickle.UnpicklingError(
            f"refusing to unpickle {module}.{name}: not a container, NumPy "
            "array or SciPy sparse matrix"
        )


def _numpy_core(module):
    """``numpy._core.<module>`` (NumPy 2), else ``numpy.core.<module>``."""
    import importlib

    try:
        return importlib.import_module(f"numpy._core.{module}")
    except ImportError:  # NumPy 1.x
        return importlib.import_module(f"numpy.core.{module}")


def load_pickle(path):
    """Load a (possibly Python 2) pickle of arrays, sparse matrices and dicts
    with :class:`RestrictedUnpickler`.

    Raises:
        DatasetFileError: the file is empty, truncated, not a pickle, or
            pickles anything else (code included).
    """
    with open(path, "rb") as f, decoding(path, "a Planetoid pickle of arrays"):
        return RestrictedUnpickler(f, encoding="latin1").load()


def load_npz_keys(path, keys):
    """Read arrays of an ``.npz`` file. Object arrays (pickled sparse
    matrices, arrays of arrays) go through :class:`RestrictedUnpickler`
    instead of ``np.load(allow_pickle=True)``, so a crafted file cannot run
    code; other arrays are read by NumPy without pickle.

    Args:
        path: the ``.npz`` file.
        keys: the names of the arrays to read.

    Returns:
        A dict ``{key: array}``.

    Raises:
        DatasetFileError: the file is empty, truncated, not an ``.npz``
            archive, or lacks one of ``keys``.
    """
    from numpy.lib import format as npformat

    out = {}
    with decoding(path, "a NumPy .npz archive"), zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        for key in keys:
            member = key + ".npy"
            if member not in names:
                raise DatasetFileError(
                    path,
                    f"has no array {key!r} (it has "
                    f"{sorted(n[:-4] for n in names)}): not the dataset's file",
                )
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
                out[key] = npformat.read_array(io.BytesIO(f.read()), allow_pickle=False)
    return out
