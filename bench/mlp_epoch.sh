#!/usr/bin/env bash
# Epoch time of examples/mlp.net: dlc against the same model in PyTorch.
# usage: bench/mlp_epoch.sh [epochs=1] [repetitions=3]
# Runs are interleaved (dlc, torch, dlc, torch, ...); both run on one thread
# and time only the training loop. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

epochs=${1:-1}
reps=${2:-3}
dlc=./build/bin/dlc
net=examples/mlp.net
python=/usr/bin/python3

[ -x "$dlc" ] || { echo "error: $dlc not found: build first: bash .ci/setup" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "error: $python cannot import torch: apt-get install python3-torch" >&2; exit 1; }

median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# Compile time (wall): .net -> .so.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s.%N)
"$dlc" "$net" -o "$tmp/mlp.so"
t1=$(date +%s.%N)
compile=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')

echo "mlp.net, $epochs epoch(s) per run, $reps run(s) each, 1 thread"
printf '%-6s %12s %14s\n' run "dlc s/epoch" "torch s/epoch"
dlc_times=() torch_times=()
for ((r = 1; r <= reps; r++)); do
  "$dlc" train "$net" --epochs "$epochs" >"$tmp/dlc.out"
  d=$(awk -v e="$epochs" '/^train time:/ {printf "%.2f", $3 / e}' "$tmp/dlc.out")
  "$python" bench/mlp_torch.py --epochs "$epochs" >"$tmp/torch.out"
  t=$(awk '/^torch epoch_seconds:/ {s += $3; n++} END {printf "%.2f", s / n}' "$tmp/torch.out")
  dlc_times+=("$d") torch_times+=("$t")
  printf '%-6s %12s %14s\n' "$r" "$d" "$t"
done

dm=$(printf '%s\n' "${dlc_times[@]}" | median)
tm=$(printf '%s\n' "${torch_times[@]}" | median)
printf '%-6s %12.2f %14.2f\n' median "$dm" "$tm"
awk -v d="$dm" -v t="$tm" 'BEGIN {printf "ratio dlc/torch (median): %.2f\n", d / t}'
echo "test accuracy (last run): dlc $(awk '/^test accuracy:/ {print $3}' "$tmp/dlc.out")," \
  "torch $(awk '/^torch test accuracy:/ {print $4}' "$tmp/torch.out")"
echo "dlc compile time (.net -> .so, wall): $compile s"
grep '^torch blas:' "$tmp/torch.out" || true
