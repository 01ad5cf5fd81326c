// Each registered pipeline, in order, on one small model: the stages `dlc`
// runs (compiler/Pipelines.h), one at a time.
// RUN: dlc-opt %s --dlc-training | FileCheck %s --check-prefix=TRAIN
// RUN: dlc-opt %s --dlc-training --dlc-to-linalg | FileCheck %s --check-prefix=LINALG
// RUN: dlc-opt %s --dlc-training --dlc-to-linalg --dlc-codegen-cpu | FileCheck %s --check-prefix=CPU

module attributes {nn.model = "m"} {
  func.func @train_step(%x: tensor<2x4xf32> {nn.name = "x"},
                        %l: tensor<2xi32> {nn.name = "labels"})
      -> (tensor<f32> {nn.name = "loss"})
      attributes {nn.entry, nn.train = {optimizer = "sgd", lr = 5.0e-01 : f64}} {
    %w = nn.param "d.weight" init "he" : tensor<4x3xf32>
    %0 = nn.matmul %x, %w : tensor<2x4xf32>, tensor<4x3xf32> -> tensor<2x3xf32>
    %1 = nn.relu %0 : tensor<2x3xf32>
    %2 = nn.cross_entropy %1, %l : tensor<2x3xf32>, tensor<2xi32>
    return %2 : tensor<f32>
  }
}

// Parameters lifted, backward pass and update appended, written in place.
// TRAIN-LABEL: func.func @train_step(
// TRAIN-SAME: {nn.init = "he", nn.param = "d.weight"}
// TRAIN-SAME: -> (tensor<f32> {nn.name = "loss"}, tensor<4x3xf32> {nn.update = 0 : i64})
// TRAIN: nn.relu_grad
// TRAIN: nn.sgd_update
// TRAIN-NOT: nn.param

// No nn op survives; the ops are linalg on tensors.
// LINALG-LABEL: func.func @train_step(
// LINALG-NOT: nn.{{[a-z_]+}} %
// LINALG: linalg.generic
// LINALG-NOT: nn.{{[a-z_]+}} %
// LINALG: return

// The LLVM dialect with the C ABI entry point, the version and the manifest.
// CPU: llvm.func @train_step(
// CPU-SAME: !llvm.ptr {llvm.noalias}
// CPU: llvm.func @dlc_train_step(%{{.*}}: !llvm.ptr)
// CPU: llvm.func @dlc_abi_version() -> i32
// CPU: llvm.func @dlc_manifest() -> !llvm.ptr
