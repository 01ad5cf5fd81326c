//===- Sema.cpp - names, shapes and settings of a .net program ------------===//
#include "compiler/frontend/SemaImpl.h"
#include "dialects/nn/NNContract.h"
#include "runtime/Data.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <array>
#include <cmath>
#include <fmt/format.h>

using namespace dlc;
using namespace dlc::ast;
using llvm::SMLoc;
using llvm::StringRef;

std::string Shape::str() const {
  std::vector<std::string> parts;
  for (int64_t d : dims)
    parts.push_back(std::to_string(d));
  return fmt::format("{}[{}]", isInt ? "i32" : "f32", fmt::join(parts, ", "));
}

namespace dlc::sema {

/// Fashion-MNIST: 28x28 images, 10 classes, gzipped IDX files.
constexpr int64_t kImageSize = 28 * 28;
constexpr int64_t kClasses = 10;
const char *const kFashionFiles[] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

std::optional<double> Sema::number(const Expr &e) {
  std::optional<double> v;
  if (e.kind == Expr::Number)
    v = e.number;
  else if (e.kind == Expr::Negate && e.args[0].value->kind == Expr::Number)
    v = -e.args[0].value->number;
  if (!v) {
    error(e.loc, "expected a number");
    return std::nullopt;
  }
  if (!std::isfinite(*v)) {
    error(e.loc, "number out of range");
    return std::nullopt;
  }
  return v;
}

/// Positional argument count and keyword names of a call.
bool Sema::checkArgs(const Expr &call, size_t positional, StringRef signature,
                     llvm::ArrayRef<StringRef> keywords) {
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

std::optional<std::string> Sema::initializer(const Expr &e, uint64_t *seed) {
  if (e.kind != Expr::Name && e.kind != Expr::Call) {
    error(e.loc,
          "expected an initializer: zeros, he, glorot, normal(std = ...) "
          "or uniform(limit = ...)");
    return std::nullopt;
  }
  StringRef kind = e.text;
  std::vector<StringRef> keywords;
  if (seed)
    keywords.push_back("seed");
  if (kind == "normal")
    keywords.push_back("std");
  else if (kind == "uniform")
    keywords.push_back("limit");
  else if (kind != "he" && kind != "glorot" && kind != "zeros") {
    error(e.loc, fmt::format("unknown initializer '{}' (expected zeros, he, "
                             "glorot, normal or uniform)",
                             kind.str()));
    return std::nullopt;
  }
  std::string spec = kind.str();
  double scale = kind == "normal" ? 0.01 : 0.05;
  if (e.kind == Expr::Call) {
    if (!checkArgs(e, 0, "keywords only", keywords))
      return std::nullopt;
    for (const Arg &arg : e.args) {
      auto v = number(*arg.value);
      if (!v)
        return std::nullopt;
      if (arg.key == "seed") {
        if (*v < 0 || *v >= 0x1p63 ||
            *v != static_cast<double>(static_cast<uint64_t>(*v))) {
          error(arg.value->loc, "seed must be a non-negative integer");
          return std::nullopt;
        }
        *seed = static_cast<uint64_t>(*v);
      } else {
        if (!(*v > 0)) {
          error(arg.value->loc, fmt::format("{} must be positive", arg.key));
          return std::nullopt;
        }
        scale = *v;
      }
    }
  }
  if (kind == "normal" || kind == "uniform")
    spec += fmt::format(":{}", scale);
  return spec;
}

int Sema::eval(const Expr &e) {
  switch (e.kind) {
  case Expr::Name: {
    auto it = values.find(e.text);
    if (it == values.end()) {
      error(e.loc, fmt::format("unknown name '{}'", e.text));
      return -1;
    }
    return it->second;
  }
  case Expr::Call:
    return evalCall(e);
  case Expr::Binary:
    return evalBinary(e);
  case Expr::Number:
  case Expr::Negate:
    error(e.loc, "expected a tensor, found a number");
    return -1;
  case Expr::String:
    error(e.loc, "expected a tensor, found a string");
    return -1;
  }
  return -1;
}

int Sema::evalBinary(const Expr &e) {
  const Expr &lhs = *e.args[0].value, &rhs = *e.args[1].value;
  auto isNumber = [](const Expr &x) {
    return x.kind == Expr::Number ||
           (x.kind == Expr::Negate && x.args[0].value->kind == Expr::Number);
  };
  // tensor * number, number * tensor, tensor / number: a scale.
  if ((e.op == '*' || e.op == '/') && (isNumber(lhs) || isNumber(rhs))) {
    if (e.op == '/' && isNumber(lhs)) {
      error(e.loc, "cannot divide a number by a tensor");
      return -1;
    }
    const Expr &tensorExpr = isNumber(lhs) ? rhs : lhs;
    const Expr &numberExpr = isNumber(lhs) ? lhs : rhs;
    std::optional<double> value = number(numberExpr);
    if (!value)
      return -1;
    double factor = *value;
    if (e.op == '/') {
      if (factor == 0) {
        error(rhs.loc, "division by zero");
        return -1;
      }
      factor = 1.0 / factor;
    }
    // The model computes in f32: a factor beyond its range is infinite.
    if (std::abs(factor) > 3.4e38) {
      error(numberExpr.loc, fmt::format("scaling by {:g} is beyond the range "
                                        "of f32",
                                        factor));
      return -1;
    }
    int x = eval(tensorExpr);
    if (x < 0)
      return -1;
    Node n{Node::Scale, {x}, shapeOf(x), e.loc};
    n.factor = factor;
    return add(n);
  }
  if (e.op == '/') {
    error(e.loc, "division of two tensors is not supported");
    return -1;
  }
  int a = eval(lhs);
  if (a < 0)
    return -1;
  int b = eval(rhs);
  if (b < 0)
    return -1;
  const char *verb = e.op == '+'   ? "add"
                     : e.op == '-' ? "subtract"
                                   : "multiply";
  Node::Op op = e.op == '+' ? Node::Add : e.op == '-' ? Node::Sub : Node::Mul;
  return elementwise(e, op, a, b, verb);
}

/// An elementwise op; an operand whose shape is a suffix of the other's is
/// broadcast over the leading dimensions (numpy rules, without size-1 dims).
int Sema::elementwise(const Expr &e, Node::Op op, int a, int b,
                      const char *verb) {
  const Shape &sa = shapeOf(a), &sb = shapeOf(b);
  auto suffixOf = [](const Shape &x, const Shape &y) {
    return x.dims.size() <= y.dims.size() &&
           std::equal(x.dims.rbegin(), x.dims.rend(), y.dims.rbegin());
  };
  if (sa.isInt || sb.isInt) {
    error(e.loc, fmt::format("cannot {} integer tensors ({} and {})", verb,
                             sa.str(), sb.str()));
    return -1;
  }
  if (!suffixOf(sa, sb) && !suffixOf(sb, sa)) {
    if (e.kind == Expr::Call)
      error(e.loc,
            fmt::format("'{}' needs operands of one shape, got {} and {}",
                        e.text, sa.str(), sb.str()));
    else
      error(e.loc, fmt::format("cannot {} {} and {}: shapes differ", verb,
                               sa.str(), sb.str()));
    return -1;
  }
  Shape out = sa.dims.size() >= sb.dims.size() ? sa : sb;
  return add(Node{op, {a, b}, out, e.loc});
}

/// Parameters of a layer call, named after the definition (h, h_2, ...).
std::string Sema::layerName() {
  ++layersInStmt;
  return prefix + (layersInStmt == 1
                       ? currentStmt
                       : fmt::format("{}_{}", currentStmt, layersInStmt));
}

/// Reads `bias = true|false` and `init = ...` of a layer that has weights.
bool Sema::weightOptions(const Expr &e, Node &n) {
  for (const Arg &arg : e.args) {
    if (arg.key == "bias") {
      const Expr &v = *arg.value;
      if (v.kind != Expr::Name || (v.text != "true" && v.text != "false"))
        return error(v.loc, "bias must be true or false");
      n.bias = v.text == "true";
    } else if (arg.key == "init") {
      auto init = initializer(*arg.value, nullptr);
      if (!init)
        return false;
      n.init = *init;
    }
  }
  return true;
}

bool Sema::checkInputs(const Model &model, const Train *train) {
  std::string symbol;
  for (const Input &in : model.inputs) {
    if (values.count(in.name)) {
      error(in.loc, fmt::format("input '{}' is declared twice", in.name));
      return false;
    }
    if (in.dtype != "f32" && in.dtype != "i32")
      return error(in.dtypeLoc, fmt::format("unsupported input dtype '{}' "
                                            "(model inputs are f32 or i32)",
                                            in.dtype));
    Node n{Node::Input, {}, Shape{in.dtype == "i32", {}}, in.loc};
    n.name = in.name;
    for (auto [i, dim] : llvm::enumerate(in.dims)) {
      if (dim.symbol.empty()) {
        n.shape.dims.push_back(dim.size);
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
      n.shape.dims.push_back(batch);
    }
    int node = add(n);
    if (node < 0)
      return false;
    values[in.name] = node;
    definedAt[in.name] = in.loc;
  }
  if (!train)
    return true;
  const TrainSpec &spec = *graph.train;
  bool text = spec.dataKind == "text";
  if (model.inputs.size() != 1)
    return error(model.inputs[1].loc,
                 fmt::format("training on {} needs a model with one input",
                             spec.dataKind));
  const Input &in = model.inputs[0];
  const Shape &shape = shapeOf(values[in.name]);
  if (text) {
    if (!shape.isInt || shape.dims.size() != 2 || shape.dims[0] != batch)
      return error(in.loc, fmt::format("input '{}' is {}, but text data gives "
                                       "batches of {} windows of character "
                                       "ids: declare it i32[B, T]",
                                       in.name, shape.str(), batch));
    return true;
  }
  int64_t perSample = 1;
  for (size_t i = 1; i < shape.dims.size(); ++i)
    perSample *= shape.dims[i];
  if (shape.isInt || shape.dims[0] != batch || perSample != kImageSize)
    return error(in.loc, fmt::format("input '{}' is {}, but fashion_mnist "
                                     "gives batches of {} images of {} values: "
                                     "declare it f32[B, 784]",
                                     in.name, shape.str(), batch, kImageSize));
  return true;
}

bool Sema::data(const Expr &e, TrainSpec &spec) {
  bool text = e.text == "text";
  if ((e.kind != Expr::Name && e.kind != Expr::Call) ||
      (e.text != "fashion_mnist" && !text))
    return error(e.loc, "unknown data set (expected fashion_mnist(\"dir\") "
                        "or text(\"file\"))");
  spec.dataKind = e.text;
  if (text && (e.kind != Expr::Call || e.args.empty()))
    return error(e.loc, "text takes one argument: the file");
  if (e.kind == Expr::Call) {
    if (e.args.size() > 1 || (e.args.size() == 1 && !e.args[0].key.empty()))
      return error(e.loc, fmt::format("{} takes one argument: the {}", e.text,
                                      text ? "file" : "directory"));
    if (e.args.size() == 1) {
      if (e.args[0].value->kind != Expr::String)
        return error(e.args[0].value->loc,
                     fmt::format("expected the data {} as a string",
                                 text ? "file" : "directory"));
      spec.dataPath = relativeToSource(e.args[0].value->text);
    }
  }
  SMLoc loc = e.args.empty() ? e.loc : e.args[0].value->loc;
  if (text) {
    // The vocabulary sizes the model (embedding rows, output units), so the
    // text is read at compile time.
    auto text = rt::readTextBytes(spec.dataPath);
    if (!text) {
      // The runtime's messages start with the path; quote it instead.
      std::string why = text.message();
      if (StringRef(why).starts_with(spec.dataPath + ": "))
        why.erase(0, spec.dataPath.size() + 2);
      return error(loc, fmt::format("cannot read data file '{}': {}",
                                    spec.dataPath, why));
    }
    if (text->size() < 2)
      return error(loc, fmt::format("data file '{}' has no text to learn from",
                                    spec.dataPath));
    spec.vocab = rt::vocabularyOf(*text);
    vocabSize = spec.vocab.size();
    return true;
  }
  if (!options.requireTraining)
    return true;
  for (const char *file : kFashionFiles) {
    std::string path = spec.dataPath + "/" + file;
    if (!llvm::sys::fs::exists(path))
      return error(loc, fmt::format("data file '{}' does not exist", path));
  }
  return true;
}

bool Sema::loss(const Expr &e, TrainSpec &spec) {
  static const std::pair<StringRef, TrainSpec::Loss> losses[] = {
      {"cross_entropy", TrainSpec::CrossEntropy},
      {"mse", TrainSpec::MSE},
      {"bce_with_logits", TrainSpec::BCEWithLogits}};
  auto it = llvm::find_if(losses, [&](auto &l) { return l.first == e.text; });
  if (e.kind != Expr::Call || it == std::end(losses))
    return error(e.loc, "unknown loss (expected cross_entropy(output, labels), "
                        "mse(output, one_hot(labels)) or "
                        "bce_with_logits(output, one_hot(labels)))");
  if (!checkArgs(e, 2, "output, target", {}))
    return false;
  spec.loss = it->second;
  spec.lossName = e.text;
  const Expr &out = *e.args[0].value;
  if (out.kind != Expr::Name)
    return error(out.loc, "the loss takes a value of the model by name");
  auto value = values.find(out.text);
  if (value == values.end())
    return error(out.loc,
                 fmt::format("unknown name '{}' in the model", out.text));
  spec.lossInput = value->second;
  const Shape &shape = shapeOf(value->second);

  const Expr &target = *e.args[1].value;
  bool isLabels = target.kind == Expr::Name && target.text == "labels";
  bool isOneHot = target.kind == Expr::Call && target.text == "one_hot" &&
                  target.args.size() == 1 && target.args[0].key.empty() &&
                  target.args[0].value->kind == Expr::Name &&
                  target.args[0].value->text == "labels";
  if (!isLabels && !isOneHot)
    return error(target.loc,
                 "the target must be 'labels' or 'one_hot(labels)'");
  Shape labels{true, {batch}};
  Shape expected{false, {batch, kClasses}};
  if (spec.dataKind == "text") {
    // Next-character prediction: labels are the inputs shifted by one.
    const Shape &ids = graph.nodes[0].shape;
    labels.dims = ids.dims;
    expected.dims = {ids.dims[0], ids.dims[1], vocabSize};
    spec.labelShape = labels.dims;
    if (spec.loss != TrainSpec::CrossEntropy || !isLabels)
      return error(e.loc, "text data trains next-character prediction: use "
                          "cross_entropy(logits, labels)");
    if (!(shape == expected))
      return error(out.loc, fmt::format("cross_entropy needs logits {} for the "
                                        "{} characters of the text, but '{}' "
                                        "is {}",
                                        expected.str(), vocabSize, out.text,
                                        shape.str()));
    spec.oneHotTarget = false;
    return true;
  }
  spec.labelShape = labels.dims;
  if (spec.loss == TrainSpec::CrossEntropy) {
    if (!isLabels)
      return error(target.loc, "cross_entropy takes the class ids 'labels' "
                               "as its target");
    if (!(shape == expected))
      return error(out.loc, fmt::format("cross_entropy needs logits {} for the "
                                        "{} classes of fashion_mnist, but '{}' "
                                        "is {}",
                                        expected.str(), kClasses, out.text,
                                        shape.str()));
  } else {
    if (isLabels)
      return error(target.loc, fmt::format("{} needs a target of the output's "
                                           "shape {}, but 'labels' is {}: use "
                                           "one_hot(labels)",
                                           e.text, shape.str(), labels.str()));
    if (!(shape == expected))
      return error(out.loc,
                   fmt::format("{} against one_hot(labels) {} needs "
                               "an output of that shape, but '{}' is {}",
                               e.text, expected.str(), out.text, shape.str()));
  }
  spec.oneHotTarget = isOneHot;
  return true;
}

bool Sema::optimizer(const Expr &e, TrainSpec &spec) {
  if (e.kind != Expr::Call || (e.text != "sgd" && e.text != "adam"))
    return error(e.loc, "unknown optimizer (expected sgd(lr = ..., momentum = "
                        "...) or adam(lr = ...))");
  bool adam = e.text == "adam";
  std::vector<StringRef> keys =
      adam ? std::vector<StringRef>{"lr", "beta1", "beta2", "eps",
                                    "weight_decay"}
           : std::vector<StringRef>{"lr", "momentum", "weight_decay"};
  if (!checkArgs(e, 0, "keywords only", keys))
    return false;
  spec.hyper = {{"lr", adam ? 1e-3 : 0.01}, {"weight_decay", 0.0}};
  if (adam)
    spec.hyper.insert({{"beta1", 0.9}, {"beta2", 0.999}, {"eps", 1e-8}});
  else
    spec.hyper["momentum"] = 0.0;
  for (const Arg &arg : e.args) {
    auto v = number(*arg.value);
    if (!v)
      return false;
    StringRef key = arg.key;
    bool ok = key == "lr" || key == "eps" ? *v > 0
              : key == "weight_decay"     ? *v >= 0
                                          : *v >= 0 && *v < 1;
    if (!ok)
      return error(arg.value->loc,
                   fmt::format("{} must be {}, got {}", arg.key,
                               key == "lr" || key == "eps" ? "positive"
                               : key == "weight_decay"     ? "non-negative"
                                                           : "in [0, 1)",
                               *v));
    spec.hyper[arg.key] = *v;
  }
  spec.optimizer = adam                         ? "adam"
                   : spec.hyper["momentum"] > 0 ? "momentum"
                                                : "sgd";
  if (spec.optimizer == "sgd")
    spec.hyper.erase("momentum");
  return true;
}

/// The early pass reads what shapes and parameters depend on (batch, init);
/// the late pass, everything that needs the model's values.
bool Sema::trainSettings(const Train &train, bool early) {
  static const StringRef known[] = {"data", "loss",  "optimizer",
                                    "init", "batch", "epochs"};
  TrainSpec &spec = *graph.train;
  std::map<std::string, SMLoc> seen;
  for (const Assign &s : train.settings) {
    if (early) {
      if (!llvm::is_contained(known, s.name))
        return error(s.loc, fmt::format("unknown training setting '{}' "
                                        "(expected {})",
                                        s.name,
                                        llvm::join(std::begin(known),
                                                   std::end(known), ", ")));
      if (!seen.emplace(s.name, s.loc).second)
        return error(s.loc, fmt::format("'{}' is set twice", s.name));
    }
    const Expr &v = *s.value;
    if (early && (s.name == "batch" || s.name == "epochs")) {
      // Bounds keep step counts and buffer sizes far from overflow.
      double limit = s.name == "batch" ? 0x1p20 : 1e6;
      if (v.kind != Expr::Number || !v.isInteger || v.number < 1)
        return error(v.loc,
                     fmt::format("{} must be a positive integer", s.name));
      if (v.number > limit)
        return error(v.loc, fmt::format("{} must be at most {}", s.name,
                                        static_cast<int64_t>(limit)));
      (s.name == "batch" ? spec.batch : spec.epochs) =
          static_cast<int64_t>(v.number);
    } else if (early && s.name == "init") {
      auto init = initializer(v, &spec.seed);
      if (!init)
        return false;
      defaultInit = *init;
    } else if (early && s.name == "data") {
      if (!data(v, spec))
        return false;
    } else if (!early && s.name == "loss") {
      if (!loss(v, spec))
        return false;
    } else if (!early && s.name == "optimizer") {
      if (!optimizer(v, spec))
        return false;
    }
  }
  if (!early) {
    for (StringRef required : {"loss", "optimizer"})
      if (llvm::none_of(train.settings,
                        [&](const Assign &s) { return s.name == required; }))
        return error(train.loc,
                     fmt::format("train section has no '{}'", required.str()));
    if (options.requireTraining &&
        llvm::none_of(train.settings,
                      [](const Assign &s) { return s.name == "data"; })) {
      Expr defaultData;
      defaultData.kind = Expr::Name;
      defaultData.text = "fashion_mnist";
      defaultData.loc = train.loc;
      return data(defaultData, spec);
    }
  }
  return true;
}

/// A positive size: an integer literal, or `vocab` with text data.
std::optional<int64_t> Sema::size(const Expr &e, const char *what) {
  if (e.kind == Expr::Name && e.text == "vocab") {
    if (vocabSize > 0)
      return vocabSize;
    error(e.loc, "'vocab' is the number of distinct characters of text data: "
                 "set 'data = text(\"file\")' in the train section");
    return std::nullopt;
  }
  // Sizes up to 2^40 pass here so that the caller can say what is too large.
  if (e.kind != Expr::Number || !e.isInteger || e.number < 1 ||
      e.number > 0x1p40) {
    error(e.loc, fmt::format("{} must be a positive integer", what));
    return std::nullopt;
  }
  return static_cast<int64_t>(e.number);
}

/// Positional argument `i` of `call` as a tensor of the expected kind.
int Sema::tensorArg(const Expr &call, size_t i, bool isInt) {
  const Expr &e = *call.args[i].value;
  int x = eval(e);
  if (x < 0)
    return -1;
  if (shapeOf(x).isInt != isInt) {
    error(e.loc, fmt::format("'{}' expects {} here, got {}", call.text,
                             isInt ? "integer ids (i32)" : "an f32 tensor",
                             shapeOf(x).str()));
    return -1;
  }
  return x;
}

/// Inlines a block: its statements see only its inputs, and its parameters
/// are named after the value the call defines (`b1.attn.weight`).
int Sema::applyBlock(const Expr &e, const Model &block) {
  if (llvm::is_contained(activeBlocks, &block)) {
    error(e.loc, fmt::format("block '{}' applies itself", block.name));
    return -1;
  }
  std::vector<StringRef> names;
  for (const Input &in : block.inputs)
    names.push_back(in.name);
  if (!checkArgs(e, block.inputs.size(), llvm::join(names, ", "), {}))
    return -1;
  std::vector<int> args;
  for (size_t i = 0; i < block.inputs.size(); ++i) {
    int x = eval(*e.args[i].value);
    if (x < 0)
      return -1;
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
  int result = -1;
  if (evalBody(block)) {
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
  if (result < 0)
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
bool Sema::evalBody(const Model &body) {
  for (const Assign &a : body.body) {
    if (auto prev = definedAt.find(a.name); prev != definedAt.end()) {
      error(a.loc, fmt::format("redefinition of '{}'", a.name));
      note(prev->second, "previous definition is here");
      return false;
    }
    currentStmt = a.name;
    layersInStmt = 0;
    int node = eval(*a.value);
    if (node < 0)
      return false;
    values[a.name] = node;
    definedAt[a.name] = a.loc;
  }
  return true;
}

/// Inputs, outputs and parameters become buffers named after them (the
/// manifest); the names the runtime gives a meaning of its own are taken.
/// Paths in a .net file are relative to the file, as #include paths are.
std::string Sema::relativeToSource(StringRef path) const {
  StringRef source =
      sources.getMemoryBuffer(sources.getMainFileID())->getBufferIdentifier();
  StringRef dir = llvm::sys::path::parent_path(source);
  if (path.empty() || llvm::sys::path::is_absolute(path) || dir.empty())
    return path.str();
  llvm::SmallString<256> joined(dir);
  llvm::sys::path::append(joined, path);
  return joined.str().str();
}

bool Sema::checkBufferNames(const Model &model) {
  auto reserved = [&](StringRef name, SMLoc loc, StringRef what) {
    if (!nn::isReservedBufferName(name))
      return false;
    StringRef role = name == nn::buffer::kLoss   ? "the loss of each step"
                     : name == nn::buffer::kStep ? "the step number"
                                                 : "the labels of each batch";
    error(loc, fmt::format("'{}' is a reserved buffer name (the runtime's "
                           "buffer for {}): give this {} another name",
                           name.str(), role.str(), what.str()));
    return true;
  };
  for (const Input &in : model.inputs)
    if (reserved(in.name, in.loc, "input"))
      return false;
  for (const auto &[name, node] : graph.outputs) {
    SMLoc loc = definedAt[name];
    if (reserved(name, loc, "output"))
      return false;
    for (const Node &n : graph.nodes)
      if (n.op == Node::Param && n.name == name) {
        error(loc, fmt::format("output '{}' has the name of a parameter: "
                               "define the param() in a statement of its own",
                               name));
        note(n.loc, "the parameter is created here");
        return false;
      }
  }
  return true;
}

std::optional<Graph> Sema::run(const Program &program) {
  SMLoc start = SMLoc::getFromPointer(
      sources.getMemoryBuffer(sources.getMainFileID())->getBufferStart());
  if (program.models.empty()) {
    error(start, "no model in this file (expected 'model name(...) { ... }')");
    return std::nullopt;
  }
  if (program.models.size() > 1) {
    error(program.models[1].loc, "only one model per file is supported");
    return std::nullopt;
  }
  const Model &model = program.models[0];
  graph.model = model.name;
  for (const Model &block : program.blocks) {
    if (llvm::is_contained(builtinLayers(), block.name)) {
      error(block.loc, fmt::format("block '{}' has the name of a built-in "
                                   "layer",
                                   block.name));
      return std::nullopt;
    }
    if (!blocks.emplace(block.name, &block).second) {
      error(block.loc, fmt::format("redefinition of block '{}'", block.name));
      note(blocks[block.name]->loc, "previous definition is here");
      return std::nullopt;
    }
    if (block.body.empty()) {
      error(block.loc, fmt::format("block '{}' has no layers", block.name));
      return std::nullopt;
    }
  }
  const Train *train = nullptr;
  for (const Train &t : program.trains) {
    if (t.model != model.name) {
      error(t.modelLoc,
            fmt::format("train section for unknown model '{}'", t.model));
      return std::nullopt;
    }
    if (train) {
      error(t.loc, "second train section for the same model");
      return std::nullopt;
    }
    train = &t;
  }
  if (!train && options.requireTraining) {
    error(model.loc, fmt::format("model '{}' has no train section: add "
                                 "'train {} {{ loss = ..., optimizer = ... }}' "
                                 "to train it",
                                 model.name, model.name));
    return std::nullopt;
  }
  if (train) {
    graph.train.emplace();
    if (!trainSettings(*train, /*early=*/true))
      return std::nullopt;
    batch = graph.train->batch;
  }
  // --batch overrides the train section: evaluate or train at another size.
  if (options.batch) {
    batch = *options.batch;
    if (graph.train)
      graph.train->batch = batch;
  }

  if (!checkInputs(model, train))
    return std::nullopt;
  if (!evalBody(model))
    return std::nullopt;
  if (model.body.empty()) {
    error(model.loc, fmt::format("model '{}' has no layers", model.name));
    return std::nullopt;
  }
  if (model.outputs.empty())
    graph.outputs.push_back(
        {model.body.back().name, values[model.body.back().name]});
  for (const auto &[name, loc] : model.outputs) {
    auto it = values.find(name);
    if (it == values.end()) {
      error(loc, fmt::format("unknown name '{}'", name));
      return std::nullopt;
    }
    graph.outputs.push_back({name, it->second});
  }
  if (!checkBufferNames(model))
    return std::nullopt;
  if (train && !trainSettings(*train, /*early=*/false))
    return std::nullopt;
  return std::move(graph);
}
} // namespace dlc::sema

std::optional<Graph> dlc::analyze(const Program &program,
                                  llvm::SourceMgr &sources,
                                  const SemaOptions &options) {
  return sema::Sema(sources, options).run(program);
}
