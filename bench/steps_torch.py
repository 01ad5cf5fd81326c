#!/usr/bin/python3
"""The examples' models in PyTorch, for bench/run.sh.

Each model mirrors examples/<name>.net layer for layer (shapes, optimizer,
loss, batch 64) and trains on random data of the example's shapes: the time
of a step does not depend on the values. One thread. Prints the steps per
second of `--steps` steps after 5 warm-up steps.

With `--forward N` (mlp and lenet) it prints instead the images per second
of the forward pass at batch N, twice: eager under torch.no_grad(), and
after torch.jit.optimize_for_inference (TorchScript, folded and fused).
"""
import argparse
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import torch
from torch import nn
import torch.nn.functional as F

B, T = 64, 32


def text_vocab(path="/usr/share/dict/words"):
    with open(path, "rb") as f:
        return len(set(f.read()))


class Lenet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(1, 6, 5), nn.Conv2d(6, 16, 5)
        self.f1, self.f2, self.out = (nn.Linear(256, 120), nn.Linear(120, 84),
                                      nn.Linear(84, 10))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c2(x)), 2)
        x = F.relu(self.f1(x.flatten(1)))
        return self.out(F.relu(self.f2(x)))


class CharLstm(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.e = nn.Embedding(vocab, 32)
        self.lstm = nn.LSTM(32, 128, batch_first=True)
        self.out = nn.Linear(128, vocab)

    def forward(self, ids):
        h, _ = self.lstm(self.e(ids))
        return self.out(h)


class Block(nn.Module):
    """Pre-norm transformer block: 4 heads of 16, causal, MLP 256."""

    def __init__(self, d=64, heads=4):
        super().__init__()
        self.heads = heads
        self.n1, self.n2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.q, self.k, self.v = (nn.Linear(d, d, bias=False) for _ in range(3))
        self.o = nn.Linear(d, d)
        self.h, self.f = nn.Linear(d, 256), nn.Linear(256, d)
        self.register_buffer("mask", torch.triu(torch.ones(T, T, dtype=torch.bool), 1))

    def attention(self, x):
        def split(t):  # [B, T, 64] -> [B, 4, T, 16]
            return t.view(B, T, self.heads, -1).transpose(1, 2)
        q, k, v = split(self.q(x)), split(self.k(x)), split(self.v(x))
        scores = (q @ k.transpose(-1, -2)) * 0.25
        weights = scores.masked_fill(self.mask, float("-inf")).softmax(-1)
        return self.o((weights @ v).transpose(1, 2).reshape(B, T, -1))

    def forward(self, x):
        a = x + self.attention(self.n1(x))
        return a + self.f(F.relu(self.h(self.n2(a))))


class CharAttention(nn.Module):
    def __init__(self, vocab):
        super().__init__()
        self.e = nn.Embedding(vocab, 64)
        self.pos = nn.Parameter(torch.randn(T, 64) * 0.02)
        self.b1, self.b2 = Block(), Block()
        self.top = nn.LayerNorm(64)
        self.out = nn.Linear(64, vocab)

    def forward(self, ids):
        x = self.e(ids) + self.pos
        return self.out(self.top(self.b2(self.b1(x))))


def setup(name):
    """Model, optimizer, a function returning one random batch, loss."""
    if name == "mlp":
        model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128),
                              nn.ReLU(), nn.Linear(128, 10))
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        batch = lambda: (torch.rand(B, 784), torch.randint(0, 10, (B,)))
        loss = lambda out, y: F.cross_entropy(out, y)
    elif name == "lenet":
        model = Lenet()
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        batch = lambda: (torch.rand(B, 1, 28, 28), torch.randint(0, 10, (B,)))
        loss = lambda out, y: F.cross_entropy(out, y)
    else:
        vocab = text_vocab()
        model = CharLstm(vocab) if name == "char_lstm" else CharAttention(vocab)
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        batch = lambda: (torch.randint(0, vocab, (B, T)),
                         torch.randint(0, vocab, (B, T)))
        loss = lambda out, y: F.cross_entropy(out.reshape(-1, vocab), y.reshape(-1))
    return model, opt, batch, loss


def images_per_s(forward, x, seconds=1.0):
    """Images per second of forward(x), after warm-up, over about `seconds`."""
    for _ in range(3):
        forward(x)
    calls, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        forward(x)
        calls += 1
    return calls * x.shape[0] / (time.perf_counter() - start)


def forward_throughput(name, batch):
    model, _, _, _ = setup(name)
    model.eval()
    shape = (batch, 784) if name == "mlp" else (batch, 1, 28, 28)
    x = torch.rand(*shape)
    with torch.no_grad():
        eager = images_per_s(model, x)
        optimized = torch.jit.optimize_for_inference(torch.jit.script(model))
        fused = images_per_s(optimized, x)
    print(f"{eager:.0f} {fused:.0f} images/s (eager, optimize_for_inference)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model", choices=["mlp", "lenet", "char_lstm", "char_attention"])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--forward", type=int, metavar="BATCH",
                    help="forward images/s at this batch (mlp, lenet)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(42)
    if args.forward:
        if args.model not in ("mlp", "lenet"):
            ap.error("--forward is for mlp and lenet")
        forward_throughput(args.model, args.forward)
        return
    model, opt, batch, loss = setup(args.model)
    batches = [batch() for _ in range(8)]

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad()
        loss(model(x), y).backward()
        opt.step()

    for i in range(5):
        step(i)
    start = time.perf_counter()
    for i in range(args.steps):
        step(i)
    elapsed = time.perf_counter() - start
    print(f"{args.steps / elapsed:.1f} steps/s")


if __name__ == "__main__":
    main()
