// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Losses and optimizer updates (LossLowering.cpp).

// Cross-entropy compares the column index with the label.
// CHECK-LABEL: func.func @cross_entropy
// CHECK: linalg.index 1
// CHECK: arith.index_cast
// CHECK: arith.cmpi eq
// CHECK: math.log
// CHECK: -> tensor<f32>
func.func @cross_entropy(%x: tensor<4x8xf32>, %l: tensor<4xi32>) -> tensor<f32> {
  %0 = nn.cross_entropy %x, %l : tensor<4x8xf32>, tensor<4xi32>
  return %0 : tensor<f32>
}

// Its gradient: softmax minus the one-hot label, times grad / N, read
// through a rank-0 map.
// CHECK-LABEL: func.func @cross_entropy_grad
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg1, %{{.*}}, %{{.*}}, %arg2, %arg0 : tensor<4x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xi32>, tensor<f32>)
// CHECK:   arith.cmpi eq
// CHECK:   arith.constant 2.500000e-01 : f32
func.func @cross_entropy_grad(%g: tensor<f32>, %x: tensor<4x8xf32>, %l: tensor<4xi32>) -> tensor<4x8xf32> {
  %0 = nn.cross_entropy_grad %g, %x, %l : tensor<f32>, tensor<4x8xf32>, tensor<4xi32>
  return %0 : tensor<4x8xf32>
}

// nll_loss: one reduction over rows and classes picks each row's entry at
// its label, scaled by -1 / N; its gradient is -grad / N at the labels,
// computed from the labels and the rank-0 gradient only.
// CHECK-LABEL: func.func @nll_loss
// CHECK: %[[LOSS:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<4xi32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   arith.cmpi eq
// CHECK:   arith.constant -2.500000e-01 : f32
// CHECK: %[[DX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg1, %arg2 : tensor<4xi32>, tensor<f32>) outs(%{{.*}} : tensor<4x8xf32>)
// CHECK:   arith.cmpi eq
// CHECK:   arith.constant -2.500000e-01 : f32
// CHECK: return %[[LOSS]], %[[DX]]
func.func @nll_loss(%x: tensor<4x8xf32>, %l: tensor<4xi32>, %g: tensor<f32>) -> (tensor<f32>, tensor<4x8xf32>) {
  %0 = nn.nll_loss %x, %l : tensor<4x8xf32>, tensor<4xi32>
  %1 = nn.nll_loss_grad %g, %x, %l : tensor<f32>, tensor<4x8xf32>, tensor<4xi32>
  return %0, %1 : tensor<f32>, tensor<4x8xf32>
}

// l1: the mean of |x - t| in one reduction; its gradient selects +1, -1 or
// 0 (equal) and scales by grad / N.
// CHECK-LABEL: func.func @l1
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]
// CHECK:   math.absf
// CHECK:   arith.constant 1.250000e-01 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK:   arith.cmpf ogt
// CHECK:   arith.cmpf olt
// CHECK:   arith.select
// CHECK:   arith.select
func.func @l1(%x: tensor<2x4xf32>, %t: tensor<2x4xf32>, %g: tensor<f32>) -> (tensor<f32>, tensor<2x4xf32>) {
  %0 = nn.l1 %x, %t : tensor<2x4xf32>, tensor<2x4xf32>
  %1 = nn.l1_grad %g, %x, %t : tensor<f32>, tensor<2x4xf32>
  return %0, %1 : tensor<f32>, tensor<2x4xf32>
}

// Pair losses reduce every axis into a rank-0 tensor, scaled by 1 / N; bce
// uses max(x, 0) - x * t + log1p(exp(-|x|)). Their gradients are elementwise.
// CHECK-LABEL: func.func @pair_losses
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%arg0, %arg1 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   arith.constant 0.0833333358 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg1, %arg2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>)
// CHECK:   arith.constant 0.166666672 : f32
// CHECK: linalg.generic {{.*}} iterator_types = ["reduction", "reduction"]} ins(%arg0, %arg1 : tensor<4x3xf32>, tensor<4x3xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:   math.absf
// CHECK:   math.log1p
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins(%arg0, %arg1, %arg2 : tensor<4x3xf32>, tensor<4x3xf32>, tensor<f32>)
// CHECK:   math.exp
func.func @pair_losses(%x: tensor<4x3xf32>, %t: tensor<4x3xf32>, %g: tensor<f32>) -> (tensor<f32>, tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>) {
  %0 = nn.mse %x, %t : tensor<4x3xf32>, tensor<4x3xf32>
  %1 = nn.mse_grad %g, %x, %t : tensor<f32>, tensor<4x3xf32>
  %2 = nn.bce_logits %x, %t : tensor<4x3xf32>, tensor<4x3xf32>
  %3 = nn.bce_logits_grad %g, %x, %t : tensor<f32>, tensor<4x3xf32>
  return %0, %1, %2, %3 : tensor<f32>, tensor<4x3xf32>, tensor<f32>, tensor<4x3xf32>
}

// SGD: one result; weight decay only when it is not zero. Momentum: the new
// parameter and the new velocity from one generic.
// CHECK-LABEL: func.func @sgd_momentum
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<3xf32>, tensor<3xf32>) outs(%{{.*}} : tensor<3xf32>)
// CHECK-NOT: arith.constant 0.00999999977
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1, %arg2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>)
// CHECK:   arith.constant 0.00999999977 : f32
// CHECK:   arith.constant 0.899999976 : f32
// CHECK:   linalg.yield %{{.*}}, %{{.*}} : f32, f32
func.func @sgd_momentum(%p: tensor<3xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0 = nn.sgd_update %p, %g {lr = 1.0e-01 : f64, weight_decay = 0.0 : f64} : tensor<3xf32>
  %1:2 = nn.momentum_update %p, %g, %m {lr = 1.0e-01 : f64, momentum = 0.9 : f64, weight_decay = 0.01 : f64} : tensor<3xf32>
  return %0, %1#0, %1#1 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}

// Adam: bias corrections from the step, once, outside the elementwise kernel.
// CHECK-LABEL: func.func @adam
// CHECK: %[[T:.*]] = tensor.extract %arg4[] : tensor<f32>
// CHECK: math.powf %{{.*}}, %[[T]]
// CHECK: math.powf %{{.*}}, %[[T]]
// CHECK: linalg.generic {{.*}} outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>)
// CHECK: math.sqrt
// CHECK: linalg.yield %{{.*}}, %{{.*}}, %{{.*}} : f32, f32, f32
func.func @adam(%p: tensor<3xf32>, %g: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>, %t: tensor<f32>) -> (tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) {
  %0:3 = nn.adam_update %p, %g, %m, %v, %t {lr = 1.0e-03 : f64, beta1 = 0.9 : f64, beta2 = 0.999 : f64, eps = 1.0e-08 : f64, weight_decay = 0.0 : f64} : tensor<3xf32>, tensor<f32>
  return %0#0, %0#1, %0#2 : tensor<3xf32>, tensor<3xf32>, tensor<3xf32>
}
