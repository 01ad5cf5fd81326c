// RUN: dlc-opt %s --pass-pipeline='builtin.module(func.func(dlc-expand-strided-copies))' | FileCheck %s

// A copy into a column block is strided: it becomes linalg.copy (loops),
// not a call into MLIR's C runner library.
// CHECK-LABEL: func.func @strided
// CHECK: %[[V:.*]] = memref.subview
// CHECK: linalg.copy ins(%arg0 : memref<3x2xf32>) outs(%[[V]] : memref<3x2xf32, strided<[7, 1], offset: 2>>)
// CHECK-NOT: memref.copy
func.func @strided(%a: memref<3x2xf32>, %b: memref<3x7xf32>) {
  %v = memref.subview %b[0, 2] [3, 2] [1, 1] : memref<3x7xf32> to memref<3x2xf32, strided<[7, 1], offset: 2>>
  memref.copy %a, %v : memref<3x2xf32> to memref<3x2xf32, strided<[7, 1], offset: 2>>
  return
}

// A row block is contiguous: memref.copy stays (an LLVM memcpy).
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<2x7xf32>, %b: memref<3x7xf32>) {
  %v = memref.subview %b[1, 0] [2, 7] [1, 1] : memref<3x7xf32> to memref<2x7xf32, strided<[7, 1], offset: 7>>
  memref.copy %a, %v : memref<2x7xf32> to memref<2x7xf32, strided<[7, 1], offset: 7>>
  return
}

// A copy onto itself is dropped.
// CHECK-LABEL: func.func @self
// CHECK-NOT: copy
func.func @self(%b: memref<3x7xf32>) {
  %v = memref.subview %b[0, 2] [3, 2] [1, 1] : memref<3x7xf32> to memref<3x2xf32, strided<[7, 1], offset: 2>>
  memref.copy %v, %v : memref<3x2xf32, strided<[7, 1], offset: 2>> to memref<3x2xf32, strided<[7, 1], offset: 2>>
  return
}
