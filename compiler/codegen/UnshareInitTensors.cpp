//===- UnshareInitTensors.cpp - one empty or filled init per use ----------===//
#include "compiler/Passes.h"

namespace dlc {
#define GEN_PASS_DEF_UNSHAREINITTENSORS
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

/// The tensor that `def` fills or reshapes, if it is a fill or a reshape.
static Value freshSource(Operation *def) {
  if (auto fill = dyn_cast_or_null<linalg::FillOp>(def))
    return fill.hasPureTensorSemantics() ? fill.getDpsInitOperand(0)->get()
                                         : Value();
  if (isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(def))
    return def->getOperand(0);
  return {};
}

/// A tensor whose contents are known without reading anything: a
/// tensor.empty, a fill of one, or a reshape of one. (Elementwise loops over
/// a collapsed tensor.empty made CSE share one collapse among all of them:
/// one alias set, which One-Shot Bufferize analyses in quadratic time.) A
/// fill of a reshape stays shared: unsharing those made attention's step 30%
/// slower.
static bool isFresh(Value value) {
  Operation *def = value.getDefiningOp();
  if (isa_and_nonnull<tensor::EmptyOp>(def))
    return true;
  Value source = freshSource(def);
  if (!source)
    return false;
  if (isa<linalg::FillOp>(def))
    return isFresh(source) &&
           !isa_and_nonnull<tensor::CollapseShapeOp, tensor::ExpandShapeOp>(
               source.getDefiningOp());
  return isa_and_nonnull<tensor::EmptyOp>(source.getDefiningOp());
}

/// A copy of the chain that defines the fresh tensor `value`, built at `b`.
static Value cloneFresh(OpBuilder &b, Value value) {
  Operation *def = value.getDefiningOp();
  if (Value source = freshSource(def)) {
    IRMapping mapping;
    mapping.map(source, cloneFresh(b, source));
    return b.clone(*def, mapping)->getResult(0);
  }
  return b.clone(*def)->getResult(0);
}

/// The source of an extract_slice or the destination of an insert_slice.
static bool isSubsetUse(OpOperand &use) {
  Operation *user = use.getOwner();
  if (auto extract = dyn_cast<tensor::ExtractSliceOp>(user))
    return &use == &extract.getSourceMutable();
  if (auto insert = dyn_cast<tensor::InsertSliceOp>(user))
    return &use == &insert.getDestMutable();
  return false;
}

namespace {
struct UnshareInitTensorsPass
    : dlc::impl::UnshareInitTensorsBase<UnshareInitTensorsPass> {
  void runOnOperation() override {
    SmallVector<Value> shared;
    getOperation()->walk([&](Operation *op) {
      if (isa<tensor::EmptyOp, linalg::FillOp, tensor::CollapseShapeOp,
              tensor::ExpandShapeOp>(op) &&
          op->getNumResults() == 1 && isFresh(op->getResult(0)) &&
          !op->getResult(0).hasOneUse() && !op->use_empty())
        shared.push_back(op->getResult(0));
    });
    for (Value value : shared) {
      // Every use but one gets its own chain right before its user (dynamic
      // sizes are operands of the chain, so they dominate it too). The one
      // kept is the subset uses, if any: a slice of the tensor written by an
      // op and inserted back (a padded operand: fill, then its interior
      // written in place), which must stay one buffer.
      bool keepSubsets = llvm::any_of(value.getUses(), isSubsetUse);
      bool keptOne = keepSubsets;
      for (OpOperand &use : llvm::make_early_inc_range(value.getUses())) {
        if (keepSubsets ? isSubsetUse(use) : !std::exchange(keptOne, true))
          continue;
        OpBuilder b(use.getOwner());
        use.set(cloneFresh(b, value));
      }
    }
  }
};
} // namespace
