// RUN: dlc-opt %s --dlc-outline-kernels | FileCheck %s

// Each top-level loop nest moves into a private, never-inlined function with
// internal linkage. Constants and views are cloned into the kernel (their
// static values stay visible to LLVM); buffers and other values become
// arguments; a loop's results are returned. Ops without regions (alloc,
// copy) stay in the entry point.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[A:[^:]*]]: memref<4x8xf32>, %[[B:[^:]*]]: memref<4xf32>, %[[S:[^:]*]]: f32)
// CHECK: %[[T:.*]] = memref.alloc() : memref<4xf32>
// CHECK: call @step_k0(%[[A]], %[[S]], %[[T]]) : (memref<4x8xf32>, f32, memref<4xf32>) -> ()
// CHECK: %[[SUM:.*]] = call @step_k1(%[[T]]) : (memref<4xf32>) -> f32
// CHECK: memref.copy %[[T]], %[[B]]
// CHECK: memref.dealloc %[[T]]
// CHECK: return %[[SUM]]

// CHECK: func.func private @step_k0(%[[KA:[^:]*]]: memref<4x8xf32>, %[[KS:[^:]*]]: f32, %[[KT:[^:]*]]: memref<4xf32>)
// CHECK-SAME: dlc.kernel
// CHECK-SAME: llvm.linkage = #llvm.linkage<internal>
// CHECK-SAME: passthrough = ["noinline"]
// CHECK-DAG: arith.constant 0 : index
// CHECK-DAG: arith.constant 4 : index
// CHECK-DAG: memref.subview %[[KA]][0, 2] [4, 1] [1, 1]
// CHECK: scf.for
// CHECK: return{{$}}

// CHECK: func.func private @step_k1(%{{[^:]*}}: memref<4xf32>) -> f32
// CHECK: %[[R:.*]] = scf.for
// CHECK: return %[[R]] : f32
func.func @step(%a: memref<4x8xf32>, %b: memref<4xf32>, %s: f32) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %zero = arith.constant 0.0 : f32
  %t = memref.alloc() : memref<4xf32>
  %col = memref.subview %a[0, 2] [4, 1] [1, 1] : memref<4x8xf32> to memref<4xf32, strided<[8], offset: 2>>
  scf.for %i = %c0 to %c4 step %c1 {
    %v = memref.load %col[%i] : memref<4xf32, strided<[8], offset: 2>>
    %w = arith.mulf %v, %s : f32
    memref.store %w, %t[%i] : memref<4xf32>
  }
  %sum = scf.for %i = %c0 to %c4 step %c1 iter_args(%acc = %zero) -> f32 {
    %v = memref.load %t[%i] : memref<4xf32>
    %n = arith.addf %acc, %v : f32
    scf.yield %n : f32
  }
  memref.copy %t, %b : memref<4xf32> to memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  return %sum : f32
}
