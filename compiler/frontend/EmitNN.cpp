//===- EmitNN.cpp - checked graph to the nn dialect -----------------------===//
#include "compiler/frontend/EmitNN.h"

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
    module->getOperation()->setAttr("dlc.model", b.getStringAttr(graph.model));
    b.setInsertionPointToEnd(module->getBody());
    emitPredict();
    if (graph.train)
      emitTrainStep();
    return module;
  }

private:
  const Graph &graph;
  llvm::SourceMgr &sources;
  OpBuilder b;

  Location loc(llvm::SMLoc at) {
    auto [line, col] = sources.getLineAndColumn(at);
    auto name = sources.getMemoryBuffer(sources.getMainFileID())
                    ->getBufferIdentifier();
    return FileLineColLoc::get(b.getContext(), name, line, col);
  }

  RankedTensorType typeOf(const Shape &shape) {
    Type element = shape.isInt ? Type(b.getI32Type()) : Type(b.getF32Type());
    return RankedTensorType::get(shape.dims, element);
  }

  DictionaryAttr named(StringRef name) {
    return b.getDictionaryAttr(b.getNamedAttr("nn.name", b.getStringAttr(name)));
  }

  /// Creates a function whose arguments are the model inputs plus `extra`.
  func::FuncOp startFunction(StringRef name, ArrayRef<std::pair<StringRef, Type>> extra,
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
    func->setAttr("dlc.entry", b.getUnitAttr());
    func.addEntryBlock();
    return func;
  }

  /// The forward graph into `func`'s body; returns one value per node.
  SmallVector<Value> emitForward(func::FuncOp func) {
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
      case Node::Dense: {
        auto inType = cast<RankedTensorType>(operand(0).getType());
        auto wType = RankedTensorType::get({inType.getDimSize(1), n.units},
                                           inType.getElementType());
        Value w = nn::ParamOp::create(b, l, wType, n.name + ".weight", n.init);
        v = nn::MatmulOp::create(b, l, operand(0), w, false, false);
        if (n.bias) {
          auto bType = RankedTensorType::get({n.units}, inType.getElementType());
          Value bias = nn::ParamOp::create(b, l, bType, n.name + ".bias", "zeros");
          v = nn::BiasAddOp::create(b, l, v, bias);
        }
        break;
      }
      case Node::Conv2D: {
        auto inType = cast<RankedTensorType>(operand(0).getType());
        auto wType = RankedTensorType::get(
            {n.units, inType.getDimSize(1), n.kernel, n.kernel},
            inType.getElementType());
        Value w = nn::ParamOp::create(b, l, wType, n.name + ".weight", n.init);
        v = nn::Conv2DOp::create(b, l, operand(0), w, n.stride, n.padding);
        if (n.bias) {
          auto bType = RankedTensorType::get({n.units}, inType.getElementType());
          Value bias = nn::ParamOp::create(b, l, bType, n.name + ".bias", "zeros");
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
      case Node::Softmax:
        v = nn::SoftmaxOp::create(b, l, operand(0));
        break;
      case Node::Add:
        v = nn::AddOp::create(b, l, operand(0), operand(1));
        break;
      case Node::Sub:
        v = nn::SubOp::create(b, l, operand(0), operand(1));
        break;
      case Node::Mul:
        v = nn::MulOp::create(b, l, operand(0), operand(1));
        break;
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
    auto labelsType = RankedTensorType::get({spec.batch}, b.getI32Type());
    auto lossType = RankedTensorType::get({}, b.getF32Type());
    func::FuncOp func = startFunction("train_step", {{"labels", labelsType}},
                                      lossType);
    SmallVector<Value> values = emitForward(func);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&func.front());
    Value labels = func.getArguments().back();
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
    func.setResultAttrs(0, named("loss"));

    SmallVector<NamedAttribute> config{
        b.getNamedAttr("optimizer", b.getStringAttr(spec.optimizer))};
    for (auto &[key, value] : spec.hyper)
      config.push_back(b.getNamedAttr(key, b.getF64FloatAttr(value)));
    func->setAttr("nn.train", b.getDictionaryAttr(config));
    b.setInsertionPointAfter(func);
  }
};
} // namespace

OwningOpRef<ModuleOp> dlc::emitNN(const Graph &graph, llvm::SourceMgr &sources,
                                  MLIRContext &context) {
  context.loadDialect<nn::NNDialect, func::FuncDialect>();
  return Emitter(graph, sources, context).run();
}
