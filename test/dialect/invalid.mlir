// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @matmul_inner(%a: tensor<4x8xf32>, %b: tensor<7x3xf32>) {
  // expected-error@+2 {{inner sizes differ}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<4x8xf32>, tensor<7x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @matmul_rank(%a: tensor<4x8x2xf32>, %b: tensor<8x3xf32>) {
  // expected-error@+2 {{matmul expects rank-2 operands}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<4x8x2xf32>, tensor<8x3xf32> -> tensor<4x3xf32>
  return
}

// -----

func.func @matmul_result(%a: tensor<4x8xf32>, %b: tensor<8x3xf32>) {
  // expected-error@+2 {{inferred type(s) 'tensor<4x3xf32>' are incompatible with return type(s) of operation 'tensor<4x4xf32>'}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.matmul %a, %b : tensor<4x8xf32>, tensor<8x3xf32> -> tensor<4x4xf32>
  return
}

// -----

func.func @bias(%x: tensor<4x8xf32>, %b: tensor<7xf32>) {
  // expected-error@+1 {{bias 'tensor<7xf32>' does not match dimension 1 of 'tensor<4x8xf32>'}}
  %0 = nn.bias_add %x, %b : tensor<4x8xf32>, tensor<7xf32>
  return
}

// -----

func.func @axes(%x: tensor<4x8xf32>) {
  // expected-error@+1 {{axes must be increasing dimensions below rank 2}}
  %0 = nn.reduce_sum %x {axes = array<i64: 2>} : tensor<4x8xf32> -> tensor<4x8xf32>
  return
}

// -----

func.func @broadcast(%x: tensor<3xf32>) {
  // expected-error@+1 {{cannot broadcast 'tensor<3xf32>' to 'tensor<4x5xf32>' along the axes}}
  %0 = nn.broadcast %x {axes = array<i64: 0>} : tensor<3xf32> -> tensor<4x5xf32>
  return
}

// -----

// expected-note@+1 {{prior use here}}
func.func @elementwise(%a: tensor<4x8xf32>, %b: tensor<4x7xf32>) {
  // expected-error@+1 {{use of value '%b' expects different type than prior uses}}
  %0 = nn.add %a, %b : tensor<4x8xf32>
  return
}

// -----

func.func @dynamic(%a: tensor<?x8xf32>) {
  // expected-error@+1 {{must be statically shaped tensor}}
  %0 = nn.relu %a : tensor<?x8xf32>
  return
}

// -----

func.func @cross_entropy(%x: tensor<4x8xf32>, %l: tensor<5xi32>) {
  // expected-error@+1 {{expects [..., C] logits and [...] labels, got 'tensor<4x8xf32>' and 'tensor<5xi32>'}}
  %0 = nn.cross_entropy %x, %l : tensor<4x8xf32>, tensor<5xi32>
  return
}

// -----

func.func @nll_loss(%x: tensor<8xf32>, %l: tensor<8xi32>) {
  // expected-error@+1 {{expects [..., C] log-probabilities and [...] labels, got 'tensor<8xf32>' and 'tensor<8xi32>'}}
  %0 = nn.nll_loss %x, %l : tensor<8xf32>, tensor<8xi32>
  return
}

// -----

func.func @mse(%x: tensor<4x8xf32>, %t: tensor<4x7xf32>) {
  // expected-error@+1 {{target 'tensor<4x7xf32>' does not match input 'tensor<4x8xf32>'}}
  %0 = nn.mse %x, %t : tensor<4x8xf32>, tensor<4x7xf32>
  return
}

// -----

func.func @one_hot(%l: tensor<4xi32>) {
  // expected-error@+1 {{result 'tensor<5x10xf32>' must be the labels' 'tensor<4xi32>' plus a class dimension}}
  %0 = nn.one_hot %l : tensor<4xi32> -> tensor<5x10xf32>
  return
}
