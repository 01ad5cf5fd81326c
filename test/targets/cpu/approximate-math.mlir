// RUN: dlc-opt %s --dlc-approximate-math | FileCheck %s

// f32 erf, scalar or vector, becomes MLIR's polynomial (arith only, so it
// vectorizes); f64 erf calls libm, declared in the module. Other math ops are
// left to MathToLLVM.
// CHECK: func.func private @erf(f64) -> f64
// CHECK-LABEL: func.func @f32_vector
// CHECK-NOT: math.erf
// CHECK-NOT: call
// CHECK: arith.cmpf olt, %{{.*}} : vector<16xf32>
// CHECK: math.exp %{{.*}} : vector<16xf32>
func.func @f32_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %e = math.erf %x : vector<16xf32>
  %y = math.exp %e : vector<16xf32>
  return %y : vector<16xf32>
}

// CHECK-LABEL: func.func @f64_scalar
// CHECK-NOT: math.erf
// CHECK: call @erf(%{{.*}}) : (f64) -> f64
func.func @f64_scalar(%x: f64) -> f64 {
  %e = math.erf %x : f64
  return %e : f64
}
