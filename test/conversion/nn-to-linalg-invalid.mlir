// RUN: dlc-opt %s --convert-nn-to-linalg -split-input-file -verify-diagnostics

// An nn op without a lowering (nn.param is lifted to an argument before
// lowering) is a located error of the conversion driver, not a crash.
func.func @param() -> tensor<3xf32> {
  // expected-error@+1 {{failed to legalize operation 'nn.param' that was explicitly marked illegal}}
  %0 = nn.param "w" init "he" : tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// The same when ops before it were lowered and an op after it uses it: the
// conversion stops at the first op it cannot legalize.
func.func @param_among_lowered(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = nn.relu %x : tensor<3xf32>
  // expected-error@+1 {{failed to legalize operation 'nn.param'}}
  %1 = nn.param "w" init "he" : tensor<3xf32>
  %2 = nn.add %0, %1 : tensor<3xf32>
  %3 = nn.tanh %2 : tensor<3xf32>
  return %3 : tensor<3xf32>
}
