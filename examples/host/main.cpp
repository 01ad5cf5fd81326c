//===- main.cpp - a C++ host that embeds the dlc JIT ----------------------===//
//
// Compiles a .net model in process, then drives it through the host API by
// hand: initialize, feed batches to train_step, read the loss, predict. The
// same calls work on a model loaded from a shared library
// (dlc::rt::Model::loadShared).
//
//   dlc-host-example [model.net] [steps]
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"
#include "compiler/codegen/Codegen.h"
#include "runtime/Data.h"
#include "runtime/Parse.h"
#include "runtime/Trainer.h"

#include <cstring>
#include <fmt/format.h>

int main(int argc, char **argv) {
  std::string path = argc > 1 ? argv[1] : DLC_EXAMPLES_DIR "/mlp.net";
  int steps = argc > 2 ? std::atoi(argv[2]) : 300;

  // Compile: .net -> nn -> linalg -> LLVM -> native code in this process.
  dlc::Compiler compiler;
  if (failed(compiler.load(path, {})))
    return 1;
  auto module = compiler.emitNN();
  if (failed(module) || failed(compiler.lowerToLinalg(**module)) ||
      failed(compiler.lowerToLLVM(**module)))
    return 1;
  auto compiled = dlc::jitModel(**module, compiler.sourceHash());
  if (!compiled) {
    fmt::print(stderr, "error: {}\n", llvm::toString(compiled.takeError()));
    return 1;
  }
  dlc::rt::Model &model = **compiled;
  const dlc::rt::Manifest &manifest = model.manifest();
  fmt::print("compiled '{}': {} buffers, entries:", manifest.model,
             manifest.buffers.size());
  for (const auto &[name, args] : manifest.entries)
    fmt::print(" {}({} buffers)", name, args.size());
  fmt::print("\n");

  auto data = manifest.train.find("data");
  if (data == manifest.train.end()) {
    fmt::print(stderr, "error: {} has no train section\n", path);
    return 1;
  }
  // "fashion_mnist:<directory>"
  std::string dataDir(dlc::rt::splitOnce(data->second, ':').second);
  auto train = dlc::rt::readIdxDataset(dataDir, "train");
  auto test = dlc::rt::readIdxDataset(dataDir, "t10k");
  if (!train || !test) {
    fmt::print(stderr, "error: {}\n", train ? test.message() : train.message());
    return 1;
  }

  // Train by hand: the host owns the loop, the model owns the buffers.
  model.initialize(/*seed=*/42);
  float *x = model.f32("x");
  int32_t *labels = model.i32(DLC_BUFFER_LABELS);
  const float *loss = model.f32(DLC_BUFFER_LOSS);
  int64_t batch = manifest.find("x")->shape[0];
  int64_t pixels = train->rows * train->cols;
  double firstLoss = 0, lastLoss = 0;
  for (int step = 0; step < steps; ++step) {
    int64_t first = (step * batch) % (train->count - batch);
    std::memcpy(x, &train->images[first * pixels],
                batch * pixels * sizeof(float));
    std::memcpy(labels, &train->labels[first], batch * sizeof(int32_t));
    if (dlc::rt::Error err = model.run("train_step"); err.failed()) {
      fmt::print(stderr, "error: {}\n", err.message());
      return 1;
    }
    if (step == 0)
      firstLoss = *loss;
    lastLoss = *loss;
    if ((step + 1) % 100 == 0)
      fmt::print("step {:4d}  loss {:.4f}\n", step + 1, *loss);
  }

  auto accuracy = dlc::rt::evaluate(model, *test);
  if (!accuracy) {
    fmt::print(stderr, "error: {}\n", accuracy.message());
    return 1;
  }
  fmt::print("first loss {:.4f}, last loss {:.4f}, test accuracy {:.4f}\n",
             firstLoss, lastLoss, *accuracy);
  // A host can rely on this: a few hundred steps learn something.
  bool learned = *accuracy > 0.5 && lastLoss < firstLoss;
  return learned ? 0 : 2;
}
