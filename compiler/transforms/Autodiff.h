//===- Autodiff.h - reverse-mode differentiation of nn IR -----------------===//
#ifndef DLC_COMPILER_TRANSFORMS_AUTODIFF_H
#define DLC_COMPILER_TRANSFORMS_AUTODIFF_H

#include "mlir/IR/Builders.h"
#include "mlir/IR/Value.h"

namespace dlc {

/// Builds the gradient of the scalar `loss` with respect to each of `wrt` (all
/// in one block), in reverse program order through the ops' VJPs, at the
/// builder's insertion point. A value the loss does not depend on gets zeros.
/// Fails with a diagnostic on an op on the path that cannot be differentiated.
mlir::FailureOr<llvm::SmallVector<mlir::Value>>
buildGradients(mlir::OpBuilder &builder, mlir::Value loss,
               llvm::ArrayRef<mlir::Value> wrt);

} // namespace dlc

#endif // DLC_COMPILER_TRANSFORMS_AUTODIFF_H
