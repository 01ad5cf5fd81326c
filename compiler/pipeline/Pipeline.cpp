//===- Pipeline.cpp - the dlc pass pipelines ------------------------------===//
#include "compiler/pipeline/Pipeline.h"
#include "compiler/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"

using namespace mlir;

// Upstream passes are spelled as textual pipelines: the names are stable
// across MLIR versions where the C++ constructors are not.
static const char *trainingPipeline =
    "nn-lift-params,nn-build-train-step,canonicalize,cse";

static const char *linalgPipeline =
    "convert-nn-to-linalg,canonicalize,linalg-fuse-elementwise-ops,"
    "canonicalize,cse";

static const char *cpuCodegenPipeline =
    // Matmuls: cache tiles, register tiles, vector.contract.
    "func.func(dlc-tile-contractions),canonicalize,cse,"
    // Caller-owned buffers, then bufferize everything else.
    "dlc-buffer-abi,"
    "eliminate-empty-tensors,"
    "one-shot-bufferize{bufferize-function-boundaries "
    "function-boundary-type-conversion=identity-layout-map},"
    "canonicalize,cse,buffer-deallocation-pipeline,func.func(dlc-expand-"
    "strided-copies),"
    // Loops; keep accumulators in registers.
    "convert-linalg-to-loops,fold-memref-alias-ops,canonicalize,cse,"
    "loop-invariant-code-motion,func.func(dlc-hoist-vector-transfers),"
    "convert-vector-to-scf{full-unroll},convert-scf-to-cf,"
    "expand-strided-metadata,lower-affine,math-expand-ops,"
    // LLVM dialect, bare pointers at function boundaries.
    "convert-vector-to-llvm{vector-contract-lowering=outerproduct},"
    "finalize-memref-to-llvm{use-aligned-alloc},convert-math-to-llvm,convert-"
    "arith-to-llvm,"
    "convert-index-to-llvm,convert-ub-to-llvm,convert-cf-to-llvm,"
    "convert-func-to-llvm{use-bare-ptr-memref-call-conv},"
    "reconcile-unrealized-casts,dlc-emit-entry-points,canonicalize";

static LogicalResult add(OpPassManager &pm, const char *pipeline) {
  return parsePassPipeline(pipeline, pm, llvm::errs());
}

LogicalResult dlc::addTrainingPasses(OpPassManager &pm) {
  return add(pm, trainingPipeline);
}
LogicalResult dlc::addLinalgPasses(OpPassManager &pm) {
  return add(pm, linalgPipeline);
}
LogicalResult dlc::addCPUCodegenPasses(OpPassManager &pm) {
  return add(pm, cpuCodegenPipeline);
}

void dlc::registerPipelines() {
  PassPipelineRegistration<>(
      "dlc-training", "nn: lift params, build train step",
      [](OpPassManager &pm) { (void)addTrainingPasses(pm); });
  PassPipelineRegistration<>(
      "dlc-to-linalg", "nn to fused linalg on tensors",
      [](OpPassManager &pm) { (void)addLinalgPasses(pm); });
  PassPipelineRegistration<>(
      "dlc-cpu-codegen", "linalg on tensors to LLVM with the dlc ABI",
      [](OpPassManager &pm) { (void)addCPUCodegenPasses(pm); });
}

void dlc::registerDialects(DialectRegistry &registry) {
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registry.insert<nn::NNDialect>();
}
