//===- Codegen.cpp - LLVM IR, JIT and shared libraries --------------------===//
#include "compiler/codegen/Codegen.h"
#include "runtime/Files.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FileUtilities.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <fmt/format.h>
#include <unistd.h>

using namespace mlir;
using namespace dlc;

static llvm::Error error(const std::string &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static void initializeTargets() {
  static bool done = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)done;
}

/// The host target machine, position independent so the same code serves the
/// JIT and shared libraries.
static llvm::Expected<std::unique_ptr<llvm::TargetMachine>> hostMachine() {
  initializeTargets();
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return builder.takeError();
  builder->setRelocationModel(llvm::Reloc::PIC_);
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  return builder->createTargetMachine();
}

/// LLVM dialect -> LLVM IR optimized at O3 for `tm`. Every function carries
/// the target's CPU and features, so the optimizer's cost model and the
/// vectorizer see the host's vector units whichever route runs the code.
static llvm::Expected<std::unique_ptr<llvm::Module>>
translateFor(ModuleOp module, llvm::LLVMContext &context,
             llvm::TargetMachine &tm) {
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context);
  if (!llvmModule)
    return error("cannot translate the module to LLVM IR");
  llvmModule->setDataLayout(tm.createDataLayout());
  llvmModule->setTargetTriple(tm.getTargetTriple());
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", tm.getTargetCPU());
    function.addFnAttr("target-features", tm.getTargetFeatureString());
  }
  // makeOptimizingTransformer returns a std::function: keep it alive while
  // it runs.
  std::function<llvm::Error(llvm::Module *)> optimize =
      makeOptimizingTransformer(3, 0, &tm);
  if (auto err = optimize(llvmModule.get()))
    return std::move(err);
  for (llvm::Function &function : *llvmModule) {
    if (!function.hasFnAttribute(kGlueAttr))
      continue;
    function.removeFnAttr(kGlueAttr);
    function.removeFnAttr(llvm::Attribute::AlwaysInline);
    function.addFnAttr(llvm::Attribute::NoInline);
    function.addFnAttr(llvm::Attribute::OptimizeNone);
  }
  return llvmModule;
}

llvm::Expected<std::unique_ptr<llvm::Module>>
dlc::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context) {
  auto tm = hostMachine();
  if (!tm)
    return tm.takeError();
  return translateFor(module, context, **tm);
}

llvm::Expected<std::unique_ptr<rt::Model>>
dlc::jitModel(ModuleOp module, llvm::StringRef expectedSource) {
  auto tm = hostMachine();
  if (!tm)
    return tm.takeError();
  // The JIT compiles exactly the LLVM IR a shared library would contain:
  // the same translation and optimization, then the same code generator.
  llvm::TargetMachine &machine = **tm;
  std::string translationError;
  auto build =
      [&](Operation *op,
          llvm::LLVMContext &context) -> std::unique_ptr<llvm::Module> {
    auto llvmModule = translateFor(cast<ModuleOp>(op), context, machine);
    if (!llvmModule) {
      translationError = llvm::toString(llvmModule.takeError());
      return nullptr;
    }
    return std::move(*llvmModule);
  };
  ExecutionEngineOptions options;
  options.llvmModuleBuilder = build;
  options.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Aggressive;
  auto engine = ExecutionEngine::create(module, options, std::move(*tm));
  if (!engine) {
    if (translationError.empty())
      return engine.takeError();
    llvm::consumeError(engine.takeError());
    return error(translationError);
  }
  (*engine)->initialize();
  std::shared_ptr<ExecutionEngine> owner(std::move(*engine));
  ExecutionEngine *raw = owner.get();
  auto model = rt::Model::create(
      [raw](const std::string &name) -> void * {
        auto symbol = raw->lookup(name);
        if (!symbol) {
          llvm::consumeError(symbol.takeError());
          return nullptr;
        }
        return *symbol;
      },
      owner, "JIT", expectedSource);
  if (!model) // The runtime has its own error type (it links no LLVM).
    return error(model.message());
  return std::move(*model);
}

llvm::Error dlc::writeSharedLibrary(ModuleOp module, llvm::StringRef path) {
  llvm::LLVMContext context;
  auto llvmModule = translateToLLVMIR(module, context);
  if (!llvmModule)
    return llvmModule.takeError();
  auto tm = hostMachine();
  if (!tm)
    return tm.takeError();

  llvm::SmallString<128> object;
  int fd;
  if (auto ec = llvm::sys::fs::createTemporaryFile("dlc", "o", fd, object))
    return error(
        fmt::format("cannot create a temporary object file: {}", ec.message()));
  llvm::FileRemover removeObject(object);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    llvm::legacy::PassManager pm;
    if ((*tm)->addPassesToEmitFile(pm, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
      return error("the target cannot emit object files");
    pm.run(**llvmModule);
  }

  // Link next to the destination (the file a symbolic link names), then
  // rename: a failed link leaves any existing library untouched, and a
  // device or directory at `path` is never replaced.
  auto target = rt::outputTarget(path.str());
  if (!target)
    return error(target.message());
  std::string temp = rt::temporaryFor(*target);
  llvm::FileRemover removeTemp(temp);
  auto cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    return error("cannot find the C compiler 'cc' to link the shared library");
  llvm::SmallVector<llvm::StringRef> argv{*cc,  "-shared", "-o",
                                          temp, object,    "-lm"};
  std::string message;
  if (llvm::sys::ExecuteAndWait(*cc, argv, std::nullopt, {}, 0, 0, &message) !=
      0)
    return error(fmt::format("linking {} failed{}", path.str(),
                             message.empty() ? "" : ": " + message));
  if (auto ec = llvm::sys::fs::rename(temp, *target))
    return error(fmt::format("cannot write {}: {}", path.str(), ec.message()));
  removeTemp.releaseFile();
  return llvm::Error::success();
}
