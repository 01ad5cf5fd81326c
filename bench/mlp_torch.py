#!/usr/bin/python3
"""examples/mlp.net in PyTorch: the reference for bench/mlp_epoch.sh.

784-256-128-10 MLP, relu, softmax cross-entropy, Adam(lr=1e-3), batch 64,
He init, one thread. Like dlc, each epoch shuffles the training set and
drops the last partial batch; only the training loop (shuffle, batch
gathering, steps) is timed, not reading the data.
"""
import argparse
import gzip
import os
import struct
import time

# One thread: torch.set_num_threads(1) does not reach OpenBLAS's own pool,
# which reads these when torch loads it.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(data_dir, split):
    images = read_idx(f"{data_dir}/{split}-images-idx3-ubyte.gz")
    labels = read_idx(f"{data_dir}/{split}-labels-idx1-ubyte.gz")
    x = torch.from_numpy(images.reshape(len(images), -1).astype(np.float32) / 255)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    x_train, y_train = load(args.data, "train")
    x_test, y_test = load(args.data, "t10k")

    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(),
                          nn.Linear(256, 128), nn.ReLU(),
                          nn.Linear(128, 10))
    for m in model:
        if isinstance(m, nn.Linear):  # He init, zero bias
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            nn.init.zeros_(m.bias)
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    steps = len(x_train) // args.batch  # drop the last partial batch
    for epoch in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x_train))
        for s in range(steps):
            idx = order[s * args.batch:(s + 1) * args.batch]
            loss = loss_fn(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        print(f"torch epoch_seconds: {seconds:.3f}  ({steps} steps, "
              f"last loss {loss.item():.4f})", flush=True)

    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean().item()
    print(f"torch test accuracy: {acc:.4f}")
    with open("/proc/self/maps") as f:  # which BLAS did the matmuls use?
        blas = sorted({l.split()[-1] for l in f if "blas" in l.lower()})
    with open("/proc/self/status") as f:
        threads = next(l.split()[1] for l in f if l.startswith("Threads:"))
    print(f"torch blas: {' '.join(blas) or 'none mapped'} (threads: {threads})")


if __name__ == "__main__":
    main()
