//===- NormalizationLowering.cpp - row-wise normalizations to linalg -----===//
//
// softmax, layer_norm and their gradients work on the last axis, as [N, D]
// rows: row reductions, then one elementwise generic reading the row
// statistics. causal_mask is an elementwise select on the two innermost
// indices.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/Lowering.h"
#include "compiler/conversion/NNToLinalg.h"
#include "dialects/nn/NNDialect.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::conversion;
using V = SmallVector<Value>;
using utils::IteratorType;

namespace {

/// `input` as [N, D] rows, mapped elementwise by `body(x, max, sum)` with
/// each row's max and sum of exp(x - max) (softmax and log_softmax).
Value mapWithSoftmaxStats(
    Lowering &L, Value input, RankedTensorType type,
    function_ref<Value(OpBuilder &, Location, Value, Value, Value)> body) {
  Value rows = asRows(L, input);
  auto [max, sum] = softmaxStats(L, rows);
  Value y = L.generic(
      rows.getType(), {rows, max, sum}, L.empty(tensorType(rows)),
      {L.identity(2), L.without(2, {1}), L.without(2, {1}), L.identity(2)},
      {IteratorType::parallel, IteratorType::parallel},
      [&](OpBuilder &b, Location l, ValueRange a) {
        return V{body(b, l, a[0], a[1], a[2])};
      })[0];
  return fromRows(L, y, type);
}

struct SoftmaxLowering : OpLowering<SoftmaxOp> {
  using OpLowering::OpLowering;
  V lower(SoftmaxOp op, Adaptor operands, Lowering &L) const override {
    return {mapWithSoftmaxStats(
        L, operands.getInput(), op.getType(),
        [](OpBuilder &b, Location l, Value x, Value max, Value sum) {
          return div(b, l, math::ExpOp::create(b, l, sub(b, l, x, max)), sum);
        })};
  }
};

struct SoftmaxGradLowering : OpLowering<SoftmaxGradOp> {
  using OpLowering::OpLowering;
  V lower(SoftmaxGradOp op, Adaptor operands, Lowering &L) const override {
    // dx = y * (g - sum(g * y)) along the last axis.
    Value g = asRows(L, operands.getGrad());
    Value y = asRows(L, operands.getValue());
    Value dot = L.reduce({g, y}, {1}, {0.0},
                         [](OpBuilder &b, Location l, ValueRange a) {
                           return V{add(b, l, a[2], mul(b, l, a[0], a[1]))};
                         })[0];
    Value dx = L.generic(
        g.getType(), {g, y, dot}, L.empty(tensorType(g)),
        {L.identity(2), L.identity(2), L.without(2, {1}), L.identity(2)},
        {IteratorType::parallel, IteratorType::parallel},
        [](OpBuilder &b, Location l, ValueRange a) {
          return V{mul(b, l, a[1], sub(b, l, a[0], a[2]))};
        })[0];
    return {fromRows(L, dx, op.getType())};
  }
};

struct LogSoftmaxLowering : OpLowering<LogSoftmaxOp> {
  using OpLowering::OpLowering;
  V lower(LogSoftmaxOp op, Adaptor operands, Lowering &L) const override {
    // y = x - max - log(sum(exp(x - max))) along the last axis.
    return {mapWithSoftmaxStats(
        L, operands.getInput(), op.getType(),
        [](OpBuilder &b, Location l, Value x, Value max, Value sum) {
          Value logSum = math::LogOp::create(b, l, sum);
          return sub(b, l, sub(b, l, x, max), logSum);
        })};
  }
};

struct LogSoftmaxGradLowering : OpLowering<LogSoftmaxGradOp> {
  using OpLowering::OpLowering;
  V lower(LogSoftmaxGradOp op, Adaptor operands, Lowering &L) const override {
    // dx = g - exp(y) * sum(g) along the last axis.
    Value g = asRows(L, operands.getGrad());
    Value y = asRows(L, operands.getValue());
    Value total =
        L.reduce({g}, {1}, {0.0}, [](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[1], a[0])};
        })[0];
    Value dx = L.generic(
        g.getType(), {g, y, total}, L.empty(tensorType(g)),
        {L.identity(2), L.identity(2), L.without(2, {1}), L.identity(2)},
        {IteratorType::parallel, IteratorType::parallel},
        [](OpBuilder &b, Location l, ValueRange a) {
          Value p = math::ExpOp::create(b, l, a[1]);
          return V{sub(b, l, a[0], mul(b, l, p, a[2]))};
        })[0];
    return {fromRows(L, dx, op.getType())};
  }
};

struct CausalMaskLowering : OpLowering<CausalMaskOp> {
  using OpLowering::OpLowering;
  V lower(CausalMaskOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    double fill = op.getFill().convertToDouble();
    return {L.map(
        type, operands.getInput(), [&](OpBuilder &b, Location l, ValueRange a) {
          Value i = linalg::IndexOp::create(b, l, rank - 2);
          Value j = linalg::IndexOp::create(b, l, rank - 1);
          Value future =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt, j, i);
          return V{arith::SelectOp::create(
              b, l, future, fconst(b, l, a[0].getType(), fill), a[0])};
        })};
  }
};

/// Per-row mean and 1 / sqrt(var + eps) of [N, D] rows.
std::pair<Value, Value> rowMoments(Lowering &L, Value rows, double eps) {
  int64_t D = tensorType(rows).getDimSize(1);
  Type f = tensorType(rows).getElementType();
  Value sum =
      L.reduce(rows, {1}, {0.0}, [](OpBuilder &b, Location l, ValueRange a) {
        return V{add(b, l, a[0], a[1])};
      })[0];
  auto rowType = tensorType(sum);
  Value mean = L.map(rowType, sum, [&](OpBuilder &b, Location l, ValueRange a) {
    return V{mul(b, l, a[0], fconst(b, l, f, 1.0 / D))};
  });
  Value sq = L.reduce({rows, mean}, {1}, {0.0},
                      [](OpBuilder &b, Location l, ValueRange a) {
                        Value c = sub(b, l, a[0], a[1]);
                        return V{add(b, l, a[2], mul(b, l, c, c))};
                      })[0];
  Value inv = L.map(rowType, sq, [&](OpBuilder &b, Location l, ValueRange a) {
    Value var = mul(b, l, a[0], fconst(b, l, f, 1.0 / D));
    return V{math::RsqrtOp::create(b, l, add(b, l, var, fconst(b, l, f, eps)))};
  });
  return {mean, inv};
}

struct LayerNormLowering : OpLowering<LayerNormOp> {
  using OpLowering::OpLowering;
  V lower(LayerNormOp op, Adaptor operands, Lowering &L) const override {
    Value x = asRows(L, operands.getInput());
    auto [mean, inv] = rowMoments(L, x, op.getEps().convertToDouble());
    AffineMap row = L.without(2, {1});
    Value y =
        L.generic(x.getType(), {x, mean, inv}, L.empty(tensorType(x)),
                  {L.identity(2), row, row, L.identity(2)}, L.iterators("pp"),
                  [](OpBuilder &b, Location l, ValueRange a) {
                    return V{mul(b, l, sub(b, l, a[0], a[1]), a[2])};
                  })[0];
    return {fromRows(L, y, op.getType())};
  }
};

struct LayerNormGradLowering : OpLowering<LayerNormGradOp> {
  using OpLowering::OpLowering;
  V lower(LayerNormGradOp op, Adaptor operands, Lowering &L) const override {
    // dx = inv * (g - mean(g) - y * mean(g * y)).
    Value x = asRows(L, operands.getInput());
    Value g = asRows(L, operands.getGrad());
    Value y = asRows(L, operands.getValue());
    auto [mean, inv] = rowMoments(L, x, op.getEps().convertToDouble());
    (void)mean;
    int64_t D = tensorType(x).getDimSize(1);
    Type f = tensorType(x).getElementType();
    ValueRange sums = L.reduce(
        {g, y}, {1}, {0.0, 0.0}, [](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[2], a[0]),
                   add(b, l, a[3], mul(b, l, a[0], a[1]))};
        });
    AffineMap row = L.without(2, {1});
    Value dx = L.generic(
        x.getType(), {g, y, sums[0], sums[1], inv}, L.empty(tensorType(x)),
        {L.identity(2), L.identity(2), row, row, row, L.identity(2)},
        L.iterators("pp"), [&](OpBuilder &b, Location l, ValueRange a) {
          Value invD = fconst(b, l, f, 1.0 / D);
          Value centered = sub(b, l, a[0], mul(b, l, a[2], invD));
          Value v = sub(b, l, centered, mul(b, l, a[1], mul(b, l, a[3], invD)));
          return V{mul(b, l, v, a[4])};
        })[0];
    return {fromRows(L, dx, op.getType())};
  }
};
} // namespace

void dlc::conversion::populateNormalizationPatterns(
    RewritePatternSet &patterns) {
  patterns.add<SoftmaxLowering, SoftmaxGradLowering, LogSoftmaxLowering,
               LogSoftmaxGradLowering, CausalMaskLowering, LayerNormLowering,
               LayerNormGradLowering>(patterns.getContext());
}
