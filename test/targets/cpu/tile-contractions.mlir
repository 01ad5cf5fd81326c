// RUN: dlc-opt %s --pass-pipeline='builtin.module(convert-nn-to-linalg,func.func(dlc-tile-contractions{cache-tile=32,64,64 register-tile=4,16,1}))' | FileCheck %s
// RUN: dlc-opt %s --pass-pipeline='builtin.module(convert-nn-to-linalg,func.func(dlc-tile-contractions))' | FileCheck %s --check-prefix=DEFAULT

// Cache tiles of 32x64, then 4x16x1 register tiles turned into
// vector.contract. The reduction (96, within twice the cache tile's 64)
// stays whole in the cache tile, so the zero fill of the result is fused
// into it: each cache tile zeroes its own part right before accumulating.
// CHECK-LABEL: func.func @matmul
// CHECK: scf.for {{.*}} to %c64 step %c32
// CHECK: scf.for {{.*}} to %c128 step %c64
// CHECK: linalg.fill {{.*}} -> tensor<32x64xf32>
// CHECK: scf.for {{.*}} to %c32 step %c4
// CHECK: scf.for {{.*}} to %c64 step %c16
// CHECK: scf.for {{.*}} to %c96 step %c1
// CHECK: vector.transfer_read {{.*}} : tensor<4x1xf32>, vector<4x1xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<1x16xf32>, vector<1x16xf32>
// CHECK: vector.contract {{.*}} vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK-NOT: linalg.generic
func.func @matmul(%a: tensor<64x96xf32>, %b: tensor<96x128xf32>) -> tensor<64x128xf32> {
  %0 = nn.matmul %a, %b : tensor<64x96xf32>, tensor<96x128xf32> -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// A longer reduction is tiled in the cache tile (320 by 64): the fill of the
// whole result stays in front of the loops.
// CHECK-LABEL: func.func @long_reduction
// CHECK: linalg.fill {{.*}} -> tensor<64x128xf32>
// CHECK: scf.for {{.*}} to %c64 step %c32
// CHECK: scf.for {{.*}} to %c128 step %c64
// CHECK: scf.for {{.*}} to %c320 step %c64
// CHECK-NOT: linalg.fill
// CHECK: vector.contract
func.func @long_reduction(%a: tensor<64x320xf32>, %b: tensor<320x128xf32>) -> tensor<64x128xf32> {
  %0 = nn.matmul %a, %b : tensor<64x320xf32>, tensor<320x128xf32> -> tensor<64x128xf32>
  return %0 : tensor<64x128xf32>
}

// Elementwise ops are not contractions: left alone.
// CHECK-LABEL: func.func @relu
// CHECK: linalg.generic
// CHECK-NOT: vector.
func.func @relu(%a: tensor<64x96xf32>) -> tensor<64x96xf32> {
  %0 = nn.relu %a : tensor<64x96xf32>
  return %0 : tensor<64x96xf32>
}

// M, N and K come from the indexing maps, not the loop order. The LSTM's
// recurrent product [B, K] x [K, 4, H] -> [B, 4, H] has two N loops (gate,
// j) after M: the register tile is 4 rows of B by 16 of j, one gate at a
// time (not one row by 4 gates).
// CHECK-LABEL: func.func @gates
// CHECK: vector.contract {{.*}} vector<4x1xf32>, vector<1x1x16xf32> into vector<4x1x16xf32>
// CHECK-NOT: linalg.generic
#hk = affine_map<(b, g, j, k) -> (b, k)>
#kgj = affine_map<(b, g, j, k) -> (k, g, j)>
#bgj = affine_map<(b, g, j, k) -> (b, g, j)>
func.func @gates(%h: tensor<8x32xf32>, %w: tensor<32x4x16xf32>, %acc: tensor<8x4x16xf32>) -> tensor<8x4x16xf32> {
  %0 = linalg.generic {indexing_maps = [#hk, #kgj, #bgj],
      iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
      ins(%h, %w : tensor<8x32xf32>, tensor<32x4x16xf32>) outs(%acc : tensor<8x4x16xf32>) {
    ^bb0(%x: f32, %y: f32, %z: f32):
      %m = arith.mulf %x, %y : f32
      %s = arith.addf %z, %m : f32
      linalg.yield %s : f32
  } -> tensor<8x4x16xf32>
  return %0 : tensor<8x4x16xf32>
}

// A weight gradient summed over batch and time, [B, T, K] x [B, T, N] ->
// [K, N]: the two reduction loops are contiguous in both operands and become
// one, so the register tile has a single reduction dimension (two unit ones
// lowered to scalar code).
// CHECK-LABEL: func.func @weight_gradient
// CHECK: tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<4x8x16xf32> into tensor<32x16xf32>
// CHECK: tensor.collapse_shape %arg1 {{\[}}[0, 1], [2]] : tensor<4x8x64xf32> into tensor<32x64xf32>
// CHECK: vector.contract {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: vector<1x4xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK-NOT: linalg.generic
#x = affine_map<(k, n, b, t) -> (b, t, k)>
#g = affine_map<(k, n, b, t) -> (b, t, n)>
#w = affine_map<(k, n, b, t) -> (k, n)>
func.func @weight_gradient(%x: tensor<4x8x16xf32>, %g: tensor<4x8x64xf32>, %acc: tensor<16x64xf32>) -> tensor<16x64xf32> {
  %0 = linalg.generic {indexing_maps = [#x, #g, #w],
      iterator_types = ["parallel", "parallel", "reduction", "reduction"]}
      ins(%x, %g : tensor<4x8x16xf32>, tensor<4x8x64xf32>) outs(%acc : tensor<16x64xf32>) {
    ^bb0(%a: f32, %b: f32, %c: f32):
      %m = arith.mulf %a, %b : f32
      %s = arith.addf %c, %m : f32
      linalg.yield %s : f32
  } -> tensor<16x64xf32>
  return %0 : tensor<16x64xf32>
}

// An N of 25 would make 25-lane vectors, whose loads and stores LLVM
// scalarizes: N is padded with zeros to 32 and tiled in whole vectors; the
// padded op writes into a fresh fill and the result is its [8, 25] slice.
// CHECK-LABEL: func.func @odd_columns
// CHECK: %[[B:.*]] = tensor.pad %arg1 low[0, 0] high[0, 7]
// CHECK: scf.for {{.*}} to %c32 step %c16
// CHECK: vector.contract {{.*}} vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0] [8, 25] [1, 1] : tensor<8x32xf32> to tensor<8x25xf32>
func.func @odd_columns(%a: tensor<8x32xf32>, %b: tensor<32x25xf32>) -> tensor<8x25xf32> {
  %0 = nn.matmul %a, %b : tensor<8x32xf32>, tensor<32x25xf32> -> tensor<8x25xf32>
  return %0 : tensor<8x25xf32>
}

// A contraction accumulating into a live tensor (here an argument; in the
// recurrences, a loop-carried gradient) is not padded: its N tile is the
// largest divisor of 25 within the register tile.
// CHECK-LABEL: func.func @odd_accumulate
// CHECK-NOT: tensor.pad
// CHECK: vector.contract {{.*}} vector<1x5xf32> into vector<4x5xf32>
#ik = affine_map<(i, j, k) -> (i, k)>
#kj = affine_map<(i, j, k) -> (k, j)>
#ij = affine_map<(i, j, k) -> (i, j)>
func.func @odd_accumulate(%a: tensor<8x32xf32>, %b: tensor<32x25xf32>, %acc: tensor<8x25xf32>) -> tensor<8x25xf32> {
  %0 = linalg.generic {indexing_maps = [#ik, #kj, #ij],
      iterator_types = ["parallel", "parallel", "reduction"]}
      ins(%a, %b : tensor<8x32xf32>, tensor<32x25xf32>) outs(%acc : tensor<8x25xf32>) {
    ^bb0(%x: f32, %y: f32, %z: f32):
      %m = arith.mulf %x, %y : f32
      %s = arith.addf %z, %m : f32
      linalg.yield %s : f32
  } -> tensor<8x25xf32>
  return %0 : tensor<8x25xf32>
}

// With the default register tile (64 lanes), N = 96 gets 32-lane vectors,
// not 48: LLVM widens a 48-lane vector to 64 and scalarizes its loads.
// DEFAULT-LABEL: func.func @n96
// DEFAULT: vector.contract {{.*}} vector<4x1xf32>, vector<1x32xf32> into vector<4x32xf32>
func.func @n96(%a: tensor<8x16xf32>, %b: tensor<16x96xf32>) -> tensor<8x96xf32> {
  %0 = nn.matmul %a, %b : tensor<8x16xf32>, tensor<16x96xf32> -> tensor<8x96xf32>
  return %0 : tensor<8x96xf32>
}
