//===- EarlyDeallocs.cpp - free buffers after their last use --------------===//
#include "compiler/Passes.h"

#include "mlir/IR/Matchers.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace dlc {
#define GEN_PASS_DEF_EARLYDEALLOCS
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

/// The op of `block` after which `buffer`, allocated in `block`, is no longer
/// used: the last ancestor in `block` of a user of the buffer or of one of
/// its views. Null when a view may escape the analysis: an op other than a
/// view returns a memref derived from it, a terminator passes it on (a loop
/// that yields it returns an alias), or a user is outside `block`. `ignore`
/// is the dealloc being split.
static Operation *lastUse(Value buffer, Block *block, Operation *ignore) {
  Operation *last = buffer.getDefiningOp();
  SmallVector<Value> worklist{buffer};
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    for (Operation *user : value.getUsers()) {
      if (user == ignore)
        continue;
      Operation *ancestor = block->findAncestorOpInBlock(*user);
      if (!ancestor || user->hasTrait<OpTrait::IsTerminator>())
        return nullptr;
      if (isa<ViewLikeOpInterface>(user)) {
        llvm::append_range(worklist, user->getResults());
      } else if (llvm::any_of(user->getResultTypes(),
                              llvm::IsaPred<BaseMemRefType>)) {
        return nullptr;
      }
      if (last->isBeforeInBlock(ancestor))
        last = ancestor;
    }
  }
  return last;
}

namespace {
struct EarlyDeallocsPass : dlc::impl::EarlyDeallocsBase<EarlyDeallocsPass> {
  void runOnOperation() override {
    SmallVector<bufferization::DeallocOp> deallocs;
    getOperation()->walk([&](bufferization::DeallocOp op) {
      if (op.getRetained().empty())
        deallocs.push_back(op);
    });
    for (bufferization::DeallocOp op : deallocs) {
      Block *block = op->getBlock();
      SmallVector<Value> memrefs, conditions;
      for (auto [memref, condition] :
           llvm::zip(op.getMemrefs(), op.getConditions())) {
        auto alloc = memref.getDefiningOp<memref::AllocOp>();
        Operation *last = nullptr;
        if (alloc && alloc->getBlock() == block &&
            matchPattern(condition, m_One()))
          last = lastUse(memref, block, op);
        if (!last) {
          memrefs.push_back(memref);
          conditions.push_back(condition);
          continue;
        }
        OpBuilder b(block, std::next(last->getIterator()));
        memref::DeallocOp::create(b, op.getLoc(), memref);
      }
      if (memrefs.empty()) {
        op.erase();
        continue;
      }
      op.getMemrefsMutable().assign(memrefs);
      op.getConditionsMutable().assign(conditions);
    }
  }
};
} // namespace
