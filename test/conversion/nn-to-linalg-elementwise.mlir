// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Elementwise ops, activations and broadcasts (ElementwiseLowering.cpp).

// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-DAG: #[[CHANNEL:.*]] = affine_map<(d0, d1, d2, d3) -> (d1)>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG: #[[ROW:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG: #[[ID2:.*]] = affine_map<(d0, d1) -> (d0, d1)>

// CHECK-LABEL: func.func @elementwise
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.maximumf
// CHECK: linalg.generic
// CHECK: math.exp
// CHECK: arith.divf
// CHECK-NOT: nn.
func.func @elementwise(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.relu %x : tensor<4x8xf32>
  %1 = nn.sigmoid %0 : tensor<4x8xf32>
  return %1 : tensor<4x8xf32>
}

// Activation gradients read the incoming gradient and the activation's
// input (relu) or output (sigmoid, tanh).
// CHECK-LABEL: func.func @activation_grads
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[G:.*]]: f32, %[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[POS:.*]] = arith.cmpf ogt, %[[X]], %[[ZERO:.*]] : f32
// CHECK:   arith.select %[[POS]], %[[G]], %[[ZERO]] : f32
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[G:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[ONE_MINUS:.*]] = arith.subf %{{.*}}, %[[Y]] : f32
// CHECK:   %[[DY:.*]] = arith.mulf %[[Y]], %[[ONE_MINUS]] : f32
// CHECK:   arith.mulf %[[G]], %[[DY]] : f32
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[G:.*]]: f32, %[[Y:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[SQ:.*]] = arith.mulf %[[Y]], %[[Y]] : f32
// CHECK:   %[[DY:.*]] = arith.subf %{{.*}}, %[[SQ]] : f32
// CHECK:   arith.mulf %[[G]], %[[DY]] : f32
// CHECK: linalg.generic {{.*}} ins(%arg1 : tensor<4xf32>)
// CHECK:   arith.constant 5.000000e-01 : f32
func.func @activation_grads(%g: tensor<4xf32>, %x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.relu_grad %g, %x : tensor<4xf32>
  %1 = nn.sigmoid_grad %g, %x : tensor<4xf32>
  %2 = nn.tanh_grad %g, %x : tensor<4xf32>
  %3 = nn.scale %x by 0.5 : tensor<4xf32>
  return %0, %1, %2, %3 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// Broadcasts are maps that drop dimensions: the bias along its axis, the
// broadcast operand along the new axes, the label along the class axis.
// CHECK-LABEL: func.func @broadcasts
// CHECK: linalg.generic {indexing_maps = [#[[ID4]], #[[CHANNEL]], #[[ID4]]]
// CHECK: linalg.generic {indexing_maps = [#[[COL]], #[[ID2]]]
// CHECK: linalg.generic {indexing_maps = [#[[ROW]], #[[ID2]]]
// CHECK:   linalg.index 1
// CHECK:   arith.cmpi eq
func.func @broadcasts(%x: tensor<2x3x4x4xf32>, %b: tensor<3xf32>, %v: tensor<3xf32>, %l: tensor<4xi32>) -> (tensor<2x3x4x4xf32>, tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = nn.bias_add %x, %b {axis = 1} : tensor<2x3x4x4xf32>, tensor<3xf32>
  %1 = nn.broadcast %v {axes = array<i64: 0>} : tensor<3xf32> -> tensor<4x3xf32>
  %2 = nn.one_hot %l : tensor<4xi32> -> tensor<4x3xf32>
  return %0, %1, %2 : tensor<2x3x4x4xf32>, tensor<4x3xf32>, tensor<4x3xf32>
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

// gelu is PyTorch's exact form, x (1 + erf(x / sqrt 2)) / 2; its gradient
// reads the input: g (Phi(x) + x phi(x)).
// CHECK-LABEL: func.func @gelu
// CHECK: linalg.generic {{.*}} ins(%arg0 : tensor<4xf32>)
// CHECK: ^bb0(%[[X:.*]]: f32, %{{.*}}: f32):
// CHECK:   %[[S:.*]] = arith.mulf %[[X]], %{{.*}} : f32
// CHECK:   %[[E:.*]] = math.erf %[[S]] : f32
// CHECK:   %[[P:.*]] = arith.addf %{{.*}}, %[[E]] : f32
// CHECK:   %[[C:.*]] = arith.mulf %{{.*}}, %[[P]] : f32
// CHECK:   arith.mulf %[[X]], %[[C]] : f32
// CHECK: linalg.generic {{.*}} ins(%arg1, %arg0 : tensor<4xf32>, tensor<4xf32>)
// CHECK: ^bb0(%[[G:.*]]: f32, %[[X2:.*]]: f32, %{{.*}}: f32):
// CHECK:   math.erf
// CHECK:   math.exp
// CHECK:   %[[D:.*]] = arith.addf
// CHECK:   arith.mulf %[[G]], %[[D]] : f32
func.func @gelu(%x: tensor<4xf32>, %g: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.gelu %x : tensor<4xf32>
  %1 = nn.gelu_grad %g, %x : tensor<4xf32>
  return %0, %1 : tensor<4xf32>, tensor<4xf32>
}

// The math activations: one generic each, on the math dialect's ops.
// CHECK-LABEL: func.func @math
// CHECK: linalg.generic
// CHECK:   math.tanh
// CHECK: linalg.generic
// CHECK:   arith.divf
// CHECK: linalg.generic
// CHECK:   math.absf
// CHECK:   math.exp
// CHECK:   math.log1p
// CHECK: linalg.generic
// CHECK:   %[[POS:.*]] = arith.cmpf ogt
// CHECK:   arith.select %[[POS]]
// CHECK: linalg.generic
// CHECK:   math.expm1
// CHECK: linalg.generic
// CHECK:   math.powf %{{.*}}, %{{.*}} : f32
// CHECK: linalg.generic
// CHECK:   arith.addf
// CHECK: linalg.generic {{.*}} ins(%arg0, %arg1 : tensor<4xf32>, tensor<4xf32>)
// CHECK:   arith.divf
func.func @math(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %0 = nn.gelu_tanh %x : tensor<4xf32>
  %1 = nn.silu %x : tensor<4xf32>
  %2 = nn.softplus %x : tensor<4xf32>
  %3 = nn.leaky_relu %x {slope = 0.01 : f64} : tensor<4xf32>
  %4 = nn.elu %x {alpha = 1.0 : f64} : tensor<4xf32>
  %5 = nn.pow %x {exponent = 3.0 : f64} : tensor<4xf32>
  %6 = nn.shift %x {offset = 1.5 : f64} : tensor<4xf32>
  %7 = nn.div %x, %y : tensor<4xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}
