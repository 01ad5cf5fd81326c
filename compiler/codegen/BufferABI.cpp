//===- BufferABI.cpp - tensor signatures to caller-owned buffers ----------===//
#include "compiler/Passes.h"
#include "dialects/nn/NNContract.h"

namespace dlc {
#define GEN_PASS_DEF_BUFFERABI
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

static MemRefType memrefFor(Type type) {
  auto tensor = cast<RankedTensorType>(type);
  return MemRefType::get(tensor.getShape(), tensor.getElementType());
}

namespace {
struct BufferABIPass : dlc::impl::BufferABIBase<BufferABIPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (!func.isExternal() && failed(convert(func)))
        return signalPassFailure();
  }

  LogicalResult convert(func::FuncOp func) {
    Block &entry = func.front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    Location loc = func.getLoc();
    for (BlockArgument arg : entry.getArguments()) {
      if (!isa<RankedTensorType>(arg.getType()))
        return func.emitError("entry point arguments must be ranked tensors");
      Type tensorType = arg.getType();
      arg.setType(memrefFor(tensorType));
      // restrict: the runtime never aliases two buffers of one call. Not
      // writable: results reach their buffers only through the copies below,
      // after every read, so an input is never overwritten early.
      auto asTensor = bufferization::ToTensorOp::create(
          b, loc, tensorType, arg, /*restrict=*/true, /*writable=*/false);
      arg.replaceAllUsesExcept(asTensor, asTensor);
    }

    auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
    b.setInsertionPoint(ret);
    unsigned numArgs = func.getNumArguments();
    SmallVector<std::pair<Value, unsigned>> writes;
    SmallVector<DictionaryAttr> outAttrs;
    SmallVector<Type> outTypes;
    // Each result's buffer: its nn.update argument, or a new trailing one in
    // the contract's order (nn::entryBuffers).
    SmallVector<unsigned> targets(ret.getNumOperands());
    for (auto [i, value] : llvm::enumerate(ret.getOperands()))
      if (auto target =
              func.getResultAttrOfType<IntegerAttr>(i, dlc::nn::attr::kUpdate))
        targets[i] = target.getInt();
    for (dlc::nn::EntryBuffer buffer : dlc::nn::entryBuffers(func)) {
      if (!buffer.isResult)
        continue;
      targets[buffer.index] = numArgs + outTypes.size();
      outTypes.push_back(memrefFor(ret.getOperand(buffer.index).getType()));
      outAttrs.push_back(func.getResultAttrDict(buffer.index));
    }
    for (auto [value, target] : llvm::zip(ret.getOperands(), targets))
      writes.push_back({value, target});
    func.removeResAttrsAttr();
    for (auto [type, attrs] : llvm::zip(outTypes, outAttrs))
      (void)func.insertArgument(func.getNumArguments(), type, attrs, loc);
    for (auto [value, argIndex] : writes)
      bufferization::MaterializeInDestinationOp::create(
          b, ret.getLoc(), Type(), value, func.getArgument(argIndex),
          /*restrict=*/true, /*writable=*/true);
    func::ReturnOp::create(b, ret.getLoc());
    ret.erase();
    func.setFunctionType(
        b.getFunctionType(entry.getArgumentTypes(), TypeRange()));
    // The nn.* annotations were read into the manifest; LLVM has no use for
    // them. What it can use: the caller never aliases two buffers (the ABI
    // says so), which lets it keep accumulators in registers.
    func.removeArgAttrsAttr();
    for (unsigned i = 0, e = func.getNumArguments(); i < e; ++i)
      func.setArgAttr(i, "llvm.noalias", b.getUnitAttr());
    return success();
  }
};
} // namespace
