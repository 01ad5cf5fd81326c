//===- VectorizeElementwise.cpp - whole-vector elementwise kernels --------===//
//
// Elementwise generics (activations, their gradients, bias adds, optimizer
// updates) are memory-bound; as scalar loops they reach LLVM with the short
// inner trip counts of their last dimension. Here the trailing loops that
// every operand reads contiguously (or not at all) are collapsed into one,
// tiled by whole vectors and vectorized, so each kernel is one loop of
// full-width loads, math and stores. Row reductions (softmax, layer norm)
// are vectorized one row at a time.
//
//===----------------------------------------------------------------------===//
#include "compiler/targets/cpu/Passes.h"
#include "mlir/Dialect/Tensor/Transforms/Transforms.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::cpu {
#define GEN_PASS_DEF_VECTORIZEELEMENTWISE
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

using namespace mlir;

/// Vector lanes of the tiles: LLVM scalarizes loads and stores of vectors
/// whose length is not a power-of-two multiple of the machine's vector.
constexpr int64_t kLaneQuantum = 16;

/// True for an operand map of loop dimensions and constants (one gate of
/// the LSTM's [B, 4, H] gates) that reads along loop `inner` as its last
/// dimension, or does not depend on it (a broadcast across it).
static bool alongOrAcross(AffineMap map, unsigned inner) {
  if (!llvm::all_of(map.getResults(),
                    llvm::IsaPred<AffineDimExpr, AffineConstantExpr>))
    return false;
  return !map.isFunctionOfDim(inner) ||
         map.getResults().back() == getAffineDimExpr(inner, map.getContext());
}

/// True for a generic whose loops are all parallel and whose operands are
/// each read (and the result written) either along the innermost loop, as
/// their last dimension, or not along it at all (a broadcast).
static bool isElementwise(linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() ||
      op.getNumLoops() == 0 || op.getNumParallelLoops() != op.getNumLoops())
    return false;
  unsigned inner = op.getNumLoops() - 1;
  if (!llvm::all_of(op.getIndexingMapsArray(),
                    [&](AffineMap map) { return alongOrAcross(map, inner); }))
    return false;
  for (OpOperand &init : op.getDpsInitsMutable())
    if (!op.getMatchingIndexingMap(&init).isIdentity())
      return false;
  return true;
}

/// True for a generic reducing along its innermost loop only (a row sum or
/// maximum: softmax, layer norm, their gradients), every other loop
/// parallel, the inputs read along the row or broadcast across it, the
/// results written in loop order; the row a whole number of vectors.
static bool isRowReduction(linalg::GenericOp op, int64_t maxRow) {
  unsigned loops = op.getNumLoops();
  if (!op.hasPureTensorSemantics() || op.hasDynamicShape() || loops < 2 ||
      op.getNumReductionLoops() != 1 ||
      !linalg::isReductionIterator(op.getIteratorTypesArray().back()))
    return false;
  int64_t row = op.getStaticLoopRanges().back();
  if (row % kLaneQuantum != 0 || row > maxRow)
    return false;
  for (OpOperand *input : op.getDpsInputOperands())
    if (!alongOrAcross(op.getMatchingIndexingMap(input), loops - 1))
      return false;
  for (OpOperand &init : op.getDpsInitsMutable())
    if (op.getMatchingIndexingMap(&init) !=
        AffineMap::getMultiDimIdentityMap(loops, op.getContext())
            .getMajorSubMap(loops - 1))
      return false;
  return true;
}

/// An input read at constant indices (the LSTM's gate g of [B, 4, H] at
/// (b, g, j)) becomes a slice without those dimensions, read through the
/// remaining ones: MLIR's vectorizer accepts only projected permutations.
/// Returns whether it sliced anything.
static bool sliceConstantIndices(RewriterBase &rewriter,
                                 linalg::GenericOp &op) {
  auto isConstant = llvm::IsaPred<AffineConstantExpr>;
  if (llvm::none_of(op.getIndexingMapsArray(), [&](AffineMap map) {
        return llvm::any_of(map.getResults(), isConstant);
      }))
    return false;
  Location loc = op.getLoc();
  rewriter.setInsertionPoint(op);
  SmallVector<Value> inputs;
  SmallVector<AffineMap> maps;
  for (OpOperand *input : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(input);
    auto type = dyn_cast<RankedTensorType>(input->get().getType());
    if (!type || llvm::none_of(map.getResults(), isConstant)) {
      inputs.push_back(input->get());
      maps.push_back(map);
      continue;
    }
    SmallVector<OpFoldResult> offsets, sizes,
        strides(type.getRank(), rewriter.getIndexAttr(1));
    SmallVector<AffineExpr> kept;
    SmallVector<int64_t> shape;
    for (auto [i, e] : llvm::enumerate(map.getResults())) {
      if (auto c = dyn_cast<AffineConstantExpr>(e)) {
        offsets.push_back(rewriter.getIndexAttr(c.getValue()));
        sizes.push_back(rewriter.getIndexAttr(1));
        continue;
      }
      offsets.push_back(rewriter.getIndexAttr(0));
      sizes.push_back(rewriter.getIndexAttr(type.getDimSize(i)));
      kept.push_back(e);
      shape.push_back(type.getDimSize(i));
    }
    inputs.push_back(tensor::ExtractSliceOp::create(
        rewriter, loc, RankedTensorType::get(shape, type.getElementType()),
        input->get(), offsets, sizes, strides));
    maps.push_back(
        AffineMap::get(map.getNumDims(), 0, kept, rewriter.getContext()));
  }
  for (OpOperand &init : op.getDpsInitsMutable())
    maps.push_back(op.getMatchingIndexingMap(&init));
  auto sliced = linalg::GenericOp::create(rewriter, loc, op.getResultTypes(),
                                          inputs, op.getDpsInits(), maps,
                                          op.getIteratorTypesArray());
  rewriter.inlineRegionBefore(op.getRegion(), sliced.getRegion(),
                              sliced.getRegion().begin());
  rewriter.replaceOp(op, sliced.getResults());
  op = sliced;
  return true;
}

/// Collapses the longest run of trailing loops that every operand reads
/// contiguously into one loop.
static void collapseTrailingLoops(RewriterBase &rewriter,
                                  linalg::GenericOp &op) {
  int64_t loops = op.getNumLoops();
  SmallVector<AffineMap> maps = op.getIndexingMapsArray();
  for (int64_t first = 0; first + 1 < loops; ++first) {
    ReassociationIndices run =
        llvm::to_vector(llvm::seq<int64_t>(first, loops));
    if (!linalg::areDimSequencesPreserved(maps, run))
      continue;
    rewriter.setInsertionPoint(op);
    FailureOr<linalg::CollapseResult> collapsed =
        linalg::collapseOpIterationDims(op, run, rewriter);
    if (failed(collapsed))
      return;
    rewriter.replaceOp(op, collapsed->results);
    op = cast<linalg::GenericOp>(collapsed->collapsedOp.getOperation());
    return;
  }
}

/// The largest power-of-two multiple of kLaneQuantum that divides `size` and
/// is at most `most`, or 0 (LLVM scalarizes the loads of a 48-lane vector as
/// it does those of odd lengths).
static int64_t laneTile(int64_t size, int64_t most) {
  for (int64_t t = static_cast<int64_t>(
           llvm::bit_floor(static_cast<uint64_t>(std::max<int64_t>(most, 1))));
       t >= kLaneQuantum; t /= 2)
    if (size % t == 0)
      return t;
  return 0;
}

/// Tiles `op` by `sizes` (0: untiled) and vectorizes the tile.
static void tileAndVectorize(RewriterBase &rewriter, linalg::GenericOp op,
                             ArrayRef<OpFoldResult> sizes) {
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> tiled = scf::tileUsingSCF(
      rewriter, cast<TilingInterface>(op.getOperation()), options);
  if (failed(tiled))
    return;
  rewriter.replaceOp(op, tiled->replacements);
  Operation *tile = tiled->tiledOps.back();
  rewriter.setInsertionPoint(tile);
  FailureOr<linalg::VectorizationResult> vectorized =
      linalg::vectorize(rewriter, tile);
  if (succeeded(vectorized))
    rewriter.replaceOp(tile, vectorized->replacements);
}

/// Rows longer than this stay scalar loops (one vector register file).
constexpr int64_t kMaxRow = 512;

namespace {
struct VectorizeElementwisePass
    : dlc::cpu::impl::VectorizeElementwiseBase<VectorizeElementwisePass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<linalg::GenericOp> candidates, rows;
    getOperation().walk([&](linalg::GenericOp op) {
      if (isElementwise(op))
        candidates.push_back(op);
      else if (isRowReduction(op, kMaxRow))
        rows.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    // A row reduction: one row per tile, read as whole vectors and reduced
    // across lanes.
    for (linalg::GenericOp op : rows) {
      sliceConstantIndices(rewriter, op);
      if (failed(linalg::vectorizeOpPrecondition(op)))
        continue;
      SmallVector<OpFoldResult> sizes(op.getNumLoops(),
                                      rewriter.getIndexAttr(1));
      sizes.back() = rewriter.getIndexAttr(0);
      tileAndVectorize(rewriter, op, sizes);
    }
    if (!rows.empty()) {
      // [1, ..., 1, row] vectors: drop the unit dimensions, then reduce
      // each row across its lanes (in order: vector.reduction without
      // reassociation sums as the scalar loop did). Applied to the whole
      // function, these also drop leading unit dimensions of the tiled
      // contractions' vectors, which lower the same way.
      RewritePatternSet patterns(&getContext());
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
        return signalPassFailure();
    }
    for (linalg::GenericOp op : candidates) {
      bool sliced = sliceConstantIndices(rewriter, op);
      if (failed(linalg::vectorizeOpPrecondition(op)))
        continue;
      // Slices are strided (a gate's rows are 4 H apart): collapsing their
      // loops would copy them.
      if (!sliced)
        collapseTrailingLoops(rewriter, op);
      // A generic whose (collapsed) inner size has no whole-vector tile is
      // left to LLVM.
      SmallVector<int64_t> ranges = op.getStaticLoopRanges();
      int64_t lanes = laneTile(ranges.back(), maxLanes);
      if (lanes == 0)
        continue;
      SmallVector<OpFoldResult> sizes(ranges.size(), rewriter.getIndexAttr(1));
      sizes.back() = rewriter.getIndexAttr(lanes);
      tileAndVectorize(rewriter, op, sizes);
    }
    // Read and write whole tensors at the tiles' offsets: fewer aliases for
    // One-Shot Bufferize to scan (see the pass description).
    RewritePatternSet patterns(&getContext());
    tensor::populateFoldTensorSubsetIntoVectorTransferPatterns(patterns);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
