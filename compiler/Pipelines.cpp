//===- Pipelines.cpp - the stages of dlc as pass pipelines, and the targets ==//
#include "compiler/Pipelines.h"
#include "compiler/Passes.h"
#include "compiler/targets/cpu/Passes.h"
#include "compiler/targets/cpu/Pipeline.h"

#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Transforms/Passes.h"

#include <mutex>

using namespace mlir;

void dlc::buildTrainingPipeline(OpPassManager &pm) {
  pm.addPass(createLiftParams());
  pm.addPass(createBuildTrainStep());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void dlc::buildLinalgPipeline(OpPassManager &pm) {
  pm.addPass(createConvertNNToLinalg());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createFuseElementwise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

static const dlc::Target allTargets[] = {
    {"cpu", "the host CPU (vectorized for its features)",
     dlc::cpu::buildCodegenPipeline},
};

llvm::ArrayRef<dlc::Target> dlc::targets() { return allTargets; }

const dlc::Target *dlc::findTarget(llvm::StringRef name) {
  for (const Target &target : allTargets)
    if (target.name == name)
      return &target;
  return nullptr;
}

static void registerPassesAndPipelines() {
  registerAllPasses();
  dlc::registerDLCPasses();
  dlc::cpu::registerDLCCPUPasses();
  PassPipelineRegistration<>(
      "dlc-training", "nn: lift parameters, build the training step",
      [](OpPassManager &pm) { dlc::buildTrainingPipeline(pm); });
  PassPipelineRegistration<>(
      "dlc-to-linalg", "nn to fused linalg on tensors",
      [](OpPassManager &pm) { dlc::buildLinalgPipeline(pm); });
  for (const dlc::Target &target : allTargets)
    PassPipelineRegistration<>(
        ("dlc-codegen-" + target.name).str(),
        ("linalg on tensors to LLVM with the dlc ABI for " + target.summary)
            .str(),
        target.buildCodegenPipeline);
}

void dlc::registerAll(DialectRegistry &registry) {
  static std::once_flag once;
  std::call_once(once, registerPassesAndPipelines);
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registry.insert<nn::NNDialect>();
}
