// RUN: dlc-opt %s --split-input-file --dlc-outline-kernels | FileCheck %s

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

// -----

// Loop nests that compute the same thing on different buffers share one
// kernel (a model that repeats a layer would otherwise compile each copy).
// One that differs in a constant, or in which operands feed an op, gets its
// own.
// CHECK-LABEL: func.func @repeated(
// CHECK-SAME: %[[X:[^:]*]]: memref<8xf32>, %[[Y:[^:]*]]: memref<8xf32>, %[[Z:[^:]*]]: memref<8xf32>)
// CHECK: call @repeated_k0(%[[X]], %[[Y]])
// CHECK: call @repeated_k0(%[[Y]], %[[Z]])
// CHECK: call @repeated_k2(%[[Z]], %[[X]])
// CHECK: call @repeated_k3(%[[X]], %[[Z]])
// CHECK: call @repeated_k0(%[[Z]], %[[Y]])
// CHECK-NOT: call
// CHECK: func.func private @repeated_k0(
// CHECK: arith.constant 2.000000e+00
// CHECK-NOT: func.func private @repeated_k1(
// CHECK: func.func private @repeated_k2(
// CHECK: arith.constant 3.000000e+00
// CHECK: func.func private @repeated_k3(
// CHECK: arith.subf %[[IN:.*]], %[[IN]]
// CHECK-NOT: func.func private @repeated_k4(
func.func @repeated(%x: memref<8xf32>, %y: memref<8xf32>, %z: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %two = arith.constant 2.0 : f32
  %three = arith.constant 3.0 : f32
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    %d = arith.subf %w, %v : f32
    memref.store %d, %y[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %y[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    %d = arith.subf %w, %v : f32
    memref.store %d, %z[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %z[%i] : memref<8xf32>
    %w = arith.mulf %v, %three : f32
    %d = arith.subf %w, %v : f32
    memref.store %d, %x[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    %d = arith.subf %w, %w : f32
    memref.store %d, %z[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %z[%i] : memref<8xf32>
    %w = arith.mulf %v, %two : f32
    %d = arith.subf %w, %v : f32
    memref.store %d, %y[%i] : memref<8xf32>
  }
  return
}

// -----

// Buffers placed in one arena (dlc-plan-memory) reach kernels as arguments,
// not as views rebuilt inside them: the two loops differ only in where their
// buffers live and share a kernel. Left with calls only, the function is
// marked as glue (compiled without optimization after the module's O3).
// CHECK-LABEL: func.func @arena(
// CHECK-SAME: passthrough = {{\[\[}}"dlc-glue", "true"]]
// CHECK: %[[V0:.*]] = memref.view
// CHECK: %[[V1:.*]] = memref.view
// CHECK: call @arena_k0(%arg0, %[[V0]])
// CHECK: call @arena_k0(%[[V0]], %[[V1]])
// CHECK: func.func private @arena_k0(%{{.*}}: memref<8xf32>, %{{.*}}: memref<8xf32>)
// CHECK-NOT: memref.view
// CHECK: return
func.func @arena(%x: memref<8xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %c32 = arith.constant 32 : index
  %arena = memref.alloc() : memref<64xi8>
  %v0 = memref.view %arena[%c0][] : memref<64xi8> to memref<8xf32>
  %v1 = memref.view %arena[%c32][] : memref<64xi8> to memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %x[%i] : memref<8xf32>
    memref.store %v, %v0[%i] : memref<8xf32>
  }
  scf.for %i = %c0 to %c8 step %c1 {
    %v = memref.load %v0[%i] : memref<8xf32>
    memref.store %v, %v1[%i] : memref<8xf32>
  }
  memref.dealloc %arena : memref<64xi8>
  return
}
