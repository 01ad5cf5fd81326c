//===- LiftParams.cpp - nn.param ops to function arguments ----------------===//
#include "compiler/Passes.h"
#include "dialects/nn/NNContract.h"

#include "llvm/ADT/StringMap.h"

namespace dlc {
#define GEN_PASS_DEF_LIFTPARAMS
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

namespace {
struct LiftParamsPass : dlc::impl::LiftParamsBase<LiftParamsPass> {
  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      // A parameter read twice in one function is one argument.
      llvm::StringMap<Value> lifted;
      SmallVector<dlc::nn::ParamOp> params;
      func.walk([&](dlc::nn::ParamOp op) { params.push_back(op); });
      unsigned next = 0;
      for (auto param : params) {
        Value &arg = lifted[param.getName()];
        if (!arg) {
          OpBuilder b(param);
          auto attrs = b.getDictionaryAttr(
              {b.getNamedAttr(dlc::nn::attr::kParam, param.getNameAttr()),
               b.getNamedAttr(dlc::nn::attr::kInit, param.getInitAttr())});
          if (failed(func.insertArgument(next, param.getType(), attrs,
                                         param.getLoc())))
            return signalPassFailure();
          arg = func.getArgument(next++);
        } else if (arg.getType() != param.getType()) {
          param.emitError("parameter '")
              << param.getName() << "' used with two types";
          return signalPassFailure();
        }
        param.replaceAllUsesWith(arg);
        param.erase();
      }
    }
  }
};
} // namespace
