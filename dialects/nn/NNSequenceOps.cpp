//===- NNSequenceOps.cpp - verifiers and shapes of sequence ops -----------===//
#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace dlc::nn;

LogicalResult EmbeddingOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto ids = cast<RankedTensorType>(adaptor.getIds().getType());
  auto table = cast<RankedTensorType>(adaptor.getTable().getType());
  if (table.getRank() != 2)
    return emitOptionalError(loc, "embedding table must be [V, D], got ",
                             table);
  SmallVector<int64_t> shape(ids.getShape());
  shape.push_back(table.getDimSize(1));
  results.push_back(RankedTensorType::get(shape, table.getElementType()));
  return success();
}

LogicalResult EmbeddingGradOp::verify() {
  auto grad = getGrad().getType();
  auto ids = getIds().getType();
  auto table = getResult().getType();
  if (table.getRank() != 2 || grad.getShape().drop_back() != ids.getShape() ||
      grad.getShape().back() != table.getDimSize(1))
    return emitOpError("gradient ")
           << grad << " does not match ids " << ids << " and table " << table;
  return success();
}

/// A [B, T, gates * H] input and an [H, gates * H] weight.
static bool isRecurrence(RankedTensorType in, RankedTensorType w,
                         int64_t gates) {
  return in.getRank() == 3 && w.getRank() == 2 &&
         w.getDimSize(1) == gates * w.getDimSize(0) &&
         in.getDimSize(2) == w.getDimSize(1);
}

LogicalResult RnnOp::verify() {
  auto in = getInput().getType(), w = getWeight().getType();
  if (!isRecurrence(in, w, 1))
    return emitOpError("expects a [B, T, H] input and an [H, H] weight, got ")
           << in << " and " << w;
  return success();
}

LogicalResult LstmOp::inferReturnTypes(MLIRContext *,
                                       std::optional<Location> loc,
                                       Adaptor adaptor,
                                       SmallVectorImpl<Type> &results) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = cast<RankedTensorType>(adaptor.getWeight().getType());
  if (!isRecurrence(in, w, 4))
    return emitOptionalError(loc,
                             "lstm expects a [B, T, 4 H] input and an "
                             "[H, 4 H] weight, got ",
                             in, " and ", w);
  auto state = RankedTensorType::get(
      {in.getDimSize(0), in.getDimSize(1), w.getDimSize(0)},
      in.getElementType());
  results.append({state, state});
  return success();
}

LogicalResult BatchMatmulOp::inferReturnTypes(MLIRContext *,
                                              std::optional<Location> loc,
                                              Adaptor adaptor,
                                              SmallVectorImpl<Type> &results) {
  auto lhs = cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = cast<RankedTensorType>(adaptor.getRhs().getType());
  int64_t rank = lhs.getRank();
  bool transLhs = adaptor.getTransposeLhs(),
       transRhs = adaptor.getTransposeRhs();
  if (rank < 3 || rhs.getRank() != rank ||
      lhs.getShape().drop_back(2) != rhs.getShape().drop_back(2))
    return emitOptionalError(
        loc, describeProduct(lhs, transLhs, rhs, transRhs,
                             "they need one rank and the same leading "
                             "(batch) dimensions"));
  int64_t m = lhs.getDimSize(rank - (adaptor.getTransposeLhs() ? 1 : 2));
  int64_t k1 = lhs.getDimSize(rank - (adaptor.getTransposeLhs() ? 2 : 1));
  int64_t k2 = rhs.getDimSize(rank - (adaptor.getTransposeRhs() ? 1 : 2));
  int64_t n = rhs.getDimSize(rank - (adaptor.getTransposeRhs() ? 2 : 1));
  if (k1 != k2)
    return emitOptionalError(loc, describeProduct(lhs, transLhs, rhs, transRhs,
                                                  "inner sizes differ"));
  SmallVector<int64_t> shape(lhs.getShape().drop_back(2));
  shape.append({m, n});
  results.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  auto in = cast<RankedTensorType>(adaptor.getInput().getType());
  ArrayRef<int64_t> perm = adaptor.getPermutation();
  SmallVector<bool> seen(in.getRank(), false);
  if (static_cast<int64_t>(perm.size()) != in.getRank())
    return emitOptionalError(loc, "transpose permutation must list all ",
                             in.getRank(), " dimensions");
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= in.getRank() || seen[p])
      return emitOptionalError(loc, "transpose permutation is not a "
                                    "permutation of the dimensions");
    seen[p] = true;
    shape.push_back(in.getDimSize(p));
  }
  results.push_back(RankedTensorType::get(shape, in.getElementType()));
  return success();
}

LogicalResult CausalMaskOp::verify() {
  auto t = getInput().getType();
  if (t.getRank() < 2 ||
      t.getDimSize(t.getRank() - 1) != t.getDimSize(t.getRank() - 2))
    return emitOpError("a causal mask needs [..., T, T] scores, got ")
           << describe(t);
  return success();
}

LogicalResult SliceOp::verify() {
  auto in = getInput().getType();
  auto out = getResult().getType();
  int64_t axis = getAxis();
  if (axis < 0 || axis >= in.getRank() || out.getRank() != in.getRank())
    return emitOpError("axis ") << axis << " is not a dimension of " << in;
  for (int64_t d = 0; d < in.getRank(); ++d)
    if (d != axis && in.getDimSize(d) != out.getDimSize(d))
      return emitOpError("result ")
             << out << " differs from " << in << " outside axis " << axis;
  // I64Attr reads back unsigned: a negative start would wrap around.
  int64_t start = static_cast<int64_t>(getStart());
  if (start < 0 || start > in.getDimSize(axis) ||
      out.getDimSize(axis) > in.getDimSize(axis) - start)
    return emitOpError("[")
           << start << ", " << start + out.getDimSize(axis)
           << ") is outside dimension " << axis << " of " << describe(in);
  return success();
}

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  if (adaptor.getInputs().empty())
    return emitOptionalError(loc, "concat needs at least one input");
  auto first = cast<RankedTensorType>(adaptor.getInputs()[0].getType());
  int64_t axis = adaptor.getAxis();
  if (axis < 0 || axis >= first.getRank())
    return emitOptionalError(loc, "concat axis ", axis,
                             " is not a dimension of ", first);
  SmallVector<int64_t> shape(first.getShape());
  shape[axis] = 0;
  for (Value v : adaptor.getInputs()) {
    auto t = cast<RankedTensorType>(v.getType());
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (t.getRank() != first.getRank() ||
          (d != axis && t.getDimSize(d) != first.getDimSize(d)))
        return emitOptionalError(loc, "cannot concatenate ", describe(first),
                                 " and ", describe(t), " along dimension ",
                                 axis, ": they differ elsewhere");
    shape[axis] += t.getDimSize(axis);
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

LogicalResult DropoutOp::verify() {
  if (!(getRate().convertToDouble() >= 0 && getRate().convertToDouble() < 1))
    return emitOpError("rate must be in [0, 1)");
  return success();
}
