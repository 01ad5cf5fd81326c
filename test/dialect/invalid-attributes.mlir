// RUN: dlc-opt %s -split-input-file -verify-diagnostics
// The nn.* attributes of the IR contract (dialects/nn/NNContract.h).

// expected-error@+1 {{attribute 'nn.model' must be a non-empty string}}
module attributes {nn.model = 3} {}

// -----

// expected-error@+1 {{attribute 'nn.entry' must be a unit attribute on a function}}
module attributes {nn.entry} {}

// -----

// expected-error@+1 {{'nn.train' must be a dictionary with an 'optimizer'}}
func.func @f() attributes {nn.train = {lr = 1.0}} {
  return
}

// -----

// expected-error@+1 {{unknown nn attribute 'nn.entrypoint'}}
func.func @f() attributes {nn.entrypoint} {
  return
}

// -----

// expected-error@+1 {{attribute 'nn.param' must be a non-empty string}}
func.func @f(%a: tensor<3xf32> {nn.param = 1 : i64}) {
  return
}

// -----

// expected-error@+1 {{unknown nn argument attribute 'nn.weight' on argument 0}}
func.func @f(%a: tensor<3xf32> {nn.weight = "w"}) {
  return
}

// -----

// expected-error@+1 {{result 0: 'nn.update' must be the index of an argument}}
func.func @f(%a: tensor<3xf32>) -> (tensor<3xf32> {nn.update = 1 : i64}) {
  return %a : tensor<3xf32>
}

// -----

// The contract as the training step uses it verifies.
module attributes {nn.model = "m", nn.manifest = "dlc 1\0A"} {
  func.func @train_step(%p: tensor<3xf32> {nn.param = "p", nn.init = "zeros"},
                        %s: tensor<3xf32> {nn.state = "p.m", nn.init = "zeros"},
                        %x: tensor<3xf32> {nn.name = "x"})
      -> (tensor<f32> {nn.name = "loss"}, tensor<3xf32> {nn.update = 0 : i64})
      attributes {nn.entry} {
    %c = arith.constant dense<1.0> : tensor<f32>
    return %c, %p : tensor<f32>, tensor<3xf32>
  }
}
