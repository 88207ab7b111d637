"""Where the dataset files are looked for, in order, and where archives are
extracted.

1. ``$SPEKTRAL_TV_DATA/<Family>/<name>`` (the variable may hold several roots
   separated by ``os.pathsep``; each is laid out like Spektral's folder);
2. Spektral's own dataset folder ``spektral.datasets.utils.DATASET_FOLDER``
   (``~/spektral/datasets`` unless ``~/spektral/config.json`` says otherwise),
   read when a dataset is built, so it can be redirected at run time;
3. only when the files are missing everywhere: a download into Spektral's
   folder (never into ``$SPEKTRAL_TV_DATA``). ``allow_download=False`` or
   ``SPEKTRAL_TV_OFFLINE=1`` forbid it.
"""

import os
import os.path as osp

ENV_DATA = "SPEKTRAL_TV_DATA"
ENV_CACHE = "SPEKTRAL_TV_CACHE"
ENV_OFFLINE = "SPEKTRAL_TV_OFFLINE"


def spektral_dataset_folder():
    """Spektral's dataset folder, read now (tests may redirect it).

    Returns:
        The absolute path of the folder.
    """
    from spektral.datasets import utils as spektral_utils

    return osp.expanduser(spektral_utils.DATASET_FOLDER)


def data_roots():
    """The roots searched, in order.

    Returns:
        list: ``(description, path)`` pairs, one for each entry of
        ``$SPEKTRAL_TV_DATA``, then one for Spektral's dataset folder.
    """
    roots = []
    env = os.environ.get(ENV_DATA, "")
    for i, root in enumerate(p for p in env.split(os.pathsep) if p.strip()):
        what = "$" + ENV_DATA + ("" if i == 0 else f" (entry {i + 1})")
        roots.append((what, osp.abspath(osp.expanduser(root))))
    roots.append(("Spektral's dataset folder", spektral_dataset_folder()))
    return roots


def cache_folder():
    """Where archives found in a data root are extracted (never the data root).

    Returns:
        ``$SPEKTRAL_TV_CACHE``, else ``$XDG_CACHE_HOME/spektral_tv``, else
        ``~/.cache/spektral_tv``, as an absolute path.
    """
    if os.environ.get(ENV_CACHE):
        return osp.abspath(osp.expanduser(os.environ[ENV_CACHE]))
    base = os.environ.get("XDG_CACHE_HOME") or osp.join("~", ".cache")
    return osp.abspath(osp.expanduser(osp.join(base, "spektral_tv")))


def downloads_allowed(allow_download=True):
    """Whether a dataset may be downloaded.

    Args:
        allow_download: the dataset's own switch.

    Returns:
        False if ``allow_download`` is false or ``$SPEKTRAL_TV_OFFLINE`` is set
        to 1 / true / yes / on; True otherwise.
    """
    flag = os.environ.get(ENV_OFFLINE, "").strip().lower()
    return bool(allow_download) and flag not in ("1", "true", "yes", "on")


def missing_files(folder, files):
    """The names of ``files`` that are not files in ``folder``."""
    return [f for f in files if not osp.isfile(osp.join(folder, f))]


def describe_search(searched):
    """Lines for an error message, one per ``(what, folder, missing)``."""
    lines = []
    for what, folder, missing in searched:
        state = (
            "folder does not exist" if not osp.isdir(folder) else "missing " + ", ".join(missing)
        )
        lines.append(f"  - {what}: {folder} ({state})")
    return "\n".join(lines)


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
