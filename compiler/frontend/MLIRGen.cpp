//===- MLIRGen.cpp - a .net model to nn ops, checked on the way -----------===//
//
// The model is walked once per entry point: `@predict`, then `@train_step`
// (where dropout is live). Errors are reported in the first walk; the second
// sees a program already checked. A call is bound to its table entry
// (Layers.cpp), whose builder creates the ops; their own type inference and
// verifiers give the shapes and report shape errors, which a diagnostic
// handler shows at the call in the language's notation.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/MLIRGenImpl.h"
#include "dialects/nn/NNContract.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include <limits>

using namespace mlir;
using namespace dlc;
using namespace dlc::frontend;

Location MLIRGen::loc(SMLoc at) {
  auto [line, col] = sources.getLineAndColumn(at);
  StringRef name =
      sources.getMemoryBuffer(sources.getMainFileID())->getBufferIdentifier();
  return FileLineColLoc::get(b.getContext(), name, line, col);
}

//===----------------------------------------------------------------------===//
// Names and argument kinds
//===----------------------------------------------------------------------===//

/// Positional argument count and keyword names of a call.
bool MLIRGen::checkArgs(const Expr &call, size_t positional,
                        StringRef signature, ArrayRef<StringRef> keywords) {
  size_t count = 0;
  for (const Arg &arg : call.args) {
    if (arg.key.empty()) {
      ++count;
      continue;
    }
    if (!llvm::is_contained(keywords, arg.key))
      return error(
          arg.keyLoc,
          fmt::format("'{}' has no parameter '{}'{}", call.text, arg.key,
                      keywords.empty()
                          ? std::string()
                          : " (it takes " + llvm::join(keywords, ", ") + ")"));
    if (llvm::count_if(call.args,
                       [&](const Arg &a) { return a.key == arg.key; }) > 1)
      return error(arg.keyLoc, fmt::format("'{}' is given twice", arg.key));
  }
  if (count != positional)
    return error(call.loc,
                 fmt::format("'{}' expects {} positional argument{} "
                             "({}), got {}",
                             call.text, positional, positional == 1 ? "" : "s",
                             signature, count));
  return true;
}

/// A positive size: an integer literal, or `vocab` with text data.
std::optional<int64_t> MLIRGen::size(const Expr &e, StringRef what) {
  if (e.kind == Expr::Name && e.text == "vocab") {
    if (vocabSize > 0)
      return vocabSize;
    error(e.loc, "'vocab' is the number of distinct characters of text data: "
                 "set 'data = text(\"file\")' in the train section");
    return std::nullopt;
  }
  // Sizes up to 2^40 pass here so that the size checks can say what is too
  // large.
  if (e.kind != Expr::Number || !e.isInteger || e.number < 1 ||
      e.number > 0x1p40) {
    error(e.loc, fmt::format("{} must be a positive integer", what.str()));
    return std::nullopt;
  }
  return static_cast<int64_t>(e.number);
}

/// A dimension index of a rank-`rank` tensor, negative counting from the end.
static std::optional<int64_t> axisOf(const Expr &e, int64_t rank) {
  if (e.kind == Expr::Number && e.isInteger && e.number >= 0 && e.number < rank)
    return static_cast<int64_t>(e.number);
  if (e.kind == Expr::Negate && e.args[0].value->kind == Expr::Number &&
      e.args[0].value->isInteger && e.args[0].value->number >= 1 &&
      e.args[0].value->number <= rank)
    return static_cast<int64_t>(rank - e.args[0].value->number);
  return std::nullopt;
}

bool MLIRGen::bindTensor(const Expr &call, const Arg &arg, const ArgSpec &spec,
                         LayerArgs &args) {
  const Expr &e = *arg.value;
  Value v = eval(e);
  if (!v)
    return false;
  auto type = cast<RankedTensorType>(v.getType());
  bool ids = spec.kind == ArgKind::Ids;
  if (type.getElementType().isInteger(32) != ids)
    return error(e.loc, fmt::format("'{}' expects {} here, got {}", call.text,
                                    ids ? "integer ids (i32)" : "an f32 tensor",
                                    nn::describe(type)));
  if (type.getRank() < spec.minRank || type.getRank() > spec.maxRank)
    return error(e.loc, fmt::format("{} expects a {}, got {}", call.text,
                                    spec.what.str(), nn::describe(type)));
  args.tensors_.push_back(v);
  return true;
}

bool MLIRGen::bindValue(const Arg &arg, const ArgSpec &spec, LayerArgs &args) {
  const Expr &v = *arg.value;
  std::string name = spec.name.str();
  args.locs_[name] = v.loc;
  double &out = args.numbers_[name];
  switch (spec.kind) {
  case ArgKind::Size:
  case ArgKind::Sizes: {
    auto n = size(v, spec.what.empty() ? spec.name : spec.what);
    if (!n)
      return false;
    if (spec.kind == ArgKind::Sizes)
      args.sizes_.push_back(*n);
    out = static_cast<double>(*n);
    return true;
  }
  case ArgKind::Index:
    if (v.kind != Expr::Number || !v.isInteger || v.number < 0 ||
        v.number > 0x1p40)
      return error(v.loc, name + " must be a non-negative integer");
    out = v.number;
    return true;
  case ArgKind::Number:
  case ArgKind::Positive:
  case ArgKind::Rate: {
    auto n = number(v);
    if (!n)
      return false;
    if (spec.kind == ArgKind::Positive && !(*n > 0))
      return error(v.loc, name + " must be positive");
    if (spec.kind == ArgKind::Rate && !(*n >= 0 && *n < 1))
      return error(v.loc, name + " must be in [0, 1)");
    out = *n;
    return true;
  }
  case ArgKind::Bool:
    if (v.kind != Expr::Name || (v.text != "true" && v.text != "false"))
      return error(v.loc, name + " must be true or false");
    out = v.text == "true";
    return true;
  case ArgKind::Axis: {
    auto type = cast<RankedTensorType>(args.tensors_.front().getType());
    auto axis = axisOf(v, type.getRank());
    if (!axis)
      return error(v.loc, fmt::format("expected a dimension of {} (0 to {}, or "
                                      "negative from the end)",
                                      nn::describe(type), type.getRank() - 1));
    out = static_cast<double>(*axis);
    return true;
  }
  case ArgKind::Axes: {
    auto type = cast<RankedTensorType>(args.tensors_.front().getType());
    SmallVector<const Expr *> items;
    if (v.kind == Expr::Tuple)
      for (const Arg &item : v.args)
        items.push_back(item.value.get());
    else
      items.push_back(&v);
    for (const Expr *item : items) {
      auto axis = axisOf(*item, type.getRank());
      if (!axis)
        return error(item->loc,
                     fmt::format("expected a dimension of {} (0 to {}, or "
                                 "negative from the end)",
                                 nn::describe(type), type.getRank() - 1));
      if (llvm::is_contained(args.axes_, *axis))
        return error(item->loc,
                     fmt::format("dimension {} is listed twice", *axis));
      args.axes_.push_back(*axis);
    }
    llvm::sort(args.axes_);
    return true;
  }
  case ArgKind::Choice: {
    SmallVector<StringRef> choices;
    spec.what.split(choices, '|');
    auto it = llvm::find(choices, v.text);
    if (v.kind != Expr::String || it == choices.end())
      return error(v.loc, fmt::format("{} must be \"{}\"", name,
                                      llvm::join(choices, "\" or \"")));
    out = static_cast<double>(it - choices.begin());
    return true;
  }
  case ArgKind::Init: {
    auto init = initializer(v, nullptr);
    if (!init)
      return false;
    args.texts_[name] = *init;
    return true;
  }
  case ArgKind::Tensor:
  case ArgKind::Ids:
  case ArgKind::Tensors:
    break;
  }
  llvm_unreachable("tensor arguments are bound by bindTensor");
}

/// Checks a call against its table entry and binds its arguments, in the
/// order written: positional ones first, then keywords over their defaults.
bool MLIRGen::bindArgs(const Expr &call, const Layer &layer, LayerArgs &args) {
  SmallVector<StringRef> positionalNames, keywords;
  const ArgSpec *variadic = nullptr;
  for (const ArgSpec &spec : layer.args) {
    (spec.keyword ? keywords : positionalNames).push_back(spec.name);
    if (spec.kind == ArgKind::Tensors || spec.kind == ArgKind::Sizes)
      variadic = &spec;
  }
  size_t given =
      llvm::count_if(call.args, [](const Arg &a) { return a.key.empty(); });
  if (variadic) {
    // Keyword errors first, then the count: reshape(x) says how to call it.
    if (!checkArgs(call, given, "", keywords))
      return false;
    size_t least = positionalNames.size() - 1 +
                   (variadic->kind == ArgKind::Tensors ? 2 : 1);
    if (given < least)
      return error(call.loc, layer.usage.str());
  } else if (!checkArgs(call, positionalNames.size(),
                        llvm::join(positionalNames, ", "), keywords)) {
    return false;
  }

  size_t next = 0; // the positional spec the next positional argument fills
  for (const Arg &arg : call.args) {
    if (!arg.key.empty())
      continue;
    const ArgSpec &spec = layer.args[next];
    if (&spec != variadic)
      ++next;
    bool isTensor = spec.kind == ArgKind::Tensor || spec.kind == ArgKind::Ids ||
                    spec.kind == ArgKind::Tensors;
    if (!(isTensor ? bindTensor(call, arg, spec, args)
                   : bindValue(arg, spec, args)))
      return false;
  }
  for (const ArgSpec &spec : layer.args) {
    if (!spec.keyword)
      continue;
    args.locs_[spec.name] = call.loc;
    if (spec.kind == ArgKind::Init)
      args.texts_[spec.name] = spec.init.str();
    else if (spec.kind == ArgKind::Axis && spec.number < 0)
      args.numbers_[spec.name] =
          cast<RankedTensorType>(args.tensors_.front().getType()).getRank() +
          spec.number;
    else
      args.numbers_[spec.name] = spec.number;
  }
  for (const Arg &arg : call.args) {
    if (arg.key.empty())
      continue;
    const ArgSpec *spec = llvm::find_if(
        layer.args, [&](const ArgSpec &s) { return s.name == arg.key; });
    if (!bindValue(arg, *spec, args))
      return false;
  }
  return true;
}

/// Parameters of a layer call, named after the definition (h, h_2, ...).
std::string MLIRGen::layerName() {
  ++layersInStmt;
  return prefix + (layersInStmt == 1
                       ? currentStmt
                       : fmt::format("{}_{}", currentStmt, layersInStmt));
}

//===----------------------------------------------------------------------===//
// Expressions
//===----------------------------------------------------------------------===//

/// Runs a layer's builder with what it needs from the walk; every value it
/// makes is checked against the size limit of a buffer.
Value MLIRGen::build(SMLoc at,
                     function_ref<FailureOr<Value>(LayerBuilder &)> body) {
  if (valueCount >= kMaxLayers) {
    error(at, activeBlocks.empty()
                  ? fmt::format("the model has more than {} layers", kMaxLayers)
                  : fmt::format("the model expands to more than {} layers "
                                "through block '{}'",
                                kMaxLayers, activeBlocks.front()->name));
    return nullptr;
  }
  LayerBuilder lb(b, loc(at), at);
  lb.step = step;
  lb.valueIndex = valueCount;
  lb.defaultInit = defaultInit;
  lb.layerName = [this] { return layerName(); };
  lb.report = [this](SMLoc where, const std::string &message) {
    error(where, message);
  };
  lb.onParam = [this, at](StringRef name) { paramsAt.emplace(name.str(), at); };
  lb.checkSize = [this, at](Value v) -> LogicalResult {
    auto type = cast<RankedTensorType>(v.getType());
    if (llvm::any_of(type.getShape(), [](int64_t d) { return d < 1; }))
      return failure(!error(
          at, fmt::format("{} has an empty dimension", nn::describe(type))));
    std::optional<int64_t> count = nn::elementCount(type);
    if (!count || *count > nn::kMaxElements)
      return failure(!error(at, fmt::format("{} is too large (more than 2^28 "
                                            "elements)",
                                            nn::describe(type))));
    return success();
  };
  FailureOr<Value> v = body(lb);
  if (failed(v))
    return nullptr;
  ++valueCount;
  return *v;
}

Value MLIRGen::eval(const Expr &e) {
  switch (e.kind) {
  case Expr::Name: {
    auto it = values.find(e.text);
    if (it == values.end()) {
      error(e.loc, fmt::format("unknown name '{}'", e.text));
      return nullptr;
    }
    return it->second;
  }
  case Expr::Call:
    return evalCall(e);
  case Expr::Binary:
    return evalBinary(e);
  case Expr::Negate:
    if (e.args[0].value->kind != Expr::Number)
      return evalNegate(e);
    [[fallthrough]];
  case Expr::Number:
    error(e.loc, "expected a tensor, found a number");
    return nullptr;
  case Expr::String:
    error(e.loc, "expected a tensor, found a string");
    return nullptr;
  case Expr::Tuple:
    error(e.loc, "expected a tensor, found a list (a list of axes is an "
                 "argument, as in sum(x, (1, 2)))");
    return nullptr;
  }
  return nullptr;
}

/// The model computes in f32: a number beyond its range is infinite.
static constexpr double kMaxFloat = std::numeric_limits<float>::max();

/// `e` as an f32 tensor; an integer one is an error at `at`: "cannot <what>".
Value MLIRGen::evalFloat(const Expr &e, SMLoc at, StringRef what) {
  Value x = eval(e);
  if (x && !cast<RankedTensorType>(x.getType()).getElementType().isF32()) {
    error(at,
          fmt::format("cannot {} ({})", what.str(), nn::describe(x.getType())));
    return nullptr;
  }
  return x;
}

/// -x: a scale by -1, as torch.neg.
Value MLIRGen::evalNegate(const Expr &e) {
  Value x = evalFloat(*e.args[0].value, e.loc, "negate integer tensors");
  if (!x)
    return nullptr;
  return build(e.loc, [&](LayerBuilder &lb) {
    return lb.infer<nn::ScaleOp>(x, lb.b.getF64FloatAttr(-1.0));
  });
}

Value MLIRGen::evalBinary(const Expr &e) {
  const Expr &lhs = *e.args[0].value, &rhs = *e.args[1].value;
  auto isNumber = [](const Expr &x) {
    return x.kind == Expr::Number ||
           (x.kind == Expr::Negate && x.args[0].value->kind == Expr::Number);
  };
  // tensor * number, number * tensor, tensor / number: a scale.
  if ((e.op == '*' || e.op == '/') && (isNumber(lhs) || isNumber(rhs))) {
    if (e.op == '/' && isNumber(lhs)) {
      error(e.loc, "cannot divide a number by a tensor");
      return nullptr;
    }
    const Expr &tensorExpr = isNumber(lhs) ? rhs : lhs;
    const Expr &numberExpr = isNumber(lhs) ? lhs : rhs;
    std::optional<double> value = number(numberExpr);
    if (!value)
      return nullptr;
    double factor = *value;
    if (e.op == '/') {
      if (factor == 0) {
        error(rhs.loc, "division by zero");
        return nullptr;
      }
      factor = 1.0 / factor;
    }
    if (std::abs(factor) > kMaxFloat) {
      error(numberExpr.loc, fmt::format("scaling by {:g} is beyond the range "
                                        "of f32",
                                        factor));
      return nullptr;
    }
    Value x = evalFloat(tensorExpr, e.loc, "scale integer tensors");
    if (!x)
      return nullptr;
    return build(e.loc, [&](LayerBuilder &lb) {
      return lb.infer<nn::ScaleOp>(x, lb.b.getF64FloatAttr(factor));
    });
  }
  // tensor + number, number + tensor, tensor - number, number - tensor: a
  // shift (of the negated tensor for number - tensor).
  if ((e.op == '+' || e.op == '-') && (isNumber(lhs) || isNumber(rhs))) {
    const Expr &tensorExpr = isNumber(lhs) ? rhs : lhs;
    const Expr &numberExpr = isNumber(lhs) ? lhs : rhs;
    std::optional<double> value = number(numberExpr);
    if (!value)
      return nullptr;
    if (std::abs(*value) > kMaxFloat) {
      error(numberExpr.loc, fmt::format("adding {:g} is beyond the range of "
                                        "f32",
                                        *value));
      return nullptr;
    }
    Value x = evalFloat(tensorExpr, e.loc, "add a number to integer tensors");
    if (!x)
      return nullptr;
    bool negate = e.op == '-' && isNumber(lhs);
    double offset = e.op == '-' && !negate ? -*value : *value;
    return build(e.loc, [&](LayerBuilder &lb) -> FailureOr<Value> {
      FailureOr<Value> v = x;
      if (negate &&
          failed(v = lb.infer<nn::ScaleOp>(x, lb.b.getF64FloatAttr(-1.0))))
        return failure();
      return lb.infer<nn::ShiftOp>(*v, lb.b.getF64FloatAttr(offset));
    });
  }
  Value x = eval(lhs);
  if (!x)
    return nullptr;
  Value y = eval(rhs);
  if (!y)
    return nullptr;
  return build(
      e.loc, [&](LayerBuilder &lb) { return buildBinary(lb, e.op, x, y, ""); });
}

Value MLIRGen::evalCall(const Expr &e) {
  if (auto block = blocks.find(e.text); block != blocks.end())
    return applyBlock(e, *block->second);
  const Layer *layer = findLayer(e.text);
  if (!layer) {
    auto names =
        llvm::map_range(layers(), [](const Layer &l) { return l.name; });
    error(e.loc, fmt::format("unknown layer '{}' (known: {}{}{})", e.text,
                             llvm::join(names, ", "),
                             blocks.empty() ? "" : "; blocks: ",
                             llvm::join(llvm::make_first_range(blocks), ", ")));
    return nullptr;
  }
  LayerArgs args;
  if (!bindArgs(e, *layer, args))
    return nullptr;
  usesStep |= layer->usesStep;
  return build(e.loc, [&](LayerBuilder &lb) { return layer->build(lb, args); });
}

/// Inlines a block: its statements see only its inputs, and its parameters
/// are named after the value the call defines (`b1.attn.weight`).
Value MLIRGen::applyBlock(const Expr &e, const Model &block) {
  if (llvm::is_contained(activeBlocks, &block)) {
    error(e.loc, fmt::format("block '{}' applies itself", block.name));
    return nullptr;
  }
  std::vector<StringRef> names;
  for (const Input &in : block.inputs)
    names.push_back(in.name);
  if (!checkArgs(e, block.inputs.size(), llvm::join(names, ", "), {}))
    return nullptr;
  SmallVector<Value> args;
  for (size_t i = 0; i < block.inputs.size(); ++i) {
    Value x = eval(*e.args[i].value);
    if (!x)
      return nullptr;
    args.push_back(x);
  }
  // The callee's scope; the caller's is restored afterwards.
  auto savedValues = std::move(values);
  auto savedDefined = std::move(definedAt);
  std::string savedStmt = currentStmt, savedPrefix = prefix;
  int savedLayers = layersInStmt;
  prefix = layerName() + ".";
  values.clear();
  definedAt.clear();
  for (auto [in, x] : llvm::zip(block.inputs, args)) {
    values[in.name] = x;
    definedAt[in.name] = in.loc;
  }
  activeBlocks.push_back(&block);
  Value result;
  if (emitBody(block)) {
    const auto &out =
        block.outputs.empty()
            ? std::make_pair(block.body.back().name, block.body.back().loc)
            : block.outputs.front();
    if (block.outputs.size() > 1)
      error(block.outputs[1].second, "a block returns one value");
    else if (!values.count(out.first))
      error(out.second, fmt::format("unknown name '{}'", out.first));
    else
      result = values[out.first];
  }
  if (!result)
    note(e.loc, fmt::format("in block '{}' applied here", block.name));
  activeBlocks.pop_back();
  values = std::move(savedValues);
  definedAt = std::move(savedDefined);
  currentStmt = savedStmt;
  layersInStmt = savedLayers;
  prefix = savedPrefix;
  return result;
}

/// The statements of a model or block body, in order.
bool MLIRGen::emitBody(const Model &body) {
  for (const Assign &a : body.body) {
    if (auto prev = definedAt.find(a.name); prev != definedAt.end()) {
      error(a.loc, fmt::format("redefinition of '{}'", a.name));
      note(prev->second, "previous definition is here");
      return false;
    }
    currentStmt = a.name;
    layersInStmt = 0;
    Value v = eval(*a.value);
    if (!v)
      return false;
    values[a.name] = v;
    definedAt[a.name] = a.loc;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// The program
//===----------------------------------------------------------------------===//

bool MLIRGen::checkProgram(const Program &program) {
  SMLoc start = SMLoc::getFromPointer(
      sources.getMemoryBuffer(sources.getMainFileID())->getBufferStart());
  if (program.models.empty())
    return error(start,
                 "no model in this file (expected 'model name(...) { ... }')");
  if (program.models.size() > 1)
    return error(program.models[1].loc, "only one model per file is supported");
  model = &program.models[0];
  for (const Model &block : program.blocks) {
    if (findLayer(block.name))
      return error(block.loc, fmt::format("block '{}' has the name of a "
                                          "built-in layer",
                                          block.name));
    if (!blocks.emplace(block.name, &block).second) {
      error(block.loc, fmt::format("redefinition of block '{}'", block.name));
      note(blocks[block.name]->loc, "previous definition is here");
      return false;
    }
    if (block.body.empty())
      return error(block.loc,
                   fmt::format("block '{}' has no layers", block.name));
  }
  const Train *section = nullptr;
  for (const Train &t : program.trains) {
    if (t.model != model->name)
      return error(
          t.modelLoc,
          fmt::format("train section for unknown model '{}'", t.model));
    if (section)
      return error(t.loc, "second train section for the same model");
    section = &t;
  }
  if (!section && options.requireTraining)
    return error(model->loc,
                 fmt::format("model '{}' has no train section: add "
                             "'train {} {{ loss = ..., optimizer = ... }}' "
                             "to train it",
                             model->name, model->name));
  if (section) {
    train.emplace();
    if (!trainSettings(*section, /*early=*/true))
      return false;
    batch = train->batch;
  }
  // --batch overrides the train section: evaluate or train at another size.
  if (options.batch) {
    batch = *options.batch;
    if (train)
      train->batch = batch;
  }
  if (!checkInputs() || (train && !checkTrainInput()))
    return false;

  // The forward walk of @predict checks the model.
  OpBuilder::InsertionGuard guard(b);
  func::FuncOp predict = emitPredict();
  if (!predict)
    return false;
  if (model->body.empty())
    return error(model->loc,
                 fmt::format("model '{}' has no layers", model->name));
  if (!checkOutputs())
    return false;
  return !section || trainSettings(*section, /*early=*/false);
}

bool MLIRGen::checkInputs() {
  std::string symbol;
  std::map<std::string, SMLoc> seen;
  for (const Input &in : model->inputs) {
    if (!seen.emplace(in.name, in.loc).second)
      return error(in.loc,
                   fmt::format("input '{}' is declared twice", in.name));
    if (in.dtype != "f32" && in.dtype != "i32")
      return error(in.dtypeLoc, fmt::format("unsupported input dtype '{}' "
                                            "(model inputs are f32 or i32)",
                                            in.dtype));
    SmallVector<int64_t> shape;
    for (auto [i, dim] : llvm::enumerate(in.dims)) {
      if (dim.symbol.empty()) {
        shape.push_back(dim.size);
        continue;
      }
      if (i != 0)
        return error(dim.loc, fmt::format("only the first (batch) dimension "
                                          "may be named; '{}' is dimension {}",
                                          dim.symbol, i));
      if (!symbol.empty() && symbol != dim.symbol)
        return error(dim.loc, fmt::format("batch dimension '{}' differs from "
                                          "'{}' of an earlier input",
                                          dim.symbol, symbol));
      symbol = dim.symbol;
      if (batch == 0)
        return error(dim.loc,
                     fmt::format("the batch dimension '{}' has no size: set "
                                 "'batch = N' in a train section or pass "
                                 "--batch N",
                                 dim.symbol));
      shape.push_back(batch);
    }
    auto type = RankedTensorType::get(
        shape, in.dtype == "i32" ? Type(b.getI32Type()) : b.getF32Type());
    if (llvm::any_of(shape, [](int64_t d) { return d < 1; }))
      return error(
          in.loc, fmt::format("{} has an empty dimension", nn::describe(type)));
    std::optional<int64_t> count = nn::elementCount(type);
    if (!count || *count > nn::kMaxElements)
      return error(in.loc, fmt::format("{} is too large (more than 2^28 "
                                       "elements)",
                                       nn::describe(type)));
    inputs.emplace_back(in.name, type);
  }
  return true;
}

/// Inputs, outputs and parameters become buffers named after them (the
/// manifest); the names the runtime gives a meaning of its own are taken.
bool MLIRGen::checkOutputs() {
  if (model->outputs.empty())
    outputs.emplace_back(model->body.back().name, model->body.back().loc);
  for (const auto &[name, at] : model->outputs) {
    if (!values.count(name))
      return error(at, fmt::format("unknown name '{}'", name));
    outputs.emplace_back(name, definedAt[name]);
  }
  auto reserved = [&](StringRef name, SMLoc at, StringRef what) {
    if (!nn::isReservedBufferName(name))
      return false;
    StringRef role = name == nn::buffer::kLoss   ? "the loss of each step"
                     : name == nn::buffer::kStep ? "the step number"
                                                 : "the labels of each batch";
    error(at, fmt::format("'{}' is a reserved buffer name (the runtime's "
                          "buffer for {}): give this {} another name",
                          name.str(), role.str(), what.str()));
    return true;
  };
  for (const Input &in : model->inputs)
    if (reserved(in.name, in.loc, "input"))
      return false;
  for (const auto &[name, at] : outputs) {
    if (reserved(name, at, "output"))
      return false;
    if (auto param = paramsAt.find(name); param != paramsAt.end()) {
      error(at, fmt::format("output '{}' has the name of a parameter: "
                            "define the param() in a statement of its own",
                            name));
      note(param->second, "the parameter is created here");
      return false;
    }
  }
  return true;
}

static DictionaryAttr named(OpBuilder &b, StringRef name) {
  return b.getDictionaryAttr(
      b.getNamedAttr(nn::attr::kName, b.getStringAttr(name)));
}

/// A function whose arguments are the model inputs plus `extra`; its results
/// are set when its body is complete.
func::FuncOp
MLIRGen::startFunction(StringRef name,
                       ArrayRef<std::pair<StringRef, Type>> extra) {
  SmallVector<Type> args;
  SmallVector<Attribute> argAttrs;
  for (const auto &[inputName, type] : inputs) {
    args.push_back(type);
    argAttrs.push_back(named(b, inputName));
  }
  for (auto [argName, type] : extra) {
    args.push_back(type);
    argAttrs.push_back(named(b, argName));
  }
  auto func = func::FuncOp::create(b, loc(model->loc), name,
                                   b.getFunctionType(args, {}));
  func.setArgAttrsAttr(b.getArrayAttr(argAttrs));
  func->setAttr(nn::attr::kEntry, b.getUnitAttr());
  func.addEntryBlock();
  return func;
}

/// Starts a walk of the model in `func`: its inputs are the first arguments.
static void bindInputs(const Model &model, func::FuncOp func,
                       std::map<std::string, Value> &values,
                       std::map<std::string, SMLoc> &definedAt) {
  values.clear();
  definedAt.clear();
  for (auto [i, in] : llvm::enumerate(model.inputs)) {
    values[in.name] = func.getArgument(i);
    definedAt[in.name] = in.loc;
  }
}

func::FuncOp MLIRGen::emitPredict() {
  func::FuncOp func = startFunction("predict", {});
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&func.front());
  bindInputs(*model, func, values, definedAt);
  valueCount = static_cast<int64_t>(inputs.size());
  step = nullptr;
  if (!emitBody(*model)) {
    func.erase();
    return nullptr;
  }
  return func;
}

bool MLIRGen::emitTrainStep() {
  auto labelsType = RankedTensorType::get(train->labelShape, b.getI32Type());
  SmallVector<std::pair<StringRef, Type>> extra{
      {nn::buffer::kLabels, labelsType}};
  // Dropout masks depend on the step number, which the runtime feeds.
  if (usesStep)
    extra.push_back(
        {nn::buffer::kStep, RankedTensorType::get({}, b.getI32Type())});
  func::FuncOp func = startFunction("train_step", extra);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&func.front());
  bindInputs(*model, func, values, definedAt);
  valueCount = static_cast<int64_t>(inputs.size());
  step = usesStep ? func.getArguments().back() : Value();
  if (!emitBody(*model))
    return false;
  Value loss = emitLoss(func.getArgument(inputs.size()));
  if (!loss)
    return false;
  func::ReturnOp::create(b, func.getLoc(), loss);
  func.setType(b.getFunctionType(func.getArgumentTypes(), loss.getType()));
  func.setResultAttrs(0, named(b, nn::buffer::kLoss));
  SmallVector<NamedAttribute> config{
      b.getNamedAttr("optimizer", b.getStringAttr(train->optimizer))};
  for (auto &[key, value] : train->hyper)
    config.push_back(b.getNamedAttr(key, b.getF64FloatAttr(value)));
  func->setAttr(nn::attr::kTrain, b.getDictionaryAttr(config));
  return true;
}

OwningOpRef<ModuleOp> MLIRGen::run(const Program &program) {
  MLIRContext *ctx = b.getContext();
  ctx->loadDialect<nn::NNDialect, func::FuncDialect>();
  // An op's shape error names the op ("'nn.matmul' op ..."): a .net user sees
  // the message alone, at the call, like the front end's own errors.
  ScopedDiagnosticHandler handler(ctx, [&](Diagnostic &diag) {
    auto at = dyn_cast<FileLineColLoc>(diag.getLocation());
    if (!at)
      return failure();
    std::string message = diag.str();
    StringRef text = message;
    if (text.starts_with("'nn.") && text.contains("' op "))
      text = text.drop_front(text.find("' op ") + 5);
    sources.PrintMessage(
        sources.FindLocForLineAndColumn(sources.getMainFileID(), at.getLine(),
                                        at.getColumn()),
        diag.getSeverity() == DiagnosticSeverity::Error
            ? llvm::SourceMgr::DK_Error
            : llvm::SourceMgr::DK_Note,
        text);
    return success();
  });

  SMLoc start = SMLoc::getFromPointer(
      sources.getMemoryBuffer(sources.getMainFileID())->getBufferStart());
  OwningOpRef<ModuleOp> module = ModuleOp::create(
      loc(program.models.empty() ? start : program.models[0].loc));
  b.setInsertionPointToEnd(module->getBody());
  if (!checkProgram(program))
    return nullptr;
  (*module)->setAttr(nn::attr::kModel, b.getStringAttr(model->name));
  if (train)
    (*module)->setAttr(nn::attr::kSettings, settingsAttr());

  // @predict returns the outputs; its body is there from the checking walk.
  auto predict = cast<func::FuncOp>(module->getBody()->front());
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToEnd(&predict.front());
    SmallVector<Value> results;
    for (const auto &[name, at] : outputs)
      results.push_back(values[name]);
    func::ReturnOp::create(b, predict.getLoc(), results);
    predict.setType(b.getFunctionType(predict.getArgumentTypes(),
                                      ValueRange(results).getTypes()));
    for (auto [i, out] : llvm::enumerate(outputs))
      predict.setResultAttrs(i, named(b, out.first));
  }
  if (train && !emitTrainStep())
    return nullptr;
  return module;
}

OwningOpRef<ModuleOp> dlc::mlirGen(const ast::Program &program,
                                   llvm::SourceMgr &sources,
                                   MLIRContext &context,
                                   const FrontendOptions &options) {
  return MLIRGen(sources, context, options).run(program);
}
