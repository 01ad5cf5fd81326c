// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Row-wise normalizations and the causal mask (NormalizationLowering.cpp).

// Softmax: row max, row sum of exp(x - max), then the quotient.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.divf
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.softmax %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

// Log-softmax: the same row statistics, then x - max - log(sum). Its
// gradient sums g per row, then g - exp(y) * sum.
// CHECK-LABEL: func.func @log_softmax
// CHECK: arith.maximumf
// CHECK: math.exp
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: math.log
// CHECK: arith.subf
// CHECK: arith.subf
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg1 : tensor<4x8xf32>)
// CHECK: arith.addf
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} ins(%arg1, %[[Y]], %[[SUM]] : tensor<4x8xf32>, tensor<4x8xf32>, tensor<4xf32>)
// CHECK: math.exp
// CHECK: arith.mulf
// CHECK: arith.subf
// CHECK: return %[[DX]]
func.func @log_softmax(%x: tensor<4x8xf32>, %g: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.log_softmax %x : tensor<4x8xf32>
  %1 = nn.log_softmax_grad %g, %0 : tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// Any rank works on [N, D] rows: a vector is one row, leading dimensions
// collapse into N; the result takes the input's shape back.
// CHECK-LABEL: func.func @rows
// CHECK: %[[ROW:.*]] = tensor.expand_shape %arg0 {{\[\[}}0, 1]] output_shape [1, 8] : tensor<8xf32> into tensor<1x8xf32>
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[ROW]], %{{.*}}, %{{.*}} : tensor<1x8xf32>, tensor<1xf32>, tensor<1xf32>)
// CHECK: %[[VEC:.*]] = tensor.collapse_shape %[[Y]] {{\[\[}}0, 1]] : tensor<1x8xf32> into tensor<8xf32>
// Its gradient: y * (g - sum(g * y)).
// CHECK: %[[G:.*]] = tensor.collapse_shape %arg1 {{\[\[}}0, 1], [2]] : tensor<2x3x8xf32> into tensor<6x8xf32>
// CHECK: %[[DOT:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[G]], %{{.*}} : tensor<6x8xf32>, tensor<6x8xf32>)
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} ins(%[[G]], %{{.*}}, %[[DOT]] : tensor<6x8xf32>, tensor<6x8xf32>, tensor<6xf32>)
// CHECK: %[[OUT:.*]] = tensor.expand_shape %[[DX]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 8] : tensor<6x8xf32> into tensor<2x3x8xf32>
// CHECK: return %[[VEC]], %[[OUT]]
func.func @rows(%x: tensor<8xf32>, %g: tensor<2x3x8xf32>, %y: tensor<2x3x8xf32>) -> (tensor<8xf32>, tensor<2x3x8xf32>) {
  %0 = nn.softmax %x : tensor<8xf32>
  %1 = nn.softmax_grad %g, %y : tensor<2x3x8xf32>
  return %0, %1 : tensor<8xf32>, tensor<2x3x8xf32>
}

// Attention pieces: the causal mask as a select on the two innermost
// indices, layer norm as row reductions and rsqrt.
// CHECK-LABEL: func.func @attention
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: arith.cmpi ugt
// CHECK: arith.select
// CHECK: math.rsqrt
func.func @attention(%s: tensor<2x5x5xf32>, %q: tensor<2x5x4xf32>) -> (tensor<2x5x5xf32>, tensor<2x5x4xf32>) {
  %1 = nn.causal_mask %s fill 0xFFF0000000000000 : tensor<2x5x5xf32>
  %2 = nn.layer_norm %q eps 1.0e-5 : tensor<2x5x4xf32>
  return %1, %2 : tensor<2x5x5xf32>, tensor<2x5x4xf32>
}

// Layer norm's gradient recomputes 1 / sqrt(var + eps), sums g and g * y per
// row in one reduction, then combines them elementwise.
// CHECK-LABEL: func.func @layer_norm_grad
// CHECK: math.rsqrt
// CHECK: %[[SUMS:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<10x4xf32>, tensor<10x4xf32>) outs(%{{.*}}, %{{.*}} : tensor<10xf32>, tensor<10xf32>)
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %[[SUMS]]#0, %[[SUMS]]#1, %{{.*}} :
// CHECK: tensor.expand_shape %[[DX]] {{\[\[}}0, 1], [2]] output_shape [2, 5, 4]
func.func @layer_norm_grad(%g: tensor<2x5x4xf32>, %y: tensor<2x5x4xf32>, %x: tensor<2x5x4xf32>) -> tensor<2x5x4xf32> {
  %0 = nn.layer_norm_grad %g, %y, %x eps 1.0e-5 : tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}
