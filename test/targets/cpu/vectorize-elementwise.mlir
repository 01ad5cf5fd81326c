// RUN: dlc-opt %s --dlc-vectorize-elementwise | FileCheck %s

// A bias add over a feature map [N, C, H, W]: the bias is read along C only,
// so H and W (contiguous in every operand) collapse into one loop of 576,
// tiled by 64 lanes and vectorized; the bias is broadcast. Vectors are read
// from and written to the whole tensors at the tile's offsets, with no
// extract_slice or insert_slice between (each slice would be one more alias
// of its source for One-Shot Bufferize to check, and a value read by every
// layer of a deep model made that analysis quadratic).
// CHECK-LABEL: func.func @bias_add
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : tensor<2x6x24x24xf32> into tensor<2x6x576xf32>
// CHECK: scf.for {{.*}} to %c2 step %c1
// CHECK: scf.for {{.*}} to %c6 step %c1
// CHECK: scf.for {{.*}} to %c576 step %c64
// CHECK-NOT: tensor.extract_slice
// CHECK: vector.transfer_read %{{.*}}[%{{.*}}, %{{.*}}, %{{.*}}], {{.*}} : tensor<2x6x576xf32>, vector<1x1x64xf32>
// CHECK: vector.transfer_read %arg1[%{{.*}}], {{.*}} permutation_map = #{{.*}}} : tensor<6xf32>, vector<1x1x64xf32>
// CHECK: arith.addf {{.*}} : vector<1x1x64xf32>
// CHECK: vector.transfer_write {{.*}} : vector<1x1x64xf32>, tensor<2x6x576xf32>
// CHECK-NOT: tensor.insert_slice
// CHECK: tensor.expand_shape {{.*}} output_shape [2, 6, 24, 24]
// CHECK-NOT: linalg.generic
#nchw = affine_map<(n, c, h, w) -> (n, c, h, w)>
#ch = affine_map<(n, c, h, w) -> (c)>
func.func @bias_add(%x: tensor<2x6x24x24xf32>, %b: tensor<6xf32>) -> tensor<2x6x24x24xf32> {
  %e = tensor.empty() : tensor<2x6x24x24xf32>
  %0 = linalg.generic {indexing_maps = [#nchw, #ch, #nchw],
      iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %b : tensor<2x6x24x24xf32>, tensor<6xf32>) outs(%e : tensor<2x6x24x24xf32>) {
    ^bb0(%in: f32, %bias: f32, %out: f32):
      %s = arith.addf %in, %bias : f32
      linalg.yield %s : f32
  } -> tensor<2x6x24x24xf32>
  return %0 : tensor<2x6x24x24xf32>
}

// A relu gradient over a whole tensor collapses to one loop (here 96, in
// tiles of 32: a power of two, since LLVM scalarizes 48-lane loads).
// CHECK-LABEL: func.func @relu_grad
// CHECK: scf.for {{.*}} to %c96 step %c32
// CHECK: arith.cmpf ogt, {{.*}} : vector<32xf32>
// CHECK: arith.select {{.*}} : vector<32xi1>, vector<32xf32>
#id2 = affine_map<(i, j) -> (i, j)>
func.func @relu_grad(%x: tensor<4x24xf32>, %g: tensor<4x24xf32>) -> tensor<4x24xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<4x24xf32>
  %0 = linalg.generic {indexing_maps = [#id2, #id2, #id2],
      iterator_types = ["parallel", "parallel"]}
      ins(%x, %g : tensor<4x24xf32>, tensor<4x24xf32>) outs(%e : tensor<4x24xf32>) {
    ^bb0(%a: f32, %d: f32, %out: f32):
      %p = arith.cmpf ogt, %a, %zero : f32
      %s = arith.select %p, %d, %zero : f32
      linalg.yield %s : f32
  } -> tensor<4x24xf32>
  return %0 : tensor<4x24xf32>
}

// Left alone: a transpose (its input is not read along the inner loop), a
// reduction over the outer loop (a column sum), and an inner size with no whole-vector tile (a bias added to
// 10 logits: the rows cannot be collapsed, the bias is read along j only).
// CHECK-LABEL: func.func @left_alone
// CHECK-NOT: vector.
// CHECK-COUNT-3: linalg.generic
// CHECK-NOT: vector.
#ji = affine_map<(i, j) -> (j, i)>
#col = affine_map<(i, j) -> (j)>
#j = affine_map<(i, j) -> (j)>
func.func @left_alone(%x: tensor<32x32xf32>, %l: tensor<8x10xf32>, %b: tensor<10xf32>) -> (tensor<32x32xf32>, tensor<32xf32>, tensor<8x10xf32>) {
  %e = tensor.empty() : tensor<32x32xf32>
  %t = linalg.generic {indexing_maps = [#ji, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<32x32xf32>) outs(%e : tensor<32x32xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
  } -> tensor<32x32xf32>
  %e1 = tensor.empty() : tensor<32xf32>
  %s = linalg.generic {indexing_maps = [#id2, #col], iterator_types = ["reduction", "parallel"]}
      ins(%x : tensor<32x32xf32>) outs(%e1 : tensor<32xf32>) {
    ^bb0(%in: f32, %out: f32):
      %a = arith.addf %in, %out : f32
      linalg.yield %a : f32
  } -> tensor<32xf32>
  %e2 = tensor.empty() : tensor<8x10xf32>
  %n = linalg.generic {indexing_maps = [#id2, #j, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%l, %b : tensor<8x10xf32>, tensor<10xf32>) outs(%e2 : tensor<8x10xf32>) {
    ^bb0(%in: f32, %bias: f32, %out: f32):
      %m = arith.addf %in, %bias : f32
      linalg.yield %m : f32
  } -> tensor<8x10xf32>
  return %t, %s, %n : tensor<32x32xf32>, tensor<32xf32>, tensor<8x10xf32>
}

// The LSTM's gate math reads each gate of [B, 4, H] at a constant index: the
// gates become [B, H] slices read through projected permutations, which the
// vectorizer accepts (the slice then folds into the read's indices). Their
// rows are 4 H apart, so the loops stay uncollapsed.
// CHECK-LABEL: func.func @gate
// CHECK: scf.for %[[B:.*]] = {{.*}} to %c8 step %c1
// CHECK: scf.for %[[H:.*]] = {{.*}} to %c64 step %c64
// CHECK: vector.transfer_read %arg1[%[[B]], %c1, %[[H]]], {{.*}} : tensor<8x4x64xf32>, vector<1x64xf32>
// CHECK: math.tanh {{.*}} : vector<1x64xf32>
#bj = affine_map<(b, j) -> (b, j)>
#g1 = affine_map<(b, j) -> (b, 1, j)>
func.func @gate(%c: tensor<8x64xf32>, %g: tensor<8x4x64xf32>) -> tensor<8x64xf32> {
  %e = tensor.empty() : tensor<8x64xf32>
  %0 = linalg.generic {indexing_maps = [#bj, #g1, #bj], iterator_types = ["parallel", "parallel"]}
      ins(%c, %g : tensor<8x64xf32>, tensor<8x4x64xf32>) outs(%e : tensor<8x64xf32>) {
    ^bb0(%x: f32, %y: f32, %out: f32):
      %t = math.tanh %y : f32
      %m = arith.mulf %x, %t : f32
      linalg.yield %m : f32
  } -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// A row reduction (layer norm's mean over the last dimension): one row per
// tile, read as one vector and reduced across its lanes into the row's
// accumulator.
// CHECK-LABEL: func.func @row_sum
// CHECK: scf.for {{.*}} to %c8 step %c1
// CHECK: vector.transfer_read %arg0[%{{.*}}, %c0], {{.*}} : tensor<8x64xf32>, vector<64xf32>
// CHECK: vector.reduction <add>, {{.*}} : vector<64xf32> into f32
// CHECK-NOT: linalg.generic
#row = affine_map<(i, j) -> (i, j)>
#acc = affine_map<(i, j) -> (i)>
func.func @row_sum(%x: tensor<8x64xf32>) -> tensor<8xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<8xf32>
  %f = linalg.fill ins(%zero : f32) outs(%e : tensor<8xf32>) -> tensor<8xf32>
  %0 = linalg.generic {indexing_maps = [#row, #acc], iterator_types = ["parallel", "reduction"]}
      ins(%x : tensor<8x64xf32>) outs(%f : tensor<8xf32>) {
    ^bb0(%in: f32, %out: f32):
      %s = arith.addf %in, %out : f32
      linalg.yield %s : f32
  } -> tensor<8xf32>
  return %0 : tensor<8xf32>
}
