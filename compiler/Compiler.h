//===- Compiler.h - .net file to compiled model, stage by stage -----------===//
#ifndef DLC_COMPILER_COMPILER_H
#define DLC_COMPILER_COMPILER_H

#include "compiler/Pipelines.h"
#include "compiler/frontend/MLIRGen.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/LLVM.h"
#include "llvm/Support/SourceMgr.h"

namespace mlir {
class SourceMgrDiagnosticHandler;
}

namespace dlc {

/// Drives one .net file through the stages. Errors, from the frontend or from
/// a pass, are printed with the .net source line and a caret.
class Compiler {
public:
  Compiler();
  ~Compiler();

  mlir::MLIRContext &context() { return context_; }

  /// Reads, parses, checks and emits `path` as nn. With `astOut`, prints the
  /// syntax tree instead.
  mlir::LogicalResult load(llvm::StringRef path, const FrontendOptions &options,
                           llvm::raw_ostream *astOut = nullptr);
  /// FNV-1a of the source text, 16 hex digits: identifies the model.
  const std::string &sourceHash() const { return hash_; }

  /// The loaded model as nn with lifted parameters and the training step;
  /// manifest attached.
  mlir::FailureOr<mlir::OwningOpRef<mlir::ModuleOp>> emitNN();
  mlir::LogicalResult lowerToLinalg(mlir::ModuleOp module);
  /// Code generation for `target` (the host CPU by default).
  mlir::LogicalResult lowerToLLVM(mlir::ModuleOp module,
                                  const Target &target = targets().front());

private:
  mlir::MLIRContext context_;
  llvm::SourceMgr sources_;
  std::unique_ptr<mlir::SourceMgrDiagnosticHandler> diagnostics_;
  mlir::OwningOpRef<mlir::ModuleOp> module_;
  std::string hash_;
};

/// FNV-1a 64 of `text` as 16 hex digits.
std::string hashSource(llvm::StringRef text);

} // namespace dlc

#endif // DLC_COMPILER_COMPILER_H
