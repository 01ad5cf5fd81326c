//===- ModelTest.cpp - the host API over JIT and shared libraries ---------===//
#include "runtime/Model.h"
#include "compiler/Compiler.h"
#include "compiler/codegen/Codegen.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <cmath>
#include <fmt/format.h>
#include <fstream>
#include <gtest/gtest.h>

using namespace dlc;

namespace {

const char *kTinyNet = R"(
model tiny(x: f32[B, 784]) {
  h = tanh(dense(x, 16))
  logits = dense(h, 10)
}
train tiny {
  loss = cross_entropy(logits, labels)
  optimizer = sgd(lr = 0.1, momentum = 0.9)
  init = glorot(seed = 3)
  batch = 8
}
)";

class ModelTest : public ::testing::Test {
protected:
  void SetUp() override {
    ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("dlc-model-test", dir));
  }
  void TearDown() override { llvm::sys::fs::remove_directories(dir); }

  std::string write(llvm::StringRef name, llvm::StringRef text) {
    llvm::SmallString<128> path(dir);
    llvm::sys::path::append(path, name);
    std::ofstream(path.str().str()) << text.str();
    return path.str().str();
  }

  /// Compiles `text` to the LLVM dialect in `compiler`.
  mlir::OwningOpRef<mlir::ModuleOp> compile(Compiler &compiler,
                                            llvm::StringRef text) {
    std::string path = write("model.net", text);
    EXPECT_TRUE(succeeded(compiler.load(path, {})));
    auto module = compiler.emitNN();
    EXPECT_TRUE(succeeded(module));
    EXPECT_TRUE(succeeded(compiler.lowerToLinalg(**module)));
    EXPECT_TRUE(succeeded(compiler.lowerToLLVM(**module)));
    return std::move(*module);
  }

  llvm::SmallString<128> dir;
};

TEST_F(ModelTest, ManifestDescribesBuffers) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  auto model = jitModel(*module, compiler.sourceHash());
  ASSERT_TRUE(bool(model)) << llvm::toString(model.takeError());
  const rt::Manifest &m = (*model)->manifest();
  EXPECT_EQ(m.model, "tiny");
  EXPECT_EQ(m.sourceHash, compiler.sourceHash());
  const rt::BufferSpec *w = m.find("h.weight");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->shape, (std::vector<int64_t>{784, 16}));
  EXPECT_EQ(w->kind, rt::BufferKind::Param);
  EXPECT_EQ(w->init, "glorot");
  ASSERT_NE(m.find("h.weight.velocity"), nullptr);
  EXPECT_EQ(m.find("h.weight.velocity")->kind, rt::BufferKind::State);
  EXPECT_EQ(m.find("x")->shape, (std::vector<int64_t>{8, 784}));
  EXPECT_EQ(m.find("labels")->dtype, rt::DType::I32);
  EXPECT_EQ(m.train.at("optimizer"), "momentum");
  EXPECT_TRUE((*model)->hasEntry("train_step"));
  EXPECT_TRUE((*model)->hasEntry("predict"));
  // The text survives a round trip.
  auto reparsed = rt::Manifest::parse(m.serialize());
  ASSERT_TRUE(reparsed.ok()) << reparsed.message();
  EXPECT_EQ(reparsed->serialize(), m.serialize());
}

TEST_F(ModelTest, InitializationIsSeededAndScaled) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  auto a = jitModel(*module);
  ASSERT_TRUE(bool(a));
  (*a)->initialize(5);
  std::vector<float> first((*a)->f32("h.weight"),
                           (*a)->f32("h.weight") + 784 * 16);
  (*a)->initialize(5);
  EXPECT_TRUE(std::equal(first.begin(), first.end(), (*a)->f32("h.weight")));
  (*a)->initialize(6);
  EXPECT_FALSE(std::equal(first.begin(), first.end(), (*a)->f32("h.weight")));
  // Glorot uniform: limit sqrt(6 / (784 + 16)), variance limit^2 / 3.
  double limit = std::sqrt(6.0 / 800), sumSq = 0, maxAbs = 0;
  for (float v : first) {
    sumSq += v * v;
    maxAbs = std::max(maxAbs, (double)std::abs(v));
  }
  EXPECT_LE(maxAbs, limit);
  EXPECT_NEAR(sumSq / first.size(), limit * limit / 3,
              0.05 * limit * limit / 3);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ((*a)->f32("h.bias")[i], 0.0f);
}

TEST_F(ModelTest, SharedLibraryMatchesJIT) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  std::string so = (dir + "/tiny.so").str();
  ASSERT_FALSE(bool(writeSharedLibrary(*module, so)));
  auto jit = jitModel(*module, compiler.sourceHash());
  ASSERT_TRUE(bool(jit)) << llvm::toString(jit.takeError());
  auto lib = rt::Model::loadShared(so, compiler.sourceHash());
  ASSERT_TRUE(lib.ok()) << lib.message();
  for (rt::Model *m : {jit->get(), lib->get()}) {
    m->initialize(1);
    for (int i = 0; i < 8 * 784; ++i)
      m->f32("x")[i] = std::sin(0.01f * i);
    for (int i = 0; i < 8; ++i)
      m->i32("labels")[i] = i;
  }
  for (int step = 0; step < 5; ++step) {
    ASSERT_TRUE((*jit)->run("train_step").succeeded());
    ASSERT_TRUE((*lib)->run("train_step").succeeded());
    EXPECT_NEAR(*(*jit)->f32("loss"), *(*lib)->f32("loss"), 1e-5);
  }
  // Training on one batch lowers its loss.
  float before = *(*jit)->f32("loss");
  for (int step = 0; step < 20; ++step)
    ASSERT_TRUE((*jit)->run("train_step").succeeded());
  EXPECT_LT(*(*jit)->f32("loss"), before);
}

TEST_F(ModelTest, CheckpointRestoresParametersAndState) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  auto model = jitModel(*module, compiler.sourceHash());
  ASSERT_TRUE(bool(model));
  rt::Model &m = **model;
  m.initialize(2);
  for (int i = 0; i < 8 * 784; ++i)
    m.f32("x")[i] = std::cos(0.02f * i);
  ASSERT_TRUE(m.run("train_step").succeeded());
  std::string path = (dir + "/ckpt").str();
  ASSERT_EQ(m.saveCheckpoint(path, 1).message(), "");
  std::vector<float> w(m.f32("h.weight"), m.f32("h.weight") + 784 * 16);
  std::vector<float> v(m.f32("h.weight.velocity"),
                       m.f32("h.weight.velocity") + 784 * 16);
  m.initialize(9);
  auto step = m.loadCheckpoint(path);
  ASSERT_TRUE(step.ok()) << step.message();
  EXPECT_EQ(*step, 1u);
  EXPECT_TRUE(std::equal(w.begin(), w.end(), m.f32("h.weight")));
  EXPECT_TRUE(std::equal(v.begin(), v.end(), m.f32("h.weight.velocity")));
}

TEST_F(ModelTest, LoadingTheWrongLibraryFails) {
  // Not a dlc model at all.
  std::string other = (dir + "/other.so").str();
  std::string src = write("other.c", "int f(void) { return 1; }\n");
  auto cc = llvm::sys::findProgramByName("cc");
  ASSERT_TRUE(bool(cc));
  ASSERT_EQ(llvm::sys::ExecuteAndWait(
                *cc, {*cc, "-shared", "-fPIC", "-o", other, src}),
            0);
  auto notModel = rt::Model::loadShared(other);
  ASSERT_FALSE(notModel.ok());
  EXPECT_NE(notModel.message().find("not a dlc model"), std::string::npos);

  // Another ABI version.
  std::string future = (dir + "/future.so").str();
  std::string src2 = write(
      "future.c",
      "unsigned dlc_abi_version(void) { return 99; }\n"
      "const char *dlc_manifest(void) { return \"dlc 99\\nmodel m\\n\"; }\n");
  ASSERT_EQ(llvm::sys::ExecuteAndWait(
                *cc, {*cc, "-shared", "-fPIC", "-o", future, src2}),
            0);
  auto wrongAbi = rt::Model::loadShared(future);
  ASSERT_FALSE(wrongAbi.ok());
  EXPECT_NE(wrongAbi.message().find("ABI version 99"), std::string::npos);

  // Another model.
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  std::string so = (dir + "/tiny.so").str();
  ASSERT_FALSE(bool(writeSharedLibrary(*module, so)));
  auto wrongModel = rt::Model::loadShared(so, "0123456789abcdef");
  ASSERT_FALSE(wrongModel.ok());
  EXPECT_NE(wrongModel.message().find("compiled from another model"),
            std::string::npos);

  // A file that does not exist.
  auto missing = rt::Model::loadShared((dir + "/missing.so").str());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("cannot load"), std::string::npos);
}

} // namespace

namespace {
TEST(ManifestTest, TrainValuesWithSpacesRoundTrip) {
  dlc::rt::Manifest m;
  m.abiVersion = DLC_ABI_VERSION;
  m.model = "m";
  m.train["data"] = "fashion_mnist:/data sets/100% fashion\n";
  auto parsed = dlc::rt::Manifest::parse(m.serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(parsed->train.at("data"), m.train.at("data"));
}

TEST(ManifestTest, EveryByteOfAVocabularyRoundTrips) {
  dlc::rt::Manifest m;
  m.abiVersion = DLC_ABI_VERSION;
  m.model = "m";
  for (int c = 0; c < 256; ++c)
    m.train["vocab"].push_back(static_cast<char>(c));
  std::string text = m.serialize();
  EXPECT_EQ(text.find('\0'), std::string::npos);
  auto parsed = dlc::rt::Manifest::parse(text);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(parsed->train.at("vocab"), m.train.at("vocab"));
}

TEST(ManifestTest, MalformedTextIsRefused) {
  auto noHeader = dlc::rt::Manifest::parse("buffer w param f32 3 zeros\n");
  ASSERT_FALSE(noHeader.ok());
  EXPECT_NE(noHeader.message().find("not a dlc manifest"), std::string::npos);
  auto badDims = dlc::rt::Manifest::parse(
      "dlc 1\nmodel m\nbuffer w param f32 3x-1 zeros\n");
  ASSERT_FALSE(badDims.ok());
  EXPECT_NE(badDims.message().find("manifest line 3: bad dimensions"),
            std::string::npos);
  auto badEntry = dlc::rt::Manifest::parse("dlc 1\nmodel m\nentry f w\n");
  ASSERT_FALSE(badEntry.ok());
  EXPECT_NE(badEntry.message().find("unknown buffer 'w'"), std::string::npos);
}
} // namespace

// The JIT and shared libraries compile one LLVM module (translateToLLVMIR):
// every function must carry the host's CPU and vector features before the
// LLVM optimizer runs, or it vectorizes for a generic x86-64 (scalar sqrt in
// the Adam update, 128-bit loops).
TEST_F(ModelTest, LLVMIRIsOptimizedForTheHostCPU) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  ASSERT_TRUE(module);
  llvm::LLVMContext context;
  auto llvmModule = translateToLLVMIR(*module, context);
  ASSERT_TRUE(bool(llvmModule)) << llvm::toString(llvmModule.takeError());
  std::string cpu = llvm::sys::getHostCPUName().str();
  std::vector<std::string> wanted;
  for (const auto &feature : llvm::sys::getHostCPUFeatures())
    if (feature.second &&
        (feature.first() == "avx2" || feature.first() == "avx512f" ||
         feature.first() == "fma" || feature.first() == "neon"))
      wanted.push_back("+" + feature.first().str());
  int functions = 0;
  for (llvm::Function &f : **llvmModule) {
    if (f.isDeclaration())
      continue;
    ++functions;
    EXPECT_EQ(f.getFnAttribute("target-cpu").getValueAsString(), cpu)
        << f.getName().str();
    std::string features =
        f.getFnAttribute("target-features").getValueAsString().str();
    for (const std::string &feature : wanted)
      EXPECT_NE(features.find(feature), std::string::npos)
          << f.getName().str() << " lacks " << feature;
  }
  EXPECT_GE(functions, 3); // train_step, predict and the C ABI wrappers
}

// After outlining, an entry point only calls kernels and places buffers:
// it is compiled without optimization (LLVM's register allocator and post-RA
// scheduler took time quadratic in its length), its kernels with it.
TEST_F(ModelTest, EntryPointsAreGlueAndKernelsAreOptimized) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  ASSERT_TRUE(module);
  llvm::LLVMContext context;
  auto llvmModule = translateToLLVMIR(*module, context);
  ASSERT_TRUE(bool(llvmModule)) << llvm::toString(llvmModule.takeError());
  int glue = 0, kernels = 0;
  for (llvm::Function &f : **llvmModule) {
    if (f.isDeclaration())
      continue;
    EXPECT_FALSE(f.hasFnAttribute(kGlueAttr)) << f.getName().str();
    bool entry = f.getName() == "train_step" || f.getName() == "predict";
    if (entry) {
      ++glue;
      EXPECT_TRUE(f.hasOptNone()) << f.getName().str();
      EXPECT_TRUE(f.hasFnAttribute(llvm::Attribute::NoInline));
    } else if (f.hasInternalLinkage()) {
      ++kernels;
      EXPECT_FALSE(f.hasOptNone()) << f.getName().str();
    }
  }
  EXPECT_EQ(glue, 2);
  EXPECT_GE(kernels, 2);
}

// dlopen maps what the ELF headers promise without checking the file holds
// it; a truncated library must be an error, not a SIGBUS.
TEST_F(ModelTest, TruncatedLibraryIsAnError) {
  Compiler compiler;
  auto module = compile(compiler, kTinyNet);
  std::string so = (dir + "/tiny.so").str();
  ASSERT_FALSE(bool(writeSharedLibrary(*module, so)));
  std::ifstream in(so, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)),
                    std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 4000u);
  for (size_t size : {bytes.size() / 2, size_t(1000), size_t(10)}) {
    std::string cut = (dir + fmt::format("/cut{}.so", size)).str();
    std::ofstream(cut, std::ios::binary) << bytes.substr(0, size);
    auto model = rt::Model::loadShared(cut);
    ASSERT_FALSE(model.ok()) << size;
    EXPECT_NE(model.message().find("cannot load " + cut), std::string::npos)
        << model.message();
    EXPECT_TRUE(model.message().find("truncated or corrupt") !=
                    std::string::npos ||
                model.message().find("no ELF header") != std::string::npos)
        << model.message();
  }
}
