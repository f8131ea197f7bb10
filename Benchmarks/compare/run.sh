#!/bin/sh
# Runs lenet-tutor, PyTorch and Keras one after another on the same machine: the keras LeNet,
# real MNIST, SGD 0.01, batch 128. Needs a release build, LENET_TUTOR_DATA, and a Python with
# torch and tensorflow-cpu (PYTHON, default python3). See README.md.
set -e
cd "$(dirname "$0")"
B=../../.build/release/lenet-tutor
PYTHON=${PYTHON:-python3}
OUT=$(mktemp -d)
$B bench --model keras --runs 3 | tee "$OUT/bench.txt"
PEAK=$(sed -n 's/^Peak: \([0-9.]*\) GFLOP\/s.*/\1/p' "$OUT/bench.txt")
# GNU time, when present, also reports the run's peak resident size.
if [ -x /usr/bin/time ]; then
  /usr/bin/time -v $B train --epochs 2 --out "$OUT/train" > /dev/null 2> "$OUT/time.txt"
  grep "Maximum resident" "$OUT/time.txt"
else
  $B train --epochs 2 --out "$OUT/train" > /dev/null
fi
# history.csv: the faster epoch's training images/s (column 8).
RATE=$(tail -n 2 "$OUT/train/history.csv" | cut -d, -f8 | sort -n | tail -n 1)
$PYTHON - "$RATE" "$PEAK" <<'PY'
import sys, mnist
rate, peak = float(sys.argv[1]), float(sys.argv[2])
mnist.report("lenet-tutor train (2 threads)", 60000 / rate, 60000, peak)
PY
$PYTHON pytorch_lenet.py "$PEAK"
$PYTHON keras_lenet.py "$PEAK"
rm -rf "$OUT"
