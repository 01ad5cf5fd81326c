#!/usr/bin/env bash
# Every example against PyTorch on this machine, one thread, interleaved
# round by round:
#  - training: steps per second of dlc's JIT (`dlc train X.net --steps N`,
#    the route a user runs; its `train time:` line covers shuffling,
#    batching and the compiled step) and of bench/steps_torch.py (the same
#    model in PyTorch on random data of the same shapes; only steps timed);
#  - inference: images per second of the forward pass at batch 256 for the
#    image models, `dlc eval X.net --batch 256` (JIT `predict` over the test
#    set) against PyTorch eager under no_grad and after
#    torch.jit.optimize_for_inference.
# Prints medians, ranges and ratios: time per step dlc / PyTorch for
# training (below 1: dlc is faster), and dlc's images/s over PyTorch's for
# inference (above 1: dlc is faster).
# Usage: bash bench/run.sh [rounds]   (needs python3-torch and
# libopenblas0-pthread: with netlib's reference BLAS torch is 10x slower)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
batch=256
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
models=(mlp lenet char_lstm char_attention)
images=(mlp lenet)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Checkpoints for `dlc eval` (the speed of predict does not depend on them).
for m in "${images[@]}"; do
  build/bin/dlc train "examples/$m.net" --steps 10 --checkpoint "$tmp/$m.ckpt" >/dev/null
done

declare -A dlc torch eager fused infer
rate() { sed -n 's/.*(\([0-9.]*\) steps\/s).*/\1/p'; }
for r in $(seq "$rounds"); do
  for m in "${models[@]}"; do
    steps=100; [ "$m" = mlp ] && steps=1000
    dlc[$m]+="$(build/bin/dlc train "examples/$m.net" --steps $steps | grep 'train time' | rate) "
    torch[$m]+="$(/usr/bin/python3 bench/steps_torch.py "$m" --steps $steps | cut -d' ' -f1) "
  done
  for m in "${images[@]}"; do
    infer[$m]+="$(build/bin/dlc eval "examples/$m.net" --checkpoint "$tmp/$m.ckpt" --batch $batch |
      sed -n 's/^predict: \([0-9.]*\) images.*/\1/p') "
    read -r e f < <(/usr/bin/python3 bench/steps_torch.py "$m" --forward $batch | cut -d' ' -f1,2)
    eager[$m]+="$e "; fused[$m]+="$f "
  done
done

stats() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END{printf "%s %s %s", v[int((NR+1)/2)], v[1], v[NR]}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.2f", a/b}'; }
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "(family $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | xargs)," \
  "model $(grep -m1 '^model\s' /proc/cpuinfo | cut -d: -f2 | xargs)), 1 thread, $rounds rounds, commit $(git rev-parse --short HEAD)"
echo "torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)'), blas: $(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3)"
echo
echo "training, steps/s (median [min-max])"
printf '%-16s %24s %24s %12s\n' model "dlc JIT" "PyTorch" "dlc/PyTorch"
for m in "${models[@]}"; do
  read -r dm dlo dhi <<<"$(echo "${dlc[$m]}" | stats)"
  read -r tm tlo thi <<<"$(echo "${torch[$m]}" | stats)"
  printf '%-16s %9s [%6s-%6s] %9s [%6s-%6s] %12s\n' "$m" "$dm" "$dlo" "$dhi" \
    "$tm" "$tlo" "$thi" "$(ratio "$tm" "$dm")"
done
echo
echo "inference, batch $batch, images/s (median [min-max]); ratios: dlc over PyTorch"
printf '%-8s %26s %26s %26s %8s %8s\n' model "dlc eval (JIT)" "PyTorch eager" \
  "optimize_for_inference" "/eager" "/optim."
for m in "${images[@]}"; do
  read -r im ilo ihi <<<"$(echo "${infer[$m]}" | stats)"
  read -r em elo ehi <<<"$(echo "${eager[$m]}" | stats)"
  read -r fm flo fhi <<<"$(echo "${fused[$m]}" | stats)"
  printf '%-8s %8.0f [%7.0f-%7.0f] %8.0f [%7.0f-%7.0f] %8.0f [%7.0f-%7.0f] %8s %8s\n' \
    "$m" "$im" "$ilo" "$ihi" "$em" "$elo" "$ehi" "$fm" "$flo" "$fhi" \
    "$(ratio "$im" "$em")" "$(ratio "$im" "$fm")"
done
