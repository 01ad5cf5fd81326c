//===- SemaLayers.cpp - shapes and parameters of layer calls --------------===//
#include "compiler/frontend/SemaImpl.h"

using namespace dlc;

namespace dlc::sema {

llvm::ArrayRef<StringRef> builtinLayers() {
  static const StringRef layers[] = {
      "dense",   "conv2d", "maxpool2d", "avgpool2d", "flatten",
      "reshape", "relu",   "sigmoid",   "tanh",      "softmax",
      "add",     "sub",    "mul",       "embedding", "rnn",
      "lstm",    "last",   "matmul",    "transpose", "layer_norm",
      "param",   "slice",  "concat",    "dropout"};
  return layers;
}

/// A dimension index, negative counting from the end.
static std::optional<int64_t> axisOf(const Expr &e, size_t rank) {
  if (e.kind == Expr::Number && e.isInteger && e.number >= 0 && e.number < rank)
    return static_cast<int64_t>(e.number);
  if (e.kind == Expr::Negate && e.args[0].value->kind == Expr::Number &&
      e.args[0].value->isInteger && e.args[0].value->number >= 1 &&
      e.args[0].value->number <= rank)
    return static_cast<int64_t>(rank - e.args[0].value->number);
  return std::nullopt;
}

/// A positive integer argument (`what` names it in the error), or nullopt.
static std::optional<int64_t> positiveInt(const Expr &e) {
  if (e.kind != Expr::Number || !e.isInteger || e.number < 1 || e.number > 1e9)
    return std::nullopt;
  return static_cast<int64_t>(e.number);
}

int Sema::evalSpatial(const Expr &e) {
  StringRef callee = e.text;
  bool conv = callee == "conv2d";
  if (conv ? !checkArgs(e, 3, "input, filters, kernel",
                        {"stride", "padding", "bias", "init"})
           : !checkArgs(e, 2, "input, kernel", {"stride"}))
    return -1;
  int x = eval(*e.args[0].value);
  if (x < 0)
    return -1;
  const Shape &in = shapeOf(x);
  if (in.dims.size() != 4) {
    error(e.args[0].value->loc,
          fmt::format("{} expects a [batch, channels, height, width] input, "
                      "got {}",
                      callee.str(), in.str()));
    return -1;
  }
  Node n{conv                    ? Node::Conv2D
         : callee == "maxpool2d" ? Node::MaxPool2D
                                 : Node::AvgPool2D,
         {x},
         in,
         e.loc};
  size_t kernelArg = conv ? 2 : 1;
  if (conv) {
    auto filters = positiveInt(*e.args[1].value);
    if (!filters) {
      error(e.args[1].value->loc, "filters must be a positive integer");
      return -1;
    }
    n.units = *filters;
  }
  auto kernel = positiveInt(*e.args[kernelArg].value);
  if (!kernel) {
    error(e.args[kernelArg].value->loc, "kernel must be a positive integer");
    return -1;
  }
  n.kernel = *kernel;
  n.stride = conv ? 1 : n.kernel;
  for (const Arg &arg : e.args) {
    if (arg.key != "stride" && arg.key != "padding")
      continue;
    const Expr &v = *arg.value;
    bool isPadding = arg.key == "padding";
    if (v.kind != Expr::Number || !v.isInteger ||
        v.number < (isPadding ? 0 : 1) || v.number > 1e6) {
      error(v.loc, fmt::format("{} must be a {} integer", arg.key,
                               isPadding ? "non-negative" : "positive"));
      return -1;
    }
    (isPadding ? n.padding : n.stride) = static_cast<int64_t>(v.number);
  }
  int64_t h = in.dims[2] + 2 * n.padding - n.kernel;
  int64_t w = in.dims[3] + 2 * n.padding - n.kernel;
  if (h < 0 || w < 0) {
    error(e.args[kernelArg].value->loc,
          fmt::format("a {}x{} window does not fit the {}x{} images of {}",
                      n.kernel, n.kernel, in.dims[2] + 2 * n.padding,
                      in.dims[3] + 2 * n.padding, in.str()));
    return -1;
  }
  n.shape.dims = {in.dims[0], conv ? n.units : in.dims[1], h / n.stride + 1,
                  w / n.stride + 1};
  if (conv) {
    n.init = defaultInit;
    n.name = layerName();
    if (!weightOptions(e, n))
      return -1;
  }
  return add(n);
}

int Sema::evalCall(const Expr &e) {
  StringRef callee = e.text;
  static const std::pair<StringRef, Node::Op> unary[] = {
      {"relu", Node::Relu},
      {"sigmoid", Node::Sigmoid},
      {"tanh", Node::Tanh},
      {"softmax", Node::Softmax}};
  static const std::pair<StringRef, Node::Op> binary[] = {
      {"add", Node::Add}, {"sub", Node::Sub}, {"mul", Node::Mul}};

  for (auto [name, op] : unary) {
    if (callee != name)
      continue;
    bool isSoftmax = op == Node::Softmax;
    std::vector<StringRef> keywords;
    if (isSoftmax)
      keywords = {"axis", "causal"};
    if (!checkArgs(e, 1, "input", keywords))
      return -1;
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    Node n{op, {x}, shapeOf(x), e.loc};
    n.axis = static_cast<int64_t>(n.shape.dims.size()) - 1;
    for (const Arg &arg : e.args) {
      if (arg.key == "axis") {
        auto axis = axisOf(*arg.value, n.shape.dims.size());
        if (!axis) {
          error(arg.value->loc,
                fmt::format("expected a dimension of {} (0 to {}, or negative "
                            "from the end)",
                            n.shape.str(), n.shape.dims.size() - 1));
          return -1;
        }
        n.axis = *axis;
        continue;
      }
      if (arg.key != "causal")
        continue;
      const Expr &v = *arg.value;
      if (v.kind != Expr::Name || (v.text != "true" && v.text != "false")) {
        error(v.loc, "causal must be true or false");
        return -1;
      }
      n.causal = v.text == "true";
      if (n.causal && n.axis + 1 != static_cast<int64_t>(n.shape.dims.size())) {
        error(v.loc, "a causal softmax runs over the last dimension");
        return -1;
      }
      const auto &dims = n.shape.dims;
      if (n.causal &&
          (dims.size() < 2 || dims[dims.size() - 1] != dims[dims.size() - 2])) {
        error(e.args[0].value->loc,
              fmt::format("a causal softmax needs [..., T, T] scores, got {}",
                          n.shape.str()));
        return -1;
      }
    }
    return add(n);
  }
  for (auto [name, op] : binary) {
    if (callee != name)
      continue;
    if (!checkArgs(e, 2, "lhs, rhs", {}))
      return -1;
    int a = eval(*e.args[0].value);
    if (a < 0)
      return -1;
    int b = eval(*e.args[1].value);
    if (b < 0)
      return -1;
    return elementwise(e, op, a, b, name.data());
  }
  if (callee == "conv2d" || callee == "maxpool2d" || callee == "avgpool2d")
    return evalSpatial(e);
  if (auto block = blocks.find(callee.str()); block != blocks.end())
    return applyBlock(e, *block->second);
  if (callee == "embedding" || callee == "rnn" || callee == "lstm" ||
      callee == "last")
    return evalSequence(e);
  if (callee == "matmul" || callee == "transpose" || callee == "layer_norm" ||
      callee == "param" || callee == "slice" || callee == "concat" ||
      callee == "dropout")
    return evalAttention(e);
  if (callee == "flatten") {
    if (!checkArgs(e, 1, "input", {}))
      return -1;
    int x = eval(*e.args[0].value);
    if (x < 0)
      return -1;
    Node n{Node::Flatten, {x}, shapeOf(x), e.loc};
    int64_t rest = 1;
    for (size_t i = 1; i < n.shape.dims.size(); ++i)
      rest *= n.shape.dims[i];
    n.shape.dims = {n.shape.dims[0], rest};
    return add(n);
  }
  if (callee == "reshape") {
    // The batch dimension stays; the rest takes the listed sizes.
    Node n{Node::Flatten, {}, Shape{}, e.loc};
    for (const Arg &arg : e.args) {
      if (!arg.key.empty()) {
        error(arg.keyLoc,
              fmt::format("'reshape' has no parameter '{}'", arg.key));
        return -1;
      }
    }
    if (e.args.size() < 2) {
      error(e.loc, "'reshape' expects the input and the new sizes of the "
                   "dimensions after the batch, as reshape(x, 4, 16)");
      return -1;
    }
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    n.operands = {x};
    const Shape &in = shapeOf(x);
    n.shape.dims = {in.dims[0]};
    int64_t want = 1, have = 1;
    for (size_t i = 1; i < e.args.size(); ++i) {
      auto d = size(*e.args[i].value, "a dimension");
      if (!d)
        return -1;
      n.shape.dims.push_back(*d);
      want = *d > (int64_t(1) << 40) / want ? (int64_t(1) << 41) : want * *d;
    }
    for (size_t i = 1; i < in.dims.size(); ++i)
      have *= in.dims[i];
    if (want != have) {
      error(e.loc, fmt::format("cannot reshape {} to {}: {} values per sample "
                               "against {}",
                               in.str(), n.shape.str(), have, want));
      return -1;
    }
    return add(n);
  }
  if (callee == "dense") {
    // Applies to the last dimension, as torch.nn.Linear.
    if (!checkArgs(e, 2, "input, units", {"bias", "init"}))
      return -1;
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    const Shape &in = shapeOf(x);
    if (in.dims.size() < 2) {
      error(e.args[0].value->loc,
            fmt::format("dense expects a [batch, ..., features] input, got {}",
                        in.str()));
      return -1;
    }
    auto units = size(*e.args[1].value, "units");
    if (!units)
      return -1;
    Node n{Node::Dense, {x}, in, e.loc};
    n.units = *units;
    if (n.units > (int64_t(1) << 28) / in.dims.back()) {
      error(e.args[1].value->loc,
            fmt::format("a weight of {} x {} is too large", in.dims.back(),
                        n.units));
      return -1;
    }
    n.shape.dims.back() = n.units;
    n.init = defaultInit;
    n.name = layerName();
    if (!weightOptions(e, n))
      return -1;
    return add(n);
  }
  error(e.loc, fmt::format("unknown layer '{}' (known: {}{}{})", callee.str(),
                           llvm::join(builtinLayers(), ", "),
                           blocks.empty() ? "" : "; blocks: ",
                           llvm::join(llvm::make_first_range(blocks), ", ")));
  return -1;
}

int Sema::evalSequence(const Expr &e) {
  StringRef callee = e.text;
  if (callee == "embedding") {
    if (!checkArgs(e, 3, "ids, count, size", {"init"}))
      return -1;
    int ids = tensorArg(e, 0, /*isInt=*/true);
    if (ids < 0)
      return -1;
    auto rows = size(*e.args[1].value, "the number of embeddings");
    if (!rows)
      return -1;
    auto dim = size(*e.args[2].value, "the embedding size");
    if (!dim)
      return -1;
    if (*dim > (int64_t(1) << 28) / *rows) {
      error(e.loc, fmt::format("a table of {} x {} is too large", *rows, *dim));
      return -1;
    }
    Node n{Node::Embedding, {ids}, shapeOf(ids), e.loc};
    n.shape.isInt = false;
    n.shape.dims.push_back(*dim);
    n.rows = *rows;
    n.units = *dim;
    n.init = "normal:1"; // as torch.nn.Embedding
    n.name = layerName();
    if (!weightOptions(e, n))
      return -1;
    return add(n);
  }
  if (callee == "last") {
    if (!checkArgs(e, 1, "sequence", {}))
      return -1;
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    if (shapeOf(x).dims.size() != 3) {
      error(
          e.args[0].value->loc,
          fmt::format("last expects a [batch, time, features] sequence, got {}",
                      shapeOf(x).str()));
      return -1;
    }
    Node n{Node::Last, {x}, shapeOf(x), e.loc};
    n.shape.dims = {n.shape.dims[0], n.shape.dims[2]};
    return add(n);
  }
  // rnn, lstm
  if (!checkArgs(e, 2, "sequence, units", {"init"}))
    return -1;
  int x = tensorArg(e, 0);
  if (x < 0)
    return -1;
  if (shapeOf(x).dims.size() != 3) {
    error(e.args[0].value->loc,
          fmt::format("{} expects a [batch, time, features] sequence, got {}",
                      callee.str(), shapeOf(x).str()));
    return -1;
  }
  auto units = size(*e.args[1].value, "units");
  if (!units)
    return -1;
  // Weights [features, gates * units] and [units, gates * units], under the
  // 2^28-element limit of every buffer.
  int64_t gates = callee == "lstm" ? 4 : 1;
  int64_t rows = std::max(shapeOf(x).dims[2], *units);
  if (gates * *units > (int64_t(1) << 28) / rows) {
    error(e.args[1].value->loc, fmt::format("a weight of {} x {} is too large",
                                            rows, gates * *units));
    return -1;
  }
  Node n{callee == "lstm" ? Node::Lstm : Node::Rnn, {x}, shapeOf(x), e.loc};
  n.units = *units;
  n.shape.dims[2] = n.units;
  n.init = defaultInit;
  n.name = layerName();
  if (!weightOptions(e, n))
    return -1;
  return add(n);
}

int Sema::evalAttention(const Expr &e) {
  StringRef callee = e.text;
  auto badAxis = [&](const Expr &v, const Shape &shape) {
    error(v.loc, fmt::format("expected a dimension of {} (0 to {}, or "
                             "negative from the end)",
                             shape.str(), shape.dims.size() - 1));
    return -1;
  };
  auto boolArg = [&](const Arg &arg, bool &out) {
    const Expr &v = *arg.value;
    if (v.kind != Expr::Name || (v.text != "true" && v.text != "false"))
      return error(v.loc, fmt::format("{} must be true or false", arg.key));
    out = v.text == "true";
    return true;
  };

  if (callee == "matmul") {
    if (!checkArgs(e, 2, "a, b", {"transpose_a", "transpose_b"}))
      return -1;
    int a = tensorArg(e, 0);
    if (a < 0)
      return -1;
    int b = tensorArg(e, 1);
    if (b < 0)
      return -1;
    Node n{Node::Matmul, {a, b}, shapeOf(a), e.loc};
    for (const Arg &arg : e.args)
      if (!arg.key.empty() &&
          !boolArg(arg, arg.key == "transpose_a" ? n.transA : n.transB))
        return -1;
    const auto &da = shapeOf(a).dims, &db = shapeOf(b).dims;
    size_t r = da.size();
    bool batchOk = r == db.size() && r >= 2 &&
                   std::equal(da.begin(), da.end() - 2, db.begin());
    int64_t m = r >= 2 ? da[r - (n.transA ? 1 : 2)] : 0;
    int64_t k1 = r >= 2 ? da[r - (n.transA ? 2 : 1)] : 0;
    int64_t k2 = db.size() >= 2 ? db[db.size() - (n.transB ? 1 : 2)] : -1;
    int64_t cols = db.size() >= 2 ? db[db.size() - (n.transB ? 2 : 1)] : 0;
    if (!batchOk || k1 != k2) {
      error(e.loc,
            fmt::format("cannot multiply {}{} by {}{}: {}", shapeOf(a).str(),
                        n.transA ? " (transposed)" : "", shapeOf(b).str(),
                        n.transB ? " (transposed)" : "",
                        batchOk ? "inner sizes differ"
                                : "they need one rank and the same "
                                  "leading (batch) dimensions"));
      return -1;
    }
    n.shape.dims[r - 2] = m;
    n.shape.dims[r - 1] = cols;
    return add(n);
  }
  if (callee == "transpose") {
    if (!checkArgs(e, 3, "input, dim1, dim2", {}))
      return -1;
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    Node n{Node::Transpose, {x}, shapeOf(x), e.loc};
    auto d1 = axisOf(*e.args[1].value, n.shape.dims.size());
    if (!d1)
      return badAxis(*e.args[1].value, n.shape);
    auto d2 = axisOf(*e.args[2].value, n.shape.dims.size());
    if (!d2)
      return badAxis(*e.args[2].value, n.shape);
    n.axis = *d1;
    n.start = *d2;
    std::swap(n.shape.dims[n.axis], n.shape.dims[n.start]);
    return add(n);
  }
  if (callee == "layer_norm") {
    if (!checkArgs(e, 1, "input", {"eps"}))
      return -1;
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    Node n{Node::LayerNorm, {x}, shapeOf(x), e.loc};
    n.factor = 1e-5;
    for (const Arg &arg : e.args)
      if (arg.key == "eps") {
        auto v = number(*arg.value);
        if (!v)
          return -1;
        if (!(*v > 0)) {
          error(arg.value->loc, "eps must be positive");
          return -1;
        }
        n.factor = *v;
      }
    n.name = layerName();
    return add(n);
  }
  if (callee == "param") {
    Node n{Node::Param, {}, Shape{}, e.loc};
    n.init = defaultInit;
    for (const Arg &arg : e.args) {
      if (arg.key.empty()) {
        auto d = size(*arg.value, "a dimension");
        if (!d)
          return -1;
        n.shape.dims.push_back(*d);
      } else if (arg.key != "init") {
        error(arg.keyLoc, fmt::format("'param' has no parameter '{}' (it takes "
                                      "init)",
                                      arg.key));
        return -1;
      }
    }
    if (n.shape.dims.empty()) {
      error(e.loc, "'param' expects its dimensions, as param(32, 64)");
      return -1;
    }
    if (!weightOptions(e, n))
      return -1;
    n.name = layerName();
    return add(n);
  }
  if (callee == "slice") {
    if (!checkArgs(e, 4, "input, axis, start, size", {}))
      return -1;
    int x = tensorArg(e, 0);
    if (x < 0)
      return -1;
    Node n{Node::Slice, {x}, shapeOf(x), e.loc};
    auto axis = axisOf(*e.args[1].value, n.shape.dims.size());
    if (!axis)
      return badAxis(*e.args[1].value, n.shape);
    const Expr &startExpr = *e.args[2].value;
    if (startExpr.kind != Expr::Number || !startExpr.isInteger ||
        startExpr.number < 0 || startExpr.number > 0x1p40) {
      error(startExpr.loc, "start must be a non-negative integer");
      return -1;
    }
    auto len = size(*e.args[3].value, "size");
    if (!len)
      return -1;
    n.axis = *axis;
    n.start = static_cast<int64_t>(startExpr.number);
    if (n.start + *len > n.shape.dims[n.axis]) {
      error(e.loc, fmt::format("[{}, {}) is outside dimension {} of {}",
                               n.start, n.start + *len, n.axis, n.shape.str()));
      return -1;
    }
    n.shape.dims[n.axis] = *len;
    return add(n);
  }
  if (callee == "concat") {
    Node n{Node::Concat, {}, Shape{}, e.loc};
    const Expr *axisExpr = nullptr;
    for (const Arg &arg : e.args) {
      if (arg.key == "axis") {
        axisExpr = arg.value.get();
        continue;
      }
      if (!arg.key.empty()) {
        error(arg.keyLoc,
              fmt::format("'concat' has no parameter '{}' (it takes "
                          "axis)",
                          arg.key));
        return -1;
      }
      int x = eval(*arg.value);
      if (x < 0)
        return -1;
      n.operands.push_back(x);
    }
    if (n.operands.size() < 2) {
      error(e.loc, "'concat' expects at least two tensors");
      return -1;
    }
    n.shape = shapeOf(n.operands[0]);
    n.axis = static_cast<int64_t>(n.shape.dims.size()) - 1;
    if (axisExpr) {
      auto axis = axisOf(*axisExpr, n.shape.dims.size());
      if (!axis)
        return badAxis(*axisExpr, n.shape);
      n.axis = *axis;
    }
    int64_t total = 0;
    for (int x : n.operands) {
      Shape s = shapeOf(x);
      total += s.dims.size() == n.shape.dims.size() ? s.dims[n.axis] : 0;
      if (s.dims.size() == n.shape.dims.size())
        s.dims[n.axis] = n.shape.dims[n.axis];
      if (s.isInt || !(s == n.shape)) {
        error(e.loc, fmt::format("cannot concatenate {} and {} along dimension "
                                 "{}: they differ elsewhere",
                                 shapeOf(n.operands[0]).str(), shapeOf(x).str(),
                                 n.axis));
        return -1;
      }
    }
    n.shape.dims[n.axis] = total;
    return add(n);
  }
  // dropout
  if (!checkArgs(e, 2, "input, rate", {}))
    return -1;
  int x = tensorArg(e, 0);
  if (x < 0)
    return -1;
  auto rate = number(*e.args[1].value);
  if (!rate)
    return -1;
  if (!(*rate >= 0 && *rate < 1)) {
    error(e.args[1].value->loc, "rate must be in [0, 1)");
    return -1;
  }
  Node n{Node::Dropout, {x}, shapeOf(x), e.loc};
  n.factor = *rate;
  graph.hasDropout = true;
  return add(n);
}

} // namespace dlc::sema
