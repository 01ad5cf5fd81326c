//===- RecurrenceLowering.cpp - recurrences and embeddings to linalg ------===//
//
// Recurrences become one scf.for over time whose body is a few linalg ops on
// [B, H] slices, so compile time does not grow with the sequence length.
// States are kept time-major ([T + 1, B, H], slot 0 the zero initial state)
// so that every per-step slice is contiguous and bufferizes in place.
// Embedding lookups extract from the table; their gradient scatter-adds in a
// loop over the ids.
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

Value one(OpBuilder &b, Location l, Value like) {
  return fconst(b, l, like.getType(), 1.0);
}

//===----------------------------------------------------------------------===//
// Recurrences
//===----------------------------------------------------------------------===//

struct RnnLowering : OpLowering<RnnOp> {
  using OpLowering::OpLowering;
  V lower(RnnOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t B = type.getDimSize(0), T = type.getDimSize(1),
            H = type.getDimSize(2);
    Type f = type.getElementType();
    auto stateType = RankedTensorType::get({B, H}, f);
    Value w = operands.getWeight(), xp = operands.getInput();
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
};

struct RnnGradLowering : OpLowering<RnnGradOp> {
  using OpLowering::OpLowering;
  V lower(RnnGradOp op, Adaptor operands, Lowering &L) const override {
    auto type = tensorType(operands.getGrad());
    int64_t B = type.getDimSize(0), T = type.getDimSize(1),
            H = type.getDimSize(2);
    Type f = type.getElementType();
    auto stateType = RankedTensorType::get({B, H}, f);
    Value w = operands.getWeight(), g = operands.getGrad();
    Value wT = transposed(L, w); // once, not per step (see matmulInto)
    Value S = toStates(L, operands.getHidden());
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
                   matmulInto(L, da, wT, false, false, zeroed(L, dhNext))};
        });
    return {out[0], out[1]};
  }
};

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
  return {sigmoid(b, l, pre(0)), sigmoid(b, l, pre(1)), tanhOf(b, l, pre(2)),
          sigmoid(b, l, pre(3))};
}

struct LstmLowering : OpLowering<LstmOp> {
  using OpLowering::OpLowering;
  V lower(LstmOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getHidden().getType();
    int64_t B = type.getDimSize(0), T = type.getDimSize(1),
            H = type.getDimSize(2);
    Type f = type.getElementType();
    auto stateType = RankedTensorType::get({B, H}, f);
    auto gatesType = RankedTensorType::get({B, 4 * H}, f);
    Value w = operands.getWeight(), xp = operands.getInput();
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
};

struct LstmGradLowering : OpLowering<LstmGradOp> {
  using OpLowering::OpLowering;
  V lower(LstmGradOp op, Adaptor operands, Lowering &L) const override {
    auto type = tensorType(operands.getGrad());
    int64_t B = type.getDimSize(0), T = type.getDimSize(1),
            H = type.getDimSize(2);
    Type f = type.getElementType();
    auto stateType = RankedTensorType::get({B, H}, f);
    auto gatesType = RankedTensorType::get({B, 4 * H}, f);
    // The input gradient is built time-major and gate-split, [T, B, 4, H], so
    // each step writes one contiguous block; transposed once at the end.
    auto splitType = RankedTensorType::get({B, 4, H}, f);
    auto dxpT = RankedTensorType::get({T, B, 4, H}, f);
    Value w = operands.getWeight(), xp = operands.getInput(),
          g = operands.getGrad();
    Value wT = transposed(L, w); // once, not per step (see matmulInto)
    Value S = toStates(L, operands.getHidden()),
          C = toStates(L, operands.getCell());
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
          ValueRange d5 = L.generic(
              results, inputs, inits, maps, L.iterators("pp"),
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
                   matmulInto(L, da, wT, false, false, zeroed(L, dh)),
                   // Into the loop-carried buffer: scf.for bufferizes in place
                   // only when each yielded value lives where its iter_arg did.
                   linalg::CopyOp::create(L.b, L.loc, d5[4], dc).getResult(0)};
        });
    // [T, B, 4, H] -> [B, T, 4, H] -> [B, T, 4H].
    auto seqSplit = RankedTensorType::get({B, T, 4, H}, f);
    Value dx = L.generic(
        seqSplit, out[0], L.empty(seqSplit),
        {L.map(4, {d(1, c), d(0, c), d(2, c), d(3, c)}), L.identity(4)},
        L.iterators("pppp"),
        [](OpBuilder &, Location, ValueRange a) { return V{a[0]}; })[0];
    dx = tensor::CollapseShapeOp::create(
        L.b, L.loc, op.getInputGrad().getType(), dx,
        SmallVector<ReassociationIndices>{{0}, {1}, {2, 3}});
    return {dx, out[1]};
  }
};

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

struct EmbeddingLowering : OpLowering<EmbeddingOp> {
  using OpLowering::OpLowering;
  V lower(EmbeddingOp op, Adaptor operands, Lowering &L) const override {
    auto type = op.getType();
    int64_t rank = type.getRank();
    Value table = operands.getTable();
    int64_t rows = tensorType(table).getDimSize(0);
    return {L.generic(type, operands.getIds(), L.empty(type),
                      {L.without(rank, {rank - 1}), L.identity(rank)},
                      L.iterators(rank, rank),
                      [&](OpBuilder &b, Location l, ValueRange a) {
                        Value row = rowIndex(b, l, a[0], rows);
                        Value col = linalg::IndexOp::create(b, l, rank - 1);
                        return V{tensor::ExtractOp::create(
                            b, l, table, ValueRange{row, col})};
                      })[0]};
  }
};

struct EmbeddingGradLowering : OpLowering<EmbeddingGradOp> {
  using OpLowering::OpLowering;
  V lower(EmbeddingGradOp op, Adaptor operands, Lowering &L) const override {
    // One row update per id, in order: ids may repeat.
    auto tableType = op.getType();
    int64_t rows = tableType.getDimSize(0), D = tableType.getDimSize(1);
    // The ids as a vector, the gradient as one [D] row per id.
    Value ids = flatten(L, operands.getIds());
    Value g = asRows(L, operands.getGrad());
    int64_t n = tensorType(ids).getDimSize(0);
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
};

} // namespace

void dlc::conversion::populateRecurrencePatterns(RewritePatternSet &patterns) {
  patterns.add<RnnLowering, RnnGradLowering, LstmLowering, LstmGradLowering,
               EmbeddingLowering, EmbeddingGradLowering>(patterns.getContext());
}
