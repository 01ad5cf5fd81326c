// RUN: dlc-opt %s --dlc-emit-entry-points | FileCheck %s

// CHECK: llvm.mlir.global internal constant @dlc_manifest_text("dlc 1\0Amodel m\0A\00")
// CHECK-NOT: llvm.func @dlc_helper
// CHECK-LABEL: llvm.func @dlc_step(%arg0: !llvm.ptr)
// CHECK: %[[S0:.*]] = llvm.getelementptr %arg0[0] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P0:.*]] = llvm.load %[[S0]] : !llvm.ptr -> !llvm.ptr
// CHECK: %[[S1:.*]] = llvm.getelementptr %arg0[1] : (!llvm.ptr) -> !llvm.ptr, !llvm.ptr
// CHECK: %[[P1:.*]] = llvm.load %[[S1]] : !llvm.ptr -> !llvm.ptr
// CHECK: llvm.call @step(%[[P0]], %[[P1]])
// CHECK-LABEL: llvm.func @dlc_abi_version() -> i32
// CHECK: llvm.mlir.constant(1 : i32)
// CHECK-LABEL: llvm.func @dlc_manifest() -> !llvm.ptr
// CHECK: llvm.mlir.addressof @dlc_manifest_text
module attributes {nn.manifest = "dlc 1\0Amodel m\0A"} {
  llvm.func @step(%a: !llvm.ptr, %b: !llvm.ptr) attributes {nn.entry} {
    llvm.return
  }
  llvm.func @helper(%a: !llvm.ptr) {
    llvm.return
  }
}
