//===- Pipeline.h - the dlc pass pipelines --------------------------------===//
#ifndef DLC_COMPILER_PIPELINE_PIPELINE_H
#define DLC_COMPILER_PIPELINE_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace dlc {

/// nn (as emitted by the frontend) -> nn with lifted parameters and a
/// complete training step.
llvm::LogicalResult addTrainingPasses(mlir::OpPassManager &pm);
/// nn -> fused linalg on tensors.
llvm::LogicalResult addLinalgPasses(mlir::OpPassManager &pm);
/// linalg on tensors -> LLVM dialect with the dlc C ABI, for the host CPU.
llvm::LogicalResult addCPUCodegenPasses(mlir::OpPassManager &pm);

/// Registers the three as dlc-opt pipelines: dlc-training, dlc-to-linalg,
/// dlc-cpu-codegen.
void registerPipelines();

/// Registers every dialect the pipelines create.
void registerDialects(mlir::DialectRegistry &registry);

} // namespace dlc

#endif // DLC_COMPILER_PIPELINE_PIPELINE_H
