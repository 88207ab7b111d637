"""Download and archive extraction: the only code of the package that touches
the network.

``tf_keras.utils.get_file`` (Keras 2.21) does download-and-extract, but was
measured here not to fit, so these ~60 lines stay:

- it has no timeout (``urlretrieve``): against a server that accepts the
  connection and never answers it was still blocked after 10 s, where
  :func:`download_url` raises ``TimeoutError`` after ``DOWNLOAD_TIMEOUT``;
- it writes the download at its final path, so a killed download leaves a
  truncated file that the next run takes for the dataset (no hash is
  published for these files); :func:`download_url` renames a complete file
  into place;
- its tar extraction checks member paths against the current directory, not
  the destination: run from ``/``, a ``../escape.txt`` member was written
  outside the destination; and on a truncated tar it deleted the whole
  destination folder, another dataset's files included;
- a garbage ``.zip`` with ``extract=True`` is silently not extracted.
"""

import os
import os.path as osp
import shutil
import sys
import tempfile
import urllib.request

from ._readers import decoding

DOWNLOAD_TIMEOUT = 60  # seconds, per connection attempt / read


def download_url(url, path, timeout=DOWNLOAD_TIMEOUT):
    """Download ``url`` to the file ``path``, atomically: a partial download
    never looks like a complete file. Tests replace this function to stay
    offline.

    Args:
        url: the URL (``file://`` URLs work too).
        path: the file to write; its folder is created.
        timeout: seconds to wait for the connection and for each read.

    Returns:
        ``path``.

    Raises:
        OSError: ``URLError``, ``HTTPError``, ``TimeoutError``... on failure
            (no file is left behind).
    """
    folder = osp.dirname(osp.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    try:
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            shutil.copyfileobj(response, out, length=1 << 20)
        os.replace(tmp, path)
    except BaseException:
        if osp.exists(tmp):
            os.remove(tmp)
        raise
    return path


def download_first(urls, path):
    """Try each URL in turn until one downloads to ``path``.

    Args:
        urls: the URLs, in order of preference.
        path: the file to write.

    Returns:
        ``(ok, attempts)``, ``attempts`` a list of ``(url, error)`` with
        ``error`` None for the URL that worked.
    """
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


def extract_archive(archive, dest):
    """Extract a ``.zip`` / ``.tar[.gz|.bz2|.xz]`` / ``.tgz`` archive into
    ``dest`` through a temporary folder renamed into place, so an interrupted
    extraction leaves nothing half-written.

    ``shutil.unpack_archive`` picks the format from the extension; tar
    archives go through the ``"data"`` filter (no absolute paths, no ``..``,
    no links out of ``dest``); Python 3.11's zip unpacker takes no filter but
    skips absolute and ``..`` names itself.

    Args:
        archive: the archive file.
        dest: the folder to create; if it exists already (another process
            finished first) it is kept as it is.

    Returns:
        ``dest``.

    Raises:
        DatasetFileError: the archive is empty, truncated, not an archive or
            holds unsafe paths.
    """
    dest = osp.abspath(dest)
    parent = osp.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=".extract-")
    tar_filter = {} if str(archive).endswith(".zip") else {"filter": "data"}
    try:
        with decoding(archive, "an archive (.zip, .tar.xz, .tar.gz, .tgz, .tar.bz2, .tar)"):
            shutil.unpack_archive(archive, tmp, **tar_filter)
        if osp.isdir(dest):
            shutil.rmtree(tmp)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
