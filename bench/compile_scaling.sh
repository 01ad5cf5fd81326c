#!/usr/bin/env bash
# Compile time of `dlc model.net -o model.so` against model size: a model of
# N statements should take about twice as long as one of N/2.
# Usage: bash bench/compile_scaling.sh [kind] [N...]
#   kind residual (default): h_i = tanh(h_{i-1}) + h0, a 32-wide residual
#        chain: every statement is an elementwise layer and its gradient.
#   kind dense: h_i = relu(dense(h_{i-1}, 16)): every statement is a matmul,
#        its bias and relu, their gradients and the SGD update (six kernels).
#   kind distinct: h_i = tanh(h_{i-1}) * c_i + h0 with a different c_i in
#        every statement, so that no two kernels are alike and none is
#        shared (dlc-outline-kernels compiles a repeated kernel once).
# Default sizes: residual 1000 2000 4000, dense 100 200 400, distinct 250 500
# 1000.
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-residual}
shift || true
case "$kind" in
residual) sizes=("${@:-1000 2000 4000}") ;;
dense) sizes=("${@:-100 200 400}") ;;
distinct) sizes=("${@:-250 500 1000}") ;;
*) echo "unknown kind '$kind' (expected residual, dense or distinct)" >&2; exit 1 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

generate() { # generate N > file
  local n=$1
  echo "model m(x: f32[B, 784]) {"
  if [ "$kind" = residual ]; then
    echo "  h0 = dense(x, 32)"
    for i in $(seq 1 "$n"); do echo "  h$i = tanh(h$((i - 1))) + h0"; done
  elif [ "$kind" = distinct ]; then
    echo "  h0 = dense(x, 32)"
    for i in $(seq 1 "$n"); do
      echo "  h$i = tanh(h$((i - 1))) * $(awk -v i="$i" 'BEGIN{printf "%.5f", 1 + i / 100000}') + h0"
    done
  else
    echo "  h0 = dense(x, 16)"
    for i in $(seq 1 "$n"); do echo "  h$i = relu(dense(h$((i - 1)), 16))"; done
  fi
  echo "  logits = dense(h$n, 10)"
  echo "}"
  cat <<'TRAIN'
train m {
  data      = fashion_mnist("/usr/share/datasets/fashion-mnist")
  loss      = cross_entropy(logits, labels)
  optimizer = sgd(lr = 0.01)
  batch     = 8
}
TRAIN
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "kind: $kind"
printf '%8s %10s %12s %10s %12s\n' statements seconds "ms/stmt" "x prev" "peak MB"
prev=
for n in ${sizes[*]}; do
  generate "$n" >"$tmp/m$n.net"
  /usr/bin/time -f '%e %M' -o "$tmp/time" build/bin/dlc "$tmp/m$n.net" -o "$tmp/m$n.so"
  read -r secs kb <"$tmp/time"
  ratio=-
  [ -n "$prev" ] && ratio=$(awk -v a="$secs" -v b="$prev" 'BEGIN{printf "%.2f", a/b}')
  printf '%8s %10s %12s %10s %12s\n' "$n" "$secs" \
    "$(awk -v s="$secs" -v n="$n" 'BEGIN{printf "%.1f", 1000*s/n}')" "$ratio" \
    "$((kb / 1024))"
  prev=$secs
  rm -f "$tmp/m$n.so"
done
