// RUN: dlc-opt %s --pass-pipeline='builtin.module(func.func(dlc-plan-memory))' | FileCheck %s

// Buffers freed in the block they are allocated in share one arena: %a and
// %c (1 KiB each) never live at the same time and take offset 0, %b (256 B,
// live with %a) goes after it, and %d, allocated when all of them are
// free, at 0 again. Offsets and sizes are multiples of 64. A buffer that is never freed here (%e, it escapes) and one of
// dynamic size (%f) stay allocations of their own.
// CHECK-LABEL: func.func @step
// CHECK-NEXT: %[[ARENA:.*]] = memref.alloc() {alignment = 64 : i64} : memref<1280xi8>
// CHECK: %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT: %[[A:.*]] = memref.view %[[ARENA]][%[[C0]]][] : memref<1280xi8> to memref<256xf32>
// CHECK: %[[C1024:.*]] = arith.constant 1024 : index
// CHECK-NEXT: %[[B:.*]] = memref.view %[[ARENA]][%[[C1024]]][] : memref<1280xi8> to memref<64xf32>
// CHECK: memref.subview %[[A]]
// CHECK: memref.copy %{{.*}}, %[[B]]
// CHECK: memref.view %[[ARENA]][%{{.*}}][] : memref<1280xi8> to memref<256xf32>
// CHECK: %[[C0_D:.*]] = arith.constant 0 : index
// CHECK-NEXT: memref.view %[[ARENA]][%[[C0_D]]][] : memref<1280xi8> to memref<i32>
// CHECK: %[[E:.*]] = memref.alloc() : memref<8xf32>
// CHECK: %[[F:.*]] = memref.alloc(%arg1) : memref<?xf32>
// CHECK: memref.dealloc %[[F]]
// CHECK-NOT: memref.dealloc
// CHECK: memref.dealloc %[[ARENA]]
// CHECK-NEXT: return %[[E]]
func.func @step(%x: memref<256xf32>, %n: index) -> memref<8xf32> {
  %a = memref.alloc() : memref<256xf32>
  %b = memref.alloc() : memref<64xf32>
  %sa = memref.subview %a[0] [64] [1] : memref<256xf32> to memref<64xf32, strided<[1]>>
  memref.copy %sa, %b : memref<64xf32, strided<[1]>> to memref<64xf32>
  memref.dealloc %a : memref<256xf32>
  %c = memref.alloc() : memref<256xf32>
  memref.copy %x, %c : memref<256xf32> to memref<256xf32>
  memref.dealloc %b : memref<64xf32>
  memref.dealloc %c : memref<256xf32>
  %d = memref.alloc() : memref<i32>
  memref.dealloc %d : memref<i32>
  %e = memref.alloc() : memref<8xf32>
  %f = memref.alloc(%n) : memref<?xf32>
  memref.dealloc %f : memref<?xf32>
  return %e : memref<8xf32>
}
