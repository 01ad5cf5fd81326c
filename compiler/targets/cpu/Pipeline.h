//===- Pipeline.h - linalg on tensors to LLVM for the host CPU ------------===//
#ifndef DLC_COMPILER_TARGETS_CPU_PIPELINE_H
#define DLC_COMPILER_TARGETS_CPU_PIPELINE_H

#include "mlir/Pass/PassManager.h"

namespace dlc::cpu {

/// Fused linalg on tensors -> LLVM dialect with the dlc C ABI: contractions
/// tiled for the caches and registers and vectorized, caller-owned buffers,
/// one-shot bufferization, loops, LLVM.
void buildCodegenPipeline(mlir::OpPassManager &pm);

} // namespace dlc::cpu

#endif // DLC_COMPILER_TARGETS_CPU_PIPELINE_H
