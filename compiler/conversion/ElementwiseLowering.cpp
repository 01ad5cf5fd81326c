//===- ElementwiseLowering.cpp - elementwise nn ops to linalg -------------===//
//
// Arithmetic, activations and their gradients, broadcasts, one_hot and
// dropout: each one parallel linalg.generic, which elementwise fusion merges
// with its neighbours.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/Lowering.h"
#include "compiler/conversion/NNToLinalg.h"
#include "dialects/nn/NNDialect.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::conversion;
using V = SmallVector<Value>;

namespace {

/// lhs `fn` rhs, elementwise.
template <typename OpTy, Value (*fn)(OpBuilder &, Location, Value, Value)>
struct BinaryLowering : OpLowering<OpTy> {
  using OpLowering<OpTy>::OpLowering;
  V lower(OpTy op, typename OpTy::Adaptor operands,
          Lowering &L) const override {
    return {L.map(op.getType(), {operands.getLhs(), operands.getRhs()},
                  [](OpBuilder &b, Location l, ValueRange a) {
                    return V{fn(b, l, a[0], a[1])};
                  })};
  }
};

/// fn(input), elementwise.
template <typename OpTy, Value (*fn)(OpBuilder &, Location, Value)>
struct UnaryLowering : OpLowering<OpTy> {
  using OpLowering<OpTy>::OpLowering;
  V lower(OpTy op, typename OpTy::Adaptor operands,
          Lowering &L) const override {
    return {L.map(op.getType(), operands.getInput(),
                  [](OpBuilder &b, Location l, ValueRange a) {
                    return V{fn(b, l, a[0])};
                  })};
  }
};

/// fn(grad, value), elementwise: the gradient of an activation from the
/// incoming gradient and the activation's input or output.
template <typename OpTy, Value (*fn)(OpBuilder &, Location, Value, Value)>
struct ActivationGradLowering : OpLowering<OpTy> {
  using OpLowering<OpTy>::OpLowering;
  V lower(OpTy op, typename OpTy::Adaptor operands,
          Lowering &L) const override {
    return {L.map(op.getType(), {operands.getGrad(), operands.getValue()},
                  [](OpBuilder &b, Location l, ValueRange a) {
                    return V{fn(b, l, a[0], a[1])};
                  })};
  }
};

Value relu(OpBuilder &b, Location l, Value x) {
  return arith::MaximumFOp::create(b, l, x, fconst(b, l, x.getType(), 0.0));
}
/// The input is `value`.
Value reluGrad(OpBuilder &b, Location l, Value g, Value x) {
  Value zero = fconst(b, l, g.getType(), 0.0);
  Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x, zero);
  return arith::SelectOp::create(b, l, pos, g, zero);
}
/// The output is `value`: g * y * (1 - y).
Value sigmoidGrad(OpBuilder &b, Location l, Value g, Value y) {
  Value one = fconst(b, l, g.getType(), 1.0);
  return mul(b, l, g, mul(b, l, y, sub(b, l, one, y)));
}
/// The output is `value`: g * (1 - y^2).
Value tanhGrad(OpBuilder &b, Location l, Value g, Value y) {
  Value one = fconst(b, l, g.getType(), 1.0);
  return mul(b, l, g, sub(b, l, one, mul(b, l, y, y)));
}

/// x Phi(x) with Phi(x) = (1 + erf(x / sqrt 2)) / 2: PyTorch's exact GELU.
Value gelu(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value erf =
      math::ErfOp::create(b, l, mul(b, l, x, fconst(b, l, t, M_SQRT1_2)));
  Value cdf =
      mul(b, l, fconst(b, l, t, 0.5), add(b, l, fconst(b, l, t, 1), erf));
  return mul(b, l, x, cdf);
}
/// The input is `value`: g (Phi(x) + x phi(x)), phi(x) = exp(-x^2/2)/sqrt(2
/// pi).
Value geluGrad(OpBuilder &b, Location l, Value g, Value x) {
  Type t = x.getType();
  Value erf =
      math::ErfOp::create(b, l, mul(b, l, x, fconst(b, l, t, M_SQRT1_2)));
  Value cdf =
      mul(b, l, fconst(b, l, t, 0.5), add(b, l, fconst(b, l, t, 1), erf));
  Value square = mul(b, l, fconst(b, l, t, -0.5), mul(b, l, x, x));
  Value pdf = mul(b, l, fconst(b, l, t, 0.5 * M_2_SQRTPI * M_SQRT1_2),
                  math::ExpOp::create(b, l, square));
  return mul(b, l, g, add(b, l, cdf, mul(b, l, x, pdf)));
}

/// x Phi(x) with the tanh approximation of Phi, as torch.nn.GELU('tanh').
constexpr double kGeluTanhScale = 0.7978845608028654; // sqrt(2 / pi)
constexpr double kGeluTanhCubic = 0.044715;
Value geluTanhOf(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value cube =
      mul(b, l, fconst(b, l, t, kGeluTanhCubic), mul(b, l, x, mul(b, l, x, x)));
  return tanhOf(b, l,
                mul(b, l, fconst(b, l, t, kGeluTanhScale), add(b, l, x, cube)));
}
Value geluTanh(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value half = fconst(b, l, t, 0.5);
  return mul(b, l, mul(b, l, half, x),
             add(b, l, fconst(b, l, t, 1), geluTanhOf(b, l, x)));
}
/// The input is `value`: g ((1 + th) / 2 + x (1 - th^2) k (1 + 3 c x^2) / 2).
Value geluTanhGrad(OpBuilder &b, Location l, Value g, Value x) {
  Type t = x.getType();
  Value half = fconst(b, l, t, 0.5), one = fconst(b, l, t, 1);
  Value th = geluTanhOf(b, l, x);
  Value inner =
      mul(b, l, fconst(b, l, t, kGeluTanhScale),
          add(b, l, one,
              mul(b, l, fconst(b, l, t, 3 * kGeluTanhCubic), mul(b, l, x, x))));
  Value slope = mul(b, l, mul(b, l, half, x),
                    mul(b, l, sub(b, l, one, mul(b, l, th, th)), inner));
  return mul(b, l, g, add(b, l, mul(b, l, half, add(b, l, one, th)), slope));
}
Value silu(OpBuilder &b, Location l, Value x) {
  return mul(b, l, x, sigmoid(b, l, x));
}
/// The input is `value`: g s (1 + x (1 - s)), s = sigmoid(x).
Value siluGrad(OpBuilder &b, Location l, Value g, Value x) {
  Value s = sigmoid(b, l, x), one = fconst(b, l, x.getType(), 1);
  return mul(b, l, g,
             mul(b, l, s, add(b, l, one, mul(b, l, x, sub(b, l, one, s)))));
}
/// max(x, 0) + log1p(e^-|x|): log(1 + e^x) without overflow.
Value softplus(OpBuilder &b, Location l, Value x) {
  Value negAbs = arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
  return add(b, l, relu(b, l, x),
             math::Log1pOp::create(b, l, math::ExpOp::create(b, l, negAbs)));
}
Value expOf(OpBuilder &b, Location l, Value x) {
  return math::ExpOp::create(b, l, x);
}
Value logOf(OpBuilder &b, Location l, Value x) {
  return math::LogOp::create(b, l, x);
}
Value sqrtOf(OpBuilder &b, Location l, Value x) {
  return math::SqrtOp::create(b, l, x);
}
Value absOf(OpBuilder &b, Location l, Value x) {
  return math::AbsFOp::create(b, l, x);
}
Value greater(OpBuilder &b, Location l, Value x, double c) {
  return arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT, x,
                               fconst(b, l, x.getType(), c));
}
/// g sign(x), 0 at 0.
Value absGrad(OpBuilder &b, Location l, Value g, Value x) {
  Value zero = fconst(b, l, g.getType(), 0);
  Value negative =
      arith::CmpFOp::create(b, l, arith::CmpFPredicate::OLT, x, zero);
  Value below = arith::SelectOp::create(b, l, negative,
                                        arith::NegFOp::create(b, l, g), zero);
  return arith::SelectOp::create(b, l, greater(b, l, x, 0), g, below);
}
Value leakyRelu(OpBuilder &b, Location l, Value x, double slope) {
  return arith::SelectOp::create(
      b, l, greater(b, l, x, 0), x,
      mul(b, l, x, fconst(b, l, x.getType(), slope)));
}
Value leakyReluGrad(OpBuilder &b, Location l, Value g, Value x, double slope) {
  return arith::SelectOp::create(
      b, l, greater(b, l, x, 0), g,
      mul(b, l, g, fconst(b, l, g.getType(), slope)));
}
Value elu(OpBuilder &b, Location l, Value x, double alpha) {
  Value below = mul(b, l, fconst(b, l, x.getType(), alpha),
                    math::ExpM1Op::create(b, l, x));
  return arith::SelectOp::create(b, l, greater(b, l, x, 0), x, below);
}
Value eluGrad(OpBuilder &b, Location l, Value g, Value x, double alpha) {
  Value below = mul(b, l, g,
                    mul(b, l, fconst(b, l, x.getType(), alpha),
                        math::ExpOp::create(b, l, x)));
  return arith::SelectOp::create(b, l, greater(b, l, x, 0), g, below);
}
Value power(OpBuilder &b, Location l, Value x, double p) {
  return math::PowFOp::create(b, l, x, fconst(b, l, x.getType(), p));
}
Value shift(OpBuilder &b, Location l, Value x, double c) {
  return add(b, l, x, fconst(b, l, x.getType(), c));
}

/// fn(input, parameter), elementwise: an activation with an f64 attribute.
template <typename OpTy, Value (*fn)(OpBuilder &, Location, Value, double),
          double (*param)(OpTy)>
struct ParamUnaryLowering : OpLowering<OpTy> {
  using OpLowering<OpTy>::OpLowering;
  V lower(OpTy op, typename OpTy::Adaptor operands,
          Lowering &L) const override {
    double p = param(op);
    return {L.map(op.getType(), operands.getInput(),
                  [p](OpBuilder &b, Location l, ValueRange a) {
                    return V{fn(b, l, a[0], p)};
                  })};
  }
};

/// fn(grad, value, parameter), elementwise.
template <typename OpTy,
          Value (*fn)(OpBuilder &, Location, Value, Value, double),
          double (*param)(OpTy)>
struct ParamGradLowering : OpLowering<OpTy> {
  using OpLowering<OpTy>::OpLowering;
  V lower(OpTy op, typename OpTy::Adaptor operands,
          Lowering &L) const override {
    double p = param(op);
    return {L.map(op.getType(), {operands.getGrad(), operands.getValue()},
                  [p](OpBuilder &b, Location l, ValueRange a) {
                    return V{fn(b, l, a[0], a[1], p)};
                  })};
  }
};

template <typename OpTy> double slopeOf(OpTy op) {
  return op.getSlope().convertToDouble();
}
template <typename OpTy> double alphaOf(OpTy op) {
  return op.getAlpha().convertToDouble();
}
double exponentOf(PowOp op) { return op.getExponent().convertToDouble(); }
double offsetOf(ShiftOp op) { return op.getOffset().convertToDouble(); }

struct ScaleLowering : OpLowering<ScaleOp> {
  using OpLowering::OpLowering;
  V lower(ScaleOp op, Adaptor operands, Lowering &L) const override {
    double f = op.getFactor().convertToDouble();
    return {L.map(op.getType(), operands.getInput(),
                  [f](OpBuilder &b, Location l, ValueRange a) {
                    return V{mul(b, l, a[0], fconst(b, l, a[0].getType(), f))};
                  })};
  }
};

struct BiasAddLowering : OpLowering<BiasAddOp> {
  using OpLowering::OpLowering;
  V lower(BiasAddOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    auto biasMap =
        AffineMap::get(rank, 0, L.b.getAffineDimExpr(op.getBiasDim()));
    return {L.generic(
        type, {operands.getInput(), operands.getBias()}, L.empty(type),
        {L.identity(rank), biasMap, L.identity(rank)}, L.iterators(rank, rank),
        [](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[0], a[1])};
        })[0]};
  }
};

struct BroadcastLowering : OpLowering<BroadcastOp> {
  using OpLowering::OpLowering;
  V lower(BroadcastOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    return {L.generic(
        type, operands.getInput(), L.empty(type),
        {L.without(rank, op.getAxes()), L.identity(rank)},
        L.iterators(rank, rank),
        [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0]};
  }
};

struct OneHotLowering : OpLowering<OneHotOp> {
  using OpLowering::OpLowering;
  V lower(OneHotOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    return {L.generic(
        type, operands.getLabels(), L.empty(type),
        {L.without(rank, {rank - 1}), L.identity(rank)},
        L.iterators(rank, rank), [&](OpBuilder &b, Location l, ValueRange a) {
          return V{isLabel(b, l, a[0], rank - 1, type.getElementType())};
        })[0]};
  }
};

struct DropoutLowering : OpLowering<DropoutOp> {
  using OpLowering::OpLowering;
  V lower(DropoutOp op, Adaptor operands, Lowering &L) const override {
    // keep iff hash(seed, step, flat index) >= rate * 2^32; murmur3's 64-bit
    // finalizer mixes well enough for a mask.
    auto type = op.getType();
    int64_t rank = type.getRank();
    double rate = op.getRate().convertToDouble();
    OpBuilder &b = L.b;
    Location loc = L.loc;
    Value step =
        tensor::ExtractOp::create(b, loc, operands.getStep(), ValueRange{});
    Value step64 = arith::ExtUIOp::create(b, loc, b.getI64Type(), step);
    uint64_t seed = static_cast<uint64_t>(op.getSeed()) * 0x9E3779B97F4A7C15ull;
    uint64_t threshold = static_cast<uint64_t>(rate * 4294967296.0);
    return {L.map(
        type, operands.getInput(), [&](OpBuilder &b, Location l, ValueRange a) {
          auto c64 = [&](uint64_t v) {
            return arith::ConstantOp::create(
                b, l, b.getI64IntegerAttr(static_cast<int64_t>(v)));
          };
          Value flat = arith::ConstantIndexOp::create(b, l, 0);
          for (int64_t i = 0; i < rank; ++i) {
            flat = arith::MulIOp::create(
                b, l, flat,
                arith::ConstantIndexOp::create(b, l, type.getDimSize(i)));
            flat = arith::AddIOp::create(b, l, flat,
                                         linalg::IndexOp::create(b, l, i));
          }
          Value h = arith::IndexCastUIOp::create(b, l, b.getI64Type(), flat);
          h = arith::XOrIOp::create(
              b, l, h,
              arith::MulIOp::create(b, l, step64, c64(0xC2B2AE3D27D4EB4Full)));
          h = arith::XOrIOp::create(b, l, h, c64(seed));
          auto mix = [&](uint64_t shift, uint64_t mulBy) {
            h = arith::XOrIOp::create(
                b, l, h, arith::ShRUIOp::create(b, l, h, c64(shift)));
            if (mulBy)
              h = arith::MulIOp::create(b, l, h, c64(mulBy));
          };
          mix(33, 0xFF51AFD7ED558CCDull);
          mix(33, 0xC4CEB9FE1A85EC53ull);
          mix(33, 0);
          Value bits = arith::ShRUIOp::create(b, l, h, c64(32));
          Value keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                             bits, c64(threshold));
          Type f = a[0].getType();
          Value scaled = mul(b, l, a[0], fconst(b, l, f, 1.0 / (1.0 - rate)));
          return V{arith::SelectOp::create(b, l, keep, scaled,
                                           fconst(b, l, f, 0.0))};
        })};
  }
};

} // namespace

void dlc::conversion::populateElementwisePatterns(RewritePatternSet &patterns) {
  patterns.add<
      BinaryLowering<AddOp, add>, BinaryLowering<SubOp, sub>,
      BinaryLowering<MulOp, mul>, UnaryLowering<ReluOp, relu>,
      UnaryLowering<SigmoidOp, sigmoid>, UnaryLowering<TanhOp, tanhOf>,
      BinaryLowering<DivOp, div>, UnaryLowering<GeluTanhOp, geluTanh>,
      ActivationGradLowering<GeluTanhGradOp, geluTanhGrad>,
      UnaryLowering<SiluOp, silu>, ActivationGradLowering<SiluGradOp, siluGrad>,
      UnaryLowering<SoftplusOp, softplus>, UnaryLowering<ExpOp, expOf>,
      UnaryLowering<LogOp, logOf>, UnaryLowering<SqrtOp, sqrtOf>,
      UnaryLowering<AbsOp, absOf>, ActivationGradLowering<AbsGradOp, absGrad>,
      ParamUnaryLowering<LeakyReluOp, leakyRelu, slopeOf<LeakyReluOp>>,
      ParamGradLowering<LeakyReluGradOp, leakyReluGrad,
                        slopeOf<LeakyReluGradOp>>,
      ParamUnaryLowering<EluOp, elu, alphaOf<EluOp>>,
      ParamGradLowering<EluGradOp, eluGrad, alphaOf<EluGradOp>>,
      ParamUnaryLowering<PowOp, power, exponentOf>,
      ParamUnaryLowering<ShiftOp, shift, offsetOf>, UnaryLowering<GeluOp, gelu>,
      ActivationGradLowering<GeluGradOp, geluGrad>,
      ActivationGradLowering<ReluGradOp, reluGrad>,
      ActivationGradLowering<SigmoidGradOp, sigmoidGrad>,
      ActivationGradLowering<TanhGradOp, tanhGrad>, ScaleLowering,
      BiasAddLowering, BroadcastLowering, OneHotLowering, DropoutLowering>(
      patterns.getContext());
}
