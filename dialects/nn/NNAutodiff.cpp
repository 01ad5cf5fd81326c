//===- NNAutodiff.cpp - vector-Jacobian products of nn ops ----------------===//
//
// Each differentiable op builds its VJP from nn ops, so the backward graph is
// ordinary nn IR that is lowered, fused and tiled like the forward graph.
//
//===----------------------------------------------------------------------===//
#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace dlc::nn;

using Grads = SmallVector<Value>;

Grads MatmulOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value g = resultGrads[0];
  Location loc = getLoc();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  // C = op(A) op(B): d op(A) = dC op(B)^T and d op(B) = op(A)^T dC; a
  // transposed operand gets the transpose of that, folded into the flags.
  Value dA = ta ? MatmulOp::create(b, loc, getRhs(), g, tb, true)
                : MatmulOp::create(b, loc, g, getRhs(), false, !tb);
  Value dB = tb ? MatmulOp::create(b, loc, g, getLhs(), true, ta)
                : MatmulOp::create(b, loc, getLhs(), g, !ta, false);
  return {dA, dB};
}

Grads BiasAddOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value g = resultGrads[0];
  SmallVector<int64_t> others;
  for (int64_t i = 0, e = getInput().getType().getRank(); i < e; ++i)
    if (i != getBiasDim())
      others.push_back(i);
  Value db = ReduceSumOp::create(b, getLoc(), g, others);
  return {g, db};
}

Grads ReshapeOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {ReshapeOp::create(b, getLoc(), getInput().getType(), resultGrads[0])};
}

Grads Conv2DOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value g = resultGrads[0];
  Value dx =
      Conv2DInputGradOp::create(b, getLoc(), getInput().getType(), g,
                                getFilter(), getStrideAttr(), getPaddingAttr());
  Value dw =
      Conv2DFilterGradOp::create(b, getLoc(), getFilter().getType(), g,
                                 getInput(), getStrideAttr(), getPaddingAttr());
  return {dx, dw};
}

Grads MaxPool2DOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {MaxPool2DGradOp::create(b, getLoc(), resultGrads[0], getInput(),
                                  getKernelAttr(), getStrideAttr())};
}

Grads AvgPool2DOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {AvgPool2DGradOp::create(b, getLoc(), getInput().getType(),
                                  resultGrads[0], getKernelAttr(),
                                  getStrideAttr())};
}

Grads ReduceSumOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {BroadcastOp::create(b, getLoc(), getInput().getType(), resultGrads[0],
                              getAxes())};
}

Grads ReduceMaxOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {ReduceMaxGradOp::create(b, getLoc(), getInput().getType(),
                                  resultGrads[0], getInput(), getResult(),
                                  getAxes())};
}

Grads BroadcastOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {ReduceSumOp::create(b, getLoc(), resultGrads[0], getAxes())};
}

Grads AddOp::buildVJP(OpBuilder &, ValueRange resultGrads) {
  return {resultGrads[0], resultGrads[0]};
}

Grads SubOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value g = resultGrads[0];
  return {g, ScaleOp::create(b, getLoc(), g, b.getF64FloatAttr(-1.0))};
}

Grads MulOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value g = resultGrads[0];
  return {MulOp::create(b, getLoc(), g, getRhs()),
          MulOp::create(b, getLoc(), g, getLhs())};
}

Grads ScaleOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {ScaleOp::create(b, getLoc(), resultGrads[0], getFactorAttr())};
}

Grads ReluOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {ReluGradOp::create(b, getLoc(), resultGrads[0], getInput())};
}

Grads SigmoidOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {SigmoidGradOp::create(b, getLoc(), resultGrads[0], getResult())};
}

Grads TanhOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {TanhGradOp::create(b, getLoc(), resultGrads[0], getResult())};
}

Grads SoftmaxOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {SoftmaxGradOp::create(b, getLoc(), resultGrads[0], getResult())};
}

Grads LogSoftmaxOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {LogSoftmaxGradOp::create(b, getLoc(), resultGrads[0], getResult())};
}

Grads NllLossOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  // Labels are class ids: no gradient.
  return {NllLossGradOp::create(b, getLoc(), resultGrads[0], getLogProbs(),
                                getLabels()),
          Value()};
}

Grads CrossEntropyOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  // Labels are class ids: no gradient.
  return {CrossEntropyGradOp::create(b, getLoc(), resultGrads[0], getLogits(),
                                     getLabels()),
          Value()};
}

Grads MseOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value dx =
      MseGradOp::create(b, getLoc(), resultGrads[0], getInput(), getTarget());
  return {dx, ScaleOp::create(b, getLoc(), dx, b.getF64FloatAttr(-1.0))};
}

Grads L1Op::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value dx =
      L1GradOp::create(b, getLoc(), resultGrads[0], getInput(), getTarget());
  return {dx, ScaleOp::create(b, getLoc(), dx, b.getF64FloatAttr(-1.0))};
}

Grads BceLogitsOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Location loc = getLoc();
  Value g = resultGrads[0];
  Value dx = BceLogitsGradOp::create(b, loc, g, getInput(), getTarget());
  // d/dt mean(... - x t ...) = -x / N, times the incoming scalar gradient.
  auto type = getInput().getType();
  Value scaled = ScaleOp::create(
      b, loc, getInput(), b.getF64FloatAttr(-1.0 / type.getNumElements()));
  Value gFull = BroadcastOp::create(
      b, loc, type, g, llvm::to_vector(llvm::seq<int64_t>(0, type.getRank())));
  return {dx, MulOp::create(b, loc, gFull, scaled)};
}

//===----------------------------------------------------------------------===//
// Sequences and attention
//===----------------------------------------------------------------------===//

Grads EmbeddingOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  // Ids are integers: no gradient.
  return {Value(), EmbeddingGradOp::create(b, getLoc(), getTable().getType(),
                                           resultGrads[0], getIds())};
}

Grads RnnOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  auto op = RnnGradOp::create(b, getLoc(), getInput().getType(),
                              getWeight().getType(), resultGrads[0],
                              getWeight(), getResult());
  return {op.getInputGrad(), op.getWeightGrad()};
}

Grads LstmOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  // The cell states are saved for the backward pass only; dlc programs never
  // read them, so no gradient flows into them.
  Value g = resultGrads[0];
  if (!g) {
    auto type = getHidden().getType();
    g = arith::ConstantOp::create(
        b, getLoc(), type,
        DenseElementsAttr::get(type,
                               b.getFloatAttr(type.getElementType(), 0.0)));
  }
  auto op = LstmGradOp::create(b, getLoc(), getInput().getType(),
                               getWeight().getType(), g, getInput(),
                               getWeight(), getHidden(), getCell());
  return {op.getInputGrad(), op.getWeightGrad()};
}

Grads BatchMatmulOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Value g = resultGrads[0];
  Location loc = getLoc();
  bool ta = getTransposeLhs(), tb = getTransposeRhs();
  // As MatmulOp, per batch element.
  Value dA = ta ? BatchMatmulOp::create(b, loc, getRhs(), g, tb, true)
                : BatchMatmulOp::create(b, loc, g, getRhs(), false, !tb);
  Value dB = tb ? BatchMatmulOp::create(b, loc, g, getLhs(), true, ta)
                : BatchMatmulOp::create(b, loc, getLhs(), g, !ta, false);
  return {dA, dB};
}

Grads TransposeOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  ArrayRef<int64_t> perm = getPermutation();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  return {TransposeOp::create(b, getLoc(), resultGrads[0], inverse)};
}

Grads CausalMaskOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {CausalMaskOp::create(b, getLoc(), resultGrads[0],
                               b.getF64FloatAttr(0.0))};
}

Grads LayerNormOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {LayerNormGradOp::create(b, getLoc(), resultGrads[0], getResult(),
                                  getInput(), getEpsAttr())};
}

Grads SliceOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  return {SliceGradOp::create(b, getLoc(), getInput().getType(), resultGrads[0],
                              getAxisAttr(), getStartAttr())};
}

Grads ConcatOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  Grads grads;
  int64_t axis = getAxis(), start = 0;
  for (Value in : getInputs()) {
    grads.push_back(SliceOp::create(b, getLoc(), in.getType(), resultGrads[0],
                                    axis, start));
    start += cast<RankedTensorType>(in.getType()).getDimSize(axis);
  }
  return grads;
}

Grads DropoutOp::buildVJP(OpBuilder &b, ValueRange resultGrads) {
  // y = x * mask / (1 - rate) with a mask fixed by (seed, step): linear in x.
  return {DropoutOp::create(b, getLoc(), resultGrads[0], getStep(),
                            getRateAttr(), getSeedAttr()),
          Value()};
}
