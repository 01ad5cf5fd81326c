// RUN: dlc-opt %s --convert-nn-to-linalg -verify-diagnostics

func.func @param() -> tensor<3xf32> {
  // expected-error@+1 {{no lowering to linalg for 'nn.param'}}
  %0 = nn.param "w" init "he" : tensor<3xf32>
  return %0 : tensor<3xf32>
}
