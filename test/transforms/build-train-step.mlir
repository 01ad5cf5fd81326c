// RUN: dlc-opt %s -split-input-file --nn-build-train-step -verify-diagnostics | FileCheck %s

// SGD: backward pass through bias_add and matmul, then one update per
// parameter, written back in place (nn.update = argument index).
// CHECK-LABEL: func.func @sgd(
// CHECK-SAME: -> (tensor<f32>, tensor<4x3xf32> {nn.update = 0 : i64}, tensor<3xf32> {nn.update = 1 : i64})
func.func @sgd(%w: tensor<4x3xf32> {nn.param = "d.weight"}, %b: tensor<3xf32> {nn.param = "d.bias"},
               %x: tensor<2x4xf32>, %l: tensor<2xi32>) -> tensor<f32>
    attributes {nn.train = {optimizer = "sgd", lr = 5.0e-01 : f64}} {
  %0 = nn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
  %1 = nn.bias_add %0, %b : tensor<2x3xf32>, tensor<3xf32>
  %2 = nn.cross_entropy %1, %l : tensor<2x3xf32>, tensor<2xi32>
  return %2 : tensor<f32>
}
// CHECK: %[[LOSS:.*]] = nn.cross_entropy
// CHECK: %[[ONE:.*]] = arith.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[G:.*]] = nn.cross_entropy_grad %[[ONE]]
// CHECK: %[[GB:.*]] = nn.reduce_sum %[[G]] {axes = array<i64: 0>}
// CHECK: %[[GW:.*]] = nn.matmul %arg2, %[[G]] {transpose_lhs = true}
// CHECK: %[[W:.*]] = nn.sgd_update %arg0, %[[GW]] {lr = 5.000000e-01 : f64, weight_decay = 0.000000e+00 : f64}
// CHECK: %[[B:.*]] = nn.sgd_update %arg1, %[[GB]]
// CHECK: return %[[LOSS]], %[[W]], %[[B]]
// CHECK-NOT: nn.train

// -----

// Momentum adds a velocity buffer per parameter.
// CHECK-LABEL: func.func @momentum(
// CHECK-SAME: %arg2: tensor<3x2xf32> {nn.init = "zeros", nn.state = "w.velocity"}
// CHECK-SAME: -> (tensor<f32>, tensor<3x2xf32> {nn.update = 0 : i64}, tensor<3x2xf32> {nn.update = 2 : i64})
// CHECK: nn.momentum_update %arg0, %{{.*}}, %arg2 {lr = 1.000000e-01 : f64, momentum = 9.000000e-01 : f64
func.func @momentum(%w: tensor<3x2xf32> {nn.param = "w"}, %x: tensor<4x3xf32>) -> tensor<f32>
    attributes {nn.train = {optimizer = "momentum", lr = 0.1 : f64, momentum = 0.9 : f64}} {
  %0 = nn.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  %1 = nn.sigmoid %0 : tensor<4x2xf32>
  %2 = nn.mse %1, %1 : tensor<4x2xf32>, tensor<4x2xf32>
  return %2 : tensor<f32>
}

// -----

// Adam: a shared step counter, incremented once, and m, v per parameter.
// CHECK-LABEL: func.func @adam(
// CHECK-SAME: %arg2: tensor<f32> {nn.init = "zeros", nn.state = "adam.step"}
// CHECK-SAME: %arg3: tensor<3x2xf32> {nn.init = "zeros", nn.state = "w.adam_m"}
// CHECK-SAME: %arg4: tensor<3x2xf32> {nn.init = "zeros", nn.state = "w.adam_v"}
// CHECK: %[[T:.*]] = nn.add %arg2, %{{.*}} : tensor<f32>
// CHECK: nn.adam_update %arg0, %{{.*}}, %arg3, %arg4, %[[T]]
func.func @adam(%w: tensor<3x2xf32> {nn.param = "w"}, %x: tensor<4x3xf32>) -> tensor<f32>
    attributes {nn.train = {optimizer = "adam", lr = 0.001 : f64}} {
  %0 = nn.matmul %x, %w : tensor<4x3xf32>, tensor<3x2xf32> -> tensor<4x2xf32>
  %1 = nn.tanh %0 : tensor<4x2xf32>
  %2 = nn.bce_logits %1, %0 : tensor<4x2xf32>, tensor<4x2xf32>
  return %2 : tensor<f32>
}

// -----

// expected-error@+1 {{unknown optimizer 'rmsprop'}}
func.func @unknown_optimizer(%w: tensor<3xf32> {nn.param = "w"}) -> tensor<f32>
    attributes {nn.train = {optimizer = "rmsprop"}} {
  %0 = nn.mse %w, %w : tensor<3xf32>, tensor<3xf32>
  return %0 : tensor<f32>
}

// -----

func.func @not_differentiable(%w: tensor<4xf32> {nn.param = "w"}) -> tensor<f32>
    attributes {nn.train = {optimizer = "sgd"}} {
  // expected-error@+1 {{cannot differentiate through 'tensor.extract_slice'}}
  %0 = tensor.extract_slice %w[0] [2] [1] : tensor<4xf32> to tensor<2xf32>
  %1 = nn.mse %0, %0 : tensor<2xf32>, tensor<2xf32>
  return %1 : tensor<f32>
}

// -----

// expected-error@+1 {{nothing to train: the loss has no parameters}}
func.func @no_params(%x: tensor<4xf32>) -> tensor<f32>
    attributes {nn.train = {optimizer = "sgd"}} {
  %0 = nn.mse %x, %x : tensor<4xf32>, tensor<4xf32>
  return %0 : tensor<f32>
}
