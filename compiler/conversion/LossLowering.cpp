//===- LossLowering.cpp - losses and optimizer updates to linalg ----------===//
//
// Losses reduce to a rank-0 tensor (mean over the batch or all elements);
// their gradients and the optimizer updates are elementwise generics, the
// updates with one result per updated buffer.
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

struct CrossEntropyLowering : OpLowering<CrossEntropyOp> {
  using OpLowering::OpLowering;
  V lower(CrossEntropyOp op, Adaptor operands, Lowering &L) const override {
    // mean over rows of log(sum(exp(x - max))) + max - x[label].
    Value x = asRows(L, operands.getLogits());
    Value labels = flatten(L, operands.getLabels());
    Type t = tensorType(x).getElementType();
    auto [max, sum] = softmaxStats(L, x);
    Value picked = L.reduce({x, labels}, {1}, {0.0},
                            [&](OpBuilder &b, Location l, ValueRange a) {
                              Value hit = isLabel(b, l, a[1], 1, t);
                              return V{add(b, l, a[2], mul(b, l, hit, a[0]))};
                            })[0];
    double invN = 1.0 / tensorType(x).getDimSize(0);
    return V{L.reduce(
        {max, sum, picked}, {0}, {0.0},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value lse = add(b, l, math::LogOp::create(b, l, a[1]), a[0]);
          Value row = sub(b, l, lse, a[2]);
          return V{add(b, l, a[3], mul(b, l, row, fconst(b, l, t, invN)))};
        })[0]};
  }
};

struct CrossEntropyGradLowering : OpLowering<CrossEntropyGradOp> {
  using OpLowering::OpLowering;
  V lower(CrossEntropyGradOp op, Adaptor operands, Lowering &L) const override {
    Value x = asRows(L, operands.getLogits());
    Value labels = flatten(L, operands.getLabels());
    Type t = tensorType(x).getElementType();
    auto [max, sum] = softmaxStats(L, x);
    double invN = 1.0 / tensorType(x).getDimSize(0);
    Value dx = L.generic(
        x.getType(), {x, max, sum, labels, operands.getGrad()},
        L.empty(tensorType(x)),
        {L.identity(2), L.without(2, {1}), L.without(2, {1}), L.without(2, {1}),
         AffineMap::get(2, 0, {}, L.ctx()), L.identity(2)},
        {IteratorType::parallel, IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value p =
              div(b, l, math::ExpOp::create(b, l, sub(b, l, a[0], a[1])), a[2]);
          Value d = sub(b, l, p, isLabel(b, l, a[3], 1, t));
          return V{mul(b, l, d, mul(b, l, a[4], fconst(b, l, t, invN)))};
        })[0];
    return V{fromRows(L, dx, op.getType())};
  }
};

struct NllLossLowering : OpLowering<NllLossOp> {
  using OpLowering::OpLowering;
  V lower(NllLossOp op, Adaptor operands, Lowering &L) const override {
    // -mean over rows of x[label]: one reduction over rows and classes.
    Value x = asRows(L, operands.getLogProbs());
    Value labels = flatten(L, operands.getLabels());
    Type t = tensorType(x).getElementType();
    double scale = -1.0 / tensorType(x).getDimSize(0);
    auto scalar = RankedTensorType::get({}, t);
    return V{L.generic(
        scalar, {x, labels}, L.filled(scalar, 0.0),
        {L.identity(2), L.without(2, {1}), AffineMap::get(2, 0, {}, L.ctx())},
        {IteratorType::reduction, IteratorType::reduction},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value hit = isLabel(b, l, a[1], 1, t);
          Value term = mul(b, l, mul(b, l, hit, a[0]), fconst(b, l, t, scale));
          return V{add(b, l, a[2], term)};
        })[0]};
  }
};

struct NllLossGradLowering : OpLowering<NllLossGradOp> {
  using OpLowering::OpLowering;
  V lower(NllLossGradOp op, Adaptor operands, Lowering &L) const override {
    RankedTensorType type = op.getType();
    int64_t classes = type.getShape().back();
    auto rows = RankedTensorType::get(
        {type.getNumElements() / classes, classes}, type.getElementType());
    Value labels = flatten(L, operands.getLabels());
    Type t = rows.getElementType();
    double scale = -1.0 / rows.getDimSize(0);
    Value dx = L.generic(
        rows, {labels, operands.getGrad()}, L.empty(rows),
        {L.without(2, {1}), AffineMap::get(2, 0, {}, L.ctx()), L.identity(2)},
        {IteratorType::parallel, IteratorType::parallel},
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value hit = isLabel(b, l, a[0], 1, t);
          return V{mul(b, l, hit, mul(b, l, a[1], fconst(b, l, t, scale)))};
        })[0];
    return V{fromRows(L, dx, op.getType())};
  }
};

/// A pair loss: the mean over all elements of `term(x, t)`.
using PairTerm = function_ref<Value(OpBuilder &, Location, Value, Value)>;
Value pairMean(Lowering &L, Value input, Value target, PairTerm term) {
  Type t = tensorType(input).getElementType();
  double invN = 1.0 / numElements(input);
  int64_t rank = tensorType(input).getRank();
  return L.reduce({input, target}, L.allAxes(rank), {0.0},
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value v = term(b, l, a[0], a[1]);
                    return V{
                        add(b, l, a[2], mul(b, l, v, fconst(b, l, t, invN)))};
                  })[0];
}

/// A pair loss's gradient: `term(x, t) * grad * scale`, elementwise.
Value pairGrad(Lowering &L, RankedTensorType type, Value grad, Value input,
               Value target, double scale, PairTerm term) {
  Type t = type.getElementType();
  return L.map(
      type, {input, target, grad}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value d = term(b, l, a[0], a[1]);
        return V{mul(b, l, d, mul(b, l, a[2], fconst(b, l, t, scale)))};
      });
}

struct MseLowering : OpLowering<MseOp> {
  using OpLowering::OpLowering;
  V lower(MseOp op, Adaptor operands, Lowering &L) const override {
    return {pairMean(L, operands.getInput(), operands.getTarget(),
                     [](OpBuilder &b, Location l, Value x, Value t) {
                       Value d = sub(b, l, x, t);
                       return mul(b, l, d, d);
                     })};
  }
};

struct MseGradLowering : OpLowering<MseGradOp> {
  using OpLowering::OpLowering;
  V lower(MseGradOp op, Adaptor operands, Lowering &L) const override {
    return {pairGrad(L, op.getType(), operands.getGrad(), operands.getInput(),
                     operands.getTarget(),
                     2.0 / numElements(operands.getInput()),
                     [](OpBuilder &b, Location l, Value x, Value t) {
                       return sub(b, l, x, t);
                     })};
  }
};

struct L1Lowering : OpLowering<L1Op> {
  using OpLowering::OpLowering;
  V lower(L1Op op, Adaptor operands, Lowering &L) const override {
    return {pairMean(L, operands.getInput(), operands.getTarget(),
                     [](OpBuilder &b, Location l, Value x, Value t) {
                       return math::AbsFOp::create(b, l, sub(b, l, x, t));
                     })};
  }
};

struct L1GradLowering : OpLowering<L1GradOp> {
  using OpLowering::OpLowering;
  V lower(L1GradOp op, Adaptor operands, Lowering &L) const override {
    // sign(x - t), 0 where x == t (torch's sgn), times grad / N.
    return {pairGrad(
        L, op.getType(), operands.getGrad(), operands.getInput(),
        operands.getTarget(), 1.0 / numElements(operands.getInput()),
        [](OpBuilder &b, Location l, Value x, Value t) -> Value {
          Type type = x.getType();
          auto above =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, t);
          auto below =
              arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, t);
          return arith::SelectOp::create(
              b, l, above, fconst(b, l, type, 1),
              arith::SelectOp::create(b, l, below, fconst(b, l, type, -1),
                                      fconst(b, l, type, 0)));
        })};
  }
};

struct BceLogitsLowering : OpLowering<BceLogitsOp> {
  using OpLowering::OpLowering;
  V lower(BceLogitsOp op, Adaptor operands, Lowering &L) const override {
    // max(x, 0) - x * t + log(1 + exp(-|x|)): stable for any x.
    return {pairMean(
        L, operands.getInput(), operands.getTarget(),
        [](OpBuilder &b, Location l, Value x, Value t) {
          Value relu =
              arith::MaximumFOp::create(b, l, x, fconst(b, l, x.getType(), 0));
          Value negAbs =
              arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
          Value soft =
              math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs));
          return add(b, l, sub(b, l, relu, mul(b, l, x, t)), soft);
        })};
  }
};

struct BceLogitsGradLowering : OpLowering<BceLogitsGradOp> {
  using OpLowering::OpLowering;
  V lower(BceLogitsGradOp op, Adaptor operands, Lowering &L) const override {
    return {pairGrad(L, op.getType(), operands.getGrad(), operands.getInput(),
                     operands.getTarget(),
                     1.0 / numElements(operands.getInput()),
                     [](OpBuilder &b, Location l, Value x, Value t) {
                       return sub(b, l, sigmoid(b, l, x), t);
                     })};
  }
};

struct SgdUpdateLowering : OpLowering<SgdUpdateOp> {
  using OpLowering::OpLowering;
  V lower(SgdUpdateOp op, Adaptor operands, Lowering &L) const override {
    Type t = tensorType(operands.getParam()).getElementType();
    double lr = op.getLr().convertToDouble();
    double wd = op.getWeightDecay().convertToDouble();
    return {L.map(op.getType(), {operands.getParam(), operands.getGrad()},
                  [&](OpBuilder &b, Location l, ValueRange a) {
                    Value g = a[1];
                    if (wd != 0.0)
                      g = add(b, l, g, mul(b, l, a[0], fconst(b, l, t, wd)));
                    return V{
                        sub(b, l, a[0], mul(b, l, g, fconst(b, l, t, lr)))};
                  })};
  }
};

struct MomentumUpdateLowering : OpLowering<MomentumUpdateOp> {
  using OpLowering::OpLowering;
  V lower(MomentumUpdateOp op, Adaptor operands, Lowering &L) const override {
    auto type = tensorType(operands.getParam());
    Type t = type.getElementType();
    double lr = op.getLr().convertToDouble();
    double mu = op.getMomentum().convertToDouble();
    double wd = op.getWeightDecay().convertToDouble();
    int64_t rank = type.getRank();
    return V(L.generic(
        {type, type},
        {operands.getParam(), operands.getGrad(), operands.getVelocity()},
        {L.empty(type), L.empty(type)},
        SmallVector<AffineMap>(5, L.identity(rank)),
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value g = a[1];
          if (wd != 0.0)
            g = add(b, l, g, mul(b, l, a[0], fconst(b, l, t, wd)));
          Value v = add(b, l, mul(b, l, a[2], fconst(b, l, t, mu)), g);
          Value p = sub(b, l, a[0], mul(b, l, v, fconst(b, l, t, lr)));
          return V{p, v};
        }));
  }
};

struct AdamUpdateLowering : OpLowering<AdamUpdateOp> {
  using OpLowering::OpLowering;
  V lower(AdamUpdateOp op, Adaptor operands, Lowering &L) const override {
    auto type = tensorType(operands.getParam());
    Type t = type.getElementType();
    double b1 = op.getBeta1().convertToDouble();
    double b2 = op.getBeta2().convertToDouble();
    double wd = op.getWeightDecay().convertToDouble();
    OpBuilder &b = L.b;
    // Bias corrections depend on the step only: computed once, outside
    // the elementwise kernel, and captured by its body.
    Value step = tensor::ExtractOp::create(b, L.loc, operands.getStep(), {});
    auto pow = [&](double base) {
      return math::PowFOp::create(b, L.loc, fconst(b, L.loc, t, base), step);
    };
    Value one = fconst(b, L.loc, t, 1.0);
    Value c1 = div(b, L.loc, fconst(b, L.loc, t, op.getLr().convertToDouble()),
                   sub(b, L.loc, one, pow(b1)));
    Value c2 = div(b, L.loc, one, sub(b, L.loc, one, pow(b2)));
    int64_t rank = type.getRank();
    return V(L.generic(
        {type, type, type},
        {operands.getParam(), operands.getGrad(), operands.getM(),
         operands.getV()},
        {L.empty(type), L.empty(type), L.empty(type)},
        SmallVector<AffineMap>(7, L.identity(rank)),
        SmallVector<IteratorType>(rank, IteratorType::parallel),
        [&](OpBuilder &b, Location l, ValueRange a) {
          auto c = [&](double v) { return fconst(b, l, t, v); };
          Value g = a[1];
          if (wd != 0.0)
            g = add(b, l, g, mul(b, l, a[0], c(wd)));
          Value m = add(b, l, mul(b, l, a[2], c(b1)), mul(b, l, g, c(1 - b1)));
          Value v = add(b, l, mul(b, l, a[3], c(b2)),
                        mul(b, l, mul(b, l, g, g), c(1 - b2)));
          Value denom = add(b, l, math::SqrtOp::create(b, l, mul(b, l, v, c2)),
                            c(op.getEps().convertToDouble()));
          Value p = sub(b, l, a[0], div(b, l, mul(b, l, m, c1), denom));
          return V{p, m, v};
        }));
  }
};

} // namespace

void dlc::conversion::populateLossAndUpdatePatterns(
    RewritePatternSet &patterns) {
  patterns.add<CrossEntropyLowering, CrossEntropyGradLowering, NllLossLowering,
               NllLossGradLowering, MseLowering, L1Lowering, L1GradLowering,
               MseGradLowering, BceLogitsLowering, BceLogitsGradLowering,
               SgdUpdateLowering, MomentumUpdateLowering, AdamUpdateLowering>(
      patterns.getContext());
}
