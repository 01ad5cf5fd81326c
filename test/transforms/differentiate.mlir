// RUN: dlc-opt %s --nn-differentiate | FileCheck %s

// The VJPs of elementwise ops; the gradient of a value used twice is summed.
// CHECK-LABEL: func.func @f_grad(
// CHECK-SAME: -> (tensor<f32>, tensor<2x3xf32>)
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[G0:.*]] = nn.broadcast %[[ONE]] {axes = array<i64: 0, 1>} : tensor<f32> -> tensor<2x3xf32>
// CHECK: %[[G1:.*]] = nn.tanh_grad %[[G0]], %{{.*}}
// CHECK: %[[G2:.*]] = nn.relu_grad %[[G1]], %arg0
// CHECK: %[[G3:.*]] = nn.add %[[G0]], %[[G2]]
// CHECK: return %{{.*}}, %[[G3]]
func.func @f(%x: tensor<2x3xf32>) -> tensor<f32> attributes {nn.differentiate} {
  %0 = nn.relu %x : tensor<2x3xf32>
  %1 = nn.tanh %0 : tensor<2x3xf32>
  %2 = nn.add %1, %x : tensor<2x3xf32>
  %3 = nn.reduce_sum %2 {axes = array<i64: 0, 1>} : tensor<2x3xf32> -> tensor<f32>
  return %3 : tensor<f32>
}
