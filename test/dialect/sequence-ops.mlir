// RUN: dlc-opt %s | dlc-opt | FileCheck %s
// Round trip of the sequence and attention ops.

// CHECK-LABEL: func @sequence
func.func @sequence(%ids: tensor<2x5xi32>, %table: tensor<7x4xf32>, %xp: tensor<2x5x12xf32>,
                    %w: tensor<3x12xf32>, %xr: tensor<2x5x3xf32>, %wr: tensor<3x3xf32>) {
  // CHECK: nn.embedding %{{.*}}, %{{.*}} : tensor<2x5xi32>, tensor<7x4xf32> -> tensor<2x5x4xf32>
  %e = nn.embedding %ids, %table : tensor<2x5xi32>, tensor<7x4xf32> -> tensor<2x5x4xf32>
  // CHECK: nn.embedding_grad %{{.*}}, %{{.*}} : tensor<2x5x4xf32>, tensor<2x5xi32> -> tensor<7x4xf32>
  %de = nn.embedding_grad %e, %ids : tensor<2x5x4xf32>, tensor<2x5xi32> -> tensor<7x4xf32>
  // CHECK: %[[H:.*]], %[[C:.*]] = nn.lstm %{{.*}}, %{{.*}} : tensor<2x5x12xf32>, tensor<3x12xf32>
  %h, %c = nn.lstm %xp, %w : tensor<2x5x12xf32>, tensor<3x12xf32>
  // CHECK: nn.lstm_grad {{.*}} -> tensor<2x5x12xf32>, tensor<3x12xf32>
  %dx, %dw = nn.lstm_grad %h, %xp, %w, %h, %c : tensor<2x5x3xf32>, tensor<2x5x12xf32>, tensor<3x12xf32>, tensor<2x5x3xf32>, tensor<2x5x3xf32> -> tensor<2x5x12xf32>, tensor<3x12xf32>
  // CHECK: nn.rnn %{{.*}}, %{{.*}} : tensor<2x5x3xf32>, tensor<3x3xf32>
  %r = nn.rnn %xr, %wr : tensor<2x5x3xf32>, tensor<3x3xf32>
  // CHECK: nn.rnn_grad
  %drx, %drw = nn.rnn_grad %r, %wr, %r : tensor<2x5x3xf32>, tensor<3x3xf32>, tensor<2x5x3xf32> -> tensor<2x5x3xf32>, tensor<3x3xf32>
  return
}

// CHECK-LABEL: func @attention
func.func @attention(%q: tensor<2x5x4xf32>, %k: tensor<2x5x4xf32>, %s: tensor<i32>) {
  // CHECK: nn.batch_matmul %{{.*}}, %{{.*}} {transpose_rhs = true} : tensor<2x5x4xf32>, tensor<2x5x4xf32> -> tensor<2x5x5xf32>
  %0 = nn.batch_matmul %q, %k {transpose_rhs = true} : tensor<2x5x4xf32>, tensor<2x5x4xf32> -> tensor<2x5x5xf32>
  // CHECK: nn.causal_mask %{{.*}} fill 0xFFF0000000000000 : tensor<2x5x5xf32>
  %1 = nn.causal_mask %0 fill 0xFFF0000000000000 : tensor<2x5x5xf32>
  // CHECK: nn.transpose %{{.*}} {permutation = array<i64: 0, 2, 1>} : tensor<2x5x4xf32> -> tensor<2x4x5xf32>
  %2 = nn.transpose %q {permutation = array<i64: 0, 2, 1>} : tensor<2x5x4xf32> -> tensor<2x4x5xf32>
  // CHECK: nn.layer_norm %{{.*}} eps 1.000000e-05 : tensor<2x5x4xf32>
  %3 = nn.layer_norm %q eps 1.0e-5 : tensor<2x5x4xf32>
  // CHECK: nn.layer_norm_grad
  %4 = nn.layer_norm_grad %q, %3, %q eps 1.0e-5 : tensor<2x5x4xf32>
  // CHECK: nn.slice %{{.*}} axis 2 start 1 : tensor<2x5x4xf32> -> tensor<2x5x2xf32>
  %5 = nn.slice %q axis 2 start 1 : tensor<2x5x4xf32> -> tensor<2x5x2xf32>
  // CHECK: nn.slice_grad %{{.*}} axis 2 start 1 : tensor<2x5x2xf32> -> tensor<2x5x4xf32>
  %6 = nn.slice_grad %5 axis 2 start 1 : tensor<2x5x2xf32> -> tensor<2x5x4xf32>
  // CHECK: nn.concat %{{.*}}, %{{.*}} axis 2 : tensor<2x5x4xf32>, tensor<2x5x2xf32> -> tensor<2x5x6xf32>
  %7 = nn.concat %q, %5 axis 2 : tensor<2x5x4xf32>, tensor<2x5x2xf32> -> tensor<2x5x6xf32>
  // CHECK: nn.dropout %{{.*}}, %{{.*}} {rate = 1.000000e-01 : f64, seed = 7 : i64} : tensor<2x5x4xf32>, tensor<i32>
  %8 = nn.dropout %q, %s {rate = 0.1 : f64, seed = 7 : i64} : tensor<2x5x4xf32>, tensor<i32>
  return
}
