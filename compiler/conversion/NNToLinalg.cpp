//===- NNToLinalg.cpp - nn ops to linalg.generic on tensors ---------------===//
//
// Every nn op becomes one or a few linalg.generic ops, so that elementwise
// fusion, tiling and vectorization see a uniform representation. Reductions
// (softmax, losses) get explicit reduction generics.
//
//===----------------------------------------------------------------------===//
#include "compiler/Passes.h"

#include "compiler/conversion/Lowering.h"
#include "llvm/ADT/TypeSwitch.h"

namespace dlc {
#define GEN_PASS_DEF_CONVERTNNTOLINALG
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::conversion;
using utils::IteratorType;

namespace {

/// Row-wise max and sum(exp(x - max)) of a rank-2 tensor [N, C].
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

/// Softmax works on the last axis of any rank: as [rows, last] (a vector is
/// one row), and back.
SmallVector<ReassociationIndices> rowGroups(int64_t rank) {
  if (rank == 1)
    return {{0, 1}};
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t d = 0; d + 1 < rank; ++d)
    groups[0].push_back(d);
  groups[1].push_back(rank - 1);
  return groups;
}
Value collapseToRows(Lowering &L, Value x) {
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
Value restoreShape(Lowering &L, Value rows, RankedTensorType type) {
  if (rows.getType() == type)
    return rows;
  if (type.getRank() == 1)
    return tensor::CollapseShapeOp::create(L.b, L.loc, type, rows,
                                           rowGroups(1));
  return tensor::ExpandShapeOp::create(L.b, L.loc, type, rows,
                                       rowGroups(type.getRank()));
}

/// [N, C, H, W] with `p` zeros around each image. A generic writing through
/// a shifted output map rather than tensor.insert_slice: the latter becomes a
/// strided memref.copy, a call into MLIR's C runner library.
Value padSpatial(Lowering &L, Value x, int64_t p) {
  if (p == 0)
    return x;
  auto type = tensorType(x);
  auto padded = RankedTensorType::get({type.getDimSize(0), type.getDimSize(1),
                                       type.getDimSize(2) + 2 * p,
                                       type.getDimSize(3) + 2 * p},
                                      type.getElementType());
  MLIRContext *c = L.ctx();
  // The body adds the (zero) initial value: it must read its output, or
  // canonicalization, which assumes every output element is written, drops
  // the zero fill of the border.
  return L.generic(
      padded, x, L.filled(padded, 0.0),
      {L.identity(4), L.map(4, {d(0, c), d(1, c), d(2, c) + p, d(3, c) + p})},
      L.iterators(4, 4), [](OpBuilder &b, Location l, ValueRange a) {
        return SmallVector<Value>{add(b, l, a[1], a[0])};
      })[0];
}

/// The inner [N, C, H, W] of a tensor padded by `p`.
Value cropSpatial(Lowering &L, Value x, RankedTensorType type, int64_t p) {
  if (p == 0)
    return x;
  MLIRContext *c = L.ctx();
  return L.generic(
      type, x, L.empty(type),
      {L.map(4, {d(0, c), d(1, c), d(2, c) + p, d(3, c) + p}), L.identity(4)},
      L.iterators(4, 4), [](OpBuilder &, Location, ValueRange a) {
        return SmallVector<Value>{a[0]};
      })[0];
}

/// A tensor of any rank as a vector (row-major).
Value flatten(Lowering &L, Value x) {
  auto type = tensorType(x);
  if (type.getRank() == 1)
    return x;
  return tensor::CollapseShapeOp::create(
      L.b, L.loc, x,
      SmallVector<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, type.getRank()))});
}

/// (n, c, oh, ow, kh, kw) -> the input element under window offset (kh, kw).
AffineMap windowMap(Lowering &L, int64_t s) {
  MLIRContext *c = L.ctx();
  return L.map(
      6, {d(0, c), d(1, c), d(2, c) * s + d(4, c), d(3, c) * s + d(5, c)});
}

FailureOr<SmallVector<Value>> lowerOp(Operation *op, OpBuilder &b) {
  Lowering L{b, op->getLoc()};
  auto d = [&](unsigned i) { return b.getAffineDimExpr(i); };
  using V = SmallVector<Value>;
  auto elementwise = [&](Value like, ValueRange inputs, Lowering::Body body) {
    return V{L.map(tensorType(like), inputs, body)};
  };
  return llvm::TypeSwitch<Operation *, FailureOr<V>>(op)
      .Case([&](MatmulOp m) -> FailureOr<V> {
        // (i, j, k): out[i, j] += lhs[i, k] * rhs[k, j], operands transposed
        // by swapping their map's results.
        auto lhsMap = AffineMap::get(3, 0,
                                     m.getTransposeLhs() ? ArrayRef{d(2), d(0)}
                                                         : ArrayRef{d(0), d(2)},
                                     L.ctx());
        auto rhsMap = AffineMap::get(3, 0,
                                     m.getTransposeRhs() ? ArrayRef{d(1), d(2)}
                                                         : ArrayRef{d(2), d(1)},
                                     L.ctx());
        auto outMap = AffineMap::get(3, 0, {d(0), d(1)}, L.ctx());
        auto type = m.getType();
        return V{L.generic(type, {m.getLhs(), m.getRhs()}, L.filled(type, 0.0),
                           {lhsMap, rhsMap, outMap},
                           {IteratorType::parallel, IteratorType::parallel,
                            IteratorType::reduction},
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return V{add(b, l, a[2], mul(b, l, a[0], a[1]))};
                           })[0]};
      })
      .Case([&](BiasAddOp o) -> FailureOr<V> {
        auto type = o.getType();
        int64_t rank = type.getRank();
        auto biasMap =
            AffineMap::get(rank, 0, b.getAffineDimExpr(o.getBiasDim()));
        return V{
            L.generic(type, {o.getInput(), o.getBias()}, L.empty(type),
                      {L.identity(rank), biasMap, L.identity(rank)},
                      SmallVector<IteratorType>(rank, IteratorType::parallel),
                      [](OpBuilder &b, Location l, ValueRange a) {
                        return V{add(b, l, a[0], a[1])};
                      })[0]};
      })
      .Case([&](ReduceSumOp o) -> FailureOr<V> {
        return V{L.reduce(o.getInput(), o.getAxes(), {0.0},
                          [](OpBuilder &b, Location l, ValueRange a) {
                            return V{add(b, l, a[0], a[1])};
                          })[0]};
      })
      .Case([&](BroadcastOp o) -> FailureOr<V> {
        auto type = o.getType();
        int64_t rank = type.getRank();
        return V{L.generic(
            type, o.getInput(), L.empty(type),
            {L.without(rank, o.getAxes()), L.identity(rank)},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0]};
      })
      .Case([&](ReshapeOp o) -> FailureOr<V> {
        // Through one dimension: collapse everything, expand to the target.
        Value flat = o.getInput();
        auto in = o.getInput().getType();
        auto out = o.getType();
        auto all = [](int64_t rank) {
          return SmallVector<ReassociationIndices>{
              llvm::to_vector(llvm::seq<int64_t>(0, rank))};
        };
        if (in.getRank() != 1)
          flat = tensor::CollapseShapeOp::create(b, L.loc, flat,
                                                 all(in.getRank()));
        if (out.getRank() == 1)
          return V{flat};
        return V{tensor::ExpandShapeOp::create(b, L.loc, out, flat,
                                               all(out.getRank()))};
      })
      .Case([&](Conv2DOp o) -> FailureOr<V> {
        int64_t s = o.getStride();
        Value x = padSpatial(L, o.getInput(), o.getPadding());
        // Loops (n, f, c, kh, kw, oh, ow): the innermost runs along an
        // output row, contiguous in the output and (stride 1) the input, so
        // the loop vectorizer can use it.
        auto type = o.getType();
        return V{
            L.generic(type, {x, o.getFilter()}, L.filled(type, 0.0),
                      {L.map(7, {d(0), d(2), d(5) * s + d(3), d(6) * s + d(4)}),
                       L.map(7, {d(1), d(2), d(3), d(4)}),
                       L.map(7, {d(0), d(1), d(5), d(6)})},
                      L.iterators("pprrrpp"), multiplyAdd)[0]};
      })
      .Case([&](Conv2DFilterGradOp o) -> FailureOr<V> {
        int64_t s = o.getStride();
        Value x = padSpatial(L, o.getInput(), o.getPadding());
        // (f, c, kh, kw, n, oh, ow): dw = sum g[n, f, oh, ow] * x[n, c, ...]
        auto type = o.getType();
        return V{
            L.generic(type, {o.getGrad(), x}, L.filled(type, 0.0),
                      {L.map(7, {d(4), d(0), d(5), d(6)}),
                       L.map(7, {d(4), d(1), d(5) * s + d(2), d(6) * s + d(3)}),
                       L.map(7, {d(0), d(1), d(2), d(3)})},
                      L.iterators(7, 4), multiplyAdd)[0]};
      })
      .Case([&](Conv2DInputGradOp o) -> FailureOr<V> {
        // Scatter every output gradient back through the window it came
        // from, into the padded input; then drop the padding. The loops run
        // in order, so overlapping windows accumulate.
        int64_t s = o.getStride(), p = o.getPadding();
        auto type = o.getType();
        auto padded = RankedTensorType::get(
            {type.getDimSize(0), type.getDimSize(1), type.getDimSize(2) + 2 * p,
             type.getDimSize(3) + 2 * p},
            type.getElementType());
        // Loops (n, f, c, kh, kw, oh, ow), innermost along a gradient row.
        Value dx = L.generic(
            padded, {o.getGrad(), o.getFilter()}, L.filled(padded, 0.0),
            {L.map(7, {d(0), d(1), d(5), d(6)}),
             L.map(7, {d(1), d(2), d(3), d(4)}),
             L.map(7, {d(0), d(2), d(5) * s + d(3), d(6) * s + d(4)})},
            L.iterators("prprrrr"), multiplyAdd)[0];
        return V{cropSpatial(L, dx, type, p)};
      })
      .Case([&](MaxPool2DOp o) -> FailureOr<V> {
        int64_t k = o.getKernel(), s = o.getStride();
        auto type = o.getType();
        Value window =
            L.empty(RankedTensorType::get({k, k}, type.getElementType()));
        // (n, c, oh, ow, kh, kw)
        return V{L.generic(
            type, {o.getInput(), window}, L.filled(type, -INFINITY),
            {windowMap(L, s), L.map(6, {d(4), d(5)}),
             L.map(6, {d(0), d(1), d(2), d(3)})},
            L.iterators(6, 4), [](OpBuilder &b, Location l, ValueRange a) {
              return V{arith::MaximumFOp::create(b, l, a[0], a[2])};
            })[0]};
      })
      .Case([&](AvgPool2DOp o) -> FailureOr<V> {
        int64_t k = o.getKernel(), s = o.getStride();
        auto type = o.getType();
        Type t = type.getElementType();
        Value window = L.empty(RankedTensorType::get({k, k}, t));
        double inv = 1.0 / (k * k);
        return V{L.generic(
            type, {o.getInput(), window}, L.filled(type, 0.0),
            {windowMap(L, s), L.map(6, {d(4), d(5)}),
             L.map(6, {d(0), d(1), d(2), d(3)})},
            L.iterators(6, 4), [&](OpBuilder &b, Location l, ValueRange a) {
              return V{add(b, l, a[2], mul(b, l, a[0], fconst(b, l, t, inv)))};
            })[0]};
      })
      .Case([&](AvgPool2DGradOp o) -> FailureOr<V> {
        int64_t k = o.getKernel(), s = o.getStride();
        auto type = o.getType();
        Type t = type.getElementType();
        Value window = L.empty(RankedTensorType::get({k, k}, t));
        double inv = 1.0 / (k * k);
        return V{L.generic(
            type, {o.getGrad(), window}, L.filled(type, 0.0),
            {L.map(6, {d(0), d(1), d(2), d(3)}), L.map(6, {d(4), d(5)}),
             windowMap(L, s)},
            L.iterators(6, 2), [&](OpBuilder &b, Location l, ValueRange a) {
              return V{add(b, l, a[2], mul(b, l, a[0], fconst(b, l, t, inv)))};
            })[0]};
      })
      .Case([&](MaxPool2DGradOp o) -> FailureOr<V> {
        // The first maximum of each window (row-major), as its offset
        // kh * K + kw; then each window's gradient goes to that element only.
        int64_t k = o.getKernel(), s = o.getStride();
        auto inType = o.getInput().getType();
        auto outType = cast<RankedTensorType>(o.getGrad().getType());
        Type t = inType.getElementType();
        auto indexType =
            RankedTensorType::get(outType.getShape(), b.getI32Type());
        Value window = L.empty(RankedTensorType::get({k, k}, t));
        Value indexInit =
            linalg::FillOp::create(
                b, L.loc,
                arith::ConstantOp::create(b, L.loc, b.getI32IntegerAttr(-1))
                    .getResult(),
                L.empty(indexType))
                .getResult(0);
        auto outMap = L.map(6, {d(0), d(1), d(2), d(3)});
        auto offset = [k](OpBuilder &b, Location l) {
          Value kh = linalg::IndexOp::create(b, l, 4);
          Value kw = linalg::IndexOp::create(b, l, 5);
          Value flat = arith::AddIOp::create(
              b, l,
              arith::MulIOp::create(b, l, kh,
                                    arith::ConstantIndexOp::create(b, l, k)),
              kw);
          return arith::IndexCastOp::create(b, l, b.getI32Type(), flat);
        };
        Value argmax = L.generic(
            {outType, indexType}, {o.getInput(), window},
            {L.filled(outType, -INFINITY), indexInit},
            {windowMap(L, s), L.map(6, {d(4), d(5)}), outMap, outMap},
            L.iterators(6, 4), [&](OpBuilder &b, Location l, ValueRange a) {
              Value better = arith::CmpFOp::create(
                  b, l, arith::CmpFPredicate::OGT, a[0], a[2]);
              return V{
                  arith::SelectOp::create(b, l, better, a[0], a[2]),
                  arith::SelectOp::create(b, l, better, offset(b, l), a[3])};
            })[1];
        return V{L.generic(
            inType, {o.getGrad(), argmax, window}, L.filled(inType, 0.0),
            {outMap, outMap, L.map(6, {d(4), d(5)}), windowMap(L, s)},
            L.iterators(6, 2), [&](OpBuilder &b, Location l, ValueRange a) {
              Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                                offset(b, l), a[1]);
              Value g = arith::SelectOp::create(b, l, hit, a[0],
                                                fconst(b, l, t, 0.0));
              return V{add(b, l, a[3], g)};
            })[0]};
      })
      .Case([&](AddOp o) {
        return elementwise(o, {o.getLhs(), o.getRhs()},
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return V{add(b, l, a[0], a[1])};
                           });
      })
      .Case([&](SubOp o) {
        return elementwise(o, {o.getLhs(), o.getRhs()},
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return V{sub(b, l, a[0], a[1])};
                           });
      })
      .Case([&](MulOp o) {
        return elementwise(o, {o.getLhs(), o.getRhs()},
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return V{mul(b, l, a[0], a[1])};
                           });
      })
      .Case([&](ScaleOp o) {
        double f = o.getFactor().convertToDouble();
        return elementwise(
            o, o.getInput(), [f](OpBuilder &b, Location l, ValueRange a) {
              return V{mul(b, l, a[0], fconst(b, l, a[0].getType(), f))};
            });
      })
      .Case([&](ReluOp o) {
        return elementwise(
            o, o.getInput(), [](OpBuilder &b, Location l, ValueRange a) {
              return V{arith::MaximumFOp::create(
                  b, l, a[0], fconst(b, l, a[0].getType(), 0.0))};
            });
      })
      .Case([&](SigmoidOp o) {
        return elementwise(o, o.getInput(),
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return V{sigmoid(b, l, a[0])};
                           });
      })
      .Case([&](TanhOp o) {
        return elementwise(o, o.getInput(),
                           [](OpBuilder &b, Location l, ValueRange a) {
                             return V{math::TanhOp::create(b, l, a[0])};
                           });
      })
      .Case([&](ReluGradOp o) {
        return elementwise(
            o, {o.getGrad(), o.getValue()},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value zero = fconst(b, l, a[0].getType(), 0.0);
              Value pos = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                                a[1], zero);
              return V{arith::SelectOp::create(b, l, pos, a[0], zero)};
            });
      })
      .Case([&](SigmoidGradOp o) {
        return elementwise(
            o, {o.getGrad(), o.getValue()},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value one = fconst(b, l, a[0].getType(), 1.0);
              return V{mul(b, l, a[0], mul(b, l, a[1], sub(b, l, one, a[1])))};
            });
      })
      .Case([&](TanhGradOp o) {
        return elementwise(
            o, {o.getGrad(), o.getValue()},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value one = fconst(b, l, a[0].getType(), 1.0);
              return V{mul(b, l, a[0], sub(b, l, one, mul(b, l, a[1], a[1])))};
            });
      })
      .Case([&](SoftmaxOp o) {
        Value rows = collapseToRows(L, o.getInput());
        auto [max, sum] = softmaxStats(L, rows);
        Value y = L.generic(
            rows.getType(), {rows, max, sum}, L.empty(tensorType(rows)),
            {L.identity(2), L.without(2, {1}), L.without(2, {1}),
             L.identity(2)},
            {IteratorType::parallel, IteratorType::parallel},
            [](OpBuilder &b, Location l, ValueRange a) {
              Value e = math::ExpOp::create(b, l, sub(b, l, a[0], a[1]));
              return V{div(b, l, e, a[2])};
            })[0];
        return V{restoreShape(L, y, o.getType())};
      })
      .Case([&](SoftmaxGradOp o) {
        // dx = y * (g - sum(g * y)) along the last axis.
        Value g = collapseToRows(L, o.getGrad());
        Value y = collapseToRows(L, o.getValue());
        Value dot = L.reduce({g, y}, {1}, {0.0},
                             [](OpBuilder &b, Location l, ValueRange a) {
                               return V{add(b, l, a[2], mul(b, l, a[0], a[1]))};
                             })[0];
        Value dx = L.generic(
            g.getType(), {g, y, dot}, L.empty(tensorType(g)),
            {L.identity(2), L.identity(2), L.without(2, {1}), L.identity(2)},
            {IteratorType::parallel, IteratorType::parallel},
            [](OpBuilder &b, Location l, ValueRange a) {
              return V{mul(b, l, a[1], sub(b, l, a[0], a[2]))};
            })[0];
        return V{restoreShape(L, dx, o.getType())};
      })
      .Case([&](OneHotOp o) {
        auto type = o.getType();
        int64_t rank = type.getRank();
        return V{L.generic(
            type, o.getLabels(), L.empty(type),
            {L.without(rank, {rank - 1}), L.identity(rank)},
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              return V{isLabel(b, l, a[0], rank - 1, type.getElementType())};
            })[0]};
      })
      .Case([&](CrossEntropyOp o) {
        // mean over rows of log(sum(exp(x - max))) + max - x[label].
        Value x = collapseToRows(L, o.getLogits());
        Value labels = flatten(L, o.getLabels());
        Type t = tensorType(x).getElementType();
        auto [max, sum] = softmaxStats(L, x);
        Value picked =
            L.reduce({x, labels}, {1}, {0.0},
                     [&](OpBuilder &b, Location l, ValueRange a) {
                       Value hit = isLabel(b, l, a[1], 1, t);
                       return V{add(b, l, a[2], mul(b, l, hit, a[0]))};
                     })[0];
        double invN = 1.0 / tensorType(x).getDimSize(0);
        return V{L.reduce(
            {max, sum, picked}, {0}, {0.0},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value lse = add(b, l, math::LogOp::create(b, l, a[1]), a[0]);
              Value row = sub(b, l, lse, a[2]);
              return V{add(b, l, a[3], mul(b, l, row, fconst(b, l, t, invN)))};
            })[0]};
      })
      .Case([&](CrossEntropyGradOp o) {
        Value x = collapseToRows(L, o.getLogits());
        Value labels = flatten(L, o.getLabels());
        Type t = tensorType(x).getElementType();
        auto [max, sum] = softmaxStats(L, x);
        double invN = 1.0 / tensorType(x).getDimSize(0);
        Value dx = L.generic(
            x.getType(), {x, max, sum, labels, o.getGrad()},
            L.empty(tensorType(x)),
            {L.identity(2), L.without(2, {1}), L.without(2, {1}),
             L.without(2, {1}), AffineMap::get(2, 0, {}, L.ctx()),
             L.identity(2)},
            {IteratorType::parallel, IteratorType::parallel},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value p = div(
                  b, l, math::ExpOp::create(b, l, sub(b, l, a[0], a[1])), a[2]);
              Value d = sub(b, l, p, isLabel(b, l, a[3], 1, t));
              return V{mul(b, l, d, mul(b, l, a[4], fconst(b, l, t, invN)))};
            })[0];
        return V{restoreShape(L, dx, o.getType())};
      })
      .Case([&](MseOp o) {
        Type t = tensorType(o.getInput()).getElementType();
        double invN = 1.0 / numElements(o.getInput());
        int64_t rank = tensorType(o.getInput()).getRank();
        return V{L.reduce(
            {o.getInput(), o.getTarget()}, L.allAxes(rank), {0.0},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value d = sub(b, l, a[0], a[1]);
              return V{add(b, l, a[2],
                           mul(b, l, mul(b, l, d, d), fconst(b, l, t, invN)))};
            })[0]};
      })
      .Case([&](MseGradOp o) {
        Type t = tensorType(o.getInput()).getElementType();
        double scale = 2.0 / numElements(o.getInput());
        return elementwise(
            o, {o.getInput(), o.getTarget(), o.getGrad()},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value d = sub(b, l, a[0], a[1]);
              return V{mul(b, l, d, mul(b, l, a[2], fconst(b, l, t, scale)))};
            });
      })
      .Case([&](BceLogitsOp o) {
        // max(x, 0) - x * t + log(1 + exp(-|x|)): stable for any x.
        Type t = tensorType(o.getInput()).getElementType();
        double invN = 1.0 / numElements(o.getInput());
        int64_t rank = tensorType(o.getInput()).getRank();
        return V{L.reduce(
            {o.getInput(), o.getTarget()}, L.allAxes(rank), {0.0},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value x = a[0];
              Value relu =
                  arith::MaximumFOp::create(b, l, x, fconst(b, l, t, 0.0));
              Value negAbs =
                  arith::NegFOp::create(b, l, math::AbsFOp::create(b, l, x));
              Value soft = math::Log1pOp::create(
                  b, l, math::ExpOp::create(b, l, negAbs));
              Value v = add(b, l, sub(b, l, relu, mul(b, l, x, a[1])), soft);
              return V{add(b, l, a[2], mul(b, l, v, fconst(b, l, t, invN)))};
            })[0]};
      })
      .Case([&](BceLogitsGradOp o) {
        Type t = tensorType(o.getInput()).getElementType();
        double invN = 1.0 / numElements(o.getInput());
        return elementwise(
            o, {o.getInput(), o.getTarget(), o.getGrad()},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value d = sub(b, l, sigmoid(b, l, a[0]), a[1]);
              return V{mul(b, l, d, mul(b, l, a[2], fconst(b, l, t, invN)))};
            });
      })
      .Case([&](SgdUpdateOp o) {
        Type t = tensorType(o.getParam()).getElementType();
        double lr = o.getLr().convertToDouble();
        double wd = o.getWeightDecay().convertToDouble();
        return elementwise(
            o, {o.getParam(), o.getGrad()},
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value g = a[1];
              if (wd != 0.0)
                g = add(b, l, g, mul(b, l, a[0], fconst(b, l, t, wd)));
              return V{sub(b, l, a[0], mul(b, l, g, fconst(b, l, t, lr)))};
            });
      })
      .Case([&](MomentumUpdateOp o) {
        auto type = o.getParam().getType();
        Type t = type.getElementType();
        double lr = o.getLr().convertToDouble();
        double mu = o.getMomentum().convertToDouble();
        double wd = o.getWeightDecay().convertToDouble();
        int64_t rank = type.getRank();
        return V(L.generic(
            {type, type}, {o.getParam(), o.getGrad(), o.getVelocity()},
            {L.empty(type), L.empty(type)},
            SmallVector<AffineMap>(5, L.identity(rank)),
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              Value g = a[1];
              if (wd != 0.0)
                g = add(b, l, g, mul(b, l, a[0], fconst(b, l, t, wd)));
              Value v = add(b, l, mul(b, l, a[2], fconst(b, l, t, mu)), g);
              Value p = sub(b, l, a[0], mul(b, l, v, fconst(b, l, t, lr)));
              return V{p, v};
            }));
      })
      .Case([&](AdamUpdateOp o) {
        auto type = o.getParam().getType();
        Type t = type.getElementType();
        double b1 = o.getBeta1().convertToDouble();
        double b2 = o.getBeta2().convertToDouble();
        double wd = o.getWeightDecay().convertToDouble();
        // Bias corrections depend on the step only: computed once, outside
        // the elementwise kernel, and captured by its body.
        Value step = tensor::ExtractOp::create(b, L.loc, o.getStep(), {});
        auto pow = [&](double base) {
          return math::PowFOp::create(b, L.loc, fconst(b, L.loc, t, base),
                                      step);
        };
        Value one = fconst(b, L.loc, t, 1.0);
        Value c1 =
            div(b, L.loc, fconst(b, L.loc, t, o.getLr().convertToDouble()),
                sub(b, L.loc, one, pow(b1)));
        Value c2 = div(b, L.loc, one, sub(b, L.loc, one, pow(b2)));
        int64_t rank = type.getRank();
        return V(L.generic(
            {type, type, type}, {o.getParam(), o.getGrad(), o.getM(), o.getV()},
            {L.empty(type), L.empty(type), L.empty(type)},
            SmallVector<AffineMap>(7, L.identity(rank)),
            SmallVector<IteratorType>(rank, IteratorType::parallel),
            [&](OpBuilder &b, Location l, ValueRange a) {
              auto c = [&](double v) { return fconst(b, l, t, v); };
              Value g = a[1];
              if (wd != 0.0)
                g = add(b, l, g, mul(b, l, a[0], c(wd)));
              Value m =
                  add(b, l, mul(b, l, a[2], c(b1)), mul(b, l, g, c(1 - b1)));
              Value v = add(b, l, mul(b, l, a[3], c(b2)),
                            mul(b, l, mul(b, l, g, g), c(1 - b2)));
              Value denom =
                  add(b, l, math::SqrtOp::create(b, l, mul(b, l, v, c2)),
                      c(o.getEps().convertToDouble()));
              Value p = sub(b, l, a[0], div(b, l, mul(b, l, m, c1), denom));
              return V{p, m, v};
            }));
      })
      .Default([&](Operation *op) { return lowerSequenceOp(op, b); });
}

struct ConvertNNToLinalgPass
    : dlc::impl::ConvertNNToLinalgBase<ConvertNNToLinalgPass> {
  void runOnOperation() override {
    // One walk in program order: every nn op has exactly one lowering, and a
    // failure is a diagnostic, not a pattern to retry.
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<NNDialect>(op->getDialect()))
        ops.push_back(op);
    });
    IRRewriter rewriter(&getContext());
    for (Operation *op : ops) {
      rewriter.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> results = lowerOp(op, rewriter);
      if (failed(results))
        return signalPassFailure();
      rewriter.replaceOp(op, *results);
    }
  }
};
} // namespace
