// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Convolution and pooling (ConvolutionLowering.cpp).

// Padding is a generic writing through a shifted map. The convolution reads
// the windows as im2col columns [N, C*K*K, OH*OW] (written through flattened
// indices, sized by unused [K, K] and [OH, OW] operands), then contracts
// them with the filter as [F, C*K*K] in (n, f, p, k) order.
// CHECK-DAG: #[[SHIFT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 + 1, d3 + 1)>
// CHECK-DAG: #[[WIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d4 * 2 + d2, d5 * 2 + d3)>
// CHECK-DAG: #[[KK:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d2, d3)>
// CHECK-DAG: #[[PP:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d4, d5)>
// CHECK-DAG: #[[COLS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1 * 9 + d2 * 3 + d3, d4 * 4 + d5)>
// CHECK-DAG: #[[RWIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d3, d1 * 2 + d4, d2 * 2 + d5)>
// CHECK-DAG: #[[RPOS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2)>
// CHECK-DAG: #[[ROWS:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0 * 16 + d1 * 4 + d2, d3 * 9 + d4 * 3 + d5)>
// CHECK-DAG: #[[FK:.*]] = affine_map<(d0, d1, d2, d3) -> (d1, d3)>
// CHECK-DAG: #[[NKP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d3, d2)>
// CHECK-DAG: #[[NFP:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2)>
// CHECK-DAG: #[[KF:.*]] = affine_map<(d0, d1, d2, d3) -> (d3, d1)>
// CHECK-DAG: #[[NFP_FNP:.*]] = affine_map<(d0, d1, d2) -> (d1, d0, d2)>
// CHECK-DAG: #[[IK:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[KJ:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[IJ:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @conv
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]] : tensor<4x3x3x3xf32> into tensor<4x27xf32>
// CHECK: %[[XP:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[SHIFT]]]
// CHECK: %[[C:.*]] = linalg.generic {indexing_maps = [#[[WIN]], #[[KK]], #[[PP]], #[[COLS]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]} ins(%[[XP]], {{.*}}) outs(%{{.*}} : tensor<2x27x16xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {indexing_maps = [#[[FK]], #[[NKP]], #[[NFP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[W]], %[[C]] : tensor<4x27xf32>, tensor<2x27x16xf32>) outs(%{{.*}} : tensor<2x4x16xf32>)
// CHECK: tensor.expand_shape %[[Y]] {{\[}}[0], [1], [2, 3]] output_shape [2, 4, 4, 4]
func.func @conv(%x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<2x4x4x4xf32> {
  %0 = nn.conv2d %x, %w {stride = 2, padding = 1} : tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32> -> tensor<2x4x4x4xf32>
  return %0 : tensor<2x4x4x4xf32>
}

// Max pooling reads a window through an (unused) [K, K] operand.
// CHECK-LABEL: func.func @pool
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<1x2x4x4xf32>, tensor<2x2xf32>)
// CHECK: arith.maximumf
func.func @pool(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x2x2xf32> {
  %0 = nn.maxpool2d %x {kernel = 2, stride = 2} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}


// The input gradient: the columns' gradient w^T g in (n, k, p, f) order,
// then col2im scatters it into the padded input (window and position loops
// are reductions, so overlapping windows accumulate) and crops. The filter
// gradient is one matmul with a single reduction loop: g transposed to
// [F, N*OH*OW] times the columns as rows [N*OH*OW, C*K*K], written row by
// row in (n, oh, ow, c, kh, kw) loop order.
// CHECK-LABEL: func.func @conv_grads
// CHECK: %[[DC:.*]] = linalg.generic {indexing_maps = [#[[KF]], #[[NKP]], #[[NFP]]], iterator_types = ["parallel", "parallel", "parallel", "reduction"]} {{.*}} outs(%{{.*}} : tensor<2x27x16xf32>)
// CHECK: %[[DXP:.*]] = linalg.generic {indexing_maps = [#[[COLS]], #[[KK]], #[[PP]], #[[WIN]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%[[DC]], {{.*}}) outs(%{{.*}} : tensor<2x3x9x9xf32>)
// CHECK: linalg.generic {{.*}} ins(%[[DXP]] : tensor<2x3x9x9xf32>) outs(%{{.*}} : tensor<2x3x7x7xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[RWIN]], #[[PP]], #[[RPOS]], #[[ROWS]]]{{.*}} outs(%{{.*}} : tensor<32x27xf32>)
// CHECK: %[[GT:.*]] = linalg.generic {indexing_maps = [#[[NFP_FNP]], #{{.*}}]{{.*}} outs(%{{.*}} : tensor<4x2x16xf32>)
// CHECK: %[[GTF:.*]] = tensor.collapse_shape %[[GT]] {{\[}}[0], [1, 2]] : tensor<4x2x16xf32> into tensor<4x32xf32>
// CHECK: %[[DW:.*]] = linalg.generic {indexing_maps = [#[[IK]], #[[KJ]], #[[IJ]]], iterator_types = ["parallel", "parallel", "reduction"]} ins(%[[GTF]], %[[R]] : tensor<4x32xf32>, tensor<32x27xf32>) outs(%{{.*}} : tensor<4x27xf32>)
// CHECK: tensor.expand_shape %[[DW]] {{\[}}[0], [1, 2, 3]] output_shape [4, 3, 3, 3]
func.func @conv_grads(%g: tensor<2x4x4x4xf32>, %x: tensor<2x3x7x7xf32>, %w: tensor<4x3x3x3xf32>) -> (tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>) {
  %dx = nn.conv2d_input_grad %g, %w {stride = 2, padding = 1} : tensor<2x4x4x4xf32>, tensor<4x3x3x3xf32> -> tensor<2x3x7x7xf32>
  %dw = nn.conv2d_filter_grad %g, %x {stride = 2, padding = 1} : tensor<2x4x4x4xf32>, tensor<2x3x7x7xf32> -> tensor<4x3x3x3xf32>
  return %dx, %dw : tensor<2x3x7x7xf32>, tensor<4x3x3x3xf32>
}

// Average pooling scales by 1 / K^2; its gradient spreads over the window.
// Max pooling's gradient finds each window's first maximum as an i32 offset
// (kh * K + kw), then routes the gradient to it.
// CHECK-LABEL: func.func @pool_grads
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction"]} ins(%arg0, %{{.*}} : tensor<1x2x4x4xf32>, tensor<2x2xf32>)
// CHECK: arith.constant 2.500000e-01
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "reduction"]} ins(%arg1, %{{.*}} : tensor<1x2x2x2xf32>, tensor<2x2xf32>)
// CHECK: arith.constant 2.500000e-01
// CHECK: %[[ARGMAX:.*]]:2 = linalg.generic {{.*}} outs(%{{.*}}, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi32>)
// CHECK:   arith.cmpf ogt
// CHECK: linalg.generic {{.*}} ins(%arg1, %[[ARGMAX]]#1, %{{.*}} : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi32>, tensor<2x2xf32>)
// CHECK:   arith.cmpi eq
func.func @pool_grads(%x: tensor<1x2x4x4xf32>, %g: tensor<1x2x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>) {
  %0 = nn.avgpool2d %x {kernel = 2, stride = 2} : tensor<1x2x4x4xf32> -> tensor<1x2x2x2xf32>
  %1 = nn.avgpool2d_grad %g {kernel = 2, stride = 2} : tensor<1x2x2x2xf32> -> tensor<1x2x4x4xf32>
  %2 = nn.maxpool2d_grad %g, %x {kernel = 2, stride = 2} : tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>
  return %0, %1, %2 : tensor<1x2x2x2xf32>, tensor<1x2x4x4xf32>, tensor<1x2x4x4xf32>
}

// When the columns of the whole batch would not fit in 256 KB (here 130 KB
// per image), each direction loops over chunks of images (here two): the
// forward pass and the input gradient insert each chunk's result, the filter
// gradient adds each chunk's sum to the running one.
// CHECK-LABEL: func.func @conv_chunks
// CHECK: scf.for %[[I:.*]] = %c0 to %c4 step %c2 iter_args(%[[Y:.*]] = %{{.*}}) -> (tensor<4x3x36x36xf32>)
// CHECK:   tensor.extract_slice %arg0[%[[I]], 0, 0, 0] [2, 1, 40, 40] [1, 1, 1, 1]
// CHECK:   tensor.insert_slice %{{.*}} into %[[Y]][%[[I]], 0, 0, 0] [2, 3, 36, 36] [1, 1, 1, 1]
// CHECK: scf.for %[[J:.*]] = %c0{{.*}} to %c4{{.*}} step %c2{{.*}} iter_args(%[[DX:.*]] = %{{.*}}) -> (tensor<4x1x40x40xf32>)
// CHECK:   tensor.extract_slice %arg1[%[[J]], 0, 0, 0] [2, 3, 36, 36] [1, 1, 1, 1]
// CHECK:   tensor.insert_slice %{{.*}} into %[[DX]][%[[J]], 0, 0, 0] [2, 1, 40, 40] [1, 1, 1, 1]
// CHECK: scf.for %[[K:.*]] = %c0{{.*}} to %c4{{.*}} step %c2{{.*}} iter_args(%[[DW:.*]] = %{{.*}}) -> (tensor<3x25xf32>)
// CHECK:   %[[PART:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "reduction"]{{.*}} outs(%{{.*}} : tensor<3x25xf32>)
// CHECK:   linalg.generic {{.*}} ins(%[[PART]] : tensor<3x25xf32>) outs(%[[DW]] : tensor<3x25xf32>)
func.func @conv_chunks(%x: tensor<4x1x40x40xf32>, %g: tensor<4x3x36x36xf32>, %w: tensor<3x1x5x5xf32>) -> (tensor<4x3x36x36xf32>, tensor<4x1x40x40xf32>, tensor<3x1x5x5xf32>) {
  %y = nn.conv2d %x, %w : tensor<4x1x40x40xf32>, tensor<3x1x5x5xf32> -> tensor<4x3x36x36xf32>
  %dx = nn.conv2d_input_grad %g, %w {stride = 1, padding = 0} : tensor<4x3x36x36xf32>, tensor<3x1x5x5xf32> -> tensor<4x1x40x40xf32>
  %dw = nn.conv2d_filter_grad %g, %x {stride = 1, padding = 0} : tensor<4x3x36x36xf32>, tensor<4x1x40x40xf32> -> tensor<3x1x5x5xf32>
  return %y, %dx, %dw : tensor<4x3x36x36xf32>, tensor<4x1x40x40xf32>, tensor<3x1x5x5xf32>
}
