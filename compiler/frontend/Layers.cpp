//===- Layers.cpp - the table of layers and their builders ----------------===//
//
// Each entry builds the nn ops of one layer from checked arguments. Result
// shapes come from the ops (LayerBuilder::infer); a builder computes a shape
// only where the layer defines it (dense works on the last dimension, reshape
// keeps the batch).
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Layers.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"
#include <cmath>
#include <fmt/format.h>

using namespace mlir;
using namespace dlc;
using namespace dlc::frontend;
using llvm::StringRef;

//===----------------------------------------------------------------------===//
// LayerBuilder
//===----------------------------------------------------------------------===//

FailureOr<Value> LayerBuilder::finish(Operation *op) {
  if (failed(verify(op, /*verifyRecursively=*/false))) {
    op->erase();
    return failure();
  }
  for (Value result : op->getResults())
    if (failed(checkSize(result)))
      return failure();
  return op->getResult(0);
}

FailureOr<Value> LayerBuilder::param(ArrayRef<int64_t> shape, StringRef suffix,
                                     StringRef init) {
  if (name_.empty())
    name_ = layerName();
  std::string name = suffix.empty() ? name_ : name_ + "." + suffix.str();
  auto type = RankedTensorType::get(shape, b.getF32Type());
  if (!nn::elementCount(type) || *nn::elementCount(type) > nn::kMaxElements) {
    report(at, fmt::format("parameter '{}' would be {}: more than 2^28 "
                           "values",
                           name, nn::describe(type)));
    return failure();
  }
  onParam(name);
  return typed<nn::ParamOp>(type, name, init.empty() ? defaultInit : init);
}

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

namespace {
RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

RankedTensorType f32(LayerBuilder &lb, ArrayRef<int64_t> shape) {
  return RankedTensorType::get(shape, lb.b.getF32Type());
}

/// `v` repeated over the leading dimensions of `like` it lacks.
FailureOr<Value> broadcastLike(LayerBuilder &lb, Value v, Value like) {
  RankedTensorType vt = tensorType(v), lt = tensorType(like);
  if (vt.getRank() >= lt.getRank())
    return v;
  return lb.typed<nn::BroadcastOp>(
      lt, v,
      llvm::to_vector(llvm::seq<int64_t>(0, lt.getRank() - vt.getRank())));
}

/// x W (+ bias) over the last dimension of any rank: [..., in] -> [..., out],
/// as torch.nn.Linear.
FailureOr<Value> dense(LayerBuilder &lb, Value x, int64_t units,
                       StringRef weight, StringRef init, bool bias) {
  RankedTensorType type = tensorType(x);
  int64_t in = type.getShape().back();
  FailureOr<Value> w = lb.param({in, units}, weight, init);
  if (failed(w))
    return failure();
  Value flat = x;
  if (type.getRank() != 2) {
    auto rows =
        lb.typed<nn::ReshapeOp>(f32(lb, {type.getNumElements() / in, in}), x);
    if (failed(rows))
      return failure();
    flat = *rows;
  }
  FailureOr<Value> v = lb.infer<nn::MatmulOp>(flat, *w, false, false);
  if (failed(v))
    return failure();
  if (bias) {
    FailureOr<Value> b = lb.param({units}, "bias", "zeros");
    if (failed(b) || failed(v = lb.infer<nn::BiasAddOp>(*v, *b, int64_t(-1))))
      return failure();
  }
  if (type.getRank() == 2)
    return v;
  SmallVector<int64_t> shape(type.getShape());
  shape.back() = units;
  return lb.typed<nn::ReshapeOp>(f32(lb, shape), *v);
}

FailureOr<Value> buildDense(LayerBuilder &lb, const LayerArgs &a) {
  return dense(lb, a.tensor(0), a.integer("units"), "weight", a.init(),
               a.flag("bias"));
}

FailureOr<Value> buildConv2D(LayerBuilder &lb, const LayerArgs &a) {
  Value x = a.tensor(0);
  int64_t filters = a.integer("filters"), kernel = a.integer("kernel");
  FailureOr<Value> w =
      lb.param({filters, tensorType(x).getDimSize(1), kernel, kernel}, "weight",
               a.init());
  if (failed(w))
    return failure();
  FailureOr<Value> v =
      lb.infer<nn::Conv2DOp>(x, *w, a.integer("stride"), a.integer("padding"));
  if (failed(v) || !a.flag("bias"))
    return v;
  FailureOr<Value> b = lb.param({filters}, "bias", "zeros");
  if (failed(b))
    return failure();
  return lb.infer<nn::BiasAddOp>(*v, *b, int64_t(1));
}

template <typename PoolOp>
FailureOr<Value> buildPool(LayerBuilder &lb, const LayerArgs &a) {
  // The stride defaults to the window, as in torch.nn.MaxPool2d.
  int64_t kernel = a.integer("kernel");
  int64_t stride = a.integer("stride") ? a.integer("stride") : kernel;
  return lb.infer<PoolOp>(a.tensor(0), kernel, stride);
}

FailureOr<Value> buildFlatten(LayerBuilder &lb, const LayerArgs &a) {
  ArrayRef<int64_t> shape = tensorType(a.tensor(0)).getShape();
  int64_t rest = 1;
  for (int64_t d : shape.drop_front())
    rest *= d;
  return lb.typed<nn::ReshapeOp>(f32(lb, {shape[0], rest}), a.tensor(0));
}

FailureOr<Value> buildReshape(LayerBuilder &lb, const LayerArgs &a) {
  // The batch dimension stays; the rest takes the listed sizes.
  SmallVector<int64_t> shape{tensorType(a.tensor(0)).getDimSize(0)};
  llvm::append_range(shape, a.sizes());
  return lb.typed<nn::ReshapeOp>(f32(lb, shape), a.tensor(0));
}

template <typename OpTy>
FailureOr<Value> buildUnary(LayerBuilder &lb, const LayerArgs &a) {
  return lb.infer<OpTy>(a.tensor(0));
}

FailureOr<Value> buildGelu(LayerBuilder &lb, const LayerArgs &a) {
  if (a.integer("approximate") == 1)
    return lb.infer<nn::GeluTanhOp>(a.tensor(0));
  return lb.infer<nn::GeluOp>(a.tensor(0));
}

/// An elementwise op with one number argument, named by the template.
constexpr char slope[] = "slope", alpha[] = "alpha", exponent[] = "exponent";
template <typename OpTy, const char *Name>
FailureOr<Value> buildParamUnary(LayerBuilder &lb, const LayerArgs &a) {
  return lb.infer<OpTy>(a.tensor(0), lb.b.getF64FloatAttr(a.number(Name)));
}

/// `build` applied along `axis` of `v`: nn.softmax and nn.log_softmax work
/// on the last dimension, so another axis is swapped there and back.
FailureOr<Value> alongAxis(LayerBuilder &lb, Value v, int64_t axis,
                           llvm::function_ref<FailureOr<Value>(Value)> build) {
  int64_t last = tensorType(v).getRank() - 1;
  if (axis == last)
    return build(v);
  auto perm = llvm::to_vector(llvm::seq<int64_t>(0, last + 1));
  std::swap(perm[axis], perm[last]);
  FailureOr<Value> r = lb.infer<nn::TransposeOp>(v, perm);
  if (failed(r) || failed(r = build(*r)))
    return failure();
  return lb.infer<nn::TransposeOp>(*r, perm);
}

FailureOr<Value> buildSoftmax(LayerBuilder &lb, const LayerArgs &a) {
  Value v = a.tensor(0);
  int64_t last = tensorType(v).getRank() - 1, axis = a.integer("axis");
  bool causal = a.flag("causal");
  if (causal && axis != last)
    return lb.error(a.loc("causal"),
                    "a causal softmax runs over the last dimension");
  return alongAxis(lb, v, axis, [&](Value r) -> FailureOr<Value> {
    FailureOr<Value> masked = r;
    if (causal && failed(masked = lb.infer<nn::CausalMaskOp>(
                             r, lb.b.getF64FloatAttr(-INFINITY))))
      return failure();
    return lb.infer<nn::SoftmaxOp>(*masked);
  });
}

FailureOr<Value> buildLogSoftmax(LayerBuilder &lb, const LayerArgs &a) {
  return alongAxis(lb, a.tensor(0), a.integer("axis"),
                   [&](Value r) { return lb.infer<nn::LogSoftmaxOp>(r); });
}

/// sum, mean or max over the listed axes; keepdims keeps them as size 1.
enum class Reduction { Sum, Mean, Max };
template <Reduction R>
FailureOr<Value> buildReduction(LayerBuilder &lb, const LayerArgs &a) {
  Value x = a.tensor(0);
  ArrayRef<int64_t> axes = a.axes();
  FailureOr<Value> r = R == Reduction::Max ? lb.infer<nn::ReduceMaxOp>(x, axes)
                                           : lb.infer<nn::ReduceSumOp>(x, axes);
  if (failed(r))
    return failure();
  if (R == Reduction::Mean) {
    int64_t count = 1;
    for (int64_t axis : axes)
      count *= tensorType(x).getDimSize(axis);
    if (failed(
            r = lb.infer<nn::ScaleOp>(*r, lb.b.getF64FloatAttr(1.0 / count))))
      return failure();
  }
  if (!a.flag("keepdims"))
    return r;
  SmallVector<int64_t> shape(tensorType(x).getShape());
  for (int64_t axis : axes)
    shape[axis] = 1;
  return lb.typed<nn::ReshapeOp>(f32(lb, shape), *r);
}

template <char Op>
FailureOr<Value> buildBinaryLayer(LayerBuilder &lb, const LayerArgs &a) {
  StringRef name = Op == '+' ? "add" : Op == '-' ? "sub" : "mul";
  return buildBinary(lb, Op, a.tensor(0), a.tensor(1), name);
}

FailureOr<Value> buildEmbedding(LayerBuilder &lb, const LayerArgs &a) {
  FailureOr<Value> table =
      lb.param({a.integer("count"), a.integer("size")}, "weight", a.init());
  if (failed(table))
    return failure();
  return lb.infer<nn::EmbeddingOp>(a.tensor(0), *table);
}

template <int64_t Gates>
FailureOr<Value> buildRecurrence(LayerBuilder &lb, const LayerArgs &a) {
  // Input projection for every step at once, then the recurrence.
  int64_t units = a.integer("units");
  FailureOr<Value> xp =
      dense(lb, a.tensor(0), Gates * units, "weight_ih", a.init(), true);
  if (failed(xp))
    return failure();
  FailureOr<Value> whh =
      lb.param({units, Gates * units}, "weight_hh", a.init());
  if (failed(whh))
    return failure();
  if constexpr (Gates == 4)
    return lb.infer<nn::LstmOp>(*xp, *whh); // the hidden states
  else
    return lb.infer<nn::RnnOp>(*xp, *whh);
}

FailureOr<Value> buildLast(LayerBuilder &lb, const LayerArgs &a) {
  ArrayRef<int64_t> shape = tensorType(a.tensor(0)).getShape();
  FailureOr<Value> step = lb.typed<nn::SliceOp>(
      f32(lb, {shape[0], 1, shape[2]}), a.tensor(0), int64_t(1), shape[1] - 1);
  if (failed(step))
    return failure();
  return lb.typed<nn::ReshapeOp>(f32(lb, {shape[0], shape[2]}), *step);
}

FailureOr<Value> buildMatmul(LayerBuilder &lb, const LayerArgs &a) {
  Value x = a.tensor(0), y = a.tensor(1);
  bool ta = a.flag("transpose_a"), tb = a.flag("transpose_b");
  if (tensorType(x).getRank() == 2 && tensorType(y).getRank() == 2)
    return lb.infer<nn::MatmulOp>(x, y, ta, tb);
  return lb.infer<nn::BatchMatmulOp>(x, y, ta, tb);
}

FailureOr<Value> buildTranspose(LayerBuilder &lb, const LayerArgs &a) {
  auto perm =
      llvm::to_vector(llvm::seq<int64_t>(0, tensorType(a.tensor(0)).getRank()));
  std::swap(perm[a.integer("dim1")], perm[a.integer("dim2")]);
  return lb.infer<nn::TransposeOp>(a.tensor(0), perm);
}

FailureOr<Value> buildLayerNorm(LayerBuilder &lb, const LayerArgs &a) {
  // Normalize, then a learned scale and shift over the last dimension.
  int64_t d = tensorType(a.tensor(0)).getShape().back();
  FailureOr<Value> v = lb.infer<nn::LayerNormOp>(
      a.tensor(0), lb.b.getF64FloatAttr(a.number("eps")));
  if (failed(v))
    return failure();
  FailureOr<Value> gamma = lb.param({d}, "weight", "ones");
  if (failed(gamma) || failed(gamma = broadcastLike(lb, *gamma, *v)) ||
      failed(v = lb.infer<nn::MulOp>(*v, *gamma)))
    return failure();
  FailureOr<Value> beta = lb.param({d}, "bias", "zeros");
  if (failed(beta))
    return failure();
  return lb.infer<nn::BiasAddOp>(*v, *beta, int64_t(-1));
}

FailureOr<Value> buildParam(LayerBuilder &lb, const LayerArgs &a) {
  return lb.param(a.sizes(), "", a.init());
}

FailureOr<Value> buildSlice(LayerBuilder &lb, const LayerArgs &a) {
  SmallVector<int64_t> shape(tensorType(a.tensor(0)).getShape());
  shape[a.integer("axis")] = a.integer("size");
  return lb.typed<nn::SliceOp>(f32(lb, shape), a.tensor(0), a.integer("axis"),
                               a.integer("start"));
}

FailureOr<Value> buildConcat(LayerBuilder &lb, const LayerArgs &a) {
  return lb.infer<nn::ConcatOp>(ValueRange(a.tensors()), a.integer("axis"));
}

FailureOr<Value> buildDropout(LayerBuilder &lb, const LayerArgs &a) {
  // Dropout acts in training only; predict passes its input through.
  double rate = a.number("rate");
  if (!lb.step || rate == 0)
    return a.tensor(0);
  return lb.infer<nn::DropoutOp>(a.tensor(0), lb.step,
                                 lb.b.getF64FloatAttr(rate),
                                 lb.b.getI64IntegerAttr(lb.valueIndex));
}

constexpr ArgKind Tensor = ArgKind::Tensor, Size = ArgKind::Size,
                  Bool = ArgKind::Bool, Axis = ArgKind::Axis;

ArgSpec input() { return positional("input", Tensor); }
ArgSpec sequence() {
  return positional("sequence", Tensor, "[batch, time, features] sequence", 3,
                    3);
}
ArgSpec images() {
  return positional("input", Tensor, "[batch, channels, height, width] input",
                    4, 4);
}
} // namespace

llvm::ArrayRef<Layer> dlc::frontend::layers() {
  static const Layer table[] = {
      {"dense",
       "a fully connected layer over the last dimension (torch.nn.Linear)",
       {positional("input", Tensor, "[batch, ..., features] input", 2),
        positional("units", Size, "units"), keyword("bias", Bool, 1),
        initKeyword()},
       buildDense},
      {"conv2d",
       "a 2-D convolution of [N, C, H, W] images (torch.nn.Conv2d)",
       {images(), positional("filters", Size, "filters"),
        positional("kernel", Size, "kernel"), keyword("stride", Size, 1),
        keyword("padding", ArgKind::Index, 0), keyword("bias", Bool, 1),
        initKeyword()},
       buildConv2D},
      {"maxpool2d",
       "the maximum of each window (torch.nn.MaxPool2d)",
       {images(), positional("kernel", Size, "kernel"),
        keyword("stride", Size, 0)},
       buildPool<nn::MaxPool2DOp>},
      {"avgpool2d",
       "the mean of each window (torch.nn.AvgPool2d)",
       {images(), positional("kernel", Size, "kernel"),
        keyword("stride", Size, 0)},
       buildPool<nn::AvgPool2DOp>},
      {"flatten",
       "[N, ...] to [N, rest] (torch.nn.Flatten)",
       {positional("input", Tensor)},
       buildFlatten},
      {"reshape",
       "keeps the batch dimension, the rest takes the listed sizes",
       {input(), positional("sizes", ArgKind::Sizes, "a dimension")},
       buildReshape,
       "'reshape' expects the input and the new sizes of the dimensions "
       "after the batch, as reshape(x, 4, 16)"},
      {"relu", "max(x, 0)", {input()}, buildUnary<nn::ReluOp>},
      {"sigmoid", "1 / (1 + exp(-x))", {input()}, buildUnary<nn::SigmoidOp>},
      {"tanh", "tanh(x)", {input()}, buildUnary<nn::TanhOp>},
      {"gelu",
       "x Phi(x): the exact GELU, or its tanh form with approximate = "
       "\"tanh\" (torch.nn.GELU)",
       {input(), choiceKeyword("approximate", "none|tanh")},
       buildGelu},
      {"silu",
       "x sigmoid(x) (torch.nn.SiLU)",
       {input()},
       buildUnary<nn::SiluOp>},
      {"leaky_relu",
       "x, or slope x below 0 (torch.nn.LeakyReLU)",
       {input(), keyword("slope", ArgKind::Number, 0.01)},
       buildParamUnary<nn::LeakyReluOp, slope>},
      {"elu",
       "x, or alpha (e^x - 1) below 0 (torch.nn.ELU)",
       {input(), keyword("alpha", ArgKind::Number, 1)},
       buildParamUnary<nn::EluOp, alpha>},
      {"softplus",
       "log(1 + e^x) (torch.nn.Softplus)",
       {input()},
       buildUnary<nn::SoftplusOp>},
      {"exp", "e^x (torch.exp)", {input()}, buildUnary<nn::ExpOp>},
      {"log",
       "natural logarithm (torch.log)",
       {input()},
       buildUnary<nn::LogOp>},
      {"sqrt", "square root (torch.sqrt)", {input()}, buildUnary<nn::SqrtOp>},
      {"abs", "|x| (torch.abs)", {input()}, buildUnary<nn::AbsOp>},
      {"pow",
       "x to a number's power (torch.pow)",
       {input(), positional("exponent", ArgKind::Number)},
       buildParamUnary<nn::PowOp, exponent>},
      {"softmax",
       "exp(x) / sum(exp(x)) over an axis; causal masks the future",
       {input(), keyword("axis", Axis, -1), keyword("causal", Bool, 0)},
       buildSoftmax},
      {"log_softmax",
       "log(softmax(x)) over an axis, computed as x - max - log(sum(exp(x - "
       "max))) (torch.log_softmax)",
       {input(), keyword("axis", Axis, -1)},
       buildLogSoftmax},
      {"sum",
       "the sum over an axis or a list of axes (torch.sum)",
       {input(), positional("axis", ArgKind::Axes),
        keyword("keepdims", Bool, 0)},
       buildReduction<Reduction::Sum>},
      {"mean",
       "the mean over an axis or a list of axes (torch.mean)",
       {input(), positional("axis", ArgKind::Axes),
        keyword("keepdims", Bool, 0)},
       buildReduction<Reduction::Mean>},
      {"max",
       "the maximum over an axis or a list of axes; maxima that tie share "
       "the gradient (torch.amax)",
       {input(), positional("axis", ArgKind::Axes),
        keyword("keepdims", Bool, 0)},
       buildReduction<Reduction::Max>},
      {"add",
       "lhs + rhs, broadcast",
       {positional("lhs", Tensor), positional("rhs", Tensor)},
       buildBinaryLayer<'+'>},
      {"sub",
       "lhs - rhs, broadcast",
       {positional("lhs", Tensor), positional("rhs", Tensor)},
       buildBinaryLayer<'-'>},
      {"mul",
       "lhs * rhs, broadcast",
       {positional("lhs", Tensor), positional("rhs", Tensor)},
       buildBinaryLayer<'*'>},
      {"embedding",
       "rows of a learned table for integer ids (torch.nn.Embedding)",
       {positional("ids", ArgKind::Ids),
        positional("count", Size, "the number of embeddings"),
        positional("size", Size, "the embedding size"),
        initKeyword("normal:1")},
       buildEmbedding},
      {"rnn",
       "an Elman RNN over [batch, time, features], tanh (torch.nn.RNN)",
       {sequence(), positional("units", Size, "units"), initKeyword()},
       buildRecurrence<1>},
      {"lstm",
       "an LSTM over [batch, time, features] (torch.nn.LSTM)",
       {sequence(), positional("units", Size, "units"), initKeyword()},
       buildRecurrence<4>},
      {"last",
       "the last time step of a [batch, time, features] sequence",
       {sequence()},
       buildLast},
      {"matmul",
       "a matrix product, batched over leading dimensions (torch.matmul)",
       {positional("a", Tensor), positional("b", Tensor),
        keyword("transpose_a", Bool, 0), keyword("transpose_b", Bool, 0)},
       buildMatmul},
      {"transpose",
       "swaps two dimensions (torch.transpose)",
       {input(), positional("dim1", Axis), positional("dim2", Axis)},
       buildTranspose},
      {"layer_norm",
       "normalizes the last dimension, learned scale and shift "
       "(torch.nn.LayerNorm)",
       {input(), keyword("eps", ArgKind::Positive, 1e-5)},
       buildLayerNorm},
      {"param",
       "a learned tensor of the given sizes",
       {positional("sizes", ArgKind::Sizes, "a dimension"), initKeyword()},
       buildParam,
       "'param' expects its dimensions, as param(32, 64)"},
      {"slice",
       "size elements of a dimension from start (torch.narrow)",
       {input(), positional("axis", Axis), positional("start", ArgKind::Index),
        positional("size", Size, "size")},
       buildSlice},
      {"concat",
       "joins tensors along an axis (torch.cat)",
       {positional("tensors", ArgKind::Tensors), keyword("axis", Axis, -1)},
       buildConcat,
       "'concat' expects at least two tensors"},
      {"dropout",
       "zeroes elements with probability rate in training (torch.nn.Dropout)",
       {input(), positional("rate", ArgKind::Rate)},
       buildDropout,
       {},
       /*usesStep=*/true},
  };
  return table;
}

const Layer *dlc::frontend::findLayer(StringRef name) {
  for (const Layer &layer : layers())
    if (layer.name == name)
      return &layer;
  return nullptr;
}

FailureOr<Value> dlc::frontend::buildBinary(LayerBuilder &lb, char op,
                                            Value lhs, Value rhs,
                                            StringRef call) {
  RankedTensorType a = tensorType(lhs), b = tensorType(rhs);
  StringRef verb = op == '+'   ? "add"
                   : op == '-' ? "subtract"
                   : op == '*' ? "multiply"
                               : "divide";
  if (!a.getElementType().isF32() || !b.getElementType().isF32())
    return lb.error(lb.at,
                    fmt::format("cannot {} integer tensors ({} and "
                                "{})",
                                verb.str(), nn::describe(a), nn::describe(b)));
  auto suffixOf = [](ArrayRef<int64_t> x, ArrayRef<int64_t> y) {
    return x.size() <= y.size() && y.take_back(x.size()) == x;
  };
  if (!suffixOf(a.getShape(), b.getShape()) &&
      !suffixOf(b.getShape(), a.getShape()))
    return lb.error(
        lb.at,
        call.empty()
            ? fmt::format("cannot {} {} and {}: shapes differ", verb.str(),
                          nn::describe(a), nn::describe(b))
            : fmt::format("'{}' needs operands of one shape, got {} and {}",
                          call.str(), nn::describe(a), nn::describe(b)));
  FailureOr<Value> x = broadcastLike(lb, lhs, rhs);
  if (failed(x))
    return failure();
  FailureOr<Value> y = broadcastLike(lb, rhs, *x);
  if (failed(y))
    return failure();
  if (op == '+')
    return lb.infer<nn::AddOp>(*x, *y);
  if (op == '-')
    return lb.infer<nn::SubOp>(*x, *y);
  if (op == '*')
    return lb.infer<nn::MulOp>(*x, *y);
  return lb.infer<nn::DivOp>(*x, *y);
}
