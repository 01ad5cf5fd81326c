//===- GradCheckTest.cpp - every VJP against finite differences -----------===//
//
// Each case is a function f(args) = sum(op(args) * r) in f64, with r a random
// weight, so every output element contributes to the gradient differently.
// nn-differentiate builds f_grad; both are compiled by the real pipeline and
// JIT-compiled, and f_grad's gradients are compared with central finite
// differences of f, all in double precision.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"
#include "compiler/Passes.h"

#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/TargetSelect.h"

#include <fmt/format.h>
#include <functional>
#include <gtest/gtest.h>
#include <random>

using namespace mlir;

namespace {

struct Buffer {
  std::vector<int64_t> shape;
  bool isInt = false;
  std::vector<double> f;
  std::vector<int32_t> i;
  void *data() { return isInt ? (void *)i.data() : (void *)f.data(); }
  int64_t size() const {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    return n;
  }
};

std::string tensorType(const std::vector<int64_t> &shape, const char *element) {
  std::string s = "tensor<";
  for (int64_t d : shape)
    s += fmt::format("{}x", d);
  return s + element + ">";
}

/// Parses "3x4" / "" (scalar) / "4:i" (int labels below 5).
Buffer makeBuffer(llvm::StringRef spec, std::mt19937_64 &rng) {
  Buffer b;
  auto [dims, kind] = spec.split(':');
  llvm::SmallVector<llvm::StringRef> parts;
  dims.split(parts, 'x', -1, false);
  for (llvm::StringRef p : parts)
    b.shape.push_back(std::stoll(p.str()));
  std::uniform_real_distribution<double> uniform(-1.5, 1.5);
  if (kind.starts_with("i")) {
    b.isInt = true;
    int classes = std::stoi(kind.drop_front().str());
    for (int64_t k = 0; k < b.size(); ++k)
      b.i.push_back(static_cast<int32_t>(rng() % classes));
  } else if (kind == "p") { // probabilities in (0, 1)
    for (int64_t k = 0; k < b.size(); ++k)
      b.f.push_back(0.05 + 0.9 * (uniform(rng) + 1.5) / 3.0);
  } else {
    for (int64_t k = 0; k < b.size(); ++k)
      b.f.push_back(uniform(rng));
  }
  return b;
}

class GradCheck : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  }

  /// `args`: buffer specs of %a0, %a1, ...; `body`: ops ending in a value
  /// `%y` of shape `outShape`. Checks d/d(every float arg) of sum(y * r).
  void check(std::vector<std::string> args, const std::string &body,
             std::vector<int64_t> outShape, double tolerance = 1e-6) {
    std::mt19937_64 rng(7);
    std::vector<Buffer> inputs;
    std::string signature;
    for (size_t k = 0; k < args.size(); ++k) {
      inputs.push_back(makeBuffer(args[k], rng));
      signature += fmt::format(
          "%a{}: {}, ", k,
          tensorType(inputs.back().shape, inputs.back().isInt ? "i32" : "f64"));
    }
    Buffer r = makeBuffer(fmt::format("{}", fmt::join(outShape, "x")), rng);
    std::string outType = tensorType(outShape, "f64");
    std::string reduceAxes;
    for (size_t d = 0; d < outShape.size(); ++d)
      reduceAxes += fmt::format("{}{}", d ? ", " : "", d);
    std::string text = fmt::format(
        "func.func @f({}%r: {}) -> tensor<f64> attributes {{nn.differentiate, "
        "nn.entry}} {{\n{}\n  %w = nn.mul %y, %r : {}\n"
        "  %s = nn.reduce_sum %w {{axes = array<i64{}{}>}} : {} -> "
        "tensor<f64>\n"
        "  return %s : tensor<f64>\n}}\n",
        signature, outType, body, outType, reduceAxes.empty() ? "" : ": ",
        reduceAxes, outType);

    dlc::Compiler compiler; // registers dialects and passes
    MLIRContext &ctx = compiler.context();
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
    ASSERT_TRUE(module) << text;
    PassManager pm(&ctx);
    ASSERT_TRUE(succeeded(parsePassPipeline("nn-differentiate", pm)));
    ASSERT_TRUE(succeeded(pm.run(*module))) << text;
    module->walk(
        [&](func::FuncOp f) { f->setAttr("nn.entry", UnitAttr::get(&ctx)); });
    ASSERT_TRUE(succeeded(compiler.lowerToLinalg(*module))) << text;
    ASSERT_TRUE(succeeded(compiler.lowerToLLVM(*module))) << text;

    // A named std::function: the options hold only a reference to it.
    std::function<llvm::Error(llvm::Module *)> optimize =
        makeOptimizingTransformer(2, 0, nullptr);
    ExecutionEngineOptions options;
    options.transformer = optimize;
    auto engine = ExecutionEngine::create(*module, options);
    ASSERT_TRUE(bool(engine)) << llvm::toString(engine.takeError());
    (*engine)->initialize();
    auto fSym = (*engine)->lookup("dlc_f");
    auto gSym = (*engine)->lookup("dlc_f_grad");
    ASSERT_TRUE(bool(fSym) && bool(gSym));
    auto f = reinterpret_cast<void (*)(void **)>(*fSym);
    auto grad = reinterpret_cast<void (*)(void **)>(*gSym);

    auto evaluate = [&] {
      double out = 0;
      std::vector<void *> ptrs;
      for (Buffer &b : inputs)
        ptrs.push_back(b.data());
      ptrs.push_back(r.f.data());
      ptrs.push_back(&out);
      f(ptrs.data());
      return out;
    };

    // Analytic: f_grad returns f, then d/d(each float arg), then d/dr.
    std::vector<std::vector<double>> grads;
    std::vector<void *> ptrs;
    for (Buffer &b : inputs)
      ptrs.push_back(b.data());
    ptrs.push_back(r.f.data());
    double value = 0;
    ptrs.push_back(&value);
    for (Buffer &b : inputs)
      if (!b.isInt)
        grads.emplace_back(b.size());
    grads.emplace_back(r.size());
    for (auto &g : grads)
      ptrs.push_back(g.data());
    grad(ptrs.data());
    EXPECT_NEAR(value, evaluate(), 1e-12 * std::max(1.0, std::abs(value)));

    const double h = 1e-6;
    size_t gi = 0;
    for (size_t k = 0; k < inputs.size(); ++k) {
      if (inputs[k].isInt)
        continue;
      for (int64_t e = 0; e < inputs[k].size(); ++e) {
        double saved = inputs[k].f[e];
        inputs[k].f[e] = saved + h;
        double up = evaluate();
        inputs[k].f[e] = saved - h;
        double down = evaluate();
        inputs[k].f[e] = saved;
        double numeric = (up - down) / (2 * h);
        double analytic = grads[gi][e];
        EXPECT_NEAR(analytic, numeric,
                    tolerance * std::max(1.0, std::abs(numeric)))
            << "d/d%a" << k << "[" << e << "]";
      }
      ++gi;
    }
  }
  /// Runs `body` (ops ending in %y of shape `outShape`) on `inputs` in f64
  /// through the real pipeline; returns %y.
  /// `element` f32 runs the model's own precision: the buffers are converted
  /// to float around the call.
  std::vector<double> forward(std::vector<Buffer> &inputs,
                              const std::string &body,
                              std::vector<int64_t> outShape,
                              const char *element = "f64") {
    bool single = llvm::StringRef(element) == "f32";
    std::string signature;
    for (size_t k = 0; k < inputs.size(); ++k)
      signature += fmt::format(
          "{}%a{}: {}", k ? ", " : "", k,
          tensorType(inputs[k].shape, inputs[k].isInt ? "i32" : element));
    std::string outType = tensorType(outShape, element);
    std::string text = fmt::format(
        "func.func @f({}) -> {} attributes {{nn.entry}} {{\n{}\n  return %y : "
        "{}\n}}\n",
        signature, outType, body, outType);
    dlc::Compiler compiler;
    MLIRContext &ctx = compiler.context();
    OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &ctx);
    EXPECT_TRUE(module) << text;
    if (!module || failed(compiler.lowerToLinalg(*module)) ||
        failed(compiler.lowerToLLVM(*module))) {
      ADD_FAILURE() << "cannot compile\n" << text;
      return {};
    }
    // A named std::function: the options hold only a reference to it.
    std::function<llvm::Error(llvm::Module *)> optimize =
        makeOptimizingTransformer(2, 0, nullptr);
    ExecutionEngineOptions options;
    options.transformer = optimize;
    auto engine = ExecutionEngine::create(*module, options);
    if (!engine) {
      ADD_FAILURE() << llvm::toString(engine.takeError());
      return {};
    }
    (*engine)->initialize();
    auto fSym = (*engine)->lookup("dlc_f");
    if (!fSym) {
      ADD_FAILURE() << llvm::toString(fSym.takeError());
      return {};
    }
    Buffer out;
    out.shape = outShape;
    out.f.resize(out.size());
    std::vector<void *> ptrs;
    std::vector<std::vector<float>> floats;
    floats.reserve(inputs.size() + 1);
    for (Buffer &b : inputs) {
      if (single && !b.isInt) {
        floats.emplace_back(b.f.begin(), b.f.end());
        ptrs.push_back(floats.back().data());
      } else {
        ptrs.push_back(b.data());
      }
    }
    floats.emplace_back(single ? out.size() : 0);
    ptrs.push_back(single ? (void *)floats.back().data()
                          : (void *)out.f.data());
    reinterpret_cast<void (*)(void **)> (*fSym)(ptrs.data());
    if (single)
      out.f.assign(floats.back().begin(), floats.back().end());
    return out.f;
  }
};

TEST_F(GradCheck, Matmul) {
  check({"3x4", "4x5"},
        "%y = nn.matmul %a0, %a1 : tensor<3x4xf64>, tensor<4x5xf64> -> "
        "tensor<3x5xf64>",
        {3, 5});
}
TEST_F(GradCheck, MatmulTransposeLhs) {
  check({"4x3", "4x5"},
        "%y = nn.matmul %a0, %a1 {transpose_lhs = true} : tensor<4x3xf64>, "
        "tensor<4x5xf64> -> tensor<3x5xf64>",
        {3, 5});
}
TEST_F(GradCheck, MatmulTransposeRhs) {
  check({"3x4", "5x4"},
        "%y = nn.matmul %a0, %a1 {transpose_rhs = true} : tensor<3x4xf64>, "
        "tensor<5x4xf64> -> tensor<3x5xf64>",
        {3, 5});
}
TEST_F(GradCheck, MatmulTransposeBoth) {
  check(
      {"4x3", "5x4"},
      "%y = nn.matmul %a0, %a1 {transpose_lhs = true, transpose_rhs = true} : "
      "tensor<4x3xf64>, tensor<5x4xf64> -> tensor<3x5xf64>",
      {3, 5});
}
TEST_F(GradCheck, BiasAdd) {
  check({"3x4", "4"},
        "%y = nn.bias_add %a0, %a1 : tensor<3x4xf64>, tensor<4xf64>", {3, 4});
}
TEST_F(GradCheck, ReduceSum) {
  check({"3x4x2"},
        "%y = nn.reduce_sum %a0 {axes = array<i64: 1>} : tensor<3x4x2xf64> -> "
        "tensor<3x2xf64>",
        {3, 2});
}
TEST_F(GradCheck, ReduceMax) {
  check({"3x4x2"},
        "%y = nn.reduce_max %a0 {axes = array<i64: 1>} : tensor<3x4x2xf64> -> "
        "tensor<3x2xf64>",
        {3, 2});
}
TEST_F(GradCheck, ReduceMaxTwoAxes) {
  check({"2x3x4"},
        "%y = nn.reduce_max %a0 {axes = array<i64: 0, 2>} : tensor<2x3x4xf64> "
        "-> tensor<3xf64>",
        {3});
}
/// torch.amax's values and gradient where maxima tie (not differentiable,
/// so not a finite-difference check): the tied maxima of a group share its
/// gradient equally, the rest get none.
TEST_F(GradCheck, ReduceMaxTies) {
  std::vector<Buffer> in{Buffer{{2, 4}}, Buffer{{2}}};
  in[0].f = {1, 5, 5, -2, 7, 7, 7, 3};
  in[1].f = {0.5, 3};
  std::vector<double> max = forward(
      in,
      "%y = nn.reduce_max %a0 {axes = array<i64: 1>} : tensor<2x4xf64> -> "
      "tensor<2xf64>",
      {2});
  EXPECT_EQ(max, (std::vector<double>{5, 7}));
  std::vector<Buffer> grad{in[1], in[0], Buffer{{2}}};
  grad[2].f = {5, 7};
  std::vector<double> dx = forward(
      grad,
      "%y = nn.reduce_max_grad %a0, %a1, %a2 {axes = array<i64: 1>} : "
      "tensor<2xf64>, tensor<2x4xf64>, tensor<2xf64> -> tensor<2x4xf64>",
      {2, 4});
  EXPECT_EQ(dx, (std::vector<double>{0, 0.25, 0.25, 0, 1, 1, 1, 0}));
}
TEST_F(GradCheck, Broadcast) {
  check({"3"},
        "%y = nn.broadcast %a0 {axes = array<i64: 0>} : tensor<3xf64> -> "
        "tensor<2x3xf64>",
        {2, 3});
}
TEST_F(GradCheck, AddSubMulScale) {
  check({"3x4", "3x4", "3x4"},
        "%0 = nn.add %a0, %a1 : tensor<3x4xf64>\n"
        "%1 = nn.mul %0, %a2 : tensor<3x4xf64>\n"
        "%2 = nn.sub %1, %a0 : tensor<3x4xf64>\n"
        "%y = nn.scale %2 by 0.75 : tensor<3x4xf64>",
        {3, 4});
}
TEST_F(GradCheck, Relu) {
  check({"4x5"}, "%y = nn.relu %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, Sigmoid) {
  check({"4x5"}, "%y = nn.sigmoid %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, Tanh) {
  check({"4x5"}, "%y = nn.tanh %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, Gelu) {
  check({"4x5"}, "%y = nn.gelu %a0 : tensor<4x5xf64>", {4, 5});
}
/// gelu against PyTorch's definition, x (1 + erf(x / sqrt 2)) / 2: exactly in
/// f64 (libm's erf), and in f32 through the vectorized polynomial erf within
/// a few float roundings.
TEST_F(GradCheck, GeluForwardReference) {
  std::vector<Buffer> in{Buffer{{4, 32}}};
  for (int64_t k = 0; k < 128; ++k)
    in[0].f.push_back(-8.0 + 16.0 * k / 127.0);
  auto reference = [](double x) {
    return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
  };
  std::vector<double> f64 =
      forward(in, "%y = nn.gelu %a0 : tensor<4x32xf64>", {4, 32});
  std::vector<double> f32 =
      forward(in, "%y = nn.gelu %a0 : tensor<4x32xf32>", {4, 32}, "f32");
  ASSERT_EQ(f64.size(), 128u);
  ASSERT_EQ(f32.size(), 128u);
  for (int64_t k = 0; k < 128; ++k) {
    double x = in[0].f[k];
    EXPECT_NEAR(f64[k], reference(x), 1e-15 * std::max(1.0, std::abs(x)))
        << "x = " << x;
    EXPECT_NEAR(f32[k], reference(x), 4e-7 * std::max(1.0, std::abs(x)))
        << "x = " << x;
  }
}
/// The f32 code uses MLIR's polynomial approximations of exp, log, tanh,
/// expm1 and log1p (dlc-approximate-math), so that they vectorize. Their
/// largest relative error measured here, against the exact function of the
/// f32 input: exp 6.8e-8, log 9.9e-8, tanh 2.2e-7 (one or two ulp).
TEST_F(GradCheck, F32MathForwardReference) {
  constexpr int64_t n = 1024;
  auto sample = [&](double lo, double hi, bool logSpaced) {
    std::vector<Buffer> in{Buffer{{8, 128}}};
    for (int64_t k = 0; k < n; ++k) {
      double t = double(k) / (n - 1);
      in[0].f.push_back(logSpaced ? lo * std::pow(hi / lo, t)
                                  : lo + (hi - lo) * t);
    }
    return in;
  };
  auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  struct Case {
    const char *op;
    std::vector<Buffer> in;
    std::function<double(double)> reference;
    double tolerance; // relative, against max(|f(x)|, 1e-30)
  } cases[] = {
      {"exp", sample(-80, 80, false), [](double x) { return std::exp(x); },
       3e-7},
      {"log", sample(1e-30, 1e30, true), [](double x) { return std::log(x); },
       3e-7},
      {"tanh", sample(-12, 12, false), [](double x) { return std::tanh(x); },
       5e-7},
      {"sigmoid", sample(-30, 30, false), sigmoid, 5e-7},
      {"softplus", sample(-30, 30, false),
       [](double x) { return std::log1p(std::exp(x)); }, 5e-7},
      {"elu {alpha = 1.0 : f64}", sample(-30, 30, false),
       [](double x) { return x > 0 ? x : std::expm1(x); }, 5e-7},
  };
  for (Case &c : cases) {
    llvm::StringRef op(c.op);
    auto [name, attrs] = op.split(' ');
    std::string body = fmt::format("%y = nn.{} %a0 {} : tensor<8x128xf32>",
                                   name.str(), attrs.str());
    std::vector<double> got = forward(c.in, body, {8, 128}, "f32");
    ASSERT_EQ(got.size(), size_t(n)) << body;
    double worst = 0;
    for (int64_t k = 0; k < n; ++k) {
      // The input as f32 sees it: the reference is of the rounded input.
      double x = float(c.in[0].f[k]), want = c.reference(x);
      double error = std::abs(got[k] - want) / std::max(std::abs(want), 1e-30);
      worst = std::max(worst, error);
      EXPECT_LE(error, c.tolerance)
          << c.op << " at x = " << x << ": got " << got[k] << ", want " << want;
    }
    std::printf("f32 %s: max relative error %.2g\n", name.str().c_str(), worst);
  }
}
TEST_F(GradCheck, GeluTanh) {
  check({"4x5"}, "%y = nn.gelu_tanh %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, Silu) {
  check({"4x5"}, "%y = nn.silu %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, Softplus) {
  check({"4x5"}, "%y = nn.softplus %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, ExpLogSqrt) {
  // log and sqrt on e^x > 0; each VJP is checked through the chain.
  check({"4x5"},
        "%e = nn.exp %a0 : tensor<4x5xf64>\n"
        "%q = nn.sqrt %e : tensor<4x5xf64>\n"
        "%y = nn.log %q : tensor<4x5xf64>",
        {4, 5});
  check({"4x5"}, "%y = nn.exp %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, Abs) {
  check({"4x5"}, "%y = nn.abs %a0 : tensor<4x5xf64>", {4, 5});
}
TEST_F(GradCheck, LeakyReluElu) {
  check({"4x5"}, "%y = nn.leaky_relu %a0 {slope = 0.2 : f64} : tensor<4x5xf64>",
        {4, 5});
  check({"4x5"}, "%y = nn.elu %a0 {alpha = 1.5 : f64} : tensor<4x5xf64>",
        {4, 5});
}
TEST_F(GradCheck, Pow) {
  // Negative bases with integer exponents, as torch.pow.
  check({"4x5"}, "%y = nn.pow %a0 {exponent = 3.0 : f64} : tensor<4x5xf64>",
        {4, 5});
  check({"4x5"}, "%y = nn.pow %a0 {exponent = 2.0 : f64} : tensor<4x5xf64>",
        {4, 5});
  check({"4x5"},
        "%e = nn.exp %a0 : tensor<4x5xf64>\n"
        "%y = nn.pow %e {exponent = -0.5 : f64} : tensor<4x5xf64>",
        {4, 5});
}
TEST_F(GradCheck, DivShift) {
  check({"4x5", "4x5"},
        "%e = nn.exp %a1 : tensor<4x5xf64>\n"
        "%q = nn.div %a0, %e : tensor<4x5xf64>\n"
        "%y = nn.shift %q {offset = 2.5 : f64} : tensor<4x5xf64>",
        {4, 5});
}
/// The new activations' forward values against their PyTorch definitions.
TEST_F(GradCheck, ActivationsForwardReference) {
  std::vector<Buffer> in{Buffer{{4, 32}}};
  for (int64_t k = 0; k < 128; ++k)
    in[0].f.push_back(-8.0 + 16.0 * k / 127.0);
  auto sigmoid = [](double x) { return 1 / (1 + std::exp(-x)); };
  auto geluTanh = [](double x) {
    return 0.5 * x *
           (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  };
  struct Case {
    const char *op;
    std::function<double(double)> reference;
  } cases[] = {
      {"gelu_tanh", geluTanh},
      {"silu", [&](double x) { return x * sigmoid(x); }},
      {"softplus", [](double x) { return std::log1p(std::exp(x)); }},
      {"abs", [](double x) { return std::abs(x); }},
      {"leaky_relu {slope = 0.01 : f64}",
       [](double x) { return x > 0 ? x : 0.01 * x; }},
      {"elu {alpha = 1.0 : f64}",
       [](double x) { return x > 0 ? x : std::expm1(x); }},
      {"pow {exponent = 3.0 : f64}", [](double x) { return x * x * x; }},
  };
  for (const Case &c : cases) {
    llvm::StringRef op(c.op);
    auto [name, attrs] = op.split(' ');
    std::string body = fmt::format("%y = nn.{} %a0 {} : tensor<4x32xf64>",
                                   name.str(), attrs.str());
    std::vector<double> got = forward(in, body, {4, 32});
    ASSERT_EQ(got.size(), 128u) << body;
    for (int64_t k = 0; k < 128; ++k) {
      double x = in[0].f[k], want = c.reference(x);
      EXPECT_NEAR(got[k], want, 1e-12 * std::max(1.0, std::abs(want)))
          << c.op << " at x = " << x;
    }
  }
}
TEST_F(GradCheck, Softmax) {
  check({"3x6"}, "%y = nn.softmax %a0 : tensor<3x6xf64>", {3, 6});
}
TEST_F(GradCheck, SoftmaxRank3) {
  check({"2x3x4"}, "%y = nn.softmax %a0 : tensor<2x3x4xf64>", {2, 3, 4});
}
TEST_F(GradCheck, SoftmaxVector) {
  check({"7"}, "%y = nn.softmax %a0 : tensor<7xf64>", {7});
}
TEST_F(GradCheck, LogSoftmax) {
  check({"3x6"}, "%y = nn.log_softmax %a0 : tensor<3x6xf64>", {3, 6});
}
TEST_F(GradCheck, LogSoftmaxRank3) {
  check({"2x3x4"}, "%y = nn.log_softmax %a0 : tensor<2x3x4xf64>", {2, 3, 4});
}
/// torch.log_softmax's values, including rows whose exp overflows: the row
/// maximum is subtracted first, so log_softmax stays finite where
/// log(softmax(x)) would not.
TEST_F(GradCheck, LogSoftmaxForwardReference) {
  std::vector<Buffer> in{Buffer{{3, 4}}};
  in[0].f = {1, 2, 3, 4, 1000, 999, 990, -1000, -5, -5, -5, -5};
  std::vector<double> got =
      forward(in, "%y = nn.log_softmax %a0 : tensor<3x4xf64>", {3, 4});
  ASSERT_EQ(got.size(), 12u);
  for (int r = 0; r < 3; ++r) {
    const double *x = &in[0].f[4 * r];
    double max = *std::max_element(x, x + 4), sum = 0;
    for (int j = 0; j < 4; ++j)
      sum += std::exp(x[j] - max);
    for (int j = 0; j < 4; ++j) {
      double want = x[j] - max - std::log(sum);
      EXPECT_NEAR(got[4 * r + j], want, 1e-12 * std::max(1.0, std::abs(want)))
          << "row " << r << " column " << j;
    }
  }
}
TEST_F(GradCheck, CrossEntropy) {
  check({"4x5", "4:i5"},
        "%y = nn.cross_entropy %a0, %a1 : tensor<4x5xf64>, tensor<4xi32>", {});
}
TEST_F(GradCheck, NllLoss) {
  check({"4x5", "4:i5"},
        "%y = nn.nll_loss %a0, %a1 : tensor<4x5xf64>, tensor<4xi32>", {});
}
TEST_F(GradCheck, NllLossSequence) {
  check({"2x3x5", "2x3:i5"},
        "%y = nn.nll_loss %a0, %a1 : tensor<2x3x5xf64>, tensor<2x3xi32>", {});
}
/// torch.nn.functional.nll_loss: minus the mean of each row's entry at its
/// label.
TEST_F(GradCheck, NllLossForwardReference) {
  std::vector<Buffer> in{Buffer{{2, 3}}, Buffer{{2}, true}};
  in[0].f = {-0.5, -1.5, -2.5, -3.0, -0.25, -4.0};
  in[1].i = {2, 1};
  std::vector<double> got = forward(
      in, "%y = nn.nll_loss %a0, %a1 : tensor<2x3xf64>, tensor<2xi32>", {});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_DOUBLE_EQ(got[0], (2.5 + 0.25) / 2);
}
TEST_F(GradCheck, Mse) {
  check({"3x4", "3x4"},
        "%y = nn.mse %a0, %a1 : tensor<3x4xf64>, tensor<3x4xf64>", {});
}
TEST_F(GradCheck, L1) {
  check({"3x4", "3x4"},
        "%y = nn.l1 %a0, %a1 : tensor<3x4xf64>, tensor<3x4xf64>", {});
}
/// torch.nn.L1Loss: the mean absolute difference; its gradient is the sign
/// of the difference over N, and 0 where input and target are equal.
TEST_F(GradCheck, L1ForwardAndTies) {
  std::vector<Buffer> in{Buffer{{4}}, Buffer{{4}}};
  in[0].f = {1.0, -2.0, 3.0, 0.5};
  in[1].f = {0.0, 1.0, 3.0, 0.25};
  std::vector<double> loss =
      forward(in, "%y = nn.l1 %a0, %a1 : tensor<4xf64>, tensor<4xf64>", {});
  ASSERT_EQ(loss.size(), 1u);
  EXPECT_DOUBLE_EQ(loss[0], (1.0 + 3.0 + 0.0 + 0.25) / 4);
  std::vector<Buffer> grad{Buffer{{}}, in[0], in[1]};
  grad[0].f = {2.0};
  std::vector<double> dx = forward(
      grad, "%y = nn.l1_grad %a0, %a1, %a2 : tensor<f64>, tensor<4xf64>", {4});
  EXPECT_EQ(dx, (std::vector<double>{0.5, -0.5, 0.0, 0.5}));
}
TEST_F(GradCheck, BceWithLogits) {
  check({"3x4", "3x4:p"},
        "%y = nn.bce_logits %a0, %a1 : tensor<3x4xf64>, tensor<3x4xf64>", {});
}
TEST_F(GradCheck, BiasAddChannels) {
  check({"2x3x4x4", "3"},
        "%y = nn.bias_add %a0, %a1 {axis = 1} : tensor<2x3x4x4xf64>, "
        "tensor<3xf64>",
        {2, 3, 4, 4});
}
TEST_F(GradCheck, Reshape) {
  check({"2x3x4"}, "%y = nn.reshape %a0 : tensor<2x3x4xf64> -> tensor<6x4xf64>",
        {6, 4});
}
TEST_F(GradCheck, Conv2D) {
  check({"2x3x6x5", "4x3x3x2"},
        "%y = nn.conv2d %a0, %a1 : tensor<2x3x6x5xf64>, tensor<4x3x3x2xf64> -> "
        "tensor<2x4x4x4xf64>",
        {2, 4, 4, 4});
}
TEST_F(GradCheck, Conv2DStridePadding) {
  check({"2x2x7x7", "3x2x3x3"},
        "%y = nn.conv2d %a0, %a1 {stride = 2, padding = 1} : "
        "tensor<2x2x7x7xf64>, "
        "tensor<3x2x3x3xf64> -> tensor<2x3x4x4xf64>",
        {2, 3, 4, 4});
}
// Big enough for the lowering to loop over chunks of images (2 of 2 here:
// 80 KB of f64 columns per image, 256 KB per chunk) in all three directions.
TEST_F(GradCheck, Conv2DInImageChunks) {
  check({"4x1x24x24", "3x1x5x5"},
        "%y = nn.conv2d %a0, %a1 : tensor<4x1x24x24xf64>, "
        "tensor<3x1x5x5xf64> -> tensor<4x3x20x20xf64>",
        {4, 3, 20, 20});
}
TEST_F(GradCheck, MaxPool2D) {
  check(
      {"2x3x4x6"},
      "%y = nn.maxpool2d %a0 {kernel = 2, stride = 2} : tensor<2x3x4x6xf64> -> "
      "tensor<2x3x2x3xf64>",
      {2, 3, 2, 3});
}
TEST_F(GradCheck, MaxPool2DOverlapping) {
  check(
      {"1x2x5x5"},
      "%y = nn.maxpool2d %a0 {kernel = 3, stride = 2} : tensor<1x2x5x5xf64> -> "
      "tensor<1x2x2x2xf64>",
      {1, 2, 2, 2});
}
TEST_F(GradCheck, AvgPool2D) {
  check(
      {"2x2x5x5"},
      "%y = nn.avgpool2d %a0 {kernel = 3, stride = 2} : tensor<2x2x5x5xf64> -> "
      "tensor<2x2x2x2xf64>",
      {2, 2, 2, 2});
}
TEST_F(GradCheck, DenseChain) {
  // dense -> tanh -> dense -> cross-entropy: VJPs composed, grads summed.
  check({"4x3", "3x5", "5", "5x3", "4:i3"},
        "%0 = nn.matmul %a0, %a1 : tensor<4x3xf64>, tensor<3x5xf64> -> "
        "tensor<4x5xf64>\n"
        "%1 = nn.bias_add %0, %a2 : tensor<4x5xf64>, tensor<5xf64>\n"
        "%2 = nn.tanh %1 : tensor<4x5xf64>\n"
        "%3 = nn.matmul %2, %a3 : tensor<4x5xf64>, tensor<5x3xf64> -> "
        "tensor<4x3xf64>\n"
        "%4 = nn.add %3, %a0 : tensor<4x3xf64>\n"
        "%y = nn.cross_entropy %4, %a4 : tensor<4x3xf64>, tensor<4xi32>",
        {});
}

TEST_F(GradCheck, CrossEntropySequence) {
  check({"2x3x5", "2x3:i5"},
        "%y = nn.cross_entropy %a0, %a1 : tensor<2x3x5xf64>, tensor<2x3xi32>",
        {});
}
TEST_F(GradCheck, Embedding) {
  // 8 ids into 5 rows: some repeat, so the scatter must accumulate.
  check({"2x4:i5", "5x3"},
        "%y = nn.embedding %a0, %a1 : tensor<2x4xi32>, tensor<5x3xf64> -> "
        "tensor<2x4x3xf64>",
        {2, 4, 3});
}
TEST_F(GradCheck, Rnn) {
  check({"2x4x3", "3x3"},
        "%y = nn.rnn %a0, %a1 : tensor<2x4x3xf64>, tensor<3x3xf64>", {2, 4, 3});
}
TEST_F(GradCheck, Lstm) {
  check({"2x4x12", "3x12"},
        "%y, %c = nn.lstm %a0, %a1 : tensor<2x4x12xf64>, tensor<3x12xf64>",
        {2, 4, 3});
}
TEST_F(GradCheck, LstmTiled) {
  // Large enough for the matmuls in the time loop to be tiled and vectorized.
  check({"4x3x128", "32x128"},
        "%y, %c = nn.lstm %a0, %a1 : tensor<4x3x128xf64>, tensor<32x128xf64>",
        {4, 3, 32});
}
/// nn.lstm against a direct C++ transcription of its definition (gates i,
/// f, g, o; zero initial state), at sizes where the recurrent matmul is
/// tiled and vectorized.
TEST_F(GradCheck, LstmForwardReference) {
  std::mt19937_64 rng(3);
  const int64_t B = 4, T = 3, H = 32;
  std::vector<Buffer> in{makeBuffer(fmt::format("{}x{}x{}", B, T, 4 * H), rng),
                         makeBuffer(fmt::format("{}x{}", H, 4 * H), rng)};
  for (double &w : in[1].f)
    w *= 0.2;
  std::vector<double> got = forward(
      in,
      fmt::format("%y, %c = nn.lstm %a0, %a1 : tensor<{0}x{1}x{2}xf64>, "
                  "tensor<{3}x{2}xf64>",
                  B, T, 4 * H, H),
      {B, T, H});
  ASSERT_EQ(got.size(), size_t(B * T * H));
  auto sig = [](double x) { return 1 / (1 + std::exp(-x)); };
  for (int64_t b = 0; b < B; ++b) {
    std::vector<double> h(H, 0.0), c(H, 0.0);
    for (int64_t t = 0; t < T; ++t) {
      std::vector<double> a(4 * H);
      for (int64_t j = 0; j < 4 * H; ++j) {
        a[j] = in[0].f[(b * T + t) * 4 * H + j];
        for (int64_t r = 0; r < H; ++r)
          a[j] += h[r] * in[1].f[r * 4 * H + j];
      }
      for (int64_t j = 0; j < H; ++j) {
        c[j] = sig(a[H + j]) * c[j] + sig(a[j]) * std::tanh(a[2 * H + j]);
        h[j] = sig(a[3 * H + j]) * std::tanh(c[j]);
        EXPECT_NEAR(got[(b * T + t) * H + j], h[j], 1e-12)
            << "h[" << b << ", " << t << ", " << j << "]";
      }
    }
  }
}
/// Dropout zeroes about `rate` of the elements, scales the rest by
/// 1 / (1 - rate), and draws a new mask at every step.
TEST_F(GradCheck, DropoutMask) {
  std::mt19937_64 rng(1);
  auto run = [&](int32_t step) {
    std::vector<Buffer> in{makeBuffer("64x64", rng), makeBuffer(":i1", rng)};
    std::fill(in[0].f.begin(), in[0].f.end(), 1.0);
    in[1].i[0] = step;
    return forward(in,
                   "%y = nn.dropout %a0, %a1 {rate = 0.25, seed = 9} : "
                   "tensor<64x64xf64>, tensor<i32>",
                   {64, 64});
  };
  std::vector<double> a = run(5), b = run(6), again = run(5);
  ASSERT_EQ(a.size(), 4096u);
  int64_t zeros = 0, differ = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(a[i] == 0.0 || std::abs(a[i] - 1.0 / 0.75) < 1e-12) << a[i];
    zeros += a[i] == 0.0;
    differ += (a[i] == 0.0) != (b[i] == 0.0);
  }
  EXPECT_EQ(a, again);
  EXPECT_NEAR(zeros / 4096.0, 0.25, 0.03);
  EXPECT_GT(differ, 1000); // independent masks differ on ~37.5%
}
/// Self-attention with the causal mask: outputs before the last position do
/// not change when the last position's input does.
TEST_F(GradCheck, CausalAttentionIgnoresTheFuture) {
  const char *body =
      "%s = nn.batch_matmul %a0, %a0 {transpose_rhs = true} : "
      "tensor<2x4x3xf64>, "
      "tensor<2x4x3xf64> -> tensor<2x4x4xf64>\n"
      "%m = nn.causal_mask %s fill 0xFFF0000000000000 : tensor<2x4x4xf64>\n"
      "%p = nn.softmax %m : tensor<2x4x4xf64>\n"
      "%y = nn.batch_matmul %p, %a0 : tensor<2x4x4xf64>, tensor<2x4x3xf64> -> "
      "tensor<2x4x3xf64>";
  std::mt19937_64 rng(5);
  std::vector<Buffer> in{makeBuffer("2x4x3", rng)};
  std::vector<double> before = forward(in, body, {2, 4, 3});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t c = 0; c < 3; ++c)
      in[0].f[(b * 4 + 3) * 3 + c] += 1.0;
  std::vector<double> after = forward(in, body, {2, 4, 3});
  ASSERT_EQ(before.size(), 24u);
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t c = 0; c < 3; ++c) {
        size_t k = (b * 4 + i) * 3 + c;
        if (i < 3)
          EXPECT_EQ(before[k], after[k]) << "position " << i;
        else
          EXPECT_NE(before[k], after[k]);
      }
  // Position 0 sees only itself: its output is its own input.
  EXPECT_NEAR(before[0], in[0].f[0], 1e-12);
}
TEST_F(GradCheck, LstmChain) {
  // Input projection, recurrence, a loss on the last step only.
  check({"2x5x3", "3x8", "2x8", "8"},
        "%0 = nn.reshape %a0 : tensor<2x5x3xf64> -> tensor<10x3xf64>\n"
        "%1 = nn.matmul %0, %a1 : tensor<10x3xf64>, tensor<3x8xf64> -> "
        "tensor<10x8xf64>\n"
        "%2 = nn.bias_add %1, %a3 : tensor<10x8xf64>, tensor<8xf64>\n"
        "%3 = nn.reshape %2 : tensor<10x8xf64> -> tensor<2x5x8xf64>\n"
        "%4, %5 = nn.lstm %3, %a2 : tensor<2x5x8xf64>, tensor<2x8xf64>\n"
        "%y = nn.slice %4 axis 1 start 4 : tensor<2x5x2xf64> -> "
        "tensor<2x1x2xf64>",
        {2, 1, 2});
}
TEST_F(GradCheck, BatchMatmul) {
  check(
      {"2x3x4", "2x4x5"},
      "%y = nn.batch_matmul %a0, %a1 : tensor<2x3x4xf64>, tensor<2x4x5xf64> -> "
      "tensor<2x3x5xf64>",
      {2, 3, 5});
}
TEST_F(GradCheck, BatchMatmulTransposed) {
  check(
      {"2x2x4x3", "2x2x5x4"},
      "%y = nn.batch_matmul %a0, %a1 {transpose_lhs = true, transpose_rhs = "
      "true} : tensor<2x2x4x3xf64>, tensor<2x2x5x4xf64> -> tensor<2x2x3x5xf64>",
      {2, 2, 3, 5});
}
TEST_F(GradCheck, Transpose) {
  check({"2x3x4"},
        "%y = nn.transpose %a0 {permutation = array<i64: 2, 0, 1>} : "
        "tensor<2x3x4xf64> -> tensor<4x2x3xf64>",
        {4, 2, 3});
}
TEST_F(GradCheck, CausalSoftmax) {
  check({"2x4x4"},
        "%0 = nn.causal_mask %a0 fill 0xFFF0000000000000 : tensor<2x4x4xf64>\n"
        "%y = nn.softmax %0 : tensor<2x4x4xf64>",
        {2, 4, 4});
}
TEST_F(GradCheck, LayerNorm) {
  check({"3x2x5"}, "%y = nn.layer_norm %a0 eps 1.0e-05 : tensor<3x2x5xf64>",
        {3, 2, 5});
}
TEST_F(GradCheck, SliceConcat) {
  check(
      {"3x6", "3x2"},
      "%0 = nn.slice %a0 axis 1 start 2 : tensor<3x6xf64> -> tensor<3x3xf64>\n"
      "%y = nn.concat %a1, %0, %a1 axis 1 : tensor<3x2xf64>, tensor<3x3xf64>, "
      "tensor<3x2xf64> -> tensor<3x7xf64>",
      {3, 7});
}
TEST_F(GradCheck, Dropout) {
  check({"4x6", ":i100"},
        "%y = nn.dropout %a0, %a1 {rate = 0.5, seed = 3} : tensor<4x6xf64>, "
        "tensor<i32>",
        {4, 6});
}

} // namespace
