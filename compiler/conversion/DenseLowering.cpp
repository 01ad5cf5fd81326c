//===- DenseLowering.cpp - contractions and shape ops to linalg -----------===//
//
// matmul and batch_matmul as contraction generics (transposes only swap a
// map's results), reduce_sum, transpose, and the shape ops: reshape through
// one dimension, slice/slice_grad/concat through extract_slice/insert_slice.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/Lowering.h"
#include "compiler/conversion/NNToLinalg.h"
#include "dialects/nn/NNDialect.h"

#include <cmath>

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::conversion;
using V = SmallVector<Value>;

namespace {

struct MatmulLowering : OpLowering<MatmulOp> {
  using OpLowering::OpLowering;
  V lower(MatmulOp op, Adaptor operands, Lowering &L) const override {
    return {matmulInto(L, operands.getLhs(), operands.getRhs(),
                       op.getTransposeLhs(), op.getTransposeRhs(),
                       L.filled(op.getType(), 0.0))};
  }
};

struct BatchMatmulLowering : OpLowering<BatchMatmulOp> {
  using OpLowering::OpLowering;
  V lower(BatchMatmulOp op, Adaptor operands, Lowering &L) const override {
    // Loops (batch..., m, n, k).
    int64_t batch = op.getType().getRank() - 2, loops = batch + 3;
    MLIRContext *c = L.ctx();
    auto operandMap = [&](int64_t r0, int64_t r1, bool trans) {
      SmallVector<AffineExpr> e;
      for (int64_t i = 0; i < batch; ++i)
        e.push_back(d(i, c));
      e.push_back(d(batch + (trans ? r1 : r0), c));
      e.push_back(d(batch + (trans ? r0 : r1), c));
      return L.map(loops, e);
    };
    std::string kinds(batch + 2, 'p');
    kinds += 'r';
    auto type = op.getType();
    return {L.generic(
        type, {operands.getLhs(), operands.getRhs()}, L.filled(type, 0.0),
        {operandMap(0, 2, op.getTransposeLhs()),
         operandMap(2, 1, op.getTransposeRhs()), operandMap(0, 1, false)},
        L.iterators(kinds), multiplyAdd)[0]};
  }
};

struct TransposeLowering : OpLowering<TransposeOp> {
  using OpLowering::OpLowering;
  V lower(TransposeOp op, Adaptor operands, Lowering &L) const override {
    return {transposed(L, operands.getInput(), op.getPermutation())};
  }
};

struct ReduceSumLowering : OpLowering<ReduceSumOp> {
  using OpLowering::OpLowering;
  V lower(ReduceSumOp op, Adaptor operands, Lowering &L) const override {
    return {L.reduce(operands.getInput(), op.getAxes(), {0.0},
                     [](OpBuilder &b, Location l, ValueRange a) {
                       return V{add(b, l, a[0], a[1])};
                     })[0]};
  }
};

struct ReduceMaxLowering : OpLowering<ReduceMaxOp> {
  using OpLowering::OpLowering;
  V lower(ReduceMaxOp op, Adaptor operands, Lowering &L) const override {
    return {L.reduce(operands.getInput(), op.getAxes(), {-INFINITY},
                     [](OpBuilder &b, Location l, ValueRange a) {
                       return V{arith::MaximumFOp::create(b, l, a[0], a[1])};
                     })[0]};
  }
};

struct ReduceMaxGradLowering : OpLowering<ReduceMaxGradOp> {
  using OpLowering::OpLowering;
  V lower(ReduceMaxGradOp op, Adaptor operands, Lowering &L) const override {
    // As torch.amax: the maxima of a reduced group share its gradient
    // equally. Count them, then hand each its share.
    auto type = op.getType();
    int64_t rank = type.getRank();
    ArrayRef<int64_t> axes = op.getAxes();
    Value x = operands.getInput(), max = operands.getMax();
    auto isMax = [](OpBuilder &b, Location l, Value v, Value m) {
      return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OEQ, v, m);
    };
    Value count = L.reduce(
        {x, max}, axes, {0.0}, [&](OpBuilder &b, Location l, ValueRange a) {
          Type t = a[2].getType();
          Value one =
              arith::SelectOp::create(b, l, isMax(b, l, a[0], a[1]),
                                      fconst(b, l, t, 1), fconst(b, l, t, 0));
          return V{add(b, l, a[2], one)};
        })[0];
    AffineMap full = L.identity(rank), reduced = L.without(rank, axes);
    return {L.generic(
        type, {x, max, operands.getGrad(), count}, L.empty(type),
        {full, reduced, reduced, reduced, full},
        SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value share = div(b, l, a[2], a[3]);
          return V{arith::SelectOp::create(b, l, isMax(b, l, a[0], a[1]), share,
                                           fconst(b, l, share.getType(), 0))};
        })[0]};
  }
};

struct ReshapeLowering : OpLowering<ReshapeOp> {
  using OpLowering::OpLowering;
  V lower(ReshapeOp op, Adaptor operands, Lowering &L) const override {
    // Through one dimension: collapse everything, expand to the target.
    Value flat = flatten(L, operands.getInput());
    auto out = op.getType();
    if (out.getRank() == 1)
      return {flat};
    return {tensor::ExpandShapeOp::create(L.b, L.loc, out, flat,
                                          allDims(out.getRank()))};
  }
};

/// The static [start, start + size) range of `axis` in `shape`.
SliceSpec range(OpBuilder &b, ArrayRef<int64_t> shape, int64_t axis,
                int64_t start, int64_t size) {
  SliceSpec s = unitSlice(b, shape, axis, b.getIndexAttr(start));
  s.sizes[axis] = b.getIndexAttr(size);
  return s;
}

Value copy(Lowering &L, Value from, Value into) {
  int64_t rank = tensorType(into).getRank();
  return L.generic(
      into.getType(), from, into, {L.identity(rank), L.identity(rank)},
      L.iterators(rank, rank),
      [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
}

/// `into` with `part` written at offset `start` of `axis`: a generic into an
/// extract_slice/insert_slice pair, which bufferizes in place (a plain
/// insert_slice would become a strided memref.copy, a call into MLIR's C
/// runtime library).
Value writeAt(Lowering &L, Value part, Value into, int64_t axis,
              int64_t start) {
  auto partType = tensorType(part);
  SliceSpec s = range(L.b, tensorType(into).getShape(), axis, start,
                      partType.getDimSize(axis));
  Value dest = tensor::ExtractSliceOp::create(L.b, L.loc, partType, into,
                                              s.offsets, s.sizes, s.strides);
  return tensor::InsertSliceOp::create(L.b, L.loc, copy(L, part, dest), into,
                                       s.offsets, s.sizes, s.strides);
}

struct SliceLowering : OpLowering<SliceOp> {
  using OpLowering::OpLowering;
  V lower(SliceOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    Value input = operands.getInput();
    SliceSpec s = range(L.b, tensorType(input).getShape(), op.getAxis(),
                        op.getStart(), type.getDimSize(op.getAxis()));
    Value view = tensor::ExtractSliceOp::create(L.b, L.loc, type, input,
                                                s.offsets, s.sizes, s.strides);
    return {copy(L, view, L.empty(type))};
  }
};

struct SliceGradLowering : OpLowering<SliceGradOp> {
  using OpLowering::OpLowering;
  V lower(SliceGradOp op, Adaptor operands, Lowering &L) const override {
    return {writeAt(L, operands.getGrad(), L.filled(op.getType(), 0.0),
                    op.getAxis(), op.getStart())};
  }
};

struct ConcatLowering : OpLowering<ConcatOp> {
  using OpLowering::OpLowering;
  V lower(ConcatOp op, Adaptor operands, Lowering &L) const override {
    Value out = L.empty(op.getType());
    int64_t start = 0;
    for (Value in : operands.getInputs()) {
      out = writeAt(L, in, out, op.getAxis(), start);
      start += tensorType(in).getDimSize(op.getAxis());
    }
    return {out};
  }
};

} // namespace

void dlc::conversion::populateDensePatterns(RewritePatternSet &patterns) {
  patterns
      .add<MatmulLowering, BatchMatmulLowering, TransposeLowering,
           ReduceSumLowering, ReduceMaxLowering, ReduceMaxGradLowering,
           ReshapeLowering, SliceLowering, SliceGradLowering, ConcatLowering>(
          patterns.getContext());
}
