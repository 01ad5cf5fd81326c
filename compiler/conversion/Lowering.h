//===- Lowering.h - helpers for building linalg on tensors ---------------===//
//
// Shared by the nn -> linalg conversion patterns: the pattern base class,
// generic ops from maps and bodies, reductions, fills, row and slice views,
// and the scalar arithmetic of generic bodies.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_CONVERSION_LOWERING_H
#define DLC_COMPILER_CONVERSION_LOWERING_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/DialectConversion.h"

namespace dlc::conversion {
using namespace mlir;
using utils::IteratorType;

/// Builds linalg ops and scalar arithmetic at one location.
struct Lowering {
  OpBuilder &b;
  Location loc;

  MLIRContext *ctx() { return b.getContext(); }

  AffineMap identity(int64_t rank) {
    return AffineMap::getMultiDimIdentityMap(rank, ctx());
  }
  /// The map of an operand that lacks `dropped` dimensions of the iteration.
  AffineMap without(int64_t rank, ArrayRef<int64_t> dropped) {
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(dropped, d))
        exprs.push_back(b.getAffineDimExpr(d));
    return AffineMap::get(rank, 0, exprs, ctx());
  }

  Value cst(Type t, double v) {
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(t, v));
  }
  Value empty(RankedTensorType t) {
    return tensor::EmptyOp::create(b, loc, t.getShape(), t.getElementType());
  }
  Value filled(RankedTensorType t, double v) {
    return linalg::FillOp::create(b, loc, cst(t.getElementType(), v), empty(t))
        .getResult(0);
  }

  using Body =
      function_ref<SmallVector<Value>(OpBuilder &, Location, ValueRange)>;
  ValueRange generic(TypeRange results, ValueRange inputs, ValueRange inits,
                     ArrayRef<AffineMap> maps, ArrayRef<IteratorType> iters,
                     Body body) {
    return linalg::GenericOp::create(
               b, loc, results, inputs, inits, maps, iters,
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, body(nb, nl, args));
               })
        .getResults();
  }

  /// An elementwise generic over `type`'s shape; rank-0 inputs are broadcast.
  Value map(RankedTensorType type, ValueRange inputs, Body body) {
    int64_t rank = type.getRank();
    SmallVector<AffineMap> maps;
    for (Value in : inputs)
      maps.push_back(cast<RankedTensorType>(in.getType()).getRank() == 0
                         ? AffineMap::get(rank, 0, {}, ctx())
                         : identity(rank));
    maps.push_back(identity(rank));
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    return generic(type, inputs, empty(type), maps, iters, body)[0];
  }

  /// Reduces `inputs` (all of the first one's shape) over `axes`, into
  /// outputs initialized to `inits`, combining with `body(inputs..., accs...)`.
  ValueRange reduce(ValueRange inputs, ArrayRef<int64_t> axes,
                    ArrayRef<double> inits, Body body) {
    auto type = cast<RankedTensorType>(inputs[0].getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> outShape;
    for (int64_t d = 0; d < rank; ++d)
      if (!llvm::is_contained(axes, d))
        outShape.push_back(type.getDimSize(d));
    auto outType = RankedTensorType::get(outShape, type.getElementType());
    SmallVector<AffineMap> maps;
    for (Value in : inputs)
      maps.push_back(cast<RankedTensorType>(in.getType()).getRank() == rank
                         ? identity(rank)
                         : without(rank, axes));
    SmallVector<Value> outs;
    SmallVector<Type> outTypes;
    for (double init : inits) {
      outs.push_back(filled(outType, init));
      outTypes.push_back(outType);
      maps.push_back(without(rank, axes));
    }
    SmallVector<IteratorType> iters(rank, IteratorType::parallel);
    for (int64_t a : axes)
      iters[a] = IteratorType::reduction;
    return generic(outTypes, inputs, outs, maps, iters, body);
  }

  AffineMap map(int64_t dims, ArrayRef<AffineExpr> results) {
    return AffineMap::get(dims, 0, results, ctx());
  }
  /// `parallel` leading parallel loops, the rest reductions.
  /// One letter per loop: p(arallel) or r(eduction).
  SmallVector<IteratorType> iterators(StringRef kinds) {
    return llvm::to_vector(llvm::map_range(kinds, [](char k) {
      return k == 'p' ? IteratorType::parallel : IteratorType::reduction;
    }));
  }
  SmallVector<IteratorType> iterators(int64_t loops, int64_t parallel) {
    SmallVector<IteratorType> iters(loops, IteratorType::reduction);
    std::fill_n(iters.begin(), parallel, IteratorType::parallel);
    return iters;
  }

  SmallVector<int64_t> allAxes(int64_t rank) {
    return llvm::to_vector(llvm::seq<int64_t>(0, rank));
  }
};

// Scalar helpers used inside generic bodies.
inline Value add(OpBuilder &b, Location l, Value x, Value y) {
  return arith::AddFOp::create(b, l, x, y);
}
inline Value sub(OpBuilder &b, Location l, Value x, Value y) {
  return arith::SubFOp::create(b, l, x, y);
}
inline Value mul(OpBuilder &b, Location l, Value x, Value y) {
  return arith::MulFOp::create(b, l, x, y);
}
inline Value div(OpBuilder &b, Location l, Value x, Value y) {
  return arith::DivFOp::create(b, l, x, y);
}
inline Value fconst(OpBuilder &b, Location l, Type t, double v) {
  return arith::ConstantOp::create(b, l, b.getFloatAttr(t, v));
}
inline Value sigmoid(OpBuilder &b, Location l, Value x) {
  Type t = x.getType();
  Value e = math::ExpOp::create(b, l, arith::NegFOp::create(b, l, x));
  return div(b, l, fconst(b, l, t, 1.0), add(b, l, fconst(b, l, t, 1.0), e));
}
inline Value tanhOf(OpBuilder &b, Location l, Value x) {
  return math::TanhOp::create(b, l, x);
}
/// 1.0 where the column index `dim` equals the integer label, else 0.0.
inline Value isLabel(OpBuilder &b, Location l, Value label, unsigned dim,
                     Type t) {
  Value col = linalg::IndexOp::create(b, l, dim);
  Value id = arith::IndexCastOp::create(b, l, b.getIndexType(), label);
  Value eq = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, col, id);
  return arith::SelectOp::create(b, l, eq, fconst(b, l, t, 1.0),
                                 fconst(b, l, t, 0.0));
}

inline AffineExpr d(unsigned i, MLIRContext *ctx) {
  return getAffineDimExpr(i, ctx);
}

inline SmallVector<Value> multiplyAdd(OpBuilder &b, Location l, ValueRange a) {
  return {add(b, l, a[2], mul(b, l, a[0], a[1]))};
}

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

inline double numElements(Value v) { return tensorType(v).getNumElements(); }

//===----------------------------------------------------------------------===//
// Views and building blocks shared by several op families (Lowering.cpp)
//===----------------------------------------------------------------------===//

/// The reassociation that collapses all `rank` dimensions into one.
SmallVector<ReassociationIndices> allDims(int64_t rank);
/// A tensor of any rank as a vector (row-major).
Value flatten(Lowering &L, Value x);

/// Row-wise ops work on the last axis of any rank: [..., D] as [N, D] rows
/// (a vector is one row), and back.
SmallVector<ReassociationIndices> rowGroups(int64_t rank);
Value asRows(Lowering &L, Value x);
Value fromRows(Lowering &L, Value rows, RankedTensorType type);

/// Offsets, sizes and strides of a tensor slice.
struct SliceSpec {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};
/// The unit-size slice at position `at` (static or dynamic) of `dim`, whole
/// along every other dimension.
SliceSpec unitSlice(OpBuilder &b, ArrayRef<int64_t> shape, int64_t dim,
                    OpFoldResult at);
/// x[..., at, ...] along `dim`, without that dimension.
Value sliceAt(Lowering &L, Value x, int64_t dim, OpFoldResult at);
/// `x` with `slice` written at position `at` of `dim`.
Value insertAt(Lowering &L, Value slice, Value x, int64_t dim, OpFoldResult at);

/// init += op(lhs) op(rhs) over 2-D operands, `ta`/`tb` transposing them.
Value matmulInto(Lowering &L, Value lhs, Value rhs, bool ta, bool tb,
                 Value init);

/// A copy of `x` with its dimensions permuted: result dimension i is
/// dimension perm[i] of `x` (by default, the transpose of a matrix).
Value transposed(Lowering &L, Value x, ArrayRef<int64_t> perm = {1, 0});

/// Row-wise max and sum(exp(x - max)) of a rank-2 tensor [N, C].
std::pair<Value, Value> softmaxStats(Lowering &L, Value x);

//===----------------------------------------------------------------------===//
// Conversion patterns
//===----------------------------------------------------------------------===//

/// A conversion pattern that replaces an nn op by the values `lower` builds
/// from the adaptor's (converted) operands. Every nn op has exactly one
/// lowering, which cannot fail once it matched: the op verifier has checked
/// the shapes it relies on.
template <typename OpTy> struct OpLowering : OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;
  using Adaptor = typename OpTy::Adaptor;

  virtual SmallVector<Value> lower(OpTy op, Adaptor operands,
                                   Lowering &L) const = 0;

  LogicalResult
  matchAndRewrite(OpTy op, Adaptor operands,
                  ConversionPatternRewriter &rewriter) const final {
    Lowering L{rewriter, op.getLoc()};
    rewriter.replaceOp(op, lower(op, operands, L));
    return success();
  }
};

} // namespace dlc::conversion

#endif // DLC_COMPILER_CONVERSION_LOWERING_H
