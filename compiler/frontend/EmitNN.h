//===- EmitNN.h - checked graph to the nn dialect -------------------------===//
#ifndef DLC_COMPILER_FRONTEND_EMITNN_H
#define DLC_COMPILER_FRONTEND_EMITNN_H

#include "compiler/frontend/Sema.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace dlc {

/// Emits `@predict` (the model's outputs) and, with a train section,
/// `@train_step` (forward + loss, tagged nn.train for nn-build-train-step).
/// Parameters are nn.param ops named <layer>.weight / <layer>.bias.
mlir::OwningOpRef<mlir::ModuleOp> emitNN(const Graph &graph,
                                         llvm::SourceMgr &sources,
                                         mlir::MLIRContext &context);

} // namespace dlc

#endif // DLC_COMPILER_FRONTEND_EMITNN_H
