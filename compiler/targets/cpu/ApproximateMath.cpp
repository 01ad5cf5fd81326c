//===- ApproximateMath.cpp - math.erf to a polynomial or libm -------------===//
#include "compiler/targets/cpu/Passes.h"

#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Transforms/DialectConversion.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace dlc::cpu {
#define GEN_PASS_DEF_APPROXIMATEMATH
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

using namespace mlir;

namespace {
struct ApproximateMathPass
    : dlc::cpu::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    // f32 first: the polynomial matches f32 and vectors of f32 only.
    RewritePatternSet polynomial(&getContext());
    populatePolynomialApproximateErfPattern(polynomial);
    if (failed(applyPatternsGreedily(getOperation(), std::move(polynomial))))
      return signalPassFailure();
    // What is left (f64) calls libm; other math ops stay for MathToLLVM.
    RewritePatternSet libm(&getContext());
    populateMathToLibmConversionPatterns(libm);
    ConversionTarget target(getContext());
    target.addLegalDialect<arith::ArithDialect, vector::VectorDialect,
                           func::FuncDialect>();
    target.addIllegalOp<math::ErfOp>();
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });
    if (failed(applyPartialConversion(getOperation(), target, std::move(libm))))
      signalPassFailure();
  }
};
} // namespace
