//===- UnshareInitTensors.cpp - one empty or filled init per use ----------===//
#include "compiler/Passes.h"

namespace dlc {
#define GEN_PASS_DEF_UNSHAREINITTENSORS
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

/// A tensor whose contents are known without reading anything: a
/// tensor.empty, or a fill of such a tensor.
static bool isFresh(Value value) {
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<tensor::EmptyOp>(def))
    return true;
  auto fill = dyn_cast_or_null<linalg::FillOp>(def);
  return fill && fill.hasPureTensorSemantics() &&
         isFresh(fill.getDpsInitOperand(0)->get());
}

/// A copy of the chain that defines the fresh tensor `value`, built at `b`.
static Value cloneFresh(OpBuilder &b, Value value) {
  Operation *def = value.getDefiningOp();
  if (auto fill = dyn_cast<linalg::FillOp>(def)) {
    IRMapping mapping;
    Value init = fill.getDpsInitOperand(0)->get();
    mapping.map(init, cloneFresh(b, init));
    return b.clone(*def, mapping)->getResult(0);
  }
  return b.clone(*def)->getResult(0);
}

namespace {
struct UnshareInitTensorsPass
    : dlc::impl::UnshareInitTensorsBase<UnshareInitTensorsPass> {
  void runOnOperation() override {
    SmallVector<Value> shared;
    getOperation()->walk([&](Operation *op) {
      if (isa<tensor::EmptyOp, linalg::FillOp>(op) &&
          op->getNumResults() == 1 && isFresh(op->getResult(0)) &&
          !op->getResult(0).hasOneUse() && !op->use_empty())
        shared.push_back(op->getResult(0));
    });
    for (Value value : shared) {
      // Every use but the first gets its own chain right before its user
      // (dynamic sizes are operands of the chain, so they dominate it too).
      for (OpOperand &use :
           llvm::make_early_inc_range(llvm::drop_begin(value.getUses()))) {
        OpBuilder b(use.getOwner());
        use.set(cloneFresh(b, value));
      }
    }
  }
};
} // namespace
