//===- NNToLinalg.h - nn -> linalg conversion patterns ---------*- C++ -*-===//
//
// One populate function per op family, each defined in its own file; the
// convert-nn-to-linalg pass applies all of them.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_CONVERSION_NNTOLINALG_H
#define DLC_COMPILER_CONVERSION_NNTOLINALG_H

namespace mlir {
class RewritePatternSet;
} // namespace mlir

namespace dlc::conversion {

/// add/sub/mul/scale, activations and their gradients, broadcast, bias_add,
/// one_hot, dropout (ElementwiseLowering.cpp).
void populateElementwisePatterns(mlir::RewritePatternSet &patterns);
/// matmul, batch_matmul, transpose, reduce_sum and the shape ops: reshape,
/// slice, slice_grad, concat (DenseLowering.cpp).
void populateDensePatterns(mlir::RewritePatternSet &patterns);
/// conv2d and its gradients, max/avg pooling and theirs
/// (ConvolutionLowering.cpp).
void populateConvolutionPatterns(mlir::RewritePatternSet &patterns);
/// rnn, lstm and their gradients as loops over time, embedding and its
/// gradient (RecurrenceLowering.cpp).
void populateRecurrencePatterns(mlir::RewritePatternSet &patterns);
/// softmax, causal_mask, layer_norm and their gradients
/// (NormalizationLowering.cpp).
void populateNormalizationPatterns(mlir::RewritePatternSet &patterns);
/// cross_entropy, mse, bce_logits and their gradients; sgd, momentum and
/// adam updates (LossLowering.cpp).
void populateLossAndUpdatePatterns(mlir::RewritePatternSet &patterns);

/// All of the above: a lowering for every nn op but nn.param, which
/// lift-params removes before lowering.
void populateNNToLinalgPatterns(mlir::RewritePatternSet &patterns);

} // namespace dlc::conversion

#endif // DLC_COMPILER_CONVERSION_NNTOLINALG_H
