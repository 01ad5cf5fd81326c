//===- Lowering.cpp - views and building blocks shared by the lowerings ---===//
#include "compiler/conversion/Lowering.h"

using namespace mlir;

namespace dlc::conversion {

SmallVector<ReassociationIndices> allDims(int64_t rank) {
  return {llvm::to_vector(llvm::seq<int64_t>(0, rank))};
}

Value flatten(Lowering &L, Value x) {
  auto type = tensorType(x);
  if (type.getRank() == 1)
    return x;
  return tensor::CollapseShapeOp::create(L.b, L.loc, x,
                                         allDims(type.getRank()));
}

SmallVector<ReassociationIndices> rowGroups(int64_t rank) {
  if (rank == 1)
    return {{0, 1}};
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t d = 0; d + 1 < rank; ++d)
    groups[0].push_back(d);
  groups[1].push_back(rank - 1);
  return groups;
}

Value asRows(Lowering &L, Value x) {
  auto type = tensorType(x);
  if (type.getRank() == 2)
    return x;
  if (type.getRank() == 1)
    return tensor::ExpandShapeOp::create(
        L.b, L.loc,
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        x, rowGroups(1));
  return tensor::CollapseShapeOp::create(L.b, L.loc, x,
                                         rowGroups(type.getRank()));
}

Value fromRows(Lowering &L, Value rows, RankedTensorType type) {
  if (rows.getType() == type)
    return rows;
  if (type.getRank() == 1)
    return tensor::CollapseShapeOp::create(L.b, L.loc, type, rows,
                                           rowGroups(1));
  return tensor::ExpandShapeOp::create(L.b, L.loc, type, rows,
                                       rowGroups(type.getRank()));
}

SliceSpec unitSlice(OpBuilder &b, ArrayRef<int64_t> shape, int64_t dim,
                    OpFoldResult at) {
  SliceSpec s;
  for (auto [i, n] : llvm::enumerate(shape)) {
    s.offsets.push_back(int64_t(i) == dim ? at : b.getIndexAttr(0));
    s.sizes.push_back(b.getIndexAttr(int64_t(i) == dim ? 1 : n));
    s.strides.push_back(b.getIndexAttr(1));
  }
  return s;
}

Value sliceAt(Lowering &L, Value x, int64_t dim, OpFoldResult at) {
  auto type = tensorType(x);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  SliceSpec s = unitSlice(L.b, type.getShape(), dim, at);
  return tensor::ExtractSliceOp::create(
      L.b, L.loc, RankedTensorType::get(shape, type.getElementType()), x,
      s.offsets, s.sizes, s.strides);
}

Value insertAt(Lowering &L, Value slice, Value x, int64_t dim,
               OpFoldResult at) {
  SliceSpec s = unitSlice(L.b, tensorType(x).getShape(), dim, at);
  return tensor::InsertSliceOp::create(L.b, L.loc, slice, x, s.offsets, s.sizes,
                                       s.strides);
}

Value transposed(Lowering &L, Value x, ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(x.getType());
  int64_t rank = perm.size();
  // Result dimension i is input dimension perm[i].
  SmallVector<AffineExpr> in(rank);
  SmallVector<int64_t> shape;
  for (auto [i, p] : llvm::enumerate(perm)) {
    in[p] = d(i, L.ctx());
    shape.push_back(type.getDimSize(p));
  }
  auto resultType = RankedTensorType::get(shape, type.getElementType());
  return L.generic(resultType, x, L.empty(resultType),
                   {L.map(rank, in), L.identity(rank)}, L.iterators(rank, rank),
                   [](OpBuilder &, Location, ValueRange a) {
                     return SmallVector<Value>{a[0]};
                   })[0];
}

Value matmulInto(Lowering &L, Value lhs, Value rhs, bool ta, bool tb,
                 Value init) {
  // (i, j, k): init[i, j] += lhs[i, k] * rhs[k, j]. A transposed lhs only
  // swaps its map's results: the vectorized kernel reads one lhs element per
  // row of its register tile. A transposed rhs is copied into [k, j] first:
  // the kernel's vectors run along j, which would otherwise be a strided
  // gather on every step of the k loop (the backward pass's dY W^T); the
  // copy costs one pass over rhs. Inside a loop, transpose a loop-invariant
  // rhs once before it instead (the recurrences' W^T).
  MLIRContext *c = L.ctx();
  if (tb)
    rhs = transposed(L, rhs);
  auto lhsMap =
      L.map(3, ta ? ArrayRef{d(2, c), d(0, c)} : ArrayRef{d(0, c), d(2, c)});
  auto rhsMap = L.map(3, {d(2, c), d(1, c)});
  return L.generic(init.getType(), {lhs, rhs}, init,
                   {lhsMap, rhsMap, L.map(3, {d(0, c), d(1, c)})},
                   L.iterators("ppr"), multiplyAdd)[0];
}

std::pair<Value, Value> softmaxStats(Lowering &L, Value x) {
  Value max = L.reduce(
      x, {1}, {-INFINITY}, [&](OpBuilder &b, Location l, ValueRange a) {
        return SmallVector<Value>{arith::MaximumFOp::create(b, l, a[0], a[1])};
      })[0];
  Value sum = L.reduce(
      {x, max}, {1}, {0.0}, [&](OpBuilder &b, Location l, ValueRange a) {
        Value e = math::ExpOp::create(b, l, sub(b, l, a[0], a[1]));
        return SmallVector<Value>{add(b, l, a[2], e)};
      })[0];
  return {max, sum};
}

} // namespace dlc::conversion
