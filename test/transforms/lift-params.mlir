// RUN: dlc-opt %s --nn-lift-params | FileCheck %s

// Parameters become leading arguments in order of first use; a parameter
// read twice is one argument.
// CHECK-LABEL: func.func @f(
// CHECK-SAME: %[[W:.*]]: tensor<4x3xf32> {nn.init = "he", nn.param = "d.weight"},
// CHECK-SAME: %[[B:.*]]: tensor<3xf32> {nn.init = "zeros", nn.param = "d.bias"},
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>)
func.func @f(%x: tensor<2x4xf32>) -> tensor<2x3xf32> {
  %w = nn.param "d.weight" init "he" : tensor<4x3xf32>
  %b = nn.param "d.bias" init "zeros" : tensor<3xf32>
  // CHECK-NOT: nn.param
  // CHECK: nn.matmul %[[X]], %[[W]]
  %0 = nn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  // CHECK: nn.bias_add %{{.*}}, %[[B]]
  %1 = nn.bias_add %0, %b : tensor<2x3xf32>, tensor<3xf32>
  %b2 = nn.param "d.bias" init "zeros" : tensor<3xf32>
  // CHECK: nn.bias_add %{{.*}}, %[[B]]
  %2 = nn.bias_add %1, %b2 : tensor<2x3xf32>, tensor<3xf32>
  return %2 : tensor<2x3xf32>
}
