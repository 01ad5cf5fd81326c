//===- EmitNN.cpp - checked graph to the nn dialect -----------------------===//
#include "compiler/frontend/EmitNN.h"
#include "dialects/nn/NNContract.h"

#include "dialects/nn/NNDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace dlc;

namespace {
class Emitter {
public:
  Emitter(const Graph &graph, llvm::SourceMgr &sources, MLIRContext &ctx)
      : graph(graph), sources(sources), b(&ctx) {}

  OwningOpRef<ModuleOp> run() {
    OwningOpRef<ModuleOp> module = ModuleOp::create(loc(graph.nodes[0].loc));
    module->getOperation()->setAttr(nn::attr::kModel,
                                    b.getStringAttr(graph.model));
    if (graph.train)
      module->getOperation()->setAttr(nn::attr::kSettings, settings());
    b.setInsertionPointToEnd(module->getBody());
    emitPredict();
    if (graph.train)
      emitTrainStep();
    return module;
  }

private:
  /// The training set-up, as the runtime reads it from the manifest.
  DictionaryAttr settings() {
    const TrainSpec &train = *graph.train;
    SmallVector<NamedAttribute> entries{
        b.getNamedAttr("data",
                       b.getStringAttr(train.dataKind + ":" + train.dataPath)),
        b.getNamedAttr("loss", b.getStringAttr(train.lossName)),
        b.getNamedAttr("optimizer", b.getStringAttr(train.optimizer)),
        b.getNamedAttr("batch", b.getStringAttr(std::to_string(train.batch))),
        b.getNamedAttr("epochs", b.getStringAttr(std::to_string(train.epochs))),
        b.getNamedAttr("seed", b.getStringAttr(std::to_string(train.seed)))};
    if (train.dataKind == "text")
      entries.push_back(b.getNamedAttr("vocab", b.getStringAttr(train.vocab)));
    return b.getDictionaryAttr(entries);
  }

  const Graph &graph;
  llvm::SourceMgr &sources;
  OpBuilder b;

  Location loc(llvm::SMLoc at) {
    auto [line, col] = sources.getLineAndColumn(at);
    auto name =
        sources.getMemoryBuffer(sources.getMainFileID())->getBufferIdentifier();
    return FileLineColLoc::get(b.getContext(), name, line, col);
  }

  RankedTensorType typeOf(const Shape &shape) {
    Type element = shape.isInt ? Type(b.getI32Type()) : Type(b.getF32Type());
    return RankedTensorType::get(shape.dims, element);
  }

  DictionaryAttr named(StringRef name) {
    return b.getDictionaryAttr(
        b.getNamedAttr(nn::attr::kName, b.getStringAttr(name)));
  }

  /// Creates a function whose arguments are the model inputs plus `extra`.
  func::FuncOp startFunction(StringRef name,
                             ArrayRef<std::pair<StringRef, Type>> extra,
                             TypeRange results) {
    SmallVector<Type> args;
    SmallVector<Attribute> argAttrs;
    for (const Node &n : graph.nodes)
      if (n.op == Node::Input) {
        args.push_back(typeOf(n.shape));
        argAttrs.push_back(named(n.name));
      }
    for (auto [argName, type] : extra) {
      args.push_back(type);
      argAttrs.push_back(named(argName));
    }
    auto func = func::FuncOp::create(b, loc(graph.nodes[0].loc), name,
                                     b.getFunctionType(args, results));
    func.setArgAttrsAttr(b.getArrayAttr(argAttrs));
    func->setAttr(nn::attr::kEntry, b.getUnitAttr());
    func.addEntryBlock();
    return func;
  }

  Value param(Location l, ArrayRef<int64_t> shape, StringRef name,
              StringRef init) {
    return nn::ParamOp::create(
        b, l, RankedTensorType::get(shape, b.getF32Type()), name, init);
  }

  /// x W (+ bias) over the last dimension of any rank: [..., in] -> [..., out].
  Value dense(Location l, Value x, int64_t units, StringRef weight,
              StringRef init, StringRef bias) {
    auto type = cast<RankedTensorType>(x.getType());
    int64_t in = type.getShape().back(), rows = type.getNumElements() / in;
    Value w = param(l, {in, units}, weight, init);
    Value flat = x;
    if (type.getRank() != 2)
      flat = nn::ReshapeOp::create(
          b, l, RankedTensorType::get({rows, in}, b.getF32Type()), x);
    Value v = nn::MatmulOp::create(b, l, flat, w, false, false);
    if (!bias.empty())
      v = nn::BiasAddOp::create(b, l, v, param(l, {units}, bias, "zeros"));
    if (type.getRank() == 2)
      return v;
    SmallVector<int64_t> shape(type.getShape());
    shape.back() = units;
    return nn::ReshapeOp::create(
        b, l, RankedTensorType::get(shape, b.getF32Type()), v);
  }

  /// `v` repeated over the leading dimensions of `like` it lacks.
  Value broadcastLike(Location l, Value v, Value like) {
    auto vt = cast<RankedTensorType>(v.getType());
    auto lt = cast<RankedTensorType>(like.getType());
    if (vt.getRank() >= lt.getRank())
      return v;
    return nn::BroadcastOp::create(
        b, l, lt, v,
        llvm::to_vector(llvm::seq<int64_t>(0, lt.getRank() - vt.getRank())));
  }

  /// The forward graph into `func`'s body; returns one value per node.
  /// `step` (train_step only) drives dropout, which predict leaves out.
  SmallVector<Value> emitForward(func::FuncOp func, Value step = nullptr) {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(&func.front());
    SmallVector<Value> values;
    unsigned nextInput = 0;
    for (const Node &n : graph.nodes) {
      Location l = loc(n.loc);
      auto operand = [&](int i) { return values[n.operands[i]]; };
      Value v;
      switch (n.op) {
      case Node::Input:
        v = func.getArgument(nextInput++);
        break;
      case Node::Dense:
        v = dense(l, operand(0), n.units, n.name + ".weight", n.init,
                  n.bias ? n.name + ".bias" : "");
        break;
      case Node::Conv2D: {
        auto inType = cast<RankedTensorType>(operand(0).getType());
        auto wType = RankedTensorType::get(
            {n.units, inType.getDimSize(1), n.kernel, n.kernel},
            inType.getElementType());
        Value w = nn::ParamOp::create(b, l, wType, n.name + ".weight", n.init);
        v = nn::Conv2DOp::create(b, l, operand(0), w, n.stride, n.padding);
        if (n.bias) {
          auto bType =
              RankedTensorType::get({n.units}, inType.getElementType());
          Value bias =
              nn::ParamOp::create(b, l, bType, n.name + ".bias", "zeros");
          v = nn::BiasAddOp::create(b, l, v, bias, /*axis=*/1);
        }
        break;
      }
      case Node::MaxPool2D:
        v = nn::MaxPool2DOp::create(b, l, operand(0), n.kernel, n.stride);
        break;
      case Node::AvgPool2D:
        v = nn::AvgPool2DOp::create(b, l, operand(0), n.kernel, n.stride);
        break;
      case Node::Flatten:
        v = nn::ReshapeOp::create(b, l, typeOf(n.shape), operand(0));
        break;
      case Node::Relu:
        v = nn::ReluOp::create(b, l, operand(0));
        break;
      case Node::Sigmoid:
        v = nn::SigmoidOp::create(b, l, operand(0));
        break;
      case Node::Tanh:
        v = nn::TanhOp::create(b, l, operand(0));
        break;
      case Node::Softmax: {
        // nn.softmax runs over the last dimension: another axis is swapped
        // there and back.
        v = operand(0);
        int64_t last = static_cast<int64_t>(n.shape.dims.size()) - 1;
        auto perm = llvm::to_vector(llvm::seq<int64_t>(0, last + 1));
        std::swap(perm[n.axis], perm[last]);
        if (n.axis != last)
          v = nn::TransposeOp::create(b, l, v, perm);
        if (n.causal)
          v = nn::CausalMaskOp::create(b, l, v, b.getF64FloatAttr(-INFINITY));
        v = nn::SoftmaxOp::create(b, l, v);
        if (n.axis != last)
          v = nn::TransposeOp::create(b, l, v, perm);
        break;
      }
      case Node::Embedding: {
        Value table = param(l, {n.rows, n.units}, n.name + ".weight", n.init);
        v = nn::EmbeddingOp::create(b, l, operand(0), table);
        break;
      }
      case Node::Rnn:
      case Node::Lstm: {
        // Input projection for every step at once, then the recurrence.
        int64_t gates = n.op == Node::Lstm ? 4 : 1;
        Value xp = dense(l, operand(0), gates * n.units, n.name + ".weight_ih",
                         n.init, n.name + ".bias");
        Value whh =
            param(l, {n.units, gates * n.units}, n.name + ".weight_hh", n.init);
        if (n.op == Node::Lstm)
          v = nn::LstmOp::create(b, l, xp, whh).getHidden();
        else
          v = nn::RnnOp::create(b, l, xp, whh);
        break;
      }
      case Node::Last: {
        auto type = cast<RankedTensorType>(operand(0).getType());
        auto [batch, time, features] = std::make_tuple(
            type.getDimSize(0), type.getDimSize(1), type.getDimSize(2));
        v = nn::SliceOp::create(
            b, l, RankedTensorType::get({batch, 1, features}, b.getF32Type()),
            operand(0), 1, time - 1);
        v = nn::ReshapeOp::create(b, l, typeOf(n.shape), v);
        break;
      }
      case Node::Matmul:
        if (n.shape.dims.size() == 2)
          v = nn::MatmulOp::create(b, l, operand(0), operand(1), n.transA,
                                   n.transB);
        else
          v = nn::BatchMatmulOp::create(b, l, operand(0), operand(1), n.transA,
                                        n.transB);
        break;
      case Node::Transpose: {
        auto perm = llvm::to_vector(llvm::seq<int64_t>(0, n.shape.dims.size()));
        std::swap(perm[n.axis], perm[n.start]);
        v = nn::TransposeOp::create(b, l, operand(0), perm);
        break;
      }
      case Node::LayerNorm: {
        // Normalize, then a learned scale and shift over the last dimension.
        int64_t d = n.shape.dims.back();
        v = nn::LayerNormOp::create(b, l, operand(0),
                                    b.getF64FloatAttr(n.factor));
        Value gamma = param(l, {d}, n.name + ".weight", "ones");
        v = nn::MulOp::create(b, l, v, broadcastLike(l, gamma, v));
        v = nn::BiasAddOp::create(b, l, v,
                                  param(l, {d}, n.name + ".bias", "zeros"));
        break;
      }
      case Node::Param:
        v = param(l, n.shape.dims, n.name, n.init);
        break;
      case Node::Slice:
        v = nn::SliceOp::create(b, l, typeOf(n.shape), operand(0), n.axis,
                                n.start);
        break;
      case Node::Concat: {
        SmallVector<Value> parts;
        for (int i : n.operands)
          parts.push_back(values[i]);
        v = nn::ConcatOp::create(b, l, parts, n.axis);
        break;
      }
      case Node::Dropout:
        v = step && n.factor > 0
                ? nn::DropoutOp::create(
                      b, l, operand(0), step, b.getF64FloatAttr(n.factor),
                      b.getI64IntegerAttr(&n - graph.nodes.data()))
                      .getResult()
                : operand(0);
        break;
      case Node::Add:
      case Node::Sub:
      case Node::Mul: {
        // The operand of lower rank is broadcast (Sema checked the suffix).
        Value x = operand(0), y = operand(1);
        x = broadcastLike(l, x, y);
        y = broadcastLike(l, y, x);
        if (n.op == Node::Add)
          v = nn::AddOp::create(b, l, x, y);
        else if (n.op == Node::Sub)
          v = nn::SubOp::create(b, l, x, y);
        else
          v = nn::MulOp::create(b, l, x, y);
        break;
      }
      case Node::Scale:
        v = nn::ScaleOp::create(b, l, operand(0), b.getF64FloatAttr(n.factor));
        break;
      }
      values.push_back(v);
    }
    return values;
  }

  void emitPredict() {
    SmallVector<Type> results;
    for (auto &[name, node] : graph.outputs)
      results.push_back(typeOf(graph.nodes[node].shape));
    func::FuncOp func = startFunction("predict", {}, results);
    SmallVector<Value> values = emitForward(func);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&func.front());
    SmallVector<Value> outs;
    for (auto [i, out] : llvm::enumerate(graph.outputs)) {
      outs.push_back(values[out.second]);
      func.setResultAttrs(i, named(out.first));
    }
    func::ReturnOp::create(b, func.getLoc(), outs);
    b.setInsertionPointAfter(func);
  }

  void emitTrainStep() {
    const TrainSpec &spec = *graph.train;
    auto labelsType = RankedTensorType::get(spec.labelShape, b.getI32Type());
    auto lossType = RankedTensorType::get({}, b.getF32Type());
    SmallVector<std::pair<StringRef, Type>> extra{
        {nn::buffer::kLabels, labelsType}};
    // Dropout masks depend on the step number, which the runtime feeds.
    if (graph.hasDropout)
      extra.push_back(
          {nn::buffer::kStep, RankedTensorType::get({}, b.getI32Type())});
    func::FuncOp func = startFunction("train_step", extra, lossType);
    Value step = graph.hasDropout ? func.getArguments().back() : Value();
    SmallVector<Value> values = emitForward(func, step);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&func.front());
    Value labels = func.getArgument(func.getNumArguments() - extra.size());
    Value out = values[spec.lossInput];
    Location l = loc(graph.nodes[spec.lossInput].loc);
    Value target;
    if (spec.oneHotTarget)
      target = nn::OneHotOp::create(b, l, out.getType(), labels);
    Value loss;
    switch (spec.loss) {
    case TrainSpec::CrossEntropy:
      loss = nn::CrossEntropyOp::create(b, l, out, labels);
      break;
    case TrainSpec::MSE:
      loss = nn::MseOp::create(b, l, out, target);
      break;
    case TrainSpec::BCEWithLogits:
      loss = nn::BceLogitsOp::create(b, l, out, target);
      break;
    }
    func::ReturnOp::create(b, func.getLoc(), loss);
    func.setResultAttrs(0, named(nn::buffer::kLoss));

    SmallVector<NamedAttribute> config{
        b.getNamedAttr("optimizer", b.getStringAttr(spec.optimizer))};
    for (auto &[key, value] : spec.hyper)
      config.push_back(b.getNamedAttr(key, b.getF64FloatAttr(value)));
    func->setAttr(nn::attr::kTrain, b.getDictionaryAttr(config));
    b.setInsertionPointAfter(func);
  }
};
} // namespace

OwningOpRef<ModuleOp> dlc::emitNN(const Graph &graph, llvm::SourceMgr &sources,
                                  MLIRContext &context) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  return Emitter(graph, sources, context).run();
}
