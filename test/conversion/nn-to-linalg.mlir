// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[BT:.*]] = affine_map<(d0, d1, d2) -> (d1, d2)>
// CHECK-DAG: #[[C:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>

// CHECK-LABEL: func.func @matmul
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[C]]], iterator_types = ["parallel", "parallel", "reduction"]}
// CHECK-SAME: ins(%arg0, %arg1 : tensor<4x8xf32>, tensor<8x3xf32>) outs(%[[ZERO]] : tensor<4x3xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// A transposed operand only swaps its map.
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[BT]], #[[C]]]
func.func @matmul(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>, %bt: tensor<3x8xf32>) -> (tensor<4x3xf32>, tensor<4x3xf32>) {
  %0 = nn.matmul %a, %b : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  %1 = nn.matmul %a, %bt {transpose_rhs = true} : tensor<4x8xf32>, tensor<3x8xf32> -> tensor<4x3xf32>
  return %0, %1 : tensor<4x3xf32>, tensor<4x3xf32>
}

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

// Softmax: row max, row sum of exp(x - max), then the quotient.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<4xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK: math.exp
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.divf
func.func @softmax(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %0 = nn.softmax %x : tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

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
