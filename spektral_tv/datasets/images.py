"""Region adjacency graphs of images, for segmentation by node clustering
(the MinCutPool paper, §5.1 "Image Segmentation", Fig. 4).

An over-segmentation (Felzenszwalb & Huttenlocher, or SLIC) cuts the image
into small regions; the regions are the nodes, adjacent regions are joined
by an edge weighted by the similarity of their mean colours
(``skimage.graph.rag_mean_color(..., mode="similarity")``), and the node
features are the mean and the total colour of each region, each divided by
its largest value, as in the authors' script.
"""

import numpy as np
import scipy.sparse as sp
from spektral.data import Graph

__all__ = ["OVERSEGMENTATIONS", "default_image", "oversegment", "region_adjacency_graph"]

#: Over-segmentation methods and their settings (those of the authors'
#: ``Segmentation.py``).
OVERSEGMENTATIONS = {
    "felzenszwalb": dict(scale=100, sigma=1.0, min_size=50),
    "slic": dict(compactness=3, n_segments=600, sigma=1),
}


def default_image(max_side=400):
    """A picture that ships with scikit-image (``coffee``, 400 x 600),
    downscaled so that its longer side is at most ``max_side``."""
    from skimage import data

    return downscale(data.coffee(), max_side)


def downscale(image, max_side):
    """``image`` (H, W, 3) as uint8, shrunk (anti-aliased) so that its longer
    side is at most ``max_side`` pixels; unchanged if already small."""
    from skimage.transform import resize
    from skimage.util import img_as_ubyte

    image = np.asarray(image)
    scale = max_side / max(image.shape[:2])
    if scale >= 1:
        return img_as_ubyte(image)
    shape = (max(1, round(image.shape[0] * scale)), max(1, round(image.shape[1] * scale)))
    return img_as_ubyte(resize(image, shape, anti_aliasing=True))


def oversegment(image, method="felzenszwalb", **kwargs):
    """Region id of every pixel (H, W), numbered 0 .. R-1.

    ``method`` is ``"felzenszwalb"`` or ``"slic"``; ``kwargs`` override
    :data:`OVERSEGMENTATIONS`."""
    from skimage import segmentation

    if method not in OVERSEGMENTATIONS:
        raise ValueError(f"method must be one of {sorted(OVERSEGMENTATIONS)}, got {method!r}")
    settings = {**OVERSEGMENTATIONS[method], **kwargs}
    if method == "felzenszwalb":
        labels = segmentation.felzenszwalb(image, **settings)
    else:
        labels = segmentation.slic(image, start_label=0, **settings)
    return segmentation.relabel_sequential(labels)[0]


def region_adjacency_graph(image, segments):
    """The region adjacency graph of an over-segmented RGB image.

    Args:
        image: (H, W, 3) RGB image (uint8 or float).
        segments: (H, W) int region ids 0 .. R-1 (see :func:`oversegment`).

    Returns:
        Graph: ``x`` (R, 6) float32, the mean colour and total colour
        of each region (each block divided by its largest entry); ``a``
        (R, R) scipy CSR float32, symmetric, the similarity weights
        ``exp(-d² / 255)`` of skimage's ``rag_mean_color`` (d the distance of
        the mean colours); and ``pos`` (R, 2) the centroid of every region as
        (column, row) pixel coordinates.

    Raises:
        ValueError: ``image`` is not RGB, or ``segments`` has another shape
            or gaps in its ids.
    """
    from skimage import graph as skgraph
    from skimage.measure import regionprops

    image = np.asarray(image)
    segments = np.asarray(segments)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"image must be RGB (H, W, 3), got shape {image.shape}")
    if segments.shape != image.shape[:2]:
        raise ValueError(
            f"segments must have the image's shape {image.shape[:2]}, got {segments.shape}"
        )
    n = int(segments.max()) + 1
    if not np.array_equal(np.unique(segments), np.arange(n)):
        raise ValueError("segments must be numbered 0 .. R-1 without gaps")
    rag = skgraph.rag_mean_color(image, segments, mode="similarity")
    mean = np.zeros((n, 3))
    total = np.zeros((n, 3))
    for node, attrs in rag.nodes(data=True):
        mean[node] = attrs["mean color"]
        total[node] = attrs["total color"]
    x = np.concatenate(
        [mean / max(mean.max(), 1e-12), total / max(total.max(), 1e-12)], axis=1
    ).astype(np.float32)
    edges = np.array(
        [(u, v, w) for u, v, w in rag.edges(data="weight") if u != v], dtype=np.float64
    ).reshape(-1, 3)
    rows, cols = edges[:, 0].astype(np.int64), edges[:, 1].astype(np.int64)
    a = (
        sp.coo_matrix(
            (
                np.concatenate([edges[:, 2], edges[:, 2]]),
                (np.concatenate([rows, cols]), np.concatenate([cols, rows])),
            ),
            shape=(n, n),
        )
        .tocsr()
        .astype(np.float32)
    )
    centroids = np.array([p.centroid for p in regionprops(segments + 1)])
    pos = centroids[:, ::-1].astype(np.float32)  # (row, col) -> (x, y)
    return Graph(x=x, a=a, pos=pos)
