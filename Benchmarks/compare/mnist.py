"""Reads MNIST's training set from the gzip IDX files in $LENET_TUTOR_DATA, as lenet-tutor does."""
import gzip
import os
import struct

import numpy as np


def training_set():
    folder = os.environ.get("LENET_TUTOR_DATA")
    if not folder:
        raise SystemExit("set LENET_TUTOR_DATA to the folder holding MNIST's four .gz files")
    with gzip.open(os.path.join(folder, "train-images-idx3-ubyte.gz")) as f:
        magic, count, rows, columns = struct.unpack(">IIII", f.read(16))
        assert magic == 2051, f"not an IDX image file (magic {magic})"
        images = np.frombuffer(f.read(), dtype=np.uint8).reshape(count, 1, rows, columns)
    with gzip.open(os.path.join(folder, "train-labels-idx1-ubyte.gz")) as f:
        magic, count = struct.unpack(">II", f.read(8))
        assert magic == 2049, f"not an IDX label file (magic {magic})"
        labels = np.frombuffer(f.read(), dtype=np.uint8)
    return images, labels


# Multiply-adds of one training image of the keras LeNet (forward 416,520; see lenet-tutor bench).
TRAINING_MULTIPLY_ADDS = 1_131_960


def report(framework, seconds, images, peak_gflops):
    rate = images / seconds
    gflops = rate * 2 * TRAINING_MULTIPLY_ADDS / 1e9
    share = f"{100 * gflops / peak_gflops:.1f}%" if peak_gflops else "-"
    print(f"{framework}: {seconds:.2f} s/epoch, {rate:,.0f} images/s, {gflops:.1f} GFLOP/s, {share} of peak")
