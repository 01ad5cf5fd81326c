//===- FuseElementwise.cpp - elementwise fusion that keeps contractions ---===//
//
// MLIR's linalg-fuse-elementwise-ops, with two rules added. An elementwise
// producer is fused only into a consumer that reads each of its elements once
// (never into a contraction, which would recompute it per output column).
// Reshapes are not
// folded into a generic that reads the result of a window generic (im2col)
// or feeds one (col2im, pooling). Convolutions are lowered as contractions
// over [batch, M, K] x [batch, K, N] columns; propagating the reshapes of
// their filters and outputs would split M, N and K back into (c, kh, kw) and
// (oh, ow) loops, which the targets cannot tile into good register blocks.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc {
#define GEN_PASS_DEF_FUSEELEMENTWISE
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

/// A generic that reads or writes through a sliding window: an indexing map
/// with a compound result (oh * s + kh), not just loop dimensions and
/// constants.
static bool isWindowGeneric(Operation *op) {
  auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
  if (!generic)
    return false;
  return llvm::any_of(generic.getIndexingMapsArray(), [](AffineMap map) {
    return llvm::any_of(map.getResults(), [](AffineExpr e) {
      return !isa<AffineDimExpr, AffineConstantExpr>(e);
    });
  });
}

/// True when `generic` is next to a window generic: one of its operands is
/// produced by one, or one of its results is used by one, either directly or
/// through a reshape.
static bool touchesWindow(Operation *generic) {
  for (Value operand : generic->getOperands()) {
    Operation *producer = operand.getDefiningOp();
    if (isa_and_nonnull<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(
            producer))
      producer = producer->getOperand(0).getDefiningOp();
    if (isWindowGeneric(producer))
      return true;
  }
  for (Operation *user : generic->getUsers()) {
    if (isWindowGeneric(user))
      return true;
    if (isa<tensor::ExpandShapeOp, tensor::CollapseShapeOp>(user))
      for (Operation *next : user->getUsers())
        if (isWindowGeneric(next))
          return true;
  }
  return false;
}

/// Bounds on what one fused generic may grow to. A value used by every layer
/// (a residual stream) gets a gradient that sums one term per layer, and a
/// chain of single-use layers fuses into one body: unbounded, the fused
/// generic is rebuilt once per fusion with everything before it (fusion time
/// quadratic in the model), and LLVM then schedules one basic block of
/// thousands of instructions. The examples stay well inside (at most 13
/// operands and 41 body ops, the LSTM's gates).
constexpr unsigned kMaxFusedOperands = 32;
constexpr size_t kMaxFusedBodyOps = 128;

static size_t bodySize(Operation *op) {
  auto linalgOp = dyn_cast<linalg::LinalgOp>(op);
  return linalgOp ? linalgOp.getBlock()->getOperations().size() : 0;
}

/// True when fusing the producer of `fused` into its owner stays within the
/// bounds above.
static bool fitsBounds(OpOperand *fused) {
  Operation *consumer = fused->getOwner();
  Operation *producer = fused->get().getDefiningOp();
  return consumer->getNumOperands() + producer->getNumOperands() <=
             kMaxFusedOperands + 1 &&
         bodySize(consumer) + bodySize(producer) <= kMaxFusedBodyOps;
}

namespace {
struct FuseElementwisePass
    : dlc::impl::FuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    MLIRContext *context = &getContext();
    RewritePatternSet patterns(context);
    // As upstream: fuse a producer only into its single user.
    linalg::ControlFusionFn fuseSingleUse = [](OpOperand *fused) {
      Operation *producer = fused->get().getDefiningOp();
      return producer && producer->hasOneUse();
    };
    // ... and only where the consumer reads each element once. A matmul reads
    // each element of its operands once per column (or row) of the result:
    // a relu fused into it would be recomputed N times and would turn the
    // contraction into a loop nest the targets no longer tile.
    linalg::ControlFusionFn fuseElementwise = [&](OpOperand *fused) {
      if (!fuseSingleUse(fused) || !fitsBounds(fused))
        return false;
      auto consumer = dyn_cast<linalg::LinalgOp>(fused->getOwner());
      return !consumer ||
             consumer.getMatchingIndexingMap(fused).isPermutation();
    };
    // The generic a reshape would be folded into is the operand's owner (a
    // collapse_shape feeding it) or its producer (an expand_shape of it).
    linalg::ControlFusionFn foldReshape = [&](OpOperand *fused) {
      if (!fuseSingleUse(fused))
        return false;
      Operation *generic = isa<linalg::GenericOp>(fused->getOwner())
                               ? fused->getOwner()
                               : fused->get().getDefiningOp();
      return !(generic && isa<linalg::GenericOp>(generic) &&
               touchesWindow(generic));
    };
    linalg::populateElementwiseOpsFusionPatterns(patterns, fuseElementwise);
    linalg::populateFoldReshapeOpsByExpansionPatterns(patterns, foldReshape);
    tensor::populateBubbleUpExpandShapePatterns(patterns);
    affine::AffineApplyOp::getCanonicalizationPatterns(patterns, context);
    linalg::GenericOp::getCanonicalizationPatterns(patterns, context);
    tensor::ExpandShapeOp::getCanonicalizationPatterns(patterns, context);
    tensor::CollapseShapeOp::getCanonicalizationPatterns(patterns, context);
    context->getLoadedDialect<linalg::LinalgDialect>()
        ->getCanonicalizationPatterns(patterns);
    linalg::populateConstantFoldLinalgOperations(patterns, fuseSingleUse);
    // Top-down, as upstream, for compile time.
    if (failed(applyPatternsGreedily(
            getOperation(), std::move(patterns),
            GreedyRewriteConfig().setUseTopDownTraversal())))
      return signalPassFailure();
  }
};
} // namespace
