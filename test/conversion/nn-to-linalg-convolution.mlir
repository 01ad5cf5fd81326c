// RUN: dlc-opt %s --convert-nn-to-linalg | FileCheck %s

// Convolution and pooling (ConvolutionLowering.cpp).

// Padding is a generic writing through a shifted map; the convolution runs
// (n, f, c, kh, kw, oh, ow) with the row innermost.
// CHECK-DAG: #[[SHIFT:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2 + 1, d3 + 1)>
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d2, d5 * 2 + d3, d6 * 2 + d4)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d1, d2, d3, d4)>
// CHECK-DAG: #[[O:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d5, d6)>
// The gradients: the input gradient scatters into a padded tensor, then
// crops; the filter gradient reads the padded input, reducing (n, oh, ow).
// CHECK-DAG: #[[DW_G:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d0, d5, d6)>
// CHECK-DAG: #[[DW_X:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d4, d1, d5 * 2 + d2, d6 * 2 + d3)>
// CHECK-DAG: #[[ID4:.*]] = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
// CHECK-LABEL: func.func @conv
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[SHIFT]]]
// CHECK: linalg.generic {indexing_maps = [#[[X]], #[[W]], #[[O]]], iterator_types = ["parallel", "parallel", "reduction", "reduction", "reduction", "parallel", "parallel"]}
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


// CHECK-LABEL: func.func @conv_grads
// CHECK: %[[DXP:.*]] = linalg.generic {indexing_maps = [#[[O]], #[[W]], #[[X]]], iterator_types = ["parallel", "reduction", "parallel", "reduction", "reduction", "reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<2x3x9x9xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[SHIFT]], #[[ID4]]], {{.*}} ins(%[[DXP]] : tensor<2x3x9x9xf32>) outs(%{{.*}} : tensor<2x3x7x7xf32>)
// CHECK: %[[XP:.*]] = linalg.generic {indexing_maps = [#[[ID4]], #[[SHIFT]]]
// CHECK: linalg.generic {indexing_maps = [#[[DW_G]], #[[DW_X]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%arg0, %[[XP]] :
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
