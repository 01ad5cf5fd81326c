//===- ConvolutionLowering.cpp - convolution and pooling to linalg --------===//
//
// conv2d and its two gradients as 7-loop contraction generics, pooling and
// its gradients as 6-loop generics (n, c, oh, ow, kh, kw) that read the
// window through an unused [K, K] operand, padding as shifted output maps.
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

/// [N, C, H, W] with `p` zeros around each image. A generic writing through
/// a shifted output map rather than tensor.insert_slice: the latter becomes a
/// strided memref.copy, a call into MLIR's C runner library.
Value padSpatial(Lowering &L, Value x, int64_t p) {
  if (p == 0)
    return x;
  auto type = tensorType(x);
  auto padded = RankedTensorType::get({type.getDimSize(0), type.getDimSize(1),
                                       type.getDimSize(2) + 2 * p,
                                       type.getDimSize(3) + 2 * p},
                                      type.getElementType());
  MLIRContext *c = L.ctx();
  // The body adds the (zero) initial value: it must read its output, or
  // canonicalization, which assumes every output element is written, drops
  // the zero fill of the border.
  return L.generic(
      padded, x, L.filled(padded, 0.0),
      {L.identity(4), L.map(4, {d(0, c), d(1, c), d(2, c) + p, d(3, c) + p})},
      L.iterators(4, 4), [](OpBuilder &b, Location l, ValueRange a) {
        return V{add(b, l, a[1], a[0])};
      })[0];
}

/// The inner [N, C, H, W] of a tensor padded by `p`.
Value cropSpatial(Lowering &L, Value x, RankedTensorType type, int64_t p) {
  if (p == 0)
    return x;
  MLIRContext *c = L.ctx();
  return L.generic(
      type, x, L.empty(type),
      {L.map(4, {d(0, c), d(1, c), d(2, c) + p, d(3, c) + p}), L.identity(4)},
      L.iterators(4, 4),
      [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
}

/// (n, c, oh, ow, kh, kw) -> the input element under window offset (kh, kw).
AffineMap windowMap(Lowering &L, int64_t s) {
  MLIRContext *c = L.ctx();
  return L.map(
      6, {d(0, c), d(1, c), d(2, c) * s + d(4, c), d(3, c) * s + d(5, c)});
}

/// (n, c, oh, ow, kh, kw) -> the window offset (kh, kw).
AffineMap offsetMap(Lowering &L) {
  MLIRContext *c = L.ctx();
  return L.map(6, {d(4, c), d(5, c)});
}

/// (n, c, oh, ow, kh, kw) -> the pooled element (n, c, oh, ow).
AffineMap pooledMap(Lowering &L) {
  MLIRContext *c = L.ctx();
  return L.map(6, {d(0, c), d(1, c), d(2, c), d(3, c)});
}

/// The [K, K] operand that gives the window loops their size.
Value window(Lowering &L, int64_t k, Type t) {
  return L.empty(RankedTensorType::get({k, k}, t));
}

struct Conv2DLowering : OpLowering<Conv2DOp> {
  using OpLowering::OpLowering;
  V lower(Conv2DOp op, Adaptor operands, Lowering &L) const override {
    int64_t s = op.getStride();
    Value x = padSpatial(L, operands.getInput(), op.getPadding());
    // Loops (n, f, c, kh, kw, oh, ow): the innermost runs along an output
    // row, contiguous in the output and (stride 1) the input, so the loop
    // vectorizer can use it.
    MLIRContext *c = L.ctx();
    auto type = op.getType();
    return {L.generic(type, {x, operands.getFilter()}, L.filled(type, 0.0),
                      {L.map(7, {d(0, c), d(2, c), d(5, c) * s + d(3, c),
                                 d(6, c) * s + d(4, c)}),
                       L.map(7, {d(1, c), d(2, c), d(3, c), d(4, c)}),
                       L.map(7, {d(0, c), d(1, c), d(5, c), d(6, c)})},
                      L.iterators("pprrrpp"), multiplyAdd)[0]};
  }
};

struct Conv2DFilterGradLowering : OpLowering<Conv2DFilterGradOp> {
  using OpLowering::OpLowering;
  V lower(Conv2DFilterGradOp op, Adaptor operands, Lowering &L) const override {
    int64_t s = op.getStride();
    Value x = padSpatial(L, operands.getInput(), op.getPadding());
    // (f, c, kh, kw, n, oh, ow): dw = sum g[n, f, oh, ow] * x[n, c, ...]
    MLIRContext *c = L.ctx();
    auto type = op.getType();
    return {L.generic(type, {operands.getGrad(), x}, L.filled(type, 0.0),
                      {L.map(7, {d(4, c), d(0, c), d(5, c), d(6, c)}),
                       L.map(7, {d(4, c), d(1, c), d(5, c) * s + d(2, c),
                                 d(6, c) * s + d(3, c)}),
                       L.map(7, {d(0, c), d(1, c), d(2, c), d(3, c)})},
                      L.iterators(7, 4), multiplyAdd)[0]};
  }
};

struct Conv2DInputGradLowering : OpLowering<Conv2DInputGradOp> {
  using OpLowering::OpLowering;
  V lower(Conv2DInputGradOp op, Adaptor operands, Lowering &L) const override {
    // Scatter every output gradient back through the window it came from,
    // into the padded input; then drop the padding. The loops run in order,
    // so overlapping windows accumulate.
    int64_t s = op.getStride(), p = op.getPadding();
    auto type = op.getType();
    auto padded = RankedTensorType::get({type.getDimSize(0), type.getDimSize(1),
                                         type.getDimSize(2) + 2 * p,
                                         type.getDimSize(3) + 2 * p},
                                        type.getElementType());
    // Loops (n, f, c, kh, kw, oh, ow), innermost along a gradient row.
    MLIRContext *c = L.ctx();
    Value dx = L.generic(padded, {operands.getGrad(), operands.getFilter()},
                         L.filled(padded, 0.0),
                         {L.map(7, {d(0, c), d(1, c), d(5, c), d(6, c)}),
                          L.map(7, {d(1, c), d(2, c), d(3, c), d(4, c)}),
                          L.map(7, {d(0, c), d(2, c), d(5, c) * s + d(3, c),
                                    d(6, c) * s + d(4, c)})},
                         L.iterators("prprrrr"), multiplyAdd)[0];
    return {cropSpatial(L, dx, type, p)};
  }
};

struct MaxPool2DLowering : OpLowering<MaxPool2DOp> {
  using OpLowering::OpLowering;
  V lower(MaxPool2DOp op, Adaptor operands, Lowering &L) const override {
    int64_t k = op.getKernel(), s = op.getStride();
    auto type = op.getType();
    Value win = window(L, k, type.getElementType());
    return {L.generic(
        type, {operands.getInput(), win}, L.filled(type, -INFINITY),
        {windowMap(L, s), offsetMap(L), pooledMap(L)}, L.iterators(6, 4),
        [](OpBuilder &b, Location l, ValueRange a) {
          return V{arith::MaximumFOp::create(b, l, a[0], a[2])};
        })[0]};
  }
};

struct AvgPool2DLowering : OpLowering<AvgPool2DOp> {
  using OpLowering::OpLowering;
  V lower(AvgPool2DOp op, Adaptor operands, Lowering &L) const override {
    int64_t k = op.getKernel(), s = op.getStride();
    auto type = op.getType();
    Type t = type.getElementType();
    Value win = window(L, k, t);
    double inv = 1.0 / (k * k);
    return {L.generic(
        type, {operands.getInput(), win}, L.filled(type, 0.0),
        {windowMap(L, s), offsetMap(L), pooledMap(L)}, L.iterators(6, 4),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[2], mul(b, l, a[0], fconst(b, l, t, inv)))};
        })[0]};
  }
};

struct AvgPool2DGradLowering : OpLowering<AvgPool2DGradOp> {
  using OpLowering::OpLowering;
  V lower(AvgPool2DGradOp op, Adaptor operands, Lowering &L) const override {
    int64_t k = op.getKernel(), s = op.getStride();
    auto type = op.getType();
    Type t = type.getElementType();
    Value win = window(L, k, t);
    double inv = 1.0 / (k * k);
    return {L.generic(
        type, {operands.getGrad(), win}, L.filled(type, 0.0),
        {pooledMap(L), offsetMap(L), windowMap(L, s)}, L.iterators(6, 2),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[2], mul(b, l, a[0], fconst(b, l, t, inv)))};
        })[0]};
  }
};

struct MaxPool2DGradLowering : OpLowering<MaxPool2DGradOp> {
  using OpLowering::OpLowering;
  V lower(MaxPool2DGradOp op, Adaptor operands, Lowering &L) const override {
    // The first maximum of each window (row-major), as its offset
    // kh * K + kw; then each window's gradient goes to that element only.
    int64_t k = op.getKernel(), s = op.getStride();
    OpBuilder &b = L.b;
    Value input = operands.getInput(), grad = operands.getGrad();
    auto inType = tensorType(input);
    auto outType = tensorType(grad);
    Type t = inType.getElementType();
    auto indexType = RankedTensorType::get(outType.getShape(), b.getI32Type());
    Value win = window(L, k, t);
    Value indexInit =
        linalg::FillOp::create(
            b, L.loc,
            arith::ConstantOp::create(b, L.loc, b.getI32IntegerAttr(-1))
                .getResult(),
            L.empty(indexType))
            .getResult(0);
    AffineMap outMap = pooledMap(L);
    auto offset = [k](OpBuilder &b, Location l) {
      Value kh = linalg::IndexOp::create(b, l, 4);
      Value kw = linalg::IndexOp::create(b, l, 5);
      Value flat = arith::AddIOp::create(
          b, l,
          arith::MulIOp::create(b, l, kh,
                                arith::ConstantIndexOp::create(b, l, k)),
          kw);
      return arith::IndexCastOp::create(b, l, b.getI32Type(), flat);
    };
    Value argmax = L.generic(
        {outType, indexType}, {input, win},
        {L.filled(outType, -INFINITY), indexInit},
        {windowMap(L, s), offsetMap(L), outMap, outMap}, L.iterators(6, 4),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value better = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                               a[0], a[2]);
          return V{arith::SelectOp::create(b, l, better, a[0], a[2]),
                   arith::SelectOp::create(b, l, better, offset(b, l), a[3])};
        })[1];
    return {L.generic(
        inType, {grad, argmax, win}, L.filled(inType, 0.0),
        {outMap, outMap, offsetMap(L), windowMap(L, s)}, L.iterators(6, 2),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            offset(b, l), a[1]);
          Value g =
              arith::SelectOp::create(b, l, hit, a[0], fconst(b, l, t, 0.0));
          return V{add(b, l, a[3], g)};
        })[0]};
  }
};

} // namespace

void dlc::conversion::populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, Conv2DFilterGradLowering,
               Conv2DInputGradLowering, MaxPool2DLowering, AvgPool2DLowering,
               AvgPool2DGradLowering, MaxPool2DGradLowering>(
      patterns.getContext());
}
