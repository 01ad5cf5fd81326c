//===- Compiler.cpp - .net file to compiled model, stage by stage ---------===//
#include "compiler/Compiler.h"
#include "compiler/Passes.h"
#include "compiler/Pipelines.h"
#include "compiler/codegen/Codegen.h"
#include "compiler/frontend/MLIRGen.h"
#include "compiler/frontend/Parser.h"
#include "dialects/nn/NNContract.h"
#include "runtime/Files.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>

using namespace mlir;
using namespace dlc;

std::string dlc::hashSource(llvm::StringRef text) {
  uint64_t h = 1469598103934665603ull;
  for (char c : text)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

/// Far more than any model needs; the front end bounds what it expands.
constexpr uint64_t kMaxSourceBytes = 64 << 20;

static DialectRegistry makeRegistry() {
  DialectRegistry registry;
  registerAll(registry);
  return registry;
}

Compiler::Compiler() : context_(makeRegistry()) {
  context_.loadAllAvailableDialects();
  diagnostics_ =
      std::make_unique<SourceMgrDiagnosticHandler>(sources_, &context_);
}

Compiler::~Compiler() = default;

LogicalResult Compiler::load(llvm::StringRef path,
                             const FrontendOptions &options,
                             llvm::raw_ostream *astOut) {
  // A regular file of bounded size: `dlc /dev/zero` or a FIFO is an error,
  // not an out-of-memory abort or a hang.
  auto text = rt::readInputFile(path.str(), kMaxSourceBytes);
  if (!text) {
    // "<path>: cannot open: <why>" from the runtime, in dlc's own words.
    llvm::StringRef why = text.message();
    why.consume_front(path.str() + ": ");
    why.consume_front("cannot open: ");
    llvm::errs() << fmt::format("dlc: error: cannot read '{}': {}\n",
                                path.str(), why.str());
    return failure();
  }
  hash_ = hashSource(*text);
  sources_.AddNewSourceBuffer(llvm::MemoryBuffer::getMemBufferCopy(*text, path),
                              llvm::SMLoc());
  std::optional<ast::Program> program = parseProgram(sources_);
  if (!program)
    return failure();
  if (astOut) {
    ast::print(*program, *astOut);
    return success();
  }
  module_ = mlirGen(*program, sources_, context_, options);
  return success(static_cast<bool>(module_));
}

FailureOr<OwningOpRef<ModuleOp>> Compiler::emitNN() {
  OwningOpRef<ModuleOp> module = std::move(module_);
  (*module)->setAttr(nn::attr::kSource, StringAttr::get(&context_, hash_));
  if (failed(verify(*module)))
    return failure();
  PassManager pm(&context_);
  buildTrainingPipeline(pm);
  if (failed(pm.run(*module)))
    return failure();

  if (failed(attachManifest(*module)))
    return failure();
  return module;
}

LogicalResult Compiler::lowerToLinalg(ModuleOp module) {
  PassManager pm(&context_);
  buildLinalgPipeline(pm);
  return pm.run(module);
}

LogicalResult Compiler::lowerToLLVM(ModuleOp module, const Target &target) {
  PassManager pm(&context_);
  target.buildCodegenPipeline(pm);
  return pm.run(module);
}
