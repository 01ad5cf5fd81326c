#!/usr/bin/env bash
# Steps per second of every example through the JIT (`dlc train`) and from a
# shared library (`dlc-run train` on `dlc -o`), interleaved, one thread.
# Usage: bash bench/jit_vs_so.sh [rounds]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
models=(mlp lenet char_lstm char_attention)
for m in "${models[@]}"; do build/bin/dlc "examples/$m.net" -o "$tmp/$m.so"; done
rate() { grep "train time" | sed 's/.*(\(.*\) steps\/s).*/\1/'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
printf '%-16s %5s %10s %10s\n' model round "JIT st/s" ".so st/s"
for r in $(seq "$rounds"); do
  for m in "${models[@]}"; do
    steps=60; [ "$m" = mlp ] && steps=400
    jit=$(build/bin/dlc train "examples/$m.net" --steps $steps | rate)
    so=$(build/bin/dlc-run train "$tmp/$m.so" --steps $steps | rate)
    printf '%-16s %5s %10s %10s\n' "$m" "$r" "$jit" "$so"
  done
done
