//===- SequenceLowering.cpp - sequence and attention ops to linalg --------===//
//
// Recurrences become one scf.for over time whose body is a few linalg ops on
// [B, H] slices, so compile time does not grow with the sequence length.
// States are kept time-major ([T + 1, B, H], slot 0 the zero initial state)
// so that every per-step slice is contiguous and bufferizes in place.
//
//===----------------------------------------------------------------------===//
#include "compiler/conversion/Lowering.h"
#include "dialects/nn/NNDialect.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace dlc::nn;
using namespace dlc::conversion;
using V = SmallVector<Value>;

namespace {

/// Offsets, sizes and strides of a tensor slice.
struct SliceSpec {
  SmallVector<OpFoldResult> offsets, sizes, strides;
};

/// The unit-size slice at position `at` (static or dynamic) of `dim`, whole
/// along every other dimension.
SliceSpec spec(OpBuilder &b, ArrayRef<int64_t> shape, int64_t dim,
               OpFoldResult at) {
  SliceSpec s;
  for (auto [i, n] : llvm::enumerate(shape)) {
    s.offsets.push_back(int64_t(i) == dim ? at : b.getIndexAttr(0));
    s.sizes.push_back(b.getIndexAttr(int64_t(i) == dim ? 1 : n));
    s.strides.push_back(b.getIndexAttr(1));
  }
  return s;
}

/// x[..., at, ...] along `dim`, without that dimension.
Value sliceAt(Lowering &L, Value x, int64_t dim, OpFoldResult at) {
  auto type = tensorType(x);
  SmallVector<int64_t> shape(type.getShape());
  shape.erase(shape.begin() + dim);
  SliceSpec s = spec(L.b, type.getShape(), dim, at);
  return tensor::ExtractSliceOp::create(
      L.b, L.loc, RankedTensorType::get(shape, type.getElementType()), x,
      s.offsets, s.sizes, s.strides);
}

/// `x` with `slice` written at position `at` of `dim`.
Value insertAt(Lowering &L, Value slice, Value x, int64_t dim,
               OpFoldResult at) {
  SliceSpec s = spec(L.b, tensorType(x).getShape(), dim, at);
  return tensor::InsertSliceOp::create(L.b, L.loc, slice, x, s.offsets, s.sizes,
                                       s.strides);
}

/// out += op(lhs) op(rhs) over 2-D operands, accumulating into `init`.
Value matmulInto(Lowering &L, Value lhs, Value rhs, bool ta, bool tb,
                 Value init) {
  MLIRContext *c = L.ctx();
  auto lhsMap =
      L.map(3, ta ? ArrayRef{d(2, c), d(0, c)} : ArrayRef{d(0, c), d(2, c)});
  auto rhsMap =
      L.map(3, tb ? ArrayRef{d(1, c), d(2, c)} : ArrayRef{d(2, c), d(1, c)});
  return L.generic(init.getType(), {lhs, rhs}, init,
                   {lhsMap, rhsMap, L.map(3, {d(0, c), d(1, c)})},
                   L.iterators("ppr"), multiplyAdd)[0];
}

/// [B, T, H] as time-major states [T + 1, B, H] with a zero slot 0.
Value toStates(Lowering &L, Value seq) {
  auto type = tensorType(seq);
  int64_t B = type.getDimSize(0), T = type.getDimSize(1),
          H = type.getDimSize(2);
  auto statesType = RankedTensorType::get({T + 1, B, H}, type.getElementType());
  MLIRContext *c = L.ctx();
  // Reads its output so that the zero fill of slot 0 is kept.
  return L.generic(statesType, seq, L.filled(statesType, 0.0),
                   {L.identity(3), L.map(3, {d(1, c) + 1, d(0, c), d(2, c)})},
                   L.iterators("ppp"),
                   [](OpBuilder &b, Location l, ValueRange a) {
                     return V{add(b, l, a[1], a[0])};
                   })[0];
}

/// Time-major states [T + 1, B, H] (slot 0 skipped) as [B, T, H].
Value fromStates(Lowering &L, Value states) {
  auto type = tensorType(states);
  auto seqType = RankedTensorType::get(
      {type.getDimSize(1), type.getDimSize(0) - 1, type.getDimSize(2)},
      type.getElementType());
  MLIRContext *c = L.ctx();
  return L.generic(seqType, states, L.empty(seqType),
                   {L.map(3, {d(1, c) + 1, d(0, c), d(2, c)}), L.identity(3)},
                   L.iterators("ppp"), [](OpBuilder &, Location, ValueRange a) {
                     return V{a[0]};
                   })[0];
}

/// `x` overwritten with zeros: reuses its buffer (a loop-carried value
/// stays in one buffer across iterations).
Value zeroed(Lowering &L, Value x) {
  return linalg::FillOp::create(L.b, L.loc,
                                L.cst(tensorType(x).getElementType(), 0.0), x)
      .getResult(0);
}

Value indexConst(Lowering &L, int64_t v) {
  return arith::ConstantIndexOp::create(L.b, L.loc, v);
}

/// for i in [0, T): body(i, iterArgs) -> new iterArgs (time steps, or the
/// ids of an embedding gradient).
ValueRange timeLoop(Lowering &L, int64_t T, ValueRange init,
                    function_ref<V(Value, ValueRange)> body) {
  auto loop = scf::ForOp::create(
      L.b, L.loc, indexConst(L, 0), indexConst(L, T), indexConst(L, 1), init,
      [&](OpBuilder &nb, Location nl, Value i, ValueRange args) {
        OpBuilder::InsertionGuard guard(L.b);
        L.b.setInsertionPoint(nb.getInsertionBlock(), nb.getInsertionPoint());
        scf::YieldOp::create(L.b, nl, body(i, args));
      });
  return loop.getResults();
}

Value sigmoidOf(OpBuilder &b, Location l, Value x) { return sigmoid(b, l, x); }
Value tanhOf(OpBuilder &b, Location l, Value x) {
  return math::TanhOp::create(b, l, x);
}
Value one(OpBuilder &b, Location l, Value like) {
  return fconst(b, l, like.getType(), 1.0);
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

V lowerRnn(Lowering &L, RnnOp op) {
  auto type = op.getType();
  int64_t B = type.getDimSize(0), T = type.getDimSize(1),
          H = type.getDimSize(2);
  Type f = type.getElementType();
  auto stateType = RankedTensorType::get({B, H}, f);
  Value w = op.getWeight(), xp = op.getInput();
  Value states = L.filled(RankedTensorType::get({T + 1, B, H}, f), 0.0);
  Value result = timeLoop(L, T, states, [&](Value t, ValueRange args) {
    Value S = args[0];
    Value next = arith::AddIOp::create(L.b, L.loc, t, indexConst(L, 1));
    Value rec = matmulInto(L, sliceAt(L, S, 0, t), w, false, false,
                           L.filled(stateType, 0.0));
    Value h = L.generic(
        stateType, {sliceAt(L, xp, 1, t), rec}, sliceAt(L, S, 0, next),
        {L.identity(2), L.identity(2), L.identity(2)}, L.iterators("pp"),
        [](OpBuilder &b, Location l, ValueRange a) {
          return V{tanhOf(b, l, add(b, l, a[0], a[1]))};
        })[0];
    return V{insertAt(L, h, S, 0, next)};
  })[0];
  return {fromStates(L, result)};
}

V lowerRnnGrad(Lowering &L, RnnGradOp op) {
  auto type = tensorType(op.getGrad());
  int64_t B = type.getDimSize(0), T = type.getDimSize(1),
          H = type.getDimSize(2);
  Type f = type.getElementType();
  auto stateType = RankedTensorType::get({B, H}, f);
  Value w = op.getWeight(), g = op.getGrad();
  Value S = toStates(L, op.getHidden());
  ValueRange out = timeLoop(
      L, T,
      {L.empty(type), L.filled(tensorType(w), 0.0), L.filled(stateType, 0.0)},
      [&](Value i, ValueRange args) {
        // t = T - 1 - i; its state is S[t + 1], the previous one S[t].
        Value tp1 = arith::SubIOp::create(L.b, L.loc, indexConst(L, T), i);
        Value t = arith::SubIOp::create(L.b, L.loc, tp1, indexConst(L, 1));
        Value dxp = args[0], dw = args[1], dhNext = args[2];
        Value hPrev = sliceAt(L, S, 0, t);
        Value da = L.generic(
            stateType, {sliceAt(L, g, 1, t), dhNext, sliceAt(L, S, 0, tp1)},
            sliceAt(L, dxp, 1, t), SmallVector<AffineMap>(4, L.identity(2)),
            L.iterators("pp"), [](OpBuilder &b, Location l, ValueRange a) {
              Value dh = add(b, l, a[0], a[1]);
              Value d = sub(b, l, one(b, l, a[2]), mul(b, l, a[2], a[2]));
              return V{mul(b, l, dh, d)};
            })[0];
        return V{insertAt(L, da, dxp, 1, t),
                 matmulInto(L, hPrev, da, true, false, dw),
                 matmulInto(L, da, w, false, true, zeroed(L, dhNext))};
      });
  return {out[0], out[1]};
}

/// The four gates of an LSTM step, [B, 4H] viewed as [B, 4, H], as maps
/// from the (b, j) loops of a [B, H] generic. (Offset maps into [B, 4H]
/// would not do: gate 0's would be the identity, which linalg takes as
/// giving the loop size.)
SmallVector<AffineMap> gateMaps(Lowering &L) {
  MLIRContext *c = L.ctx();
  SmallVector<AffineMap> maps;
  for (int64_t k = 0; k < 4; ++k)
    maps.push_back(L.map(2, {d(0, c), getAffineConstantExpr(k, c), d(1, c)}));
  return maps;
}

Value splitGates(Lowering &L, Value gates) {
  auto type = tensorType(gates);
  int64_t B = type.getDimSize(0), H = type.getDimSize(1) / 4;
  return tensor::ExpandShapeOp::create(
      L.b, L.loc, RankedTensorType::get({B, 4, H}, type.getElementType()),
      gates, SmallVector<ReassociationIndices>{{0}, {1, 2}});
}

struct Gates {
  Value i, f, g, o;
};
/// From the generic's arguments a[at..at+3] (x_t gates), a[at+4..at+7]
/// (recurrent gates).
Gates activate(OpBuilder &b, Location l, ValueRange a, int at) {
  auto pre = [&](int k) { return add(b, l, a[at + k], a[at + 4 + k]); };
  return {sigmoidOf(b, l, pre(0)), sigmoidOf(b, l, pre(1)),
          tanhOf(b, l, pre(2)), sigmoidOf(b, l, pre(3))};
}

V lowerLstm(Lowering &L, LstmOp op) {
  auto type = op.getHidden().getType();
  int64_t B = type.getDimSize(0), T = type.getDimSize(1),
          H = type.getDimSize(2);
  Type f = type.getElementType();
  auto stateType = RankedTensorType::get({B, H}, f);
  auto gatesType = RankedTensorType::get({B, 4 * H}, f);
  Value w = op.getWeight(), xp = op.getInput();
  auto statesType = RankedTensorType::get({T + 1, B, H}, f);
  // c_{t-1} first: the loop sizes come from the first operand indexed by
  // plain loop dimensions.
  SmallVector<AffineMap> maps{L.identity(2)};
  maps.append(gateMaps(L));
  maps.append(gateMaps(L));
  maps.append(2, L.identity(2)); // h_t, c_t
  ValueRange out = timeLoop(
      L, T, {L.filled(statesType, 0.0), L.filled(statesType, 0.0)},
      [&](Value t, ValueRange args) {
        Value S = args[0], C = args[1];
        Value next = arith::AddIOp::create(L.b, L.loc, t, indexConst(L, 1));
        Value rec = matmulInto(L, sliceAt(L, S, 0, t), w, false, false,
                               L.filled(gatesType, 0.0));
        Value x = splitGates(L, sliceAt(L, xp, 1, t));
        rec = splitGates(L, rec);
        ValueRange hc = L.generic(
            {stateType, stateType},
            {sliceAt(L, C, 0, t), x, x, x, x, rec, rec, rec, rec},
            {sliceAt(L, S, 0, next), sliceAt(L, C, 0, next)}, maps,
            L.iterators("pp"), [](OpBuilder &b, Location l, ValueRange a) {
              Gates g = activate(b, l, a, 1);
              Value c = add(b, l, mul(b, l, g.f, a[0]), mul(b, l, g.i, g.g));
              return V{mul(b, l, g.o, tanhOf(b, l, c)), c};
            });
        return V{insertAt(L, hc[0], S, 0, next),
                 insertAt(L, hc[1], C, 0, next)};
      });
  return {fromStates(L, out[0]), fromStates(L, out[1])};
}

V lowerLstmGrad(Lowering &L, LstmGradOp op) {
  auto type = tensorType(op.getGrad());
  int64_t B = type.getDimSize(0), T = type.getDimSize(1),
          H = type.getDimSize(2);
  Type f = type.getElementType();
  auto stateType = RankedTensorType::get({B, H}, f);
  auto gatesType = RankedTensorType::get({B, 4 * H}, f);
  // The input gradient is built time-major and gate-split, [T, B, 4, H], so
  // each step writes one contiguous block; transposed once at the end.
  auto splitType = RankedTensorType::get({B, 4, H}, f);
  auto dxpT = RankedTensorType::get({T, B, 4, H}, f);
  Value w = op.getWeight(), xp = op.getInput(), g = op.getGrad();
  Value S = toStates(L, op.getHidden()), C = toStates(L, op.getCell());
  MLIRContext *c = L.ctx();

  SmallVector<AffineMap> maps(5, L.identity(2)); // c_{t-1}, c_t, g_t, dh, dc
  maps.append(gateMaps(L));
  maps.append(gateMaps(L));
  maps.append(5, L.identity(2)); // the results
  ValueRange out = timeLoop(
      L, T,
      {L.empty(dxpT), L.filled(tensorType(w), 0.0), L.filled(stateType, 0.0),
       L.filled(stateType, 0.0)},
      [&](Value i, ValueRange args) {
        Value tp1 = arith::SubIOp::create(L.b, L.loc, indexConst(L, T), i);
        Value t = arith::SubIOp::create(L.b, L.loc, tp1, indexConst(L, 1));
        Value dxp = args[0], dw = args[1], dh = args[2], dc = args[3];
        Value hPrev = sliceAt(L, S, 0, t);
        Value rec =
            matmulInto(L, hPrev, w, false, false, L.filled(gatesType, 0.0));
        Value x = splitGates(L, sliceAt(L, xp, 1, t));
        rec = splitGates(L, rec);
        SmallVector<Value> inputs{sliceAt(L, C, 0, t),
                                  sliceAt(L, C, 0, tp1),
                                  sliceAt(L, g, 1, t),
                                  dh,
                                  dc,
                                  x,
                                  x,
                                  x,
                                  x,
                                  rec,
                                  rec,
                                  rec,
                                  rec};
        SmallVector<Type> results(5, stateType);
        SmallVector<Value> inits;
        for (int k = 0; k < 5; ++k)
          inits.push_back(L.empty(stateType));
        ValueRange d5 =
            L.generic(results, inputs, inits, maps, L.iterators("pp"),
                      [](OpBuilder &b, Location l, ValueRange a) {
                        Gates gt = activate(b, l, a, 5);
                        Value cPrev = a[0], cT = a[1];
                        Value dht = add(b, l, a[2], a[3]);
                        Value tc = tanhOf(b, l, cT);
                        Value one_ = one(b, l, cT);
                        Value dct = add(b, l,
                                        mul(b, l, mul(b, l, dht, gt.o),
                                            sub(b, l, one_, mul(b, l, tc, tc))),
                                        a[4]);
                        auto dsig = [&](Value s) {
                          return mul(b, l, s, sub(b, l, one_, s));
                        };
                        Value di = mul(b, l, mul(b, l, dct, gt.g), dsig(gt.i));
                        Value df = mul(b, l, mul(b, l, dct, cPrev), dsig(gt.f));
                        Value dg = mul(b, l, mul(b, l, dct, gt.i),
                                       sub(b, l, one_, mul(b, l, gt.g, gt.g)));
                        Value dout = mul(b, l, mul(b, l, dht, tc), dsig(gt.o));
                        return V{di, df, dg, dout, mul(b, l, dct, gt.f)};
                      });
        // Gather the four gate gradients into this step's [B, 4, H] block.
        Value block = L.generic(
            splitType, {d5[0], d5[1], d5[2], d5[3]}, sliceAt(L, dxp, 0, t),
            {L.map(3, {d(0, c), d(2, c)}), L.map(3, {d(0, c), d(2, c)}),
             L.map(3, {d(0, c), d(2, c)}), L.map(3, {d(0, c), d(2, c)}),
             L.identity(3)},
            L.iterators("ppp"), [](OpBuilder &b, Location l, ValueRange a) {
              Value k = linalg::IndexOp::create(b, l, 1);
              auto is = [&](int64_t v) {
                return arith::CmpIOp::create(
                    b, l, arith::CmpIPredicate::eq, k,
                    arith::ConstantIndexOp::create(b, l, v));
              };
              Value r = arith::SelectOp::create(b, l, is(2), a[2], a[3]);
              r = arith::SelectOp::create(b, l, is(1), a[1], r);
              return V{arith::SelectOp::create(b, l, is(0), a[0], r)};
            })[0];
        Value da = tensor::CollapseShapeOp::create(
            L.b, L.loc, gatesType, block,
            SmallVector<ReassociationIndices>{{0}, {1, 2}});
        return V{insertAt(L, block, dxp, 0, t),
                 matmulInto(L, hPrev, da, true, false, dw),
                 matmulInto(L, da, w, false, true, zeroed(L, dh)),
                 // Into the loop-carried buffer: scf.for bufferizes in place
                 // only when each yielded value lives where its iter_arg did.
                 linalg::CopyOp::create(L.b, L.loc, d5[4], dc).getResult(0)};
      });
  // [T, B, 4, H] -> [B, T, 4, H] -> [B, T, 4H].
  auto seqSplit = RankedTensorType::get({B, T, 4, H}, f);
  Value dx =
      L.generic(seqSplit, out[0], L.empty(seqSplit),
                {L.map(4, {d(1, c), d(0, c), d(2, c), d(3, c)}), L.identity(4)},
                L.iterators("pppp"),
                [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
  dx = tensor::CollapseShapeOp::create(
      L.b, L.loc, op.getInputGrad().getType(), dx,
      SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
  return {dx, out[1]};
}

//===----------------------------------------------------------------------===//
// Embeddings
//===----------------------------------------------------------------------===//

/// An id as an index clamped into [0, rows).
Value rowIndex(OpBuilder &b, Location l, Value id, int64_t rows) {
  Value i = arith::IndexCastOp::create(b, l, b.getIndexType(), id);
  i = arith::MaxSIOp::create(b, l, i, arith::ConstantIndexOp::create(b, l, 0));
  return arith::MinSIOp::create(b, l, i,
                                arith::ConstantIndexOp::create(b, l, rows - 1));
}

V lowerEmbedding(Lowering &L, EmbeddingOp op) {
  auto type = op.getType();
  int64_t rank = type.getRank();
  Value table = op.getTable();
  int64_t rows = tensorType(table).getDimSize(0);
  return {L.generic(
      type, op.getIds(), L.empty(type),
      {L.without(rank, {rank - 1}), L.identity(rank)}, L.iterators(rank, rank),
      [&](OpBuilder &b, Location l, ValueRange a) {
        Value row = rowIndex(b, l, a[0], rows);
        Value col = linalg::IndexOp::create(b, l, rank - 1);
        return V{tensor::ExtractOp::create(b, l, table, ValueRange{row, col})};
      })[0]};
}

V lowerEmbeddingGrad(Lowering &L, EmbeddingGradOp op) {
  // One row update per id, in order: ids may repeat.
  auto tableType = op.getType();
  int64_t rows = tableType.getDimSize(0), D = tableType.getDimSize(1);
  Value ids = op.getIds();
  auto idsType = tensorType(ids);
  int64_t n = idsType.getNumElements();
  SmallVector<ReassociationIndices> all{
      llvm::to_vector(llvm::seq<int64_t>(0, idsType.getRank()))};
  if (idsType.getRank() != 1)
    ids = tensor::CollapseShapeOp::create(L.b, L.loc, ids, all);
  Value g = tensor::CollapseShapeOp::create(
      L.b, L.loc, RankedTensorType::get({n, D}, tableType.getElementType()),
      op.getGrad(),
      SmallVector<ReassociationIndices>{
          llvm::to_vector(llvm::seq<int64_t>(0, idsType.getRank())),
          {idsType.getRank()}});
  return {
      timeLoop(L, n, L.filled(tableType, 0.0), [&](Value i, ValueRange args) {
        Value acc = args[0];
        Value id = tensor::ExtractOp::create(L.b, L.loc, ids, i);
        Value row = rowIndex(L.b, L.loc, id, rows);
        Value updated =
            L.generic(RankedTensorType::get({D}, tableType.getElementType()),
                      sliceAt(L, g, 0, i), sliceAt(L, acc, 0, row),
                      {L.identity(1), L.identity(1)}, L.iterators("p"),
                      [](OpBuilder &b, Location l, ValueRange a) {
                        return V{add(b, l, a[1], a[0])};
                      })[0];
        return V{insertAt(L, updated, acc, 0, row)};
      })[0]};
}

//===----------------------------------------------------------------------===//
// Attention building blocks
//===----------------------------------------------------------------------===//

V lowerBatchMatmul(Lowering &L, BatchMatmulOp op) {
  // Loops (batch..., m, n, k).
  int64_t batch = op.getType().getRank() - 2, loops = batch + 3;
  MLIRContext *c = L.ctx();
  auto operandMap = [&](int64_t r0, int64_t r1, bool trans) {
    SmallVector<AffineExpr> e;
    for (int64_t i = 0; i < batch; ++i)
      e.push_back(d(i, c));
    e.push_back(d(batch + (trans ? r1 : r0), c));
    e.push_back(d(batch + (trans ? r0 : r1), c));
    return L.map(loops, e);
  };
  std::string kinds(batch + 2, 'p');
  kinds += 'r';
  auto type = op.getType();
  return {L.generic(type, {op.getLhs(), op.getRhs()}, L.filled(type, 0.0),
                    {operandMap(0, 2, op.getTransposeLhs()),
                     operandMap(2, 1, op.getTransposeRhs()),
                     operandMap(0, 1, false)},
                    L.iterators(kinds), multiplyAdd)[0]};
}

V lowerTranspose(Lowering &L, TransposeOp op) {
  ArrayRef<int64_t> perm = op.getPermutation();
  int64_t rank = perm.size();
  SmallVector<AffineExpr> in(rank);
  for (auto [i, p] : llvm::enumerate(perm))
    in[p] = d(i, L.ctx());
  auto type = op.getType();
  return {L.generic(
      type, op.getInput(), L.empty(type), {L.map(rank, in), L.identity(rank)},
      L.iterators(rank, rank),
      [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0]};
}

V lowerCausalMask(Lowering &L, CausalMaskOp op) {
  auto type = op.getType();
  int64_t rank = type.getRank();
  double fill = op.getFill().convertToDouble();
  return {
      L.map(type, op.getInput(), [&](OpBuilder &b, Location l, ValueRange a) {
        Value i = linalg::IndexOp::create(b, l, rank - 2);
        Value j = linalg::IndexOp::create(b, l, rank - 1);
        Value future =
            arith::CmpIOp::create(b, l, arith::CmpIPredicate::ugt, j, i);
        return V{arith::SelectOp::create(
            b, l, future, fconst(b, l, a[0].getType(), fill), a[0])};
      })};
}

/// Per-row mean and 1 / sqrt(var + eps) of [N, D] rows.
std::pair<Value, Value> rowMoments(Lowering &L, Value rows, double eps) {
  int64_t D = tensorType(rows).getDimSize(1);
  Type f = tensorType(rows).getElementType();
  Value sum =
      L.reduce(rows, {1}, {0.0}, [](OpBuilder &b, Location l, ValueRange a) {
        return V{add(b, l, a[0], a[1])};
      })[0];
  auto rowType = tensorType(sum);
  Value mean = L.map(rowType, sum, [&](OpBuilder &b, Location l, ValueRange a) {
    return V{mul(b, l, a[0], fconst(b, l, f, 1.0 / D))};
  });
  Value sq = L.reduce({rows, mean}, {1}, {0.0},
                      [](OpBuilder &b, Location l, ValueRange a) {
                        Value c = sub(b, l, a[0], a[1]);
                        return V{add(b, l, a[2], mul(b, l, c, c))};
                      })[0];
  Value inv = L.map(rowType, sq, [&](OpBuilder &b, Location l, ValueRange a) {
    Value var = mul(b, l, a[0], fconst(b, l, f, 1.0 / D));
    return V{math::RsqrtOp::create(b, l, add(b, l, var, fconst(b, l, f, eps)))};
  });
  return {mean, inv};
}

/// [..., D] as [N, D] rows and back.
Value asRows(Lowering &L, Value x) {
  auto type = tensorType(x);
  if (type.getRank() == 2)
    return x;
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    groups[0].push_back(i);
  groups[1].push_back(type.getRank() - 1);
  if (type.getRank() == 1)
    return tensor::ExpandShapeOp::create(
        L.b, L.loc,
        RankedTensorType::get({1, type.getDimSize(0)}, type.getElementType()),
        x, SmallVector<ReassociationIndices>{{0, 1}});
  return tensor::CollapseShapeOp::create(L.b, L.loc, x, groups);
}
Value fromRows(Lowering &L, Value rows, RankedTensorType type) {
  if (type.getRank() == 2)
    return rows;
  if (type.getRank() == 1)
    return tensor::CollapseShapeOp::create(
        L.b, L.loc, type, rows, SmallVector<ReassociationIndices>{{0, 1}});
  SmallVector<ReassociationIndices> groups(2);
  for (int64_t i = 0; i + 1 < type.getRank(); ++i)
    groups[0].push_back(i);
  groups[1].push_back(type.getRank() - 1);
  return tensor::ExpandShapeOp::create(L.b, L.loc, type, rows, groups);
}

V lowerLayerNorm(Lowering &L, LayerNormOp op) {
  Value x = asRows(L, op.getInput());
  auto [mean, inv] = rowMoments(L, x, op.getEps().convertToDouble());
  AffineMap row = L.without(2, {1});
  Value y =
      L.generic(x.getType(), {x, mean, inv}, L.empty(tensorType(x)),
                {L.identity(2), row, row, L.identity(2)}, L.iterators("pp"),
                [](OpBuilder &b, Location l, ValueRange a) {
                  return V{mul(b, l, sub(b, l, a[0], a[1]), a[2])};
                })[0];
  return {fromRows(L, y, op.getType())};
}

V lowerLayerNormGrad(Lowering &L, LayerNormGradOp op) {
  // dx = inv * (g - mean(g) - y * mean(g * y)).
  Value x = asRows(L, op.getInput());
  Value g = asRows(L, op.getGrad());
  Value y = asRows(L, op.getValue());
  auto [mean, inv] = rowMoments(L, x, op.getEps().convertToDouble());
  (void)mean;
  int64_t D = tensorType(x).getDimSize(1);
  Type f = tensorType(x).getElementType();
  ValueRange sums = L.reduce(
      {g, y}, {1}, {0.0, 0.0}, [](OpBuilder &b, Location l, ValueRange a) {
        return V{add(b, l, a[2], a[0]), add(b, l, a[3], mul(b, l, a[0], a[1]))};
      });
  AffineMap row = L.without(2, {1});
  Value dx = L.generic(
      x.getType(), {g, y, sums[0], sums[1], inv}, L.empty(tensorType(x)),
      {L.identity(2), L.identity(2), row, row, row, L.identity(2)},
      L.iterators("pp"), [&](OpBuilder &b, Location l, ValueRange a) {
        Value invD = fconst(b, l, f, 1.0 / D);
        Value centered = sub(b, l, a[0], mul(b, l, a[2], invD));
        Value v = sub(b, l, centered, mul(b, l, a[1], mul(b, l, a[3], invD)));
        return V{mul(b, l, v, a[4])};
      })[0];
  return {fromRows(L, dx, op.getType())};
}

/// The static [start, start + size) range of `axis` in `shape`.
SliceSpec range(OpBuilder &b, ArrayRef<int64_t> shape, int64_t axis,
                int64_t start, int64_t size) {
  SliceSpec s = spec(b, shape, axis, b.getIndexAttr(start));
  s.sizes[axis] = b.getIndexAttr(size);
  return s;
}

Value copy(Lowering &L, Value from, Value into) {
  int64_t rank = tensorType(into).getRank();
  return L.generic(
      into.getType(), from, into, {L.identity(rank), L.identity(rank)},
      L.iterators(rank, rank),
      [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
}

/// `into` with `part` written at offset `start` of `axis`: a generic into an
/// extract_slice/insert_slice pair, which bufferizes in place (a plain
/// insert_slice would become a strided memref.copy, a call into MLIR's C
/// runtime library).
Value writeAt(Lowering &L, Value part, Value into, int64_t axis,
              int64_t start) {
  auto partType = tensorType(part);
  SliceSpec s = range(L.b, tensorType(into).getShape(), axis, start,
                      partType.getDimSize(axis));
  Value dest = tensor::ExtractSliceOp::create(L.b, L.loc, partType, into,
                                              s.offsets, s.sizes, s.strides);
  return tensor::InsertSliceOp::create(L.b, L.loc, copy(L, part, dest), into,
                                       s.offsets, s.sizes, s.strides);
}

V lowerSlice(Lowering &L, SliceOp op) {
  auto type = op.getType();
  SliceSpec s = range(L.b, op.getInput().getType().getShape(), op.getAxis(),
                      op.getStart(), type.getDimSize(op.getAxis()));
  Value view = tensor::ExtractSliceOp::create(L.b, L.loc, type, op.getInput(),
                                              s.offsets, s.sizes, s.strides);
  return {copy(L, view, L.empty(type))};
}

V lowerDropout(Lowering &L, DropoutOp op) {
  // keep iff hash(seed, step, flat index) >= rate * 2^32; murmur3's 64-bit
  // finalizer mixes well enough for a mask.
  auto type = op.getType();
  int64_t rank = type.getRank();
  double rate = op.getRate().convertToDouble();
  OpBuilder &b = L.b;
  Location loc = L.loc;
  Value step = tensor::ExtractOp::create(b, loc, op.getStep(), ValueRange{});
  Value step64 = arith::ExtUIOp::create(b, loc, b.getI64Type(), step);
  uint64_t seed = static_cast<uint64_t>(op.getSeed()) * 0x9E3779B97F4A7C15ull;
  uint64_t threshold = static_cast<uint64_t>(rate * 4294967296.0);
  return {
      L.map(type, op.getInput(), [&](OpBuilder &b, Location l, ValueRange a) {
        auto c64 = [&](uint64_t v) {
          return arith::ConstantOp::create(
              b, l, b.getI64IntegerAttr(static_cast<int64_t>(v)));
        };
        Value flat = arith::ConstantIndexOp::create(b, l, 0);
        for (int64_t i = 0; i < rank; ++i) {
          flat = arith::MulIOp::create(
              b, l, flat,
              arith::ConstantIndexOp::create(b, l, type.getDimSize(i)));
          flat = arith::AddIOp::create(b, l, flat,
                                       linalg::IndexOp::create(b, l, i));
        }
        Value h = arith::IndexCastUIOp::create(b, l, b.getI64Type(), flat);
        h = arith::XOrIOp::create(
            b, l, h,
            arith::MulIOp::create(b, l, step64, c64(0xC2B2AE3D27D4EB4Full)));
        h = arith::XOrIOp::create(b, l, h, c64(seed));
        auto mix = [&](uint64_t shift, uint64_t mulBy) {
          h = arith::XOrIOp::create(
              b, l, h, arith::ShRUIOp::create(b, l, h, c64(shift)));
          if (mulBy)
            h = arith::MulIOp::create(b, l, h, c64(mulBy));
        };
        mix(33, 0xFF51AFD7ED558CCDull);
        mix(33, 0xC4CEB9FE1A85EC53ull);
        mix(33, 0);
        Value bits = arith::ShRUIOp::create(b, l, h, c64(32));
        Value keep = arith::CmpIOp::create(b, l, arith::CmpIPredicate::uge,
                                           bits, c64(threshold));
        Type f = a[0].getType();
        Value scaled = mul(b, l, a[0], fconst(b, l, f, 1.0 / (1.0 - rate)));
        return V{
            arith::SelectOp::create(b, l, keep, scaled, fconst(b, l, f, 0.0))};
      })};
}

} // namespace

FailureOr<SmallVector<Value>> dlc::conversion::lowerSequenceOp(Operation *op,
                                                               OpBuilder &b) {
  Lowering L{b, op->getLoc()};
  return llvm::TypeSwitch<Operation *, FailureOr<V>>(op)
      .Case([&](RnnOp o) { return lowerRnn(L, o); })
      .Case([&](RnnGradOp o) { return lowerRnnGrad(L, o); })
      .Case([&](LstmOp o) { return lowerLstm(L, o); })
      .Case([&](LstmGradOp o) { return lowerLstmGrad(L, o); })
      .Case([&](EmbeddingOp o) { return lowerEmbedding(L, o); })
      .Case([&](EmbeddingGradOp o) { return lowerEmbeddingGrad(L, o); })
      .Case([&](BatchMatmulOp o) { return lowerBatchMatmul(L, o); })
      .Case([&](TransposeOp o) { return lowerTranspose(L, o); })
      .Case([&](CausalMaskOp o) { return lowerCausalMask(L, o); })
      .Case([&](LayerNormOp o) { return lowerLayerNorm(L, o); })
      .Case([&](LayerNormGradOp o) { return lowerLayerNormGrad(L, o); })
      .Case([&](SliceOp o) { return lowerSlice(L, o); })
      .Case([&](SliceGradOp o) -> FailureOr<V> {
        return V{writeAt(L, o.getGrad(), L.filled(o.getType(), 0.0),
                         o.getAxis(), o.getStart())};
      })
      .Case([&](ConcatOp o) -> FailureOr<V> {
        Value out = L.empty(o.getType());
        int64_t start = 0;
        for (Value in : o.getInputs()) {
          out = writeAt(L, in, out, o.getAxis(), start);
          start += tensorType(in).getDimSize(o.getAxis());
        }
        return V{out};
      })
      .Case([&](DropoutOp o) { return lowerDropout(L, o); })
      .Default([](Operation *op) -> FailureOr<V> {
        return op->emitError("no lowering to linalg for '")
               << op->getName() << "'";
      });
}
