// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Batched matmul maps (used by @attention), the transpose map (@shapes).
// CHECK-DAG: #[[PERM:.*]] = affine_map<(d0, d1, d2) -> (d0, d2, d1)>
// CHECK-DAG: #[[BQ:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d3)>
// CHECK-DAG: #[[BK:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d2, d3)>
// CHECK-DAG: #[[BO:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>

// An LSTM is one loop over time on time-major [T + 1, B, H] states; each
// step is a recurrent matmul and one elementwise generic reading the four
// gates of the [B, 4, H] views, writing h_t and c_t into slot t + 1.
// CHECK-LABEL: func.func @lstm
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[T:.*]] = %c0 to %c5 step %c1 iter_args(%[[S:.*]] = %{{.*}}, %[[C:.*]] = %{{.*}}) -> (tensor<6x2x3xf32>, tensor<6x2x3xf32>)
// CHECK:   %[[NEXT:.*]] = arith.addi %[[T]], %c1
// CHECK:   tensor.extract_slice %[[S]][%[[T]], 0, 0] [1, 2, 3] [1, 1, 1] : tensor<6x2x3xf32> to tensor<2x3xf32>
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   tensor.expand_shape {{.*}} into tensor<2x4x3xf32>
// CHECK:   %[[HC:.*]]:2 = linalg.generic
// CHECK:     math.tanh
// CHECK:   tensor.insert_slice %[[HC]]#0 into %[[S]][%[[NEXT]], 0, 0]
// CHECK:   tensor.insert_slice %[[HC]]#1 into %[[C]][%[[NEXT]], 0, 0]
// CHECK:   scf.yield
func.func @lstm(%x: tensor<2x5x12xf32>, %w: tensor<3x12xf32>) -> tensor<2x5x3xf32> {
  %h, %c = nn.lstm %x, %w : tensor<2x5x12xf32>, tensor<3x12xf32>
  return %h : tensor<2x5x3xf32>
}

// Backpropagation through time runs the loop backwards: t = T - 1 - i.
// CHECK-LABEL: func.func @rnn_grad
// CHECK: scf.for %[[I:.*]] = %c0 to %c5 step %c1 iter_args({{.*}}) -> (tensor<2x5x3xf32>, tensor<3x3xf32>, tensor<2x3xf32>)
// CHECK:   %[[TP1:.*]] = arith.subi %{{.*}}, %[[I]]
// CHECK:   arith.subi %[[TP1]], %c1
func.func @rnn_grad(%g: tensor<2x5x3xf32>, %w: tensor<3x3xf32>, %h: tensor<2x5x3xf32>) -> (tensor<2x5x3xf32>, tensor<3x3xf32>) {
  %dx, %dw = nn.rnn_grad %g, %w, %h : tensor<2x5x3xf32>, tensor<3x3xf32>, tensor<2x5x3xf32> -> tensor<2x5x3xf32>, tensor<3x3xf32>
  return %dx, %dw : tensor<2x5x3xf32>, tensor<3x3xf32>
}

// Lookup: a generic over the output that extracts from the table at the
// clamped id; its gradient scatter-adds row by row in a loop over the ids.
// CHECK-LABEL: func.func @embedding
// CHECK: linalg.generic
// CHECK:   arith.maxsi
// CHECK:   arith.minsi
// CHECK:   tensor.extract %arg1
// CHECK: scf.for {{.*}} -> (tensor<7x4xf32>)
// CHECK:   tensor.extract %{{.*}}[%{{.*}}] : tensor<10xi32>
// CHECK:   tensor.insert_slice {{.*}} : tensor<4xf32> into tensor<7x4xf32>
func.func @embedding(%ids: tensor<2x5xi32>, %t: tensor<7x4xf32>) -> (tensor<2x5x4xf32>, tensor<7x4xf32>) {
  %e = nn.embedding %ids, %t : tensor<2x5xi32>, tensor<7x4xf32> -> tensor<2x5x4xf32>
  %g = nn.embedding_grad %e, %ids : tensor<2x5x4xf32>, tensor<2x5xi32> -> tensor<7x4xf32>
  return %e, %g : tensor<2x5x4xf32>, tensor<7x4xf32>
}

// Attention pieces: a batched contraction, the causal mask as a select on
// the two innermost indices, layer norm as row reductions and rsqrt.
// CHECK-LABEL: func.func @attention
// CHECK: linalg.generic {indexing_maps = [#[[BQ]], #[[BK]], #[[BO]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]}
// CHECK: linalg.index 1
// CHECK: linalg.index 2
// CHECK: arith.cmpi ugt
// CHECK: arith.select
// CHECK: math.rsqrt
func.func @attention(%q: tensor<2x5x4xf32>, %k: tensor<2x5x4xf32>) -> (tensor<2x5x5xf32>, tensor<2x5x4xf32>) {
  %0 = nn.batch_matmul %q, %k {transpose_rhs = true} : tensor<2x5x4xf32>, tensor<2x5x4xf32> -> tensor<2x5x5xf32>
  %1 = nn.causal_mask %0 fill 0xFFF0000000000000 : tensor<2x5x5xf32>
  %2 = nn.layer_norm %q eps 1.0e-5 : tensor<2x5x4xf32>
  return %1, %2 : tensor<2x5x5xf32>, tensor<2x5x4xf32>
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

// Dropout hashes (seed, step, flat index) into a keep/drop decision.
// CHECK-LABEL: func.func @dropout
// CHECK: tensor.extract %arg1[] : tensor<i32>
// CHECK: linalg.generic
// CHECK: arith.xori
// CHECK: arith.shrui
// CHECK: arith.cmpi uge
// CHECK: arith.select
func.func @dropout(%x: tensor<2x5xf32>, %s: tensor<i32>) -> tensor<2x5xf32> {
  %0 = nn.dropout %x, %s {rate = 0.5 : f64, seed = 1 : i64} : tensor<2x5xf32>, tensor<i32>
  return %0 : tensor<2x5xf32>
}

// The LSTM's backward pass: a reversed loop carrying the input gradient
// (time-major, gate-split), the weight gradient and dh, dc.
// CHECK-LABEL: func.func @lstm_grad
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (tensor<5x2x4x3xf32>, tensor<3x12xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: linalg.index 1
// CHECK: linalg.copy
func.func @lstm_grad(%g: tensor<2x5x3xf32>, %x: tensor<2x5x12xf32>, %w: tensor<3x12xf32>, %h: tensor<2x5x3xf32>, %c: tensor<2x5x3xf32>) -> (tensor<2x5x12xf32>, tensor<3x12xf32>) {
  %dx, %dw = nn.lstm_grad %g, %x, %w, %h, %c : tensor<2x5x3xf32>, tensor<2x5x12xf32>, tensor<3x12xf32>, tensor<2x5x3xf32>, tensor<2x5x3xf32> -> tensor<2x5x12xf32>, tensor<3x12xf32>
  return %dx, %dw : tensor<2x5x12xf32>, tensor<3x12xf32>
}
