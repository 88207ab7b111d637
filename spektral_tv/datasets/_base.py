"""The base classes of the offline-capable datasets.

Folder resolution (every dataset class, see :mod:`._paths`): each root of
``$SPEKTRAL_TV_DATA``, then Spektral's dataset folder, then a download into
Spektral's folder. If nothing works a :class:`DatasetNotFoundError` names
every folder searched, what each one lacked, and every URL tried. A file that
is found but cannot be read raises :class:`DatasetFileError` naming the file
and saying what to do.
"""

import os.path as osp

import numpy as np
from spektral.data import Dataset

from . import _download
from ._paths import (
    ENV_DATA,
    ENV_OFFLINE,
    data_roots,
    describe_search,
    downloads_allowed,
    missing_files,
    spektral_dataset_folder,
)
from ._readers import DatasetFileError


class DatasetNotFoundError(FileNotFoundError):
    """The files of a dataset are in none of the folders searched, and could
    not be downloaded (or downloads are disabled)."""


class GraphLabelsMixin:
    """``labels``: the class index of each graph of a graph-level dataset."""

    @property
    def labels(self):
        """(G,) int64 class index of each graph."""
        return np.array([int(np.argmax(g.y)) for g in self.graphs], np.int64)


class NodeLabelsMixin:
    """``labels`` and ``n_classes`` of a single-graph dataset whose ``y`` is
    one-hot (an all-zero row: a node without a label)."""

    @property
    def labels(self):
        """(N,) int64 class of each node, -1 where the node has no label."""
        y = np.asarray(self.graphs[0].y)
        return np.where(y.any(-1), y.argmax(-1), -1).astype(np.int64)

    @property
    def n_classes(self):
        """The number of classes (columns of ``y``)."""
        return int(self.graphs[0].y.shape[-1])


class LocalDataset(Dataset):
    """A Spektral ``Dataset`` found in the local folders, downloaded only as a
    last resort. Subclasses define ``family``, ``_relative()``,
    ``_required()``, ``_urls(filename)`` and ``read()``."""

    family = None

    def __init__(self, allow_download=True, **kwargs):
        self.allow_download = allow_download
        self._folder = None
        try:
            self._folder = self._locate()
            super().__init__(**kwargs)  # calls read()
        except DatasetFileError as error:
            if error.remedy is None:  # the readers do not know where files come from
                error.remedy = self._remedy(error.path)
            raise

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

    def _remedy(self, path):
        """What to do about the unreadable file ``path``: the sentence of a
        :class:`DatasetFileError`."""
        url = self._urls(osp.basename(path))[0]
        return (
            f"Delete it to download it again (from {url}), or replace it with a "
            "complete copy from there."
        )

    # -- resolution ---------------------------------------------------------
    @property
    def path(self):
        """The folder the dataset is read from."""
        if self._folder is not None:
            return self._folder
        return self.download_folder

    @property
    def download_folder(self):
        """Where a download goes: the dataset's folder in Spektral's folder."""
        return osp.join(spektral_dataset_folder(), self._relative())

    def _candidates(self):
        return [(what, osp.join(root, self._relative())) for what, root in data_roots()]

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
            raise OSError("download failed: " + "; ".join(f"{u} ({e})" for u, e in attempts if e))
        return self.download_folder

    def _download_files(self):
        folder = self.download_folder
        all_attempts = []
        for filename in missing_files(folder, self._required()):
            ok, attempts = _download.download_first(
                self._urls(filename), osp.join(folder, filename)
            )
            all_attempts.extend(attempts)
            if not ok:
                return False, all_attempts
        return True, all_attempts

    def _download_or_fail(self, searched):
        name = self._display_name()
        files = ", ".join(self._required())
        head = (
            f"{self.__class__.__name__} {name!r}: the files ({files}) are "
            f"not in any of the folders searched:\n{describe_search(searched)}\n"
        )
        hint = (
            f"Put the files in one of these folders (set {ENV_DATA} to a "
            "folder laid out like Spektral's dataset folder, e.g. "
            f"$SPEKTRAL_TV_DATA/{self._relative()}/), or allow the download."
        )
        if not downloads_allowed(self.allow_download):
            urls = sorted({u for f in self._required() for u in self._urls(f)})
            raise DatasetNotFoundError(
                head + "Downloads are disabled (allow_download=False or "
                f"${ENV_OFFLINE}=1); the files come from:\n"
                + "\n".join(f"  - {u}" for u in urls)
                + "\n"
                + hint
            )
        try:
            ok, attempts = self._download_files()
        except OSError as e:  # e.g. the download folder is not writable
            ok, attempts = False, [(f"(download folder {self.download_folder})", str(e))]
        if ok:
            return self.download_folder
        tried = "\n".join(f"  - {u}: {e}" for u, e in attempts if e)
        raise DatasetNotFoundError(
            head + f"The download into {self.download_folder} failed "
            "(no network?). URLs tried:\n" + tried + "\n" + hint
        )
