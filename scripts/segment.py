#!/usr/bin/env python
"""Image segmentation by clustering the region adjacency graph of an image
with MinCutPool or TVGNN (seed 000 §5.1, Fig. 4).

The image is over-segmented (Felzenszwalb or SLIC, scikit-image), the regions
become the nodes of a region adjacency graph (similarity of mean colours as
edge weights; mean and total colour as node features) and the pool, trained
unsupervised with `model.fit` on its auxiliary losses, groups them into K
segments.

    python scripts/segment.py                                  # coffee cup shipped with scikit-image
    python scripts/segment.py --image ../shared/data/images/horse.jpeg --k 4 --out results/segment-horse

Writes DIR/segmentation.png (original | over-segmentation | graph | result),
DIR/labels.npy (the cluster of every pixel, int, shape H x W of the input
image) and DIR/results.json (graph size, epochs, losses, cluster sizes).
"""
import spektral_tv  # noqa: F401  (first: TF_USE_LEGACY_KERAS before TensorFlow)

import argparse
import json
import os
import time

import numpy as np

from spektral_tv import metrics, plotting
from spektral_tv._cli import check_minimums
from spektral_tv.training import (
    CLUSTERING_MODELS,
    clustering_inputs,
    train_clustering,
)
from spektral_tv.datasets.images import (
    OVERSEGMENTATIONS,
    default_image,
    downscale,
    oversegment,
    region_adjacency_graph,
)

# Region graphs have a few hundred nodes: fewer epochs than the papers'
# citation-network settings are enough (the authors' script: 40 000 steps).
DEFAULT_EPOCHS = {"mincut": 2000, "tvgnn": 300}
MAX_SIDE = 400  # larger pictures are shrunk for the over-segmentation


def load_image(path, max_side=MAX_SIDE):
    """(original RGB uint8, working copy with longer side <= max_side)."""
    from skimage import io
    from skimage.color import gray2rgb, rgba2rgb
    from skimage.util import img_as_ubyte

    if path is None:
        image = default_image(max_side)
        return image, image
    if not os.path.isfile(path):
        raise ValueError(f"--image: no such file {path!r}")
    try:
        image = io.imread(path)
    except Exception as error:  # unreadable or not an image
        raise ValueError(f"--image: cannot read {path!r} as an image ({error})") from error
    if image.ndim == 2:
        image = gray2rgb(image)
    elif image.ndim == 3 and image.shape[2] == 4:
        image = rgba2rgb(image)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"--image: expected an RGB or grey picture, got shape {image.shape}")
    image = img_as_ubyte(image)
    return image, downscale(image, max_side)


def pixel_labels(region_labels, segments, shape):
    """The cluster of every pixel at the input image's resolution `shape`."""
    from skimage.transform import resize

    labels = region_labels.astype(np.int32)[segments]
    if labels.shape != tuple(shape):
        labels = resize(labels, shape, order=0, preserve_range=True,
                        anti_aliasing=False).astype(labels.dtype)
    return labels


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default=None,
                        help="RGB picture; default: scikit-image's coffee cup")
    parser.add_argument("--k", type=int, default=4, help="number of segments (>= 2)")
    parser.add_argument("--pool", default="mincut", choices=sorted(CLUSTERING_MODELS))
    parser.add_argument("--overseg", default="felzenszwalb", choices=sorted(OVERSEGMENTATIONS))
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"default: {DEFAULT_EPOCHS}")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-side", type=int, default=MAX_SIDE,
                        help="shrink larger pictures to this many pixels on the longer side")
    parser.add_argument("--out", default=None, help="default: results/segment-POOL")
    args = parser.parse_args(argv)
    return check_minimums(args, k=2, epochs=1, max_side=16)


def main(argv=None):
    args = parse_args(argv)
    original, image = load_image(args.image, args.max_side)
    out = args.out or os.path.join("results", f"segment-{args.pool}")
    os.makedirs(out, exist_ok=True)
    epochs = args.epochs or DEFAULT_EPOCHS[args.pool]

    segments = oversegment(image, args.overseg)
    graph = region_adjacency_graph(image, segments)
    if graph.n_nodes <= args.k:
        raise ValueError(f"--k: the over-segmentation has only {graph.n_nodes} regions, "
                         f"fewer than K + 1 = {args.k + 1}")
    inputs, sparse_x = clustering_inputs(args.pool, graph.x, graph.a)
    start = time.perf_counter()
    model, history, epoch_ms = train_clustering(args.pool, inputs, args.k,
                                                sparse_features=sparse_x, epochs=epochs,
                                                seed=args.seed)
    s = model(inputs, training=False).numpy()
    seconds = time.perf_counter() - start
    region_labels = s.argmax(axis=1)
    labels = pixel_labels(region_labels, segments, original.shape[:2])
    np.save(os.path.join(out, "labels.npy"), labels)

    edges = plotting.edge_list(graph.a)
    plotting.plot_segmentation(
        image, segments, graph.pos, edges, region_labels,
        path=os.path.join(out, "segmentation.png"),
        titles=["original", f"over-segmentation ({args.overseg}, {graph.n_nodes} regions)",
                f"region adjacency graph ({len(edges)} edges)",
                f"{'MinCutPool' if args.pool == 'mincut' else 'TVGNN'} (K = {args.k})"])
    sharp = metrics.sharpness(s)
    summary = {
        "image": args.image or "skimage.data.coffee",
        "image_shape": list(original.shape[:2]), "working_shape": list(image.shape[:2]),
        "pool": args.pool, "overseg": args.overseg, "k": args.k, "epochs": epochs,
        "seed": args.seed, "n_regions": int(graph.n_nodes), "n_edges": len(edges),
        "final_loss": float(history["loss"][-1]),
        "lowest_loss": float(np.min(history["loss"])),
        "region_cluster_sizes": np.bincount(region_labels, minlength=args.k).tolist(),
        "pixel_cluster_sizes": np.bincount(labels.ravel(), minlength=args.k).tolist(),
        "mean_max_assignment": sharp["mean_max"], "epoch_ms": epoch_ms,
        "seconds": seconds,
    }
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"{args.pool} on {summary['image']} ({args.overseg}, {graph.n_nodes} regions): "
          f"K = {args.k}, {epochs} epochs in {seconds:.0f} s, pixels per cluster "
          f"{summary['pixel_cluster_sizes']} -> {out}")
    return summary


if __name__ == "__main__":
    main()
