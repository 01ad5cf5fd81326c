//===- Differentiate.cpp - @f to @f_grad ----------------------------------===//
#include "compiler/Passes.h"
#include "compiler/transforms/Autodiff.h"
#include "dialects/nn/NNContract.h"

namespace dlc {
#define GEN_PASS_DEF_DIFFERENTIATE
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {
struct DifferentiatePass : dlc::impl::DifferentiateBase<DifferentiatePass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<func::FuncOp> todo;
    for (auto func : module.getOps<func::FuncOp>())
      if (func->hasAttr(dlc::nn::attr::kDifferentiate))
        todo.push_back(func);
    for (func::FuncOp func : todo) {
      if (func.getNumResults() != 1) {
        func.emitError("nn.differentiate needs a function with one result");
        return signalPassFailure();
      }
      func::FuncOp grad = func.clone();
      grad.setName((func.getName() + "_grad").str());
      grad->removeAttr(dlc::nn::attr::kDifferentiate);
      module.push_back(grad);

      auto ret = cast<func::ReturnOp>(grad.getBody().back().getTerminator());
      SmallVector<Value> wrt;
      for (BlockArgument arg : grad.getArguments())
        if (isa<FloatType>(getElementTypeOrSelf(arg.getType())))
          wrt.push_back(arg);
      OpBuilder b(ret);
      auto grads = dlc::buildGradients(b, ret.getOperand(0), wrt);
      if (failed(grads))
        return signalPassFailure();
      SmallVector<Value> results{ret.getOperand(0)};
      llvm::append_range(results, *grads);
      func::ReturnOp::create(b, ret.getLoc(), results);
      ret.erase();
      grad.setFunctionType(b.getFunctionType(grad.getArgumentTypes(),
                                             ValueRange(results).getTypes()));
      grad.removeResAttrsAttr();
    }
  }
};
} // namespace
