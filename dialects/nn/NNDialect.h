//===- NNDialect.h - the nn dialect ---------------------------------------===//
#ifndef DLC_DIALECTS_NN_NNDIALECT_H
#define DLC_DIALECTS_NN_NNDIALECT_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/nn/NNDialect.h.inc"
#include "dialects/nn/NNInterfaces.h.inc"

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.h.inc"

#include <string>

namespace dlc::nn {
/// The most elements a value may have: every value is a buffer of the
/// compiled code, kept under 1 GiB.
inline constexpr int64_t kMaxElements = int64_t(1) << 28;
/// The number of elements of `type`, or nullopt when it overflows int64.
std::optional<int64_t> elementCount(mlir::ShapedType type);

/// A tensor type in the notation of .net files, `f32[64, 256]`: the ops'
/// shape errors reach users of the language through the front end.
std::string describe(mlir::Type type);
/// "cannot multiply f32[2, 3] by f32[4, 5]: <why>", for matmul errors.
std::string describeProduct(mlir::Type lhs, bool transposeLhs, mlir::Type rhs,
                            bool transposeRhs, llvm::StringRef why);
} // namespace dlc::nn

#endif // DLC_DIALECTS_NN_NNDIALECT_H
