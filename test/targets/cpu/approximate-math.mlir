// RUN: dlc-opt %s --dlc-approximate-math | FileCheck %s

// f32 erf, exp, expm1, log, log1p and tanh, scalar or vector, become MLIR's
// polynomials (arith and fma only, so they vectorize); f64 erf calls libm,
// declared in the module; other f64 math and other ops (sqrt) are left to
// MathToLLVM.
// CHECK: func.func private @erf(f64) -> f64
// CHECK-LABEL: func.func @f32_vector
// CHECK-NOT: math.erf
// CHECK-NOT: math.exp
// CHECK-NOT: call
// CHECK: arith.cmpf olt, %{{.*}} : vector<16xf32>
// CHECK: math.fma %{{.*}} : vector<16xf32>
// CHECK: return
func.func @f32_vector(%x: vector<16xf32>) -> vector<16xf32> {
  %e = math.erf %x : vector<16xf32>
  %y = math.exp %e : vector<16xf32>
  return %y : vector<16xf32>
}

// CHECK-LABEL: func.func @f32_scalar
// CHECK-NOT: math.tanh
// CHECK-NOT: math.log
// CHECK-NOT: math.expm1
// CHECK-NOT: call
// CHECK: math.sqrt %{{.*}} : f32
// CHECK: return
func.func @f32_scalar(%x: f32) -> f32 {
  %t = math.tanh %x : f32
  %l = math.log %t : f32
  %p = math.log1p %l : f32
  %m = math.expm1 %p : f32
  %s = math.sqrt %m : f32
  return %s : f32
}

// CHECK-LABEL: func.func @f64_exp_log
// CHECK: math.exp %{{.*}} : f64
// CHECK: math.log %{{.*}} : f64
func.func @f64_exp_log(%x: f64) -> f64 {
  %e = math.exp %x : f64
  %l = math.log %e : f64
  return %l : f64
}

// CHECK-LABEL: func.func @f64_scalar
// CHECK-NOT: math.erf
// CHECK: call @erf(%{{.*}}) : (f64) -> f64
func.func @f64_scalar(%x: f64) -> f64 {
  %e = math.erf %x : f64
  return %e : f64
}
