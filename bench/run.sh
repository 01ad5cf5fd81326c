#!/usr/bin/env bash
# Training steps per second of every example, dlc against PyTorch, one thread,
# interleaved: dlc's JIT (`dlc train X.net --steps N`, the route a user runs;
# its `train time:` line covers shuffling, batching and the compiled step)
# and bench/steps_torch.py (the same model in PyTorch on random data of the
# same shapes; only steps are timed). Prints medians, ranges and the ratio
# of time per step, dlc / PyTorch (below 1: dlc is faster).
# Usage: bash bench/train_steps.sh [rounds]   (needs python3-torch and
# libopenblas0-pthread: with netlib's reference BLAS torch is 10x slower)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
models=(mlp lenet char_lstm char_attention)
declare -A dlc torch
rate() { sed -n 's/.*(\([0-9.]*\) steps\/s).*/\1/p'; }
for r in $(seq "$rounds"); do
  for m in "${models[@]}"; do
    steps=100; [ "$m" = mlp ] && steps=1000
    dlc[$m]+="$(build/bin/dlc train "examples/$m.net" --steps $steps | grep 'train time' | rate) "
    torch[$m]+="$(/usr/bin/python3 bench/steps_torch.py "$m" --steps $steps | cut -d' ' -f1) "
  done
done
stats() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END{printf "%s %s %s", v[int((NR+1)/2)], v[1], v[NR]}'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), 1 thread, $rounds rounds"
echo "torch blas: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
printf '%-16s %22s %22s %12s\n' model "dlc JIT steps/s" "PyTorch steps/s" "dlc/PyTorch"
for m in "${models[@]}"; do
  read -r dm dlo dhi <<<"$(echo "${dlc[$m]}" | stats)"
  read -r tm tlo thi <<<"$(echo "${torch[$m]}" | stats)"
  printf '%-16s %8s [%5s-%5s] %8s [%5s-%5s] %12s\n' "$m" "$dm" "$dlo" "$dhi" \
    "$tm" "$tlo" "$thi" "$(awk -v d="$dm" -v t="$tm" 'BEGIN{printf "%.2f", t/d}')"
done
