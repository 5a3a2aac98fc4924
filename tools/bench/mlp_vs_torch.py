#!/usr/bin/python3
"""Fashion-MNIST MLP training: dsflow's default pipeline against PyTorch eager, side by side.

Both train the same model (784-256-128-10, ReLU) with AdamW (lr 1e-3, weight decay 1e-4),
batch 128, a shuffled order every epoch, on the same cores. PyTorch gets the data already
decoded in memory as tensors (its most favourable case); dsflow reads, verifies and decodes
the packed shards in the pipeline. The runs alternate so machine noise hits both alike, and
the figures are medians. Needs Debian's python3-torch (the script says how to get it).

(Debian's /usr/bin/python3, where python3-torch and python3-numpy install.)
usage: tools/bench/mlp_vs_torch.py [--ds-run build/tools/ds-run] [--epochs 2] [--repeats 3]
                                    [--threads 2]
"""
import argparse
import gzip
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

IDX = Path("/usr/share/datasets/fashion-mnist")


def read_idx(name):
    with gzip.open(IDX / name, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def torch_run(torch, epochs, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    x = torch.from_numpy(read_idx("train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    y = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz").astype(np.int64))
    tx = torch.from_numpy(read_idx("t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255)
    ty = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    loss_fn = torch.nn.CrossEntropyLoss()
    started = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(x.shape[0])
        for first in range(0, x.shape[0], 128):
            idx = order[first:first + 128]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
    seconds = time.perf_counter() - started
    with torch.no_grad():
        accuracy = (model(tx).argmax(1) == ty).float().mean().item()
    return epochs * x.shape[0] / seconds, accuracy


def dsflow_run(ds_run, epochs):
    out = subprocess.run([ds_run, "configs/default.yaml", f"sample.epochs={epochs}",
                          f"optimize.total_steps={469 * epochs}", "evaluate.every_epochs=0",
                          "checkpoint.dir=/tmp/dsflow-vs-torch", "--log-level", "warn"],
                         check=True, capture_output=True, text=True).stdout
    rate = float(re.search(r"training: \d+ samples, (\d+) samples/s", out).group(1))
    accuracy = float(re.search(r"evaluate.test_accuracy = ([0-9.]+)", out).group(1))
    return rate, accuracy


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ds-run", default="build/tools/ds-run")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        sys.exit("mlp_vs_torch: PyTorch is missing; install Debian's: sudo apt-get install python3-torch")
    ours, theirs = [], []
    for _ in range(args.repeats):
        theirs.append(torch_run(torch, args.epochs, args.threads))
        ours.append(dsflow_run(args.ds_run, args.epochs))
    print(f"## MLP 784-256-128-10, AdamW, batch 128, {args.epochs} epochs, median of {args.repeats} "
          f"alternating runs, PyTorch {torch.__version__} on {args.threads} threads")
    print(f"{'':34} {'samples/s':>12} {'test accuracy':>14}")
    for name, runs in (("PyTorch eager (data in memory)", theirs), ("dsflow default.yaml (from shards)", ours)):
        print(f"{name:34} {statistics.median(r for r, _ in runs):12.0f} "
              f"{statistics.median(a for _, a in runs):14.4f}")
    print(f"ratio dsflow / PyTorch: {statistics.median(r for r, _ in ours) / statistics.median(r for r, _ in theirs):.2f}")


if __name__ == "__main__":
    main()
