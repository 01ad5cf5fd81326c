//===- TileContractions.cpp - cache and register tiles for matmuls --------===//
//
// Each contraction (a linalg op with reduction loops and a multiply-add body)
// is tiled twice with the TilingInterface: a cache tile (M, N, K) and, inside
// it, a register tile that linalg::vectorize turns into vector.contract.
// Tile sizes are shrunk to divisors of the static loop bounds, so every tile
// is full and vectorizes without masks. The vectorized N dimension is first
// padded to a whole number of vectors, and its register tile is 16, 32 or
// 64 lanes. A short reduction's zero fill moves into the cache tile.
//
//===----------------------------------------------------------------------===//
#include "compiler/targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::cpu {
#define GEN_PASS_DEF_TILECONTRACTIONS
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

using namespace mlir;

/// The largest divisor of `bound` that is at most `want` (0 stays 0: untiled).
static int64_t divisorTile(int64_t bound, int64_t want) {
  if (want <= 0 || want >= bound)
    return want <= 0 ? 0 : bound;
  for (int64_t t = want; t > 1; --t)
    if (bound % t == 0)
      return t;
  return 1;
}

static SmallVector<OpFoldResult>
tileSizes(RewriterBase &rewriter, Operation *op, ArrayRef<int64_t> want) {
  auto linalgOp = cast<linalg::LinalgOp>(op);
  SmallVector<int64_t> bounds = linalgOp.getStaticLoopRanges();
  SmallVector<OpFoldResult> sizes;
  for (auto [bound, w] : llvm::zip(bounds, want))
    sizes.push_back(rewriter.getIndexAttr(divisorTile(bound, w)));
  return sizes;
}

/// Tiles `op` by `want` (a 0 leaves a loop untiled) with the fill of its
/// init fused into the tile: each tile zeroes its own, cache-hot part of the
/// result right before accumulating into it, instead of one memset of the
/// whole result beforehand (megabytes for a convolution's columns). Only
/// valid when no reduction loop is tiled.
static FailureOr<Operation *>
tileWithFill(RewriterBase &rewriter, Operation *op, ArrayRef<int64_t> want) {
  scf::SCFTileAndFuseOptions options;
  options.tilingOptions.setTileSizes(tileSizes(rewriter, op, want));
  options.setFusionControlFn(
      [](tensor::ExtractSliceOp, OpResult producer,
         bool) -> std::optional<scf::SCFTileAndFuseOptions::ControlFnResult> {
        if (isa<linalg::FillOp>(producer.getOwner()))
          return scf::SCFTileAndFuseOptions::ControlFnResult{};
        return std::nullopt;
      });
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTileAndFuseResult> tiled =
      scf::tileConsumerAndFuseProducersUsingSCF(
          rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  for (OpResult result : op->getResults())
    rewriter.replaceAllUsesWith(result, tiled->replacements.lookup(result));
  rewriter.eraseOp(op);
  return tiled->tiledAndFusedOps.front();
}

static FailureOr<Operation *> tile(RewriterBase &rewriter, Operation *op,
                                   ArrayRef<int64_t> want) {
  SmallVector<OpFoldResult> sizes = tileSizes(rewriter, op, want);
  scf::SCFTilingOptions options;
  options.setTileSizes(sizes);
  rewriter.setInsertionPoint(op);
  auto tiled = scf::tileUsingSCF(rewriter, cast<TilingInterface>(op), options);
  if (failed(tiled))
    return failure();
  rewriter.replaceOp(op, tiled->replacements);
  return tiled->tiledOps.back();
}

/// Several reduction loops (a weight gradient summed over batch and time)
/// become one when they are contiguous in every operand: the register tile
/// then has a single reduction dimension, which vector.contract lowers to
/// outer-product FMAs (with two unit reduction dimensions it was unrolled
/// into scalar code). Each element sums its terms in the same order.
static void collapseReductions(RewriterBase &rewriter, linalg::LinalgOp &op,
                               linalg::ContractionDimensions &dims) {
  if (dims.k.size() < 2 || !isa<linalg::GenericOp>(op))
    return;
  ReassociationIndices sequence(dims.k.begin(), dims.k.end());
  for (size_t i = 1; i < sequence.size(); ++i)
    if (sequence[i] != sequence[i - 1] + 1)
      return;
  if (!linalg::areDimSequencesPreserved(op.getIndexingMapsArray(), sequence))
    return;
  rewriter.setInsertionPoint(op);
  FailureOr<linalg::CollapseResult> collapsed =
      linalg::collapseOpIterationDims(op, sequence, rewriter);
  if (failed(collapsed))
    return;
  FailureOr<linalg::ContractionDimensions> newDims =
      linalg::inferContractionDims(collapsed->collapsedOp);
  if (failed(newDims))
    return; // Not expected: the same contraction with one K loop.
  rewriter.replaceOp(op, collapsed->results);
  op = collapsed->collapsedOp;
  dims = *newDims;
}

/// Lanes of the vectors the register tiles are made of (one 512-bit
/// register of f32; two 256-bit ones).
constexpr int64_t kVectorLanes = 16;

/// The vectorized (innermost N) dimension of a contraction padded with
/// zeros to a multiple of 16 lanes (below 16, to a power of two): LLVM
/// scalarizes the loads and stores of odd-length vectors (a 25- or 60-lane
/// row became one vinsertps per element, 5-10x slower than whole vectors).
/// Only the operands indexed by N grow; the padded columns are sliced off the
/// result. Each element sums the same terms in the same order.
static void padVectorDim(RewriterBase &rewriter, linalg::LinalgOp &op,
                         const linalg::ContractionDimensions &dims) {
  // A contraction that accumulates into a live tensor (a loop-carried
  // gradient sum) keeps it: padding would copy it and break its in-place
  // update.
  for (Value init : op.getDpsInits()) {
    Operation *def = init.getDefiningOp();
    if (auto fill = dyn_cast_or_null<linalg::FillOp>(def))
      def = fill.getDpsInitOperand(0)->get().getDefiningOp();
    if (!isa_and_nonnull<tensor::EmptyOp>(def))
      return;
  }
  int64_t n = op.getStaticLoopRanges()[dims.n.back()];
  int64_t multiple = n >= kVectorLanes
                         ? kVectorLanes
                         : static_cast<int64_t>(llvm::PowerOf2Ceil(n));
  if (n % multiple == 0)
    return;
  linalg::LinalgPaddingOptions options;
  options.setPaddingDimensions({static_cast<int64_t>(dims.n.back())});
  options.setPadToMultipleOf({multiple});
  SmallVector<Attribute> zeros;
  for (OpOperand &operand : op->getOpOperands())
    zeros.push_back(rewriter.getZeroAttr(getElementTypeOrSelf(operand.get())));
  options.setPaddingValues(zeros);
  options.setCopyBackOp(linalg::LinalgPaddingOptions::CopyBackOp::None);
  linalg::LinalgOp padded;
  SmallVector<Value> replacements;
  SmallVector<tensor::PadOp> pads;
  rewriter.setInsertionPoint(op);
  if (failed(linalg::rewriteAsPaddedOp(rewriter, op, options, padded,
                                       replacements, pads)))
    return;
  rewriter.replaceOp(op, replacements);
  op = padded;
}

/// The largest multiple of `quantum` that divides `bound` and is at most
/// `want`; without one, the largest divisor as for any other loop.
static int64_t vectorTile(int64_t bound, int64_t want, int64_t quantum) {
  for (int64_t t = std::min(want, bound) / quantum * quantum; t >= quantum;
       t -= quantum)
    if (bound % t == 0)
      return t;
  return divisorTile(bound, want);
}

/// The register tile's N: the largest power-of-two number of vectors that
/// divides `bound` within `want` lanes. LLVM legalizes a 48-lane vector by
/// widening it to 64, and cannot widen its loads: they were scalarized like
/// those of odd lengths.
static int64_t registerLanes(int64_t bound, int64_t want) {
  for (int64_t t = static_cast<int64_t>(
           llvm::bit_floor(static_cast<uint64_t>(std::max<int64_t>(want, 1))));
       t >= kVectorLanes; t /= 2)
    if (bound % t == 0)
      return t;
  return divisorTile(bound, want);
}

namespace {
struct TileContractionsPass
    : dlc::cpu::impl::TileContractionsBase<TileContractionsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<int64_t> cache(cacheTile.begin(), cacheTile.end());
    SmallVector<int64_t> reg(registerTile.begin(), registerTile.end());
    if (cache.empty())
      cache = {64, 128, 128};
    if (reg.empty())
      reg = {4, 64, 1};

    // Which loops are M, N and K comes from the indexing maps (MLIR's
    // inferContractionDims), not from their order: reshape propagation
    // splits M or N into several loops (the LSTM's gates: N = (gate, j)),
    // and batch loops come first.
    SmallVector<std::pair<linalg::LinalgOp, linalg::ContractionDimensions>>
        contractions;
    getOperation().walk([&](linalg::LinalgOp op) {
      if (!linalg::isaContractionOpInterface(op) ||
          !op.hasPureTensorSemantics() || op.hasDynamicShape())
        return;
      FailureOr<linalg::ContractionDimensions> dims =
          linalg::inferContractionDims(op);
      if (succeeded(dims) && !dims->m.empty() && !dims->n.empty() &&
          !dims->k.empty())
        contractions.push_back({op, *dims});
    });

    IRRewriter rewriter(&getContext());
    for (auto &[op, dims] : contractions) {
      collapseReductions(rewriter, op, dims);
      padVectorDim(rewriter, op, dims);
    }
    for (auto [op, dims] : contractions) {
      // The innermost M, N and K loops get the (M, N, K) tile; batch loops
      // and the other M, N and K loops get unit tiles. The N tiles are whole
      // vectors: the register tile 16, 32 or 64 lanes, the cache tile a
      // multiple of the register tile.
      int64_t n = op.getStaticLoopRanges()[dims.n.back()];
      int64_t regN = registerLanes(n, reg[1]);
      int64_t cacheN = vectorTile(n, std::max(cache[1], regN), regN);
      auto tiles = [&, dims = dims](ArrayRef<int64_t> mnk, int64_t tileN) {
        SmallVector<int64_t> t(op.getNumLoops(), 1);
        t[dims.m.back()] = mnk[0];
        t[dims.n.back()] = tileN;
        t[dims.k.back()] = mnk[2];
        return t;
      };
      SmallVector<int64_t> outerTile = tiles(cache, cacheN),
                           innerTile = tiles(reg, regN);
      // A short single reduction (up to twice the cache tile) stays whole in
      // the cache tile, which then zeroes its own part of a filled result.
      // Only for a fill of a fresh tensor of the result's shape: through a
      // reshape (a [B*T, N] buffer seen as [B, T, N]), the accumulator is
      // read through a view MLIR does not hoist out of the reduction loop
      // once a fill writes the same buffer (measured: attention 25% slower).
      int64_t k = op.getStaticLoopRanges()[dims.k.back()];
      auto fill = op.getDpsInits()[0].getDefiningOp<linalg::FillOp>();
      bool fuseFill = dims.k.size() == 1 && op.getNumDpsInits() == 1 &&
                      k <= 2 * cache[2] && fill &&
                      fill.getDpsInits()[0].getDefiningOp<tensor::EmptyOp>();
      if (fuseFill)
        outerTile[dims.k.back()] = 0;
      FailureOr<Operation *> outer = fuseFill
                                         ? tileWithFill(rewriter, op, outerTile)
                                         : tile(rewriter, op, outerTile);
      if (failed(outer))
        continue;
      FailureOr<Operation *> inner = tile(rewriter, *outer, innerTile);
      if (failed(inner))
        continue;
      rewriter.setInsertionPoint(*inner);
      FailureOr<linalg::VectorizationResult> vectorized =
          linalg::vectorize(rewriter, *inner);
      if (succeeded(vectorized))
        rewriter.replaceOp(*inner, vectorized->replacements);
    }

    RewritePatternSet patterns(&getContext());
    // A padded operand produced by an elementwise or im2col generic is
    // written straight into the padded buffer, not copied there.
    linalg::populateFuseTensorPadWithProducerLinalgOpPatterns(patterns);
    // The vectorizer emits broadcast-multiply-reduce; fold it into
    // vector.contract, which lowers to outer-product FMAs in registers.
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns,
                                                        &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns,
                                                         &getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};
} // namespace
