//===- ConvolutionLowering.cpp - convolution and pooling to linalg --------===//
//
// conv2d and its two gradients through im2col columns and contractions in
// (batch, M, N, K) loop order, which the targets tile and vectorize; pooling
// and its gradients as 6-loop generics (n, c, oh, ow, kh, kw) that read the
// window through an unused [K, K] operand, padding as shifted output maps.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/Lowering.h"
#include "compiler/conversion/NNToLinalg.h"
#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::conversion;
using V = SmallVector<Value>;

namespace {

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
        return V{add(b, l, a[1], a[0])};
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
      L.iterators(4, 4),
      [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
}

/// (n, c, oh, ow, kh, kw) -> the input element under window offset (kh, kw).
AffineMap windowMap(Lowering &L, int64_t s) {
  MLIRContext *c = L.ctx();
  return L.map(
      6, {d(0, c), d(1, c), d(2, c) * s + d(4, c), d(3, c) * s + d(5, c)});
}

/// (n, c, oh, ow, kh, kw) -> the window offset (kh, kw).
AffineMap offsetMap(Lowering &L) {
  MLIRContext *c = L.ctx();
  return L.map(6, {d(4, c), d(5, c)});
}

/// (n, c, oh, ow, kh, kw) -> the pooled element (n, c, oh, ow).
AffineMap pooledMap(Lowering &L) {
  MLIRContext *c = L.ctx();
  return L.map(6, {d(0, c), d(1, c), d(2, c), d(3, c)});
}

/// The [K, K] operand that gives the window loops their size.
Value window(Lowering &L, int64_t k, Type t) {
  return L.empty(RankedTensorType::get({k, k}, t));
}

/// The windows of a padded input x [N, C, Hp, Wp] as columns (im2col), in
/// one of two layouts:
///   kMajor: [N, C*K*K, OH*OW], cols[n, (c, kh, kw), (oh, ow)]
///   rows:   [N*OH*OW, C*K*K],  cols[(n, oh, ow), (c, kh, kw)]
/// both = x[n, c, oh*s + kh, ow*s + kw]. Convolutions then become
/// contractions with their loops in (batch, M, N, K) order, which
/// dlc-tile-contractions tiles and vectorizes; the vectorized N dimension is
/// contiguous in the column layout each contraction reads.
Value columns(Lowering &L, Value x, int64_t kh, int64_t kw, int64_t s,
              int64_t oh, int64_t ow, bool rows) {
  auto in = tensorType(x);
  int64_t n = in.getDimSize(0), ch = in.getDimSize(1);
  Type t = in.getElementType();
  MLIRContext *c = L.ctx();
  // Each layout is written along its rows, the innermost loops running over
  // its last dimension: loops (n, c, kh, kw, oh, ow) for kMajor, (n, oh, ow,
  // c, kh, kw) for rows. The unused [KH, KW] and [OH, OW] operands give the
  // window and position loops their sizes. The columns are written through
  // flattened indices, so no reshape sits between them and the contraction
  // that reads them.
  auto [dn, dc, dkh, dkw, doh, dow] =
      rows ? std::array<unsigned, 6>{0, 3, 4, 5, 1, 2}
           : std::array<unsigned, 6>{0, 1, 2, 3, 4, 5};
  AffineExpr k = d(dc, c) * (kh * kw) + d(dkh, c) * kw + d(dkw, c);
  AffineExpr p = d(doh, c) * ow + d(dow, c);
  AffineMap window = L.map(6, {d(dn, c), d(dc, c), d(doh, c) * s + d(dkh, c),
                               d(dow, c) * s + d(dkw, c)});
  AffineMap out = rows ? L.map(6, {d(dn, c) * (oh * ow) + p, k})
                       : L.map(6, {d(dn, c), k, p});
  auto type =
      RankedTensorType::get(rows ? ArrayRef<int64_t>{n * oh * ow, ch * kh * kw}
                                 : ArrayRef<int64_t>{n, ch * kh * kw, oh * ow},
                            t);
  Value kernelSizes = L.empty(RankedTensorType::get({kh, kw}, t));
  Value positions = L.empty(RankedTensorType::get({oh, ow}, t));
  AffineMap kernelMap = L.map(6, {d(dkh, c), d(dkw, c)});
  AffineMap positionMap = L.map(6, {d(doh, c), d(dow, c)});
  return L.generic(
      type, {x, kernelSizes, positions}, L.empty(type),
      {window, kernelMap, positionMap, out}, L.iterators(6, 6),
      [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
}

/// [N, F, OH, OW] as [N, F, OH*OW] and back.
Value collapseSpatial(Lowering &L, Value x) {
  return tensor::CollapseShapeOp::create(
      L.b, L.loc, x, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
}
Value expandSpatial(Lowering &L, Value x, RankedTensorType type) {
  return tensor::ExpandShapeOp::create(
      L.b, L.loc, type, x, SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
}

/// A filter [F, C, K, K] as [F, C*K*K], and back.
SmallVector<ReassociationIndices> filterGroups() { return {{0}, {1, 2, 3}}; }

/// Images per chunk of a convolution over a batch: the largest divisor of
/// the batch whose im2col columns (`bytesPerImage` each) fit in 256 KB, so
/// that they stay in the core's cache between being written and being read
/// by the contraction (a batch of 256 LeNet images has 15 MB of columns).
int64_t imagesPerChunk(int64_t batch, int64_t bytesPerImage) {
  constexpr int64_t kChunkBytes = 256 * 1024;
  if (bytesPerImage <= 0)
    return batch;
  for (int64_t chunk = std::max<int64_t>(1, kChunkBytes / bytesPerImage);
       chunk > 1; --chunk)
    if (chunk <= batch && batch % chunk == 0)
      return chunk;
  return 1;
}

/// The slice [i, i + size) of a tensor of `type` along its first (batch)
/// dimension, to extract it or to insert a part there.
SliceSpec batchSlice(OpBuilder &b, RankedTensorType type, Value i,
                     int64_t size) {
  SliceSpec s;
  s.offsets.assign(type.getRank(), b.getIndexAttr(0));
  s.strides.assign(type.getRank(), b.getIndexAttr(1));
  for (int64_t dim : type.getShape())
    s.sizes.push_back(b.getIndexAttr(dim));
  s.offsets[0] = i;
  s.sizes[0] = b.getIndexAttr(size);
  return s;
}
Value extractBatch(Lowering &L, Value x, Value i, int64_t size) {
  SliceSpec s = batchSlice(L.b, tensorType(x), i, size);
  return tensor::ExtractSliceOp::create(L.b, L.loc, x, s.offsets, s.sizes,
                                        s.strides);
}
Value insertBatch(Lowering &L, Value part, Value x, Value i) {
  SliceSpec s =
      batchSlice(L.b, tensorType(x), i, tensorType(part).getDimSize(0));
  return tensor::InsertSliceOp::create(L.b, L.loc, part, x, s.offsets, s.sizes,
                                       s.strides);
}

/// for i in [0, batch) step chunk: body(i, iterArgs) -> new iterArgs.
Value chunkLoop(Lowering &L, int64_t batch, int64_t chunk, Value init,
                function_ref<Value(Value, Value)> body) {
  OpBuilder &b = L.b;
  auto index = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, L.loc, v).getResult();
  };
  auto loop = scf::ForOp::create(
      b, L.loc, index(0), index(batch), index(chunk), ValueRange{init},
      [&](OpBuilder &nb, Location nl, Value i, ValueRange args) {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        scf::YieldOp::create(b, nl, body(i, args[0]));
      });
  return loop.getResult(0);
}

/// body(x[i : i + chunk]) for each chunk of images of x, inserted into a
/// result of `type` (one call on all of x when a single chunk holds them).
Value overChunks(Lowering &L, Value x, RankedTensorType type, int64_t chunk,
                 function_ref<Value(Value)> body) {
  int64_t batch = tensorType(x).getDimSize(0);
  if (chunk == batch)
    return body(x);
  return chunkLoop(L, batch, chunk, L.empty(type), [&](Value i, Value y) {
    return insertBatch(L, body(extractBatch(L, x, i, chunk)), y, i);
  });
}

struct Conv2DLowering : OpLowering<Conv2DOp> {
  using OpLowering::OpLowering;
  V lower(Conv2DOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t f = type.getDimSize(1), oh = type.getDimSize(2),
            ow = type.getDimSize(3);
    auto wType = cast<RankedTensorType>(operands.getFilter().getType());
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3),
            ckk = wType.getDimSize(1) * kh * kw;
    Type t = type.getElementType();
    Value w = tensor::CollapseShapeOp::create(L.b, L.loc, operands.getFilter(),
                                              filterGroups());
    Value x = padSpatial(L, operands.getInput(), op.getPadding());
    int64_t chunk = imagesPerChunk(
        type.getDimSize(0), ckk * oh * ow * t.getIntOrFloatBitWidth() / 8);
    auto chunkType = RankedTensorType::get({chunk, f, oh, ow}, t);
    return {overChunks(L, x, type, chunk, [&](Value xs) {
      Value cols = columns(L, xs, kh, kw, op.getStride(), oh, ow,
                           /*rows=*/false);
      // (n, f, p, k): y[n, f, p] += w[f, k] * cols[n, k, p].
      MLIRContext *c = L.ctx();
      auto flat = RankedTensorType::get({chunk, f, oh * ow}, t);
      Value y = L.generic(flat, {w, cols}, L.filled(flat, 0.0),
                          {L.map(4, {d(1, c), d(3, c)}),
                           L.map(4, {d(0, c), d(3, c), d(2, c)}),
                           L.map(4, {d(0, c), d(1, c), d(2, c)})},
                          L.iterators("pppr"), multiplyAdd)[0];
      return expandSpatial(L, y, chunkType);
    })};
  }
};

struct Conv2DFilterGradLowering : OpLowering<Conv2DFilterGradOp> {
  using OpLowering::OpLowering;
  V lower(Conv2DFilterGradOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType(); // [F, C, K, K]
    auto gType = cast<RankedTensorType>(operands.getGrad().getType());
    int64_t f = type.getDimSize(0),
            ckk = type.getDimSize(1) * type.getDimSize(2) * type.getDimSize(3);
    int64_t n = gType.getDimSize(0), oh = gType.getDimSize(2),
            ow = gType.getDimSize(3);
    Type t = type.getElementType();
    Value x = padSpatial(L, operands.getInput(), op.getPadding());
    auto flat = RankedTensorType::get({f, ckk}, t);
    // dw[f, k] = sum over (n, p) of g[n, f, p] * cols[(n, p), k]: with g
    // transposed to [F, N*P] this is one matmul with a single reduction
    // loop, which the targets tile and vectorize as outer products (with two
    // reduction loops, n and p, it became scalar code).
    auto partial = [&](Value xs, Value gs) {
      Value cols = columns(L, xs, type.getDimSize(2), type.getDimSize(3),
                           op.getStride(), oh, ow, /*rows=*/true);
      Value g = transposed(L, collapseSpatial(L, gs), {1, 0, 2});
      g = tensor::CollapseShapeOp::create(
          L.b, L.loc, g, SmallVector<ReassociationIndices>{{0}, {1, 2}});
      return matmulInto(L, g, cols, false, false, L.filled(flat, 0.0));
    };
    // Over chunks of images (as the other two directions), each chunk's
    // columns in cache; the chunks' sums add up in order.
    int64_t chunk =
        imagesPerChunk(n, ckk * oh * ow * t.getIntOrFloatBitWidth() / 8);
    Value grad = operands.getGrad();
    Value dw =
        chunk == n
            ? partial(x, grad)
            : chunkLoop(L, n, chunk, L.filled(flat, 0.0),
                        [&](Value i, Value sum) {
                          Value part = partial(extractBatch(L, x, i, chunk),
                                               extractBatch(L, grad, i, chunk));
                          return L.generic(
                              flat, part, sum, {L.identity(2), L.identity(2)},
                              L.iterators(2, 2),
                              [](OpBuilder &b, Location l, ValueRange a) {
                                return V{add(b, l, a[1], a[0])};
                              })[0];
                        });
    return {
        tensor::ExpandShapeOp::create(L.b, L.loc, type, dw, filterGroups())};
  }
};

struct Conv2DInputGradLowering : OpLowering<Conv2DInputGradOp> {
  using OpLowering::OpLowering;
  V lower(Conv2DInputGradOp op, Adaptor operands, Lowering &L) const override {
    int64_t s = op.getStride(), p = op.getPadding();
    auto type = op.getType(); // [N, C, H, W]
    auto gType = cast<RankedTensorType>(operands.getGrad().getType());
    auto wType = cast<RankedTensorType>(operands.getFilter().getType());
    int64_t ch = type.getDimSize(1), kh = wType.getDimSize(2),
            kw = wType.getDimSize(3), oh = gType.getDimSize(2),
            ow = gType.getDimSize(3);
    Type t = type.getElementType();
    MLIRContext *c = L.ctx();
    Value w = tensor::CollapseShapeOp::create(L.b, L.loc, operands.getFilter(),
                                              filterGroups());
    // Chunks of images, as in the forward convolution: the columns' gradient
    // of a chunk stays in cache until col2im reads it.
    int64_t chunk =
        imagesPerChunk(type.getDimSize(0),
                       ch * kh * kw * oh * ow * t.getIntOrFloatBitWidth() / 8);
    auto chunkType = RankedTensorType::get(
        {chunk, ch, type.getDimSize(2), type.getDimSize(3)}, t);
    return {overChunks(L, operands.getGrad(), type, chunk, [&](Value gs) {
      // The gradient of the columns: (n, k, p, f):
      // dcols[n, k, p] += w[f, k] * g[n, f, p].
      Value g = collapseSpatial(L, gs);
      auto colsType = RankedTensorType::get({chunk, ch * kh * kw, oh * ow}, t);
      Value dcols = L.generic(colsType, {w, g}, L.filled(colsType, 0.0),
                              {L.map(4, {d(3, c), d(1, c)}),
                               L.map(4, {d(0, c), d(3, c), d(2, c)}),
                               L.map(4, {d(0, c), d(1, c), d(2, c)})},
                              L.iterators("pppr"), multiplyAdd)[0];
      // col2im: every column entry back to the input element it was read
      // from, into the padded input; overlapping windows accumulate (the
      // window and position loops are reductions into one element). Loops
      // (n, c, kh, kw, oh, ow), sized as in `columns`.
      AffineExpr k = d(1, c) * (kh * kw) + d(2, c) * kw + d(3, c);
      AffineExpr pos = d(4, c) * ow + d(5, c);
      auto padded = RankedTensorType::get(
          {chunk, ch, type.getDimSize(2) + 2 * p, type.getDimSize(3) + 2 * p},
          t);
      Value kernelSizes = L.empty(RankedTensorType::get({kh, kw}, t));
      Value positions = L.empty(RankedTensorType::get({oh, ow}, t));
      Value dx = L.generic(
          padded, {dcols, kernelSizes, positions}, L.filled(padded, 0.0),
          {L.map(6, {d(0, c), k, pos}), L.map(6, {d(2, c), d(3, c)}),
           L.map(6, {d(4, c), d(5, c)}),
           L.map(6, {d(0, c), d(1, c), d(4, c) * s + d(2, c),
                     d(5, c) * s + d(3, c)})},
          L.iterators(6, 2), [](OpBuilder &b, Location l, ValueRange a) {
            return V{add(b, l, a[3], a[0])};
          })[0];
      return cropSpatial(L, dx, chunkType, p);
    })};
  }
};

struct MaxPool2DLowering : OpLowering<MaxPool2DOp> {
  using OpLowering::OpLowering;
  V lower(MaxPool2DOp op, Adaptor operands, Lowering &L) const override {
    int64_t k = op.getKernel(), s = op.getStride();
    auto type = op.getType();
    Value win = window(L, k, type.getElementType());
    return {L.generic(
        type, {operands.getInput(), win}, L.filled(type, -INFINITY),
        {windowMap(L, s), offsetMap(L), pooledMap(L)}, L.iterators(6, 4),
        [](OpBuilder &b, Location l, ValueRange a) {
          return V{arith::MaximumFOp::create(b, l, a[0], a[2])};
        })[0]};
  }
};

struct AvgPool2DLowering : OpLowering<AvgPool2DOp> {
  using OpLowering::OpLowering;
  V lower(AvgPool2DOp op, Adaptor operands, Lowering &L) const override {
    int64_t k = op.getKernel(), s = op.getStride();
    auto type = op.getType();
    Type t = type.getElementType();
    Value win = window(L, k, t);
    double inv = 1.0 / (k * k);
    return {L.generic(
        type, {operands.getInput(), win}, L.filled(type, 0.0),
        {windowMap(L, s), offsetMap(L), pooledMap(L)}, L.iterators(6, 4),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[2], mul(b, l, a[0], fconst(b, l, t, inv)))};
        })[0]};
  }
};

struct AvgPool2DGradLowering : OpLowering<AvgPool2DGradOp> {
  using OpLowering::OpLowering;
  V lower(AvgPool2DGradOp op, Adaptor operands, Lowering &L) const override {
    int64_t k = op.getKernel(), s = op.getStride();
    auto type = op.getType();
    Type t = type.getElementType();
    Value win = window(L, k, t);
    double inv = 1.0 / (k * k);
    return {L.generic(
        type, {operands.getGrad(), win}, L.filled(type, 0.0),
        {pooledMap(L), offsetMap(L), windowMap(L, s)}, L.iterators(6, 2),
        [&](OpBuilder &b, Location l, ValueRange a) {
          return V{add(b, l, a[2], mul(b, l, a[0], fconst(b, l, t, inv)))};
        })[0]};
  }
};

struct MaxPool2DGradLowering : OpLowering<MaxPool2DGradOp> {
  using OpLowering::OpLowering;
  V lower(MaxPool2DGradOp op, Adaptor operands, Lowering &L) const override {
    // The first maximum of each window (row-major), as its offset
    // kh * K + kw; then each window's gradient goes to that element only.
    int64_t k = op.getKernel(), s = op.getStride();
    OpBuilder &b = L.b;
    Value input = operands.getInput(), grad = operands.getGrad();
    auto inType = tensorType(input);
    auto outType = tensorType(grad);
    Type t = inType.getElementType();
    auto indexType = RankedTensorType::get(outType.getShape(), b.getI32Type());
    Value win = window(L, k, t);
    Value indexInit =
        linalg::FillOp::create(
            b, L.loc,
            arith::ConstantOp::create(b, L.loc, b.getI32IntegerAttr(-1))
                .getResult(),
            L.empty(indexType))
            .getResult(0);
    AffineMap outMap = pooledMap(L);
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
        {outType, indexType}, {input, win},
        {L.filled(outType, -INFINITY), indexInit},
        {windowMap(L, s), offsetMap(L), outMap, outMap}, L.iterators(6, 4),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value better = arith::CmpFOp::create(b, l, arith::CmpFPredicate::OGT,
                                               a[0], a[2]);
          return V{arith::SelectOp::create(b, l, better, a[0], a[2]),
                   arith::SelectOp::create(b, l, better, offset(b, l), a[3])};
        })[1];
    return {L.generic(
        inType, {grad, argmax, win}, L.filled(inType, 0.0),
        {outMap, outMap, offsetMap(L), windowMap(L, s)}, L.iterators(6, 2),
        [&](OpBuilder &b, Location l, ValueRange a) {
          Value hit = arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq,
                                            offset(b, l), a[1]);
          Value g =
              arith::SelectOp::create(b, l, hit, a[0], fconst(b, l, t, 0.0));
          return V{add(b, l, a[3], g)};
        })[0]};
  }
};

} // namespace

void dlc::conversion::populateConvolutionPatterns(RewritePatternSet &patterns) {
  patterns.add<Conv2DLowering, Conv2DFilterGradLowering,
               Conv2DInputGradLowering, MaxPool2DLowering, AvgPool2DLowering,
               AvgPool2DGradLowering, MaxPool2DGradLowering>(
      patterns.getContext());
}
