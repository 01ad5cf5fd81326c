// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Padding is a generic writing through a shifted map; the convolution runs
// (n, f, c, kh, kw, oh, ow) with the row innermost.
// CHECK-DAG: #[[SHIFT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 + 1, d3 + 1)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d5 * 2 + d3, d6 * 2 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// CHECK-LABEL: func.func @conv
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SHIFT]]]
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
func.func @conv(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32> {
  %0 = nn.conv2d %x, %w {stride = 2, padding = 1} : tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32> -> tensor<2x4x4x4xf32>
  return %0 : tensor<2x4x4x4xf32>
}

// Max pooling reads a window through an (unused) [K, K] operand.
// CHECK-LABEL: func.func @pool
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<1x2x4x4xf32>, tensor<2x2xf32>)
// CHECK: arith.maximumf
func.func @pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = nn.maxpool2d %x {kernel = 2, stride = 2} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

// Reshape goes through one dimension.
// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2, 3]] : tensor<2x3x4x4xf32> into tensor<96xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 48] : tensor<96xf32> into tensor<2x48xf32>
func.func @flatten(%x: tensor<2x3x4x4xf32>) -> tensor<2x48xf32> {
  %0 = nn.reshape %x : tensor<2x3x4x4xf32> -> tensor<2x48xf32>
  return %0 : tensor<2x48xf32>
}
