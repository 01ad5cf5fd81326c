// RUN: dlc-opt %s --dlc-unshare-init-tensors | FileCheck %s

// After CSE one zero-filled tensor is the init of both matmuls; each gets its
// own tensor.empty and fill, right before it, so that One-Shot Bufferize sees
// two small alias sets instead of one that grows with the model.
// CHECK-LABEL: func.func @shared_fill
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK: %[[F1:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E1]] : tensor<4x4xf32>)
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK: %[[F2:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E2]] : tensor<4x4xf32>)
// CHECK: linalg.matmul ins(%arg0, %arg1 : {{.*}}) outs(%[[F2]] : tensor<4x4xf32>)
// CHECK: %[[E3:.*]] = tensor.empty() : tensor<4x4xf32>
// CHECK: %[[F3:.*]] = linalg.fill ins(%{{.*}}) outs(%[[E3]] : tensor<4x4xf32>)
// CHECK: linalg.matmul ins(%{{.*}}, %arg1 : {{.*}}) outs(%[[F3]] : tensor<4x4xf32>)
// CHECK: return %{{.*}}, %[[F1]]
func.func @shared_fill(%a: tensor<4x4xf32>, %b: tensor<4x4xf32>)
    -> (tensor<4x4xf32>, tensor<4x4xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x4xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m1 = linalg.matmul ins(%a, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  %m2 = linalg.matmul ins(%m1, %b : tensor<4x4xf32>, tensor<4x4xf32>) outs(%f : tensor<4x4xf32>) -> tensor<4x4xf32>
  return %m2, %f : tensor<4x4xf32>, tensor<4x4xf32>
}

// A tensor.empty with several users, one of them inside a loop: the copy goes
// next to that user. A fill of a function argument is not fresh and stays.
// CHECK-LABEL: func.func @shared_empty
// CHECK: %[[E:.*]] = tensor.empty() : tensor<8xf32>
// CHECK: linalg.fill ins(%{{.*}}) outs(%arg0
// CHECK: scf.for
// CHECK:   %[[E2:.*]] = tensor.empty() : tensor<8xf32>
// CHECK:   linalg.generic {{.*}} outs(%[[E2]] : tensor<8xf32>)
// CHECK: linalg.generic {{.*}} outs(%[[E]] : tensor<8xf32>)
#id = affine_map<(i) -> (i)>
func.func @shared_empty(%x: tensor<8xf32>, %n: index) -> (tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %one = arith.constant 1.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %g = linalg.fill ins(%one : f32) outs(%x : tensor<8xf32>) -> tensor<8xf32>
  %r = scf.for %i = %c0 to %n step %c1 iter_args(%acc = %x) -> tensor<8xf32> {
    %y = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
        ins(%acc : tensor<8xf32>) outs(%e : tensor<8xf32>) {
      ^bb0(%in: f32, %out: f32):
        %s = arith.addf %in, %one : f32
        linalg.yield %s : f32
    } -> tensor<8xf32>
    scf.yield %y : tensor<8xf32>
  }
  %z = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel"]}
      ins(%r : tensor<8xf32>) outs(%e : tensor<8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.mulf %in, %in : f32
      linalg.yield %s : f32
  } -> tensor<8xf32>
  return %z, %g, %g : tensor<8xf32>, tensor<8xf32>, tensor<8xf32>
}

// A padded operand (a pad fused into its producer): the fill is sliced, its
// interior written, and the result inserted back. Those subset uses keep the
// fill, so the producer writes into the padded buffer in place; its other
// user (the matmul) gets its own fill.
// CHECK-LABEL: func.func @padded
// CHECK: %[[F:.*]] = linalg.fill {{.*}} -> tensor<8x16xf32>
// CHECK: %[[S:.*]] = tensor.extract_slice %[[F]][0, 0] [8, 12] [1, 1]
// CHECK: %[[G:.*]] = linalg.generic {{.*}} outs(%[[S]] : tensor<8x12xf32>)
// CHECK: tensor.insert_slice %[[G]] into %[[F]][0, 0] [8, 12] [1, 1]
// CHECK: %[[F2:.*]] = linalg.fill {{.*}} -> tensor<8x16xf32>
// CHECK: linalg.matmul {{.*}} outs(%[[F2]] : tensor<8x16xf32>)
#id2 = affine_map<(i, j) -> (i, j)>
func.func @padded(%x: tensor<8x12xf32>, %a: tensor<8x8xf32>, %b: tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8x16xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8x16xf32>) -> tensor<8x16xf32>
  %s = tensor.extract_slice %f[0, 0] [8, 12] [1, 1] : tensor<8x16xf32> to tensor<8x12xf32>
  %g = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<8x12xf32>) outs(%s : tensor<8x12xf32>) {
    ^bb0(%in: f32, %out: f32):
      %t = arith.mulf %in, %in : f32
      linalg.yield %t : f32
  } -> tensor<8x12xf32>
  %p = tensor.insert_slice %g into %f[0, 0] [8, 12] [1, 1] : tensor<8x12xf32> into tensor<8x16xf32>
  %m = linalg.matmul ins(%a, %b : tensor<8x8xf32>, tensor<8x16xf32>) outs(%f : tensor<8x16xf32>) -> tensor<8x16xf32>
  return %p, %m : tensor<8x16xf32>, tensor<8x16xf32>
}

// Elementwise loops write a collapsed tensor.empty, and CSE leaves one
// collapse_shape as the init of all of them: each loop gets its own empty
// and collapse.
// CHECK-LABEL: func.func @shared_collapse
// CHECK: %[[E1:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[C1:.*]] = tensor.collapse_shape %[[E1]]
// CHECK: %[[E2:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[C2:.*]] = tensor.collapse_shape %[[E2]]
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[C2]])
// CHECK: scf.for {{.*}} iter_args(%{{.*}} = %[[C1]])
func.func @shared_collapse(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %c0 = arith.constant 0 : index
  %c4 = arith.constant 4 : index
  %c8 = arith.constant 8 : index
  %e = tensor.empty() : tensor<2x4xf32>
  %flat = tensor.collapse_shape %e [[0, 1]] : tensor<2x4xf32> into tensor<8xf32>
  %a = scf.for %i = %c0 to %c8 step %c4 iter_args(%acc = %flat) -> tensor<8xf32> {
    %s = tensor.extract_slice %x[%i] [4] [1] : tensor<8xf32> to tensor<4xf32>
    %r = tensor.insert_slice %s into %acc[%i] [4] [1] : tensor<4xf32> into tensor<8xf32>
    scf.yield %r : tensor<8xf32>
  }
  %b = scf.for %i = %c0 to %c8 step %c4 iter_args(%acc = %flat) -> tensor<8xf32> {
    %s = tensor.extract_slice %a[%i] [4] [1] : tensor<8xf32> to tensor<4xf32>
    %r = tensor.insert_slice %s into %acc[%i] [4] [1] : tensor<4xf32> into tensor<8xf32>
    scf.yield %r : tensor<8xf32>
  }
  return %a, %b : tensor<8xf32>, tensor<8xf32>
}
