// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Recurrences and embeddings (RecurrenceLowering.cpp).

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

// An RNN step: the recurrent matmul, then tanh of its sum with x_t written
// into the next state slot.
// CHECK-LABEL: func.func @rnn
// CHECK: scf.for %[[T:.*]] = %c0 to %c5 step %c1 iter_args(%[[S:.*]] = %{{.*}}) -> (tensor<6x2x3xf32>)
// CHECK:   %[[NEXT:.*]] = arith.addi %[[T]], %c1
// CHECK:   linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK:   %[[H:.*]] = linalg.generic
// CHECK:     math.tanh
// CHECK:   tensor.insert_slice %[[H]] into %[[S]][%[[NEXT]], 0, 0]
// CHECK:   scf.yield
func.func @rnn(%x: tensor<2x5x3xf32>, %w: tensor<3x3xf32>) -> tensor<2x5x3xf32> {
  %0 = nn.rnn %x, %w : tensor<2x5x3xf32>, tensor<3x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// Backpropagation through time runs the loop backwards: t = T - 1 - i.
// W^T for dh = da W^T is copied once before the time loop, not per step.
// CHECK-LABEL: func.func @rnn_grad
// CHECK: %[[WT:.*]] = linalg.generic {{.*}} ins(%arg1 : tensor<3x3xf32>)
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

// The LSTM's backward pass: a reversed loop carrying the input gradient
// (time-major, gate-split), the weight gradient and dh, dc.
// CHECK-LABEL: func.func @lstm_grad
// CHECK: linalg.generic {{.*}} ins(%arg2 : tensor<3x12xf32>) outs(%{{.*}} : tensor<12x3xf32>)
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (tensor<5x2x4x3xf32>, tensor<3x12xf32>, tensor<2x3xf32>, tensor<2x3xf32>)
// CHECK: linalg.index 1
// CHECK: linalg.copy
func.func @lstm_grad(%g: tensor<2x5x3xf32>, %x: tensor<2x5x12xf32>, %w: tensor<3x12xf32>, %h: tensor<2x5x3xf32>, %c: tensor<2x5x3xf32>) -> (tensor<2x5x12xf32>, tensor<3x12xf32>) {
  %dx, %dw = nn.lstm_grad %g, %x, %w, %h, %c : tensor<2x5x3xf32>, tensor<2x5x12xf32>, tensor<3x12xf32>, tensor<2x5x3xf32>, tensor<2x5x3xf32> -> tensor<2x5x12xf32>, tensor<3x12xf32>
  return %dx, %dw : tensor<2x5x12xf32>, tensor<3x12xf32>
}
