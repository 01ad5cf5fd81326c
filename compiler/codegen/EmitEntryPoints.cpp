//===- EmitEntryPoints.cpp - the dlc C ABI over compiled functions --------===//
#include "compiler/Passes.h"
#include "dialects/nn/NNContract.h"
#include "runtime/dlc_abi.h"

namespace dlc {
#define GEN_PASS_DEF_EMITENTRYPOINTS
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {
struct EmitEntryPointsPass
    : dlc::impl::EmitEntryPointsBase<EmitEntryPointsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto voidType = LLVM::LLVMVoidType::get(ctx);
    auto i32 = IntegerType::get(ctx, 32);
    OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
    Location loc = module.getLoc();

    SmallVector<LLVM::LLVMFuncOp> entries;
    for (auto func : module.getOps<LLVM::LLVMFuncOp>())
      if (func->hasAttr(dlc::nn::attr::kEntry))
        entries.push_back(func);
    for (LLVM::LLVMFuncOp callee : entries) {
      auto type = callee.getFunctionType();
      if (!llvm::all_of(type.getParams(), [&](Type t) { return t == ptr; }) ||
          !isa<LLVM::LLVMVoidType>(type.getReturnType())) {
        callee.emitError("entry points need the bare-pointer convention");
        return signalPassFailure();
      }
      // void dlc_<name>(void **buffers): one pointer per argument, in order.
      auto wrapper = LLVM::LLVMFuncOp::create(
          b, loc, (DLC_ENTRY_PREFIX + callee.getName()).str(),
          LLVM::LLVMFunctionType::get(voidType, {ptr}));
      OpBuilder body = OpBuilder::atBlockBegin(wrapper.addEntryBlock(b));
      Value argv = wrapper.getArgument(0);
      SmallVector<Value> args;
      for (int64_t i = 0, e = type.getNumParams(); i < e; ++i) {
        Value slot = LLVM::GEPOp::create(body, loc, ptr, ptr, argv,
                                         ArrayRef<LLVM::GEPArg>{(int32_t)i});
        args.push_back(LLVM::LoadOp::create(body, loc, ptr, slot));
      }
      LLVM::CallOp::create(body, loc, callee, args);
      LLVM::ReturnOp::create(body, loc, ValueRange());
    }

    // uint32_t dlc_abi_version(void)
    auto version = LLVM::LLVMFuncOp::create(
        b, loc, "dlc_abi_version", LLVM::LLVMFunctionType::get(i32, {}));
    {
      OpBuilder body = OpBuilder::atBlockBegin(version.addEntryBlock(b));
      Value v = LLVM::ConstantOp::create(body, loc, i32, DLC_ABI_VERSION);
      LLVM::ReturnOp::create(body, loc, v);
    }

    // const char *dlc_manifest(void)
    auto manifestAttr =
        module->getAttrOfType<StringAttr>(dlc::nn::attr::kManifest);
    auto manifest = LLVM::LLVMFuncOp::create(
        b, loc, "dlc_manifest", LLVM::LLVMFunctionType::get(ptr, {}));
    {
      OpBuilder body = OpBuilder::atBlockBegin(manifest.addEntryBlock(b));
      std::string text = manifestAttr ? manifestAttr.getValue().str() : "";
      text.push_back('\0');
      Value addr = LLVM::createGlobalString(loc, body, "dlc_manifest_text",
                                            text, LLVM::Linkage::Internal);
      LLVM::ReturnOp::create(body, loc, addr);
    }
  }
};
} // namespace
