//===- MLIRGen.h - a .net program to the nn dialect -----------------------===//
//
// Checks a parsed program and emits it as nn ops while it walks it, as the
// Toy tutorial's MLIRGen does: names, argument kinds, blocks, broadcasting and
// the training set-up are checked here; shapes come from the ops (Layers.h).
// Every user mistake is reported at its .net location.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_MLIRGEN_H
#define DLC_COMPILER_FRONTEND_MLIRGEN_H

#include "compiler/frontend/AST.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/SourceMgr.h"
#include <optional>

namespace dlc {

struct FrontendOptions {
  /// Size of the symbolic batch dimension; overrides the train section's.
  std::optional<int64_t> batch;
  /// Training is requested: a train section is required, its data must exist.
  bool requireTraining = false;
};

/// Emits `@predict` (the model's outputs) and, with a train section,
/// `@train_step` (forward and loss, tagged nn.train for the training
/// pipeline), with the training settings on the module. Parameters are
/// nn.param ops named <layer>.weight / <layer>.bias. Reports the first error
/// through `sources` and returns null on failure.
mlir::OwningOpRef<mlir::ModuleOp> mlirGen(const ast::Program &program,
                                          llvm::SourceMgr &sources,
                                          mlir::MLIRContext &context,
                                          const FrontendOptions &options);

} // namespace dlc

#endif // DLC_COMPILER_FRONTEND_MLIRGEN_H
