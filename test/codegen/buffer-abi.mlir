// RUN: dlc-opt %s --dlc-buffer-abi | FileCheck %s

// Arguments become read-only views of caller buffers, which never alias; an
// nn.update result is copied back into its argument, any other result into a
// new trailing buffer.
// CHECK-LABEL: func.func @step(
// CHECK-SAME: %[[P:[^:]*]]: memref<3xf32> {llvm.noalias}, %[[X:[^:]*]]: memref<3xf32> {llvm.noalias}, %[[OUT:[^:]*]]: memref<f32> {llvm.noalias})
// CHECK-NOT: ->
// CHECK: %[[PT:.*]] = bufferization.to_tensor %[[P]] restrict : memref<3xf32> to tensor<3xf32>
// CHECK: %[[XT:.*]] = bufferization.to_tensor %[[X]] restrict : memref<3xf32> to tensor<3xf32>
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[OUT]]
// CHECK: bufferization.materialize_in_destination %{{.*}} in restrict writable %[[P]]
// CHECK: return
// CHECK-NOT: nn.param
func.func @step(%p: tensor<3xf32> {nn.param = "p"}, %x: tensor<3xf32>) -> (tensor<f32> {nn.name = "loss"}, tensor<3xf32> {nn.update = 0 : i64}) {
  %0 = arith.subf %p, %x : tensor<3xf32>
  %c = arith.constant dense<1.0> : tensor<f32>
  return %c, %0 : tensor<f32>, tensor<3xf32>
}
