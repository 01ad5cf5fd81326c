//===- BuildTrainStep.cpp - loss function to training step ----------------===//
#include "compiler/Passes.h"
#include "compiler/transforms/Autodiff.h"
#include "dialects/nn/NNContract.h"

namespace dlc {
#define GEN_PASS_DEF_BUILDTRAINSTEP
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc;

static FloatAttr b64(Operation *op, double v) {
  return FloatAttr::get(Float64Type::get(op->getContext()), v);
}

namespace {
struct BuildTrainStepPass : dlc::impl::BuildTrainStepBase<BuildTrainStepPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr(nn::attr::kTrain) && failed(build(func)))
        return signalPassFailure();
  }

  LogicalResult build(func::FuncOp func);
};
} // namespace

LogicalResult BuildTrainStepPass::build(func::FuncOp func) {
  auto config = dyn_cast<DictionaryAttr>(func->getAttr(nn::attr::kTrain));
  auto optimizer = config ? config.getAs<StringAttr>("optimizer") : nullptr;
  if (!optimizer)
    return func.emitError("nn.train must be a dictionary with an 'optimizer'");
  auto hyper = [&](StringRef name, double fallback) {
    auto attr = config.getAs<FloatAttr>(name);
    return attr ? attr.getValueAsDouble() : fallback;
  };
  FloatAttr lr = b64(func, hyper("lr", 0.01));
  FloatAttr weightDecay = b64(func, hyper("weight_decay", 0.0));

  auto ret = cast<func::ReturnOp>(func.getBody().back().getTerminator());
  if (ret.getNumOperands() != 1 ||
      cast<RankedTensorType>(ret.getOperand(0).getType()).getRank() != 0)
    return func.emitError("a training function must return one scalar loss");
  Value loss = ret.getOperand(0);

  SmallVector<BlockArgument> params;
  for (BlockArgument arg : func.getArguments())
    if (func.getArgAttr(arg.getArgNumber(), nn::attr::kParam))
      params.push_back(arg);
  if (params.empty())
    return func.emitError("nothing to train: the loss has no parameters");

  OpBuilder b(ret);
  Location loc = func.getLoc();
  FailureOr<SmallVector<Value>> grads =
      buildGradients(b, loss, SmallVector<Value>(params.begin(), params.end()));
  if (failed(grads))
    return failure();

  // Each new value and the argument it replaces.
  SmallVector<std::pair<Value, unsigned>> updates;
  auto addState = [&](Type type, StringRef name) {
    auto attrs = b.getDictionaryAttr(
        {b.getNamedAttr(nn::attr::kState, b.getStringAttr(name)),
         b.getNamedAttr(nn::attr::kInit, b.getStringAttr("zeros"))});
    unsigned index = func.getNumArguments();
    (void)func.insertArgument(index, type, attrs, loc);
    return func.getArgument(index);
  };
  auto paramName = [&](BlockArgument p) {
    return cast<StringAttr>(func.getArgAttr(p.getArgNumber(), nn::attr::kParam))
        .getValue();
  };

  StringRef kind = optimizer.getValue();
  if (kind == "sgd") {
    for (auto [p, g] : llvm::zip(params, *grads))
      updates.emplace_back(
          nn::SgdUpdateOp::create(b, loc, p, g, lr, weightDecay).getResult(),
          p.getArgNumber());
  } else if (kind == "momentum") {
    FloatAttr momentum = b64(func, hyper("momentum", 0.9));
    for (auto [p, g] : llvm::zip(params, *grads)) {
      BlockArgument v =
          addState(p.getType(), (paramName(p) + ".velocity").str());
      auto op = nn::MomentumUpdateOp::create(b, loc, p, g, v, lr, momentum,
                                             weightDecay);
      updates.emplace_back(op.getNewParam(), p.getArgNumber());
      updates.emplace_back(op.getNewVelocity(), v.getArgNumber());
    }
  } else if (kind == "adam") {
    auto scalarType = RankedTensorType::get(
        {}, cast<RankedTensorType>(loss.getType()).getElementType());
    BlockArgument step = addState(scalarType, "adam.step");
    Value one = arith::ConstantOp::create(
        b, loc, scalarType,
        DenseElementsAttr::get(
            scalarType, b.getFloatAttr(scalarType.getElementType(), 1.0)));
    Value newStep = nn::AddOp::create(b, loc, step, one);
    updates.emplace_back(newStep, step.getArgNumber());
    for (auto [p, g] : llvm::zip(params, *grads)) {
      BlockArgument m = addState(p.getType(), (paramName(p) + ".adam_m").str());
      BlockArgument v = addState(p.getType(), (paramName(p) + ".adam_v").str());
      auto op = nn::AdamUpdateOp::create(
          b, loc, p, g, m, v, newStep, lr, b64(func, hyper("beta1", 0.9)),
          b64(func, hyper("beta2", 0.999)), b64(func, hyper("eps", 1e-8)),
          weightDecay);
      updates.emplace_back(op.getNewParam(), p.getArgNumber());
      updates.emplace_back(op.getNewM(), m.getArgNumber());
      updates.emplace_back(op.getNewV(), v.getArgNumber());
    }
  } else {
    return func.emitError("unknown optimizer '") << kind << "'";
  }

  SmallVector<Value> results{loss};
  for (auto [value, argIndex] : updates) {
    unsigned resultIndex = func.getNumResults();
    if (failed(func.insertResult(
            resultIndex, value.getType(),
            b.getDictionaryAttr(b.getNamedAttr(
                nn::attr::kUpdate, b.getI64IntegerAttr(argIndex))))))
      return failure();
    results.push_back(value);
  }
  func::ReturnOp::create(b, ret.getLoc(), results);
  ret.erase();
  func->removeAttr(nn::attr::kTrain);
  return success();
}
