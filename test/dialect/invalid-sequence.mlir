// RUN: dlc-opt %s -split-input-file -verify-diagnostics

func.func @table_rank(%ids: tensor<2x5xi32>, %t: tensor<7xf32>) {
  // expected-error@+2 {{embedding table must be [V, D], got 'tensor<7xf32>'}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.embedding %ids, %t : tensor<2x5xi32>, tensor<7xf32> -> tensor<2x5x7xf32>
  return
}

// -----

func.func @lstm_gates(%x: tensor<2x5x9xf32>, %w: tensor<3x9xf32>) {
  // expected-error@+1 {{lstm expects a [B, T, 4 H] input and an [H, 4 H] weight, got 'tensor<2x5x9xf32>' and 'tensor<3x9xf32>'}}
  %h, %c = nn.lstm %x, %w : tensor<2x5x9xf32>, tensor<3x9xf32>
  return
}

// -----

func.func @rnn_weight(%x: tensor<2x5x3xf32>, %w: tensor<4x4xf32>) {
  // expected-error@+1 {{expects a [B, T, H] input and an [H, H] weight, got 'tensor<2x5x3xf32>' and 'tensor<4x4xf32>'}}
  %0 = nn.rnn %x, %w : tensor<2x5x3xf32>, tensor<4x4xf32>
  return
}

// -----

func.func @bmm_batch(%a: tensor<2x5x4xf32>, %b: tensor<3x4x5xf32>) {
  // expected-error@+2 {{they need one rank and the same leading (batch) dimensions}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.batch_matmul %a, %b : tensor<2x5x4xf32>, tensor<3x4x5xf32> -> tensor<2x5x5xf32>
  return
}

// -----

func.func @bmm_contraction(%a: tensor<2x5x4xf32>, %b: tensor<2x5x4xf32>) {
  // expected-error@+2 {{inner sizes differ}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.batch_matmul %a, %b : tensor<2x5x4xf32>, tensor<2x5x4xf32> -> tensor<2x5x4xf32>
  return
}

// -----

func.func @perm(%a: tensor<2x5x4xf32>) {
  // expected-error@+2 {{transpose permutation is not a permutation of the dimensions}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.transpose %a {permutation = array<i64: 0, 0, 1>} : tensor<2x5x4xf32> -> tensor<2x2x5xf32>
  return
}

// -----

func.func @mask_square(%a: tensor<2x5x4xf32>) {
  // expected-error@+1 {{a causal mask needs [..., T, T] scores, got f32[2, 5, 4]}}
  %0 = nn.causal_mask %a fill 0.0 : tensor<2x5x4xf32>
  return
}

// -----

func.func @slice_range(%a: tensor<2x5x4xf32>) {
  // expected-error@+1 {{[3, 6) is outside dimension 1 of f32[2, 5, 4]}}
  %0 = nn.slice %a axis 1 start 3 : tensor<2x5x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

// A negative start must not wrap around the unsigned attribute.
func.func @slice_negative(%a: tensor<2x5x4xf32>) {
  // expected-error@+1 {{[-1, 2) is outside dimension 1 of f32[2, 5, 4]}}
  %0 = nn.slice %a axis 1 start -1 : tensor<2x5x4xf32> -> tensor<2x3x4xf32>
  return
}

// -----

func.func @concat_shapes(%a: tensor<2x5x4xf32>, %b: tensor<2x4x4xf32>) {
  // expected-error@+2 {{cannot concatenate f32[2, 5, 4] and f32[2, 4, 4] along dimension 2: they differ elsewhere}}
  // expected-error@+1 {{failed to infer returned types}}
  %0 = nn.concat %a, %b axis 2 : tensor<2x5x4xf32>, tensor<2x4x4xf32> -> tensor<2x5x8xf32>
  return
}

// -----

func.func @dropout_rate(%a: tensor<2x5xf32>, %s: tensor<i32>) {
  // expected-error@+1 {{rate must be in [0, 1)}}
  %0 = nn.dropout %a, %s {rate = 1.0 : f64, seed = 0 : i64} : tensor<2x5xf32>, tensor<i32>
  return
}

// -----

func.func @embedding_grad(%g: tensor<2x5x3xf32>, %ids: tensor<2x5xi32>) {
  // expected-error@+1 {{gradient 'tensor<2x5x3xf32>' does not match ids 'tensor<2x5xi32>' and table 'tensor<7x4xf32>'}}
  %0 = nn.embedding_grad %g, %ids : tensor<2x5x3xf32>, tensor<2x5xi32> -> tensor<7x4xf32>
  return
}
