//===- NNToLinalg.cpp - nn ops to linalg.generic on tensors ---------------===//
//
// Every nn op becomes one or a few linalg.generic ops, so that elementwise
// fusion, tiling and vectorization see a uniform representation. Reductions
// (softmax, losses) get explicit reduction generics, recurrences loops over
// time. The patterns live in one file per op family; this pass applies them
// with the whole nn dialect illegal, so that an op without a lowering is a
// located error rather than nn left behind for the CPU pipeline.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/NNToLinalg.h"
#include "compiler/Passes.h"

#include "dialects/nn/NNDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

void dlc::conversion::populateNNToLinalgPatterns(RewritePatternSet &patterns) {
  populateElementwisePatterns(patterns);
  populateDensePatterns(patterns);
  populateConvolutionPatterns(patterns);
  populateRecurrencePatterns(patterns);
  populateNormalizationPatterns(patterns);
  populateLossAndUpdatePatterns(patterns);
}

namespace {
struct ConvertNNToLinalgPass
    : dlc::impl::ConvertNNToLinalgBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    MLIRContext *ctx = &getContext();
    ConversionTarget target(*ctx);
    target.addIllegalDialect<dlc::nn::NNDialect>();
    target.addLegalDialect<linalg::LinalgDialect, tensor::TensorDialect,
                           arith::ArithDialect, math::MathDialect,
                           scf::SCFDialect, func::FuncDialect>();
    RewritePatternSet patterns(ctx);
    dlc::conversion::populateNNToLinalgPatterns(patterns);
    // nn ops have no folders; never folding keeps the output exactly what
    // the patterns build.
    ConversionConfig config;
    config.foldingMode = DialectConversionFoldingMode::Never;
    if (failed(applyPartialConversion(getOperation(), target,
                                      std::move(patterns), config)))
      signalPassFailure();
  }
};
} // namespace
