//===- Pipelines.h - the stages of dlc as pass pipelines, and the targets -===//
#ifndef DLC_COMPILER_PIPELINES_H
#define DLC_COMPILER_PIPELINES_H

#include "mlir/Pass/PassManager.h"

namespace dlc {

/// nn as emitted by the front end -> nn with lifted parameters and a complete
/// training step (backward pass and optimizer update).
void buildTrainingPipeline(mlir::OpPassManager &pm);

/// nn -> fused linalg on tensors (target independent).
void buildLinalgPipeline(mlir::OpPassManager &pm);

/// A code generation target: linalg on tensors -> LLVM dialect with the dlc
/// C ABI. Each lives in compiler/targets/<name>/.
struct Target {
  llvm::StringLiteral name;
  llvm::StringLiteral summary;
  void (*buildCodegenPipeline)(mlir::OpPassManager &pm);
};

/// Every target dlc can compile for.
llvm::ArrayRef<Target> targets();
/// The target called `name`, or null.
const Target *findTarget(llvm::StringRef name);

/// Registers what dlc, dlc-opt and the tests need: every dialect the
/// pipelines create, LLVM IR translations, MLIR's and dlc's passes, and the
/// pipelines as dlc-opt options (dlc-training, dlc-to-linalg,
/// dlc-codegen-<target>). Passes are registered once per process.
void registerAll(mlir::DialectRegistry &registry);

} // namespace dlc

#endif // DLC_COMPILER_PIPELINES_H
