//===- Codegen.h - manifests, LLVM IR, JIT and shared libraries -----------===//
#ifndef DLC_COMPILER_CODEGEN_CODEGEN_H
#define DLC_COMPILER_CODEGEN_CODEGEN_H

#include "runtime/Manifest.h"
#include "runtime/Model.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/Error.h"

namespace dlc {

/// LLVM function attribute ("dlc-glue"="true", set through `passthrough`) of
/// a function left with kernel calls and buffer bookkeeping only: after the
/// module's O3 optimization it is compiled without optimization (optnone),
/// since LLVM's register allocator and post-RA scheduler take time
/// quadratic in such a function's length and gain nothing on it.
inline constexpr llvm::StringLiteral kGlueAttr = "dlc-glue";

/// Describes the buffers of every `nn.entry` function of an nn module whose
/// parameters are lifted and whose training step is built: arguments in
/// order, then results that are not in-place updates (new output buffers).
/// Model name, source hash and training settings come from the module's
/// nn.model, nn.source and nn.settings attributes.
mlir::FailureOr<rt::Manifest> buildManifest(mlir::ModuleOp module);
/// Builds the manifest and stores its text in the module's nn.manifest.
mlir::LogicalResult attachManifest(mlir::ModuleOp module);

/// LLVM dialect -> LLVM IR, optimized at O3 for the host CPU.
llvm::Expected<std::unique_ptr<llvm::Module>>
translateToLLVMIR(mlir::ModuleOp module, llvm::LLVMContext &context);

/// JIT-compiles an LLVM-dialect module (with the dlc ABI) in process.
llvm::Expected<std::unique_ptr<rt::Model>>
jitModel(mlir::ModuleOp module, llvm::StringRef expectedSource = "");

/// Writes an object file, then links it into a shared library at `path`
/// (through a temporary file and a rename: never a half-written library).
llvm::Error writeSharedLibrary(mlir::ModuleOp module, llvm::StringRef path);

} // namespace dlc

#endif // DLC_COMPILER_CODEGEN_CODEGEN_H
