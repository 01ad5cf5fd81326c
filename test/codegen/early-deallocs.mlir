// RUN: dlc-opt %s --allow-unregistered-dialect --dlc-early-deallocs | FileCheck %s

// The end-of-block dealloc of ownership-based deallocation is split: a
// buffer owned unconditionally and allocated in the block is freed after the
// last op that uses it or one of its views (a loop that reads it counts as a
// use at the loop). A buffer whose ownership is a runtime condition, and one
// whose view leaves through an op that returns a memref, stay in the dealloc.
// CHECK-LABEL: func.func @step
// CHECK: %[[A:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[B:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[C:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[D:.*]] = memref.alloc() : memref<8xf32>
// CHECK: memref.copy %[[A]], %[[B]]
// CHECK-NEXT: memref.dealloc %[[A]]
// CHECK-NEXT: %[[V:.*]] = memref.collapse_shape %[[B]]
// CHECK-NEXT: scf.for
// CHECK: }
// CHECK-NEXT: memref.dealloc %[[B]]
// CHECK-NEXT: %[[E:.*]] = "test.escape"(%[[D]])
// CHECK-NEXT: bufferization.dealloc (%[[C]], %[[D]] : {{.*}}) if (%arg1, %true{{.*}})
// CHECK-NEXT: return
func.func @step(%out: memref<8xf32>, %owned: i1) {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  %a = memref.alloc() : memref<8xf32>
  %b = memref.alloc() : memref<8xf32>
  %c = memref.alloc() : memref<8xf32>
  %d = memref.alloc() : memref<8xf32>
  memref.copy %a, %b : memref<8xf32> to memref<8xf32>
  %v = memref.collapse_shape %b [[0]] : memref<8xf32> into memref<8xf32>
  scf.for %i = %c0 to %c8 step %c1 {
    %x = memref.load %v[%i] : memref<8xf32>
    memref.store %x, %out[%i] : memref<8xf32>
  }
  %e = "test.escape"(%d) : (memref<8xf32>) -> memref<8xf32>
  bufferization.dealloc (%a, %b, %c, %d : memref<8xf32>, memref<8xf32>, memref<8xf32>, memref<8xf32>) if (%true, %true, %owned, %true)
  return
}

// A buffer that a loop yields has an alias, the loop's result, used after
// the loop: it stays in the dealloc.
// CHECK-LABEL: func.func @yielded
// CHECK-NOT: memref.dealloc
// CHECK: bufferization.dealloc (%{{.*}} : memref<8xf32>) if (%true)
func.func @yielded(%out: memref<8xf32>) {
  %true = arith.constant true
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %a = memref.alloc() : memref<8xf32>
  %r = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %out) -> memref<8xf32> {
    scf.yield %a : memref<8xf32>
  }
  memref.copy %r, %out : memref<8xf32> to memref<8xf32>
  bufferization.dealloc (%a : memref<8xf32>) if (%true)
  return
}
