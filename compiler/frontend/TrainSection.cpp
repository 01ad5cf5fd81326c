//===- TrainSection.cpp - the train section: data, loss, optimizer --------===//
//
// The early pass reads what shapes and parameters depend on (batch, init,
// the text vocabulary); the late pass, after the model's walk, what needs the
// model's values (loss, optimizer). emitLoss appends the loss to @train_step.
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/MLIRGenImpl.h"
#include "dialects/nn/NNContract.h"
#include "runtime/Data.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <cmath>

using namespace mlir;
using namespace dlc;
using namespace dlc::frontend;

/// Fashion-MNIST: 28x28 images, 10 classes, gzipped IDX files.
static constexpr int64_t kImageSize = 28 * 28;
static constexpr int64_t kClasses = 10;
static const char *const kFashionFiles[] = {
    "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

std::optional<double> MLIRGen::number(const Expr &e) {
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

std::optional<std::string> MLIRGen::initializer(const Expr &e, uint64_t *seed) {
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

/// The model's one input against what the data gives.
bool MLIRGen::checkTrainInput() {
  const TrainSettings &spec = *train;
  bool text = spec.dataKind == "text";
  if (model->inputs.size() != 1)
    return error(model->inputs[1].loc,
                 fmt::format("training on {} needs a model with one input",
                             spec.dataKind));
  const Input &in = model->inputs[0];
  RankedTensorType type = inputs[0].second;
  std::string shape = nn::describe(type);
  if (text) {
    if (!type.getElementType().isInteger(32) || type.getRank() != 2 ||
        type.getDimSize(0) != batch)
      return error(in.loc, fmt::format("input '{}' is {}, but text data gives "
                                       "batches of {} windows of character "
                                       "ids: declare it i32[B, T]",
                                       in.name, shape, batch));
    return true;
  }
  int64_t perSample = type.getNumElements() / type.getDimSize(0);
  if (!type.getElementType().isF32() || type.getDimSize(0) != batch ||
      perSample != kImageSize)
    return error(in.loc, fmt::format("input '{}' is {}, but fashion_mnist "
                                     "gives batches of {} images of {} values: "
                                     "declare it f32[B, 784]",
                                     in.name, shape, batch, kImageSize));
  return true;
}

bool MLIRGen::data(const Expr &e) {
  TrainSettings &spec = *train;
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

bool MLIRGen::loss(const Expr &e) {
  TrainSettings &spec = *train;
  static const std::pair<StringRef, TrainSettings::Loss> losses[] = {
      {"cross_entropy", TrainSettings::CrossEntropy},
      {"nll_loss", TrainSettings::NllLoss},
      {"mse", TrainSettings::MSE},
      {"l1", TrainSettings::L1},
      {"bce_with_logits", TrainSettings::BCEWithLogits}};
  auto it = llvm::find_if(losses, [&](auto &l) { return l.first == e.text; });
  if (e.kind != Expr::Call || it == std::end(losses))
    return error(e.loc, "unknown loss (expected cross_entropy(output, labels), "
                        "nll_loss(log_probs, labels), "
                        "mse(output, one_hot(labels)), "
                        "l1(output, one_hot(labels)) or "
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
  spec.lossInput = out.text;
  Type shape = value->second.getType();

  const Expr &target = *e.args[1].value;
  bool isLabels = target.kind == Expr::Name && target.text == "labels";
  bool isOneHot = target.kind == Expr::Call && target.text == "one_hot" &&
                  target.args.size() == 1 && target.args[0].key.empty() &&
                  target.args[0].value->kind == Expr::Name &&
                  target.args[0].value->text == "labels";
  if (!isLabels && !isOneHot)
    return error(target.loc,
                 "the target must be 'labels' or 'one_hot(labels)'");
  // cross_entropy and nll_loss score each class; the others compare the
  // output with a target of its shape.
  bool classScores = spec.loss == TrainSettings::CrossEntropy ||
                     spec.loss == TrainSettings::NllLoss;
  StringRef scores =
      spec.loss == TrainSettings::NllLoss ? "log-probabilities" : "logits";
  Type i32 = b.getI32Type(), f32 = b.getF32Type();
  auto labels = RankedTensorType::get({batch}, i32);
  auto expected = RankedTensorType::get({batch, kClasses}, f32);
  if (spec.dataKind == "text") {
    // Next-character prediction: labels are the inputs shifted by one.
    ArrayRef<int64_t> ids = inputs[0].second.getShape();
    labels = RankedTensorType::get(ids, i32);
    expected = RankedTensorType::get({ids[0], ids[1], vocabSize}, f32);
    spec.labelShape = ids.vec();
    if (!classScores || !isLabels)
      return error(e.loc, "text data trains next-character prediction: use "
                          "cross_entropy(logits, labels) or "
                          "nll_loss(log_probs, labels)");
    if (shape != expected)
      return error(out.loc,
                   fmt::format("{} needs {} {} for the {} "
                               "characters of the text, but '{}' "
                               "is {}",
                               e.text, scores, nn::describe(expected),
                               vocabSize, out.text, nn::describe(shape)));
    spec.oneHotTarget = false;
    return true;
  }
  spec.labelShape = labels.getShape().vec();
  if (classScores) {
    if (!isLabels)
      return error(target.loc, fmt::format("{} takes the class ids 'labels' "
                                           "as its target",
                                           e.text));
    if (shape != expected)
      return error(out.loc,
                   fmt::format("{} needs {} {} for the {} classes "
                               "of fashion_mnist, but '{}' is {}",
                               e.text, scores, nn::describe(expected), kClasses,
                               out.text, nn::describe(shape)));
  } else {
    if (isLabels)
      return error(target.loc, fmt::format("{} needs a target of the output's "
                                           "shape {}, but 'labels' is {}: use "
                                           "one_hot(labels)",
                                           e.text, nn::describe(shape),
                                           nn::describe(labels)));
    if (shape != expected)
      return error(out.loc,
                   fmt::format("{} against one_hot(labels) {} needs "
                               "an output of that shape, but '{}' is {}",
                               e.text, nn::describe(expected), out.text,
                               nn::describe(shape)));
  }
  spec.oneHotTarget = isOneHot;
  return true;
}

bool MLIRGen::optimizer(const Expr &e) {
  TrainSettings &spec = *train;
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
bool MLIRGen::trainSettings(const Train &section, bool early) {
  static const StringRef known[] = {"data", "loss",  "optimizer",
                                    "init", "batch", "epochs"};
  TrainSettings &spec = *train;
  std::map<std::string, SMLoc> seen;
  for (const Assign &s : section.settings) {
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
      if (!data(v))
        return false;
    } else if (!early && s.name == "loss") {
      if (!loss(v))
        return false;
    } else if (!early && s.name == "optimizer") {
      if (!optimizer(v))
        return false;
    }
  }
  if (!early) {
    for (StringRef required : {"loss", "optimizer"})
      if (llvm::none_of(section.settings,
                        [&](const Assign &s) { return s.name == required; }))
        return error(section.loc,
                     fmt::format("train section has no '{}'", required.str()));
    if (options.requireTraining &&
        llvm::none_of(section.settings,
                      [](const Assign &s) { return s.name == "data"; })) {
      Expr defaultData;
      defaultData.kind = Expr::Name;
      defaultData.text = "fashion_mnist";
      defaultData.loc = section.loc;
      return data(defaultData);
    }
  }
  return true;
}

/// Paths in a .net file are relative to the file, as #include paths are.
std::string MLIRGen::relativeToSource(StringRef path) const {
  StringRef source =
      sources.getMemoryBuffer(sources.getMainFileID())->getBufferIdentifier();
  StringRef dir = llvm::sys::path::parent_path(source);
  if (path.empty() || llvm::sys::path::is_absolute(path) || dir.empty())
    return path.str();
  llvm::SmallString<256> joined(dir);
  llvm::sys::path::append(joined, path);
  return joined.str().str();
}

/// The training set-up, as the runtime reads it from the manifest.
DictionaryAttr MLIRGen::settingsAttr() {
  const TrainSettings &spec = *train;
  SmallVector<NamedAttribute> entries{
      b.getNamedAttr("data",
                     b.getStringAttr(spec.dataKind + ":" + spec.dataPath)),
      b.getNamedAttr("loss", b.getStringAttr(spec.lossName)),
      b.getNamedAttr("optimizer", b.getStringAttr(spec.optimizer)),
      b.getNamedAttr("batch", b.getStringAttr(std::to_string(spec.batch))),
      b.getNamedAttr("epochs", b.getStringAttr(std::to_string(spec.epochs))),
      b.getNamedAttr("seed", b.getStringAttr(std::to_string(spec.seed)))};
  if (spec.dataKind == "text")
    entries.push_back(b.getNamedAttr("vocab", b.getStringAttr(spec.vocab)));
  return b.getDictionaryAttr(entries);
}

/// The loss of the train section on the model value it names; the train
/// section was checked against that value's shape.
Value MLIRGen::emitLoss(Value labels) {
  const TrainSettings &spec = *train;
  Value out = values[spec.lossInput];
  Location l = out.getLoc();
  switch (spec.loss) {
  case TrainSettings::CrossEntropy:
    return nn::CrossEntropyOp::create(b, l, out, labels);
  case TrainSettings::NllLoss:
    return nn::NllLossOp::create(b, l, out, labels);
  case TrainSettings::MSE:
  case TrainSettings::L1:
  case TrainSettings::BCEWithLogits: {
    Value target = nn::OneHotOp::create(b, l, out.getType(), labels);
    if (spec.loss == TrainSettings::MSE)
      return nn::MseOp::create(b, l, out, target);
    if (spec.loss == TrainSettings::L1)
      return nn::L1Op::create(b, l, out, target);
    return nn::BceLogitsOp::create(b, l, out, target);
  }
  }
  return nullptr;
}
