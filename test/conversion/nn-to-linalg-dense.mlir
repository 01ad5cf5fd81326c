// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Contractions and shape ops (DenseLowering.cpp).

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[SWAP:.*]] = affine_map<(d0, d1) -> (d1, d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// Batched matmul maps (used by @batch_matmul), the transpose map (@shapes).
// CHECK-DAG: #[[PERM:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[BQ:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[BO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

// CHECK-LABEL: func.func @matmul
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x3xf32>) outs(%[[ZERO]] : tensor<4x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// A transposed rhs is copied into [k, j] first, so that the vectorized
// kernel reads rows of it, not a strided column per step of k.
// CHECK: %[[T:.*]] = linalg.generic {indexing_maps = [#[[SWAP]], #[[ID2]]], iterator_types = ["parallel", "parallel"]}
// CHECK-SAME: ins(%arg2 : tensor<3x8xf32>) outs(%{{.*}} : tensor<8x3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]]
// CHECK-SAME: ins(%arg0, %[[T]] : tensor<4x8xf32>, tensor<8x3xf32>)
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %bt: tensor<3x8xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = nn.matmul %a, %b : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %1 = nn.matmul %a, %bt {transpose_rhs = true} : tensor<4x8xf32>, tensor<3x8xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

// Attention scores: a batched contraction, the batch dimensions leading.
// CHECK-LABEL: func.func @batch_matmul
// CHECK: linalg.generic {indexing_maps = [#[[BQ]], #[[BK]], #[[BO]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
func.func @batch_matmul(%q: tensor<2x5x4xf32>, %k: tensor<2x5x4xf32>) -> tensor<2x5x5xf32> {
  %0 = nn.batch_matmul %q, %k {transpose_rhs = true} : tensor<2x5x4xf32>, tensor<2x5x4xf32> -> tensor<2x5x5xf32>
  return %0 : tensor<2x5x5xf32>
}

// A sum over axis 0 into a zero-filled [3].
// CHECK-LABEL: func.func @reduce_sum
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "parallel"]
// CHECK-SAME: ins(%arg0 : tensor<4x3xf32>)
// CHECK: arith.addf
func.func @reduce_sum(%x: tensor<4x3xf32>) -> tensor<3xf32> {
  %0 = nn.reduce_sum %x {axes = array<i64: 0>} : tensor<4x3xf32> -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// A maximum over axes 0 and 2 from -inf; its gradient counts each group's
// maxima (x == max), then gives each of them grad / count (torch.amax).
// CHECK-LABEL: func.func @reduce_max
// CHECK: %[[NEG:.*]] = arith.constant 0xFF800000 : f32
// CHECK: linalg.fill ins(%[[NEG]] : f32) outs(%{{.*}} : tensor<3xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK-SAME: ins(%arg0 : tensor<2x3x4xf32>)
// CHECK: arith.maximumf
// CHECK: %[[COUNT:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "parallel", "reduction"]
// CHECK-SAME: ins(%arg0, %[[MAX]] : tensor<2x3x4xf32>, tensor<3xf32>)
// CHECK: arith.cmpf oeq
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%arg0, %[[MAX]], %arg1, %[[COUNT]] : tensor<2x3x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: arith.divf
// CHECK: arith.cmpf oeq
// CHECK: arith.select
// CHECK: return %[[MAX]], %[[DX]]
func.func @reduce_max(%x: tensor<2x3x4xf32>, %g: tensor<3xf32>) -> (tensor<3xf32>, tensor<2x3x4xf32>) {
  %0 = nn.reduce_max %x {axes = array<i64: 0, 2>} : tensor<2x3x4xf32> -> tensor<3xf32>
  %1 = nn.reduce_max_grad %g, %x, %0 {axes = array<i64: 0, 2>} : tensor<3xf32>, tensor<2x3x4xf32>, tensor<3xf32> -> tensor<2x3x4xf32>
  return %0, %1 : tensor<3xf32>, tensor<2x3x4xf32>
}

// Reshape goes through one dimension.
// CHECK-LABEL: func.func @flatten
// CHECK: tensor.collapse_shape %arg0 {{\[\[}}0, 1, 2, 3]] : tensor<2x3x4x4xf32> into tensor<96xf32>
// CHECK: tensor.expand_shape %{{.*}} {{\[\[}}0, 1]] output_shape [2, 48] : tensor<96xf32> into tensor<2x48xf32>
func.func @flatten(%x: tensor<2x3x4x4xf32>) -> tensor<2x48xf32> {
  %0 = nn.reshape %x : tensor<2x3x4x4xf32> -> tensor<2x48xf32>
  return %0 : tensor<2x48xf32>
}

// Transpose reads through the permuted map; slice and concat copy through
// extract_slice/insert_slice pairs, which bufferize in place.
// CHECK-LABEL: func.func @shapes
// CHECK: linalg.generic {indexing_maps = [#[[PERM]], #{{.*}}]
// CHECK: tensor.extract_slice %arg0[0, 0, 1] [2, 5, 2] [1, 1, 1]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0] [2, 5, 4]
// CHECK: tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 4] [2, 5, 2]
func.func @shapes(%q: tensor<2x5x4xf32>) -> (tensor<2x4x5xf32>, tensor<2x5x6xf32>) {
  %0 = nn.transpose %q {permutation = array<i64: 0, 2, 1>} : tensor<2x5x4xf32> -> tensor<2x4x5xf32>
  %1 = nn.slice %q axis 2 start 1 : tensor<2x5x4xf32> -> tensor<2x5x2xf32>
  %2 = nn.concat %q, %1 axis 2 : tensor<2x5x4xf32>, tensor<2x5x2xf32> -> tensor<2x5x6xf32>
  return %0, %2 : tensor<2x4x5xf32>, tensor<2x5x6xf32>
}

// A slice's gradient copies into its range of a zero-filled tensor.
// CHECK-LABEL: func.func @slice_grad
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x5x4xf32>)
// CHECK: %[[DEST:.*]] = tensor.extract_slice %[[ZERO]][0, 0, 1] [2, 5, 2] [1, 1, 1]
// CHECK: %[[COPY:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<2x5x2xf32>) outs(%[[DEST]] : tensor<2x5x2xf32>)
// CHECK: tensor.insert_slice %[[COPY]] into %[[ZERO]][0, 0, 1] [2, 5, 2] [1, 1, 1]
func.func @slice_grad(%g: tensor<2x5x2xf32>) -> tensor<2x5x4xf32> {
  %0 = nn.slice_grad %g axis 2 start 1 : tensor<2x5x2xf32> -> tensor<2x5x4xf32>
  return %0 : tensor<2x5x4xf32>
}
