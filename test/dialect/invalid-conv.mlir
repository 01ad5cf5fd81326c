// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @channels(%x: tensor<2x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error@+2 {{conv2d input has 3 channels but the filter expects 2}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w : tensor<2x3x8x8xf32>, tensor<4x2x3x3xf32> -> tensor<2x4x6x6xf32>
  return
}

// -----

func.func @too_small(%x: tensor<2x3x2x2xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error@+2 {{a 3x3 window does not fit the 2x2 images of f32[2, 3, 2, 2]}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.conv2d %x, %w : tensor<2x3x2x2xf32>, tensor<4x3x3x3xf32> -> tensor<2x4x1x1xf32>
  return
}

// -----

func.func @pool_rank(%x: tensor<2x8x8xf32>) {
  // expected-error@+2 {{pooling expects an [N, C, H, W] input}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.maxpool2d %x {kernel = 2, stride = 2} : tensor<2x8x8xf32> -> tensor<2x4x4xf32>
  return
}

// -----

func.func @reshape(%x: tensor<2x8xf32>) {
  // expected-error@+1 {{cannot reshape f32[2, 8] to f32[3, 5]: 16 values against 15}}
  %0 = nn.reshape %x : tensor<2x8xf32> -> tensor<3x5xf32>
  return
}

// -----

func.func @bias_axis(%x: tensor<2x3x4x4xf32>, %b: tensor<4xf32>) {
  // expected-error@+1 {{bias 'tensor<4xf32>' does not match dimension 1 of 'tensor<2x3x4x4xf32>'}}
  %0 = nn.bias_add %x, %b {axis = 1} : tensor<2x3x4x4xf32>, tensor<4xf32>
  return
}
