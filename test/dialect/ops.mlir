// RUN: dlc-opt %s | dlc-opt | FileCheck %s

// CHECK-LABEL: func @layers
func.func @layers(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>, %b: tensor<3xf32>, %l: tensor<4xi32>) -> tensor<f32> {
  // CHECK: nn.param "d.weight" init "he" : tensor<8x3xf32>
  %p = nn.param "d.weight" init "he" : tensor<8x3xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %0 = nn.matmul %x, %w : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  // CHECK: nn.matmul %{{.*}}, %{{.*}} {transpose_lhs = true} : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<8x3xf32>
  %1 = nn.matmul %x, %0 {transpose_lhs = true} : tensor<4x8xf32>, tensor<4x3xf32> -> tensor<8x3xf32>
  // CHECK: nn.bias_add
  %2 = nn.bias_add %0, %b : tensor<4x3xf32>, tensor<3xf32>
  // CHECK: nn.relu
  %3 = nn.relu %2 : tensor<4x3xf32>
  // CHECK: nn.sigmoid
  %4 = nn.sigmoid %3 : tensor<4x3xf32>
  // CHECK: nn.tanh
  %5 = nn.tanh %4 : tensor<4x3xf32>
  // CHECK: nn.softmax
  %6 = nn.softmax %5 : tensor<4x3xf32>
  // CHECK: nn.add
  %7 = nn.add %6, %5 : tensor<4x3xf32>
  // CHECK: nn.sub
  %8 = nn.sub %7, %5 : tensor<4x3xf32>
  // CHECK: nn.mul
  %9 = nn.mul %8, %5 : tensor<4x3xf32>
  // CHECK: nn.scale %{{.*}} by 5.000000e-01 : tensor<4x3xf32>
  %10 = nn.scale %9 by 0.5 : tensor<4x3xf32>
  // CHECK: nn.reduce_sum %{{.*}} {axes = array<i64: 0>} : tensor<4x3xf32> -> tensor<3xf32>
  %11 = nn.reduce_sum %10 {axes = array<i64: 0>} : tensor<4x3xf32> -> tensor<3xf32>
  // CHECK: nn.broadcast %{{.*}} {axes = array<i64: 0>} : tensor<3xf32> -> tensor<4x3xf32>
  %12 = nn.broadcast %11 {axes = array<i64: 0>} : tensor<3xf32> -> tensor<4x3xf32>
  // CHECK: nn.one_hot %{{.*}} : tensor<4xi32> -> tensor<4x3xf32>
  %13 = nn.one_hot %l : tensor<4xi32> -> tensor<4x3xf32>
  // CHECK: nn.mse %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<4x3xf32>
  %14 = nn.mse %12, %13 : tensor<4x3xf32>, tensor<4x3xf32>
  // CHECK: nn.bce_logits
  %15 = nn.bce_logits %12, %13 : tensor<4x3xf32>, tensor<4x3xf32>
  // CHECK: nn.cross_entropy %{{.*}}, %{{.*}} : tensor<4x3xf32>, tensor<4xi32>
  %16 = nn.cross_entropy %12, %l : tensor<4x3xf32>, tensor<4xi32>
  return %16 : tensor<f32>
}

// CHECK-LABEL: func @updates
func.func @updates(%p: tensor<3xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>, %t: tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  // CHECK: nn.sgd_update
  %0 = nn.sgd_update %p, %g {lr = 1.0e-01 : f64, weight_decay = 0.0 : f64} : tensor<3xf32>
  // CHECK: nn.momentum_update
  %1:2 = nn.momentum_update %0, %g, %m {lr = 1.0e-01 : f64, momentum = 0.9 : f64, weight_decay = 0.0 : f64} : tensor<3xf32>
  // CHECK: nn.adam_update
  %2:3 = nn.adam_update %1#0, %g, %m, %v, %t {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64} : tensor<3xf32>, tensor<f32>
  return %2#0, %2#1, %2#2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
