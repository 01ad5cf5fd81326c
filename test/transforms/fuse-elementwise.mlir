// RUN: dlc-opt %s --convert-nn-to-linalg --dlc-fuse-elementwise | FileCheck %s

// Elementwise chains fuse into one generic, and reshapes propagate through
// a contraction: a dense layer on [B, T, D] becomes one (b, t, n, k) loop
// nest with its relu fused in.
// CHECK-LABEL: func.func @dense3d
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x5xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK: arith.maximumf
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @dense3d(%x: tensor<2x3x4xf32>, %w: tensor<4x5xf32>) -> tensor<2x3x5xf32> {
  %0 = nn.reshape %x : tensor<2x3x4xf32> -> tensor<6x4xf32>
  %1 = nn.matmul %0, %w : tensor<6x4xf32>, tensor<4x5xf32> -> tensor<6x5xf32>
  %2 = nn.reshape %1 : tensor<6x5xf32> -> tensor<2x3x5xf32>
  %3 = nn.relu %2 : tensor<2x3x5xf32>
  return %3 : tensor<2x3x5xf32>
}

// A convolution's contraction reads im2col columns (a window generic): the
// reshapes of its filter and output stay, so it keeps its (n, f, p, k)
// loops, which the CPU target tiles; the relu stays a generic of its own.
// CHECK-LABEL: func.func @conv_relu
// CHECK: tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x27x16xf32>)
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK-SAME: outs(%{{.*}} : tensor<2x4x16xf32>)
// CHECK: tensor.expand_shape
// CHECK: arith.maximumf
func.func @conv_relu(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32> {
  %0 = nn.conv2d %x, %w {stride = 2, padding = 1} : tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32> -> tensor<2x4x4x4xf32>
  %1 = nn.relu %0 : tensor<2x4x4x4xf32>
  return %1 : tensor<2x4x4x4xf32>
}

// A dense layer on a flattened pooling output: the flatten's collapse
// stays between the pooling (a window generic) and the matmul, so the matmul
// keeps one reduction loop of C*H*W instead of (c, h, w).
// CHECK-LABEL: func.func @pool_dense
// CHECK: tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3]] : tensor<2x4x4x4xf32> into tensor<2x64xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %arg1 : tensor<2x64xf32>, tensor<64x10xf32>)
func.func @pool_dense(%x: tensor<2x4x8x8xf32>, %w: tensor<64x10xf32>) -> tensor<2x10xf32> {
  %p = nn.maxpool2d %x {kernel = 2, stride = 2} : tensor<2x4x8x8xf32> -> tensor<2x4x4x4xf32>
  %f = nn.reshape %p : tensor<2x4x4x4xf32> -> tensor<2x64xf32>
  %y = nn.matmul %f, %w : tensor<2x64xf32>, tensor<64x10xf32> -> tensor<2x10xf32>
  return %y : tensor<2x10xf32>
}

// An elementwise producer is not fused into a contraction that would read
// each of its elements many times (once per output column): the relu of one
// dense layer stays a generic of its own before the next layer's matmul, so
// the matmul stays a contraction.
// CHECK-LABEL: func.func @relu_matmul
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.maximumf
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[R]], %arg1 :
// CHECK-NEXT: ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %[[C:.*]]: f32):
// CHECK-NEXT: arith.mulf %[[A]], %[[B]]
func.func @relu_matmul(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>) -> tensor<4x3xf32> {
  %0 = nn.relu %x : tensor<4x8xf32>
  %1 = nn.matmul %0, %w : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  return %1 : tensor<4x3xf32>
}
