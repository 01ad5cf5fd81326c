//===- ApproximateMath.cpp - f32 math to vectorizable polynomials ---------===//
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

/// The f32 functions replaced by MLIR's polynomial approximations. LLVM
/// lowers a vector exp, log or tanh to one libm call per lane; the
/// polynomials are plain arith, so the loop vectorizer keeps them in vector
/// registers. Measured error: one or two ulp
/// (GradCheck.F32MathForwardReference).
static bool isApproximated(StringRef name) {
  name.consume_front("math.");
  static constexpr llvm::StringLiteral kNames[] = {"erf", "exp",   "expm1",
                                                   "log", "log1p", "tanh"};
  return llvm::is_contained(kNames, name);
}

namespace {
struct ApproximateMathPass
    : dlc::cpu::impl::ApproximateMathBase<ApproximateMathPass> {
  void runOnOperation() override {
    // f32 first: the polynomials match f32 and vectors of f32 only.
    RewritePatternSet polynomial(&getContext());
    populateMathPolynomialApproximationPatterns(polynomial, isApproximated);
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
