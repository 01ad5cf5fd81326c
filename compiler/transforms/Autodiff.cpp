//===- Autodiff.cpp - reverse-mode differentiation of nn IR ---------------===//
#include "compiler/transforms/Autodiff.h"

#include "dialects/nn/NNDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/DenseSet.h"

using namespace mlir;

static Value constantLike(OpBuilder &b, Location loc, Type type, double v) {
  auto tensorType = cast<RankedTensorType>(type);
  auto attr = DenseElementsAttr::get(
      tensorType, b.getFloatAttr(tensorType.getElementType(), v));
  return arith::ConstantOp::create(b, loc, tensorType, attr);
}

FailureOr<SmallVector<Value>> dlc::buildGradients(OpBuilder &b, Value loss,
                                                  ArrayRef<Value> wrt) {
  Block *block = loss.getParentBlock();
  Location loc = loss.getLoc();

  // Forward sweep: the values that depend on a `wrt` value. Only ops that
  // consume such values need a VJP; the rest are constants of the backward
  // pass (data, labels).
  DenseSet<Value> active(wrt.begin(), wrt.end());
  for (Operation &op : *block)
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.count(v); }))
      active.insert(op.result_begin(), op.result_end());
  if (!active.count(loss))
    return SmallVector<Value>(llvm::map_range(
        wrt, [&](Value v) { return constantLike(b, loc, v.getType(), 0.0); }));

  DenseMap<Value, Value> grads;
  grads[loss] = constantLike(b, loc, loss.getType(), 1.0);
  auto accumulate = [&](Value v, Value g) {
    Value &slot = grads[v];
    slot = slot ? nn::AddOp::create(b, loc, slot, g).getResult() : g;
  };

  // Reverse sweep over the ops before the loss.
  Operation *lossOp = loss.getDefiningOp();
  if (!lossOp)
    return SmallVector<Value>(llvm::map_range(wrt, [&](Value v) {
      return v == loss ? grads[loss] : constantLike(b, loc, v.getType(), 0.0);
    }));
  for (Operation *op = lossOp; op; op = op->getPrevNode()) {
    SmallVector<Value> resultGrads;
    bool any = false;
    for (Value r : op->getResults()) {
      resultGrads.push_back(grads.lookup(r));
      any |= resultGrads.back() != nullptr;
    }
    if (!any || !llvm::any_of(op->getOperands(),
                              [&](Value v) { return active.count(v); }))
      continue;
    auto diff = dyn_cast<nn::DifferentiableOpInterface>(op);
    if (!diff)
      return op->emitError("cannot differentiate through '")
             << op->getName() << "'";
    SmallVector<Value> operandGrads = diff.buildVJP(b, resultGrads);
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads))
      if (g && active.count(operand))
        accumulate(operand, g);
  }

  SmallVector<Value> result;
  for (Value v : wrt) {
    Value g = grads.lookup(v);
    result.push_back(g ? g : constantLike(b, loc, v.getType(), 0.0));
  }
  return result;
}
