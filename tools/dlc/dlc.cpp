//===- dlc.cpp - the dlc driver -------------------------------------------===//
//
//   dlc model.net -o model.so        compile ahead of time to a shared library
//   dlc --emit=STAGE model.net       print a stage: ast, nn, linalg, llvm
//   dlc train model.net [options]    JIT-compile (or load --so) and train
//   dlc sample model.net [options]   generate text with a trained text model
//
//===----------------------------------------------------------------------===//
#include "compiler/codegen/Codegen.h"
#include "compiler/Compiler.h"
#include "runtime/Sampler.h"
#include "runtime/Trainer.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <fmt/format.h>
#include <unistd.h>

using namespace dlc;
using llvm::StringRef;

static const char *usage = R"(usage:
  dlc <model.net> -o <model.so>     compile to a shared library (C ABI: dlc_abi.h)
  dlc --emit=<stage> <model.net>    print a stage: ast, nn, linalg, llvm
  dlc train <model.net> [options]   compile in process and train
      --so <model.so>      use this compiled library instead of the JIT
      --epochs <n>         override the train section's epochs
      --steps <n>          stop after n training steps
      --data <path>        override the data (directory, or text file)
      --seed <n>           override the seed
      --checkpoint <file>  save parameters and optimizer state every epoch
      --resume <file>      start from a checkpoint
      --loss-log <file>    write every step's loss
  dlc sample <model.net> --checkpoint <file> [options]
                                    generate text with a model trained on text
      --so <model.so>      use this compiled library instead of the JIT
      --length <n>         characters to generate (default 200)
      --temperature <t>    sampling temperature, > 0 (default 1)
      --prompt <text>      text to continue (default: a newline)
      --seed <n>           random seed (default 0)
  common options:
      --batch <n>          batch size when the file has no train section
)";

static int fail(const std::string &message) {
  std::fprintf(stderr, "dlc: error: %s\n", message.c_str());
  return 1;
}

namespace {
struct Args {
  bool train = false, sample = false;
  std::optional<int64_t> length;
  std::optional<double> temperature;
  std::optional<std::string> prompt;
  std::string input, output, emit, so, checkpoint, resume, lossLog, data;
  std::optional<int64_t> epochs, steps, batch;
  std::optional<uint64_t> seed;
};

std::optional<Args> parseArgs(int argc, char **argv) {
  Args a;
  auto number = [&](int &i, StringRef flag, auto &slot) -> bool {
    int64_t v;
    if (i + 1 >= argc || StringRef(argv[i + 1]).getAsInteger(10, v) || v < 0) {
      fail(fmt::format("{} needs a non-negative integer", flag.str()));
      return false;
    }
    slot = v;
    ++i;
    return true;
  };
  auto string = [&](int &i, StringRef flag, std::string &slot) -> bool {
    if (i + 1 >= argc) {
      fail(fmt::format("{} needs a value", flag.str()));
      return false;
    }
    slot = argv[++i];
    return true;
  };
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    bool ok = true;
    if (arg == "train" && i == 1)
      a.train = true;
    else if (arg == "sample" && i == 1)
      a.sample = true;
    else if (arg == "--length")
      ok = number(i, arg, a.length);
    else if (arg == "--prompt") {
      a.prompt.emplace();
      ok = string(i, arg, *a.prompt);
    } else if (arg == "--temperature") {
      double t;
      if (i + 1 >= argc || StringRef(argv[i + 1]).getAsDouble(t) || !(t > 0)) {
        fail("--temperature needs a positive number");
        return std::nullopt;
      }
      a.temperature = t;
      ++i;
    } else if (arg == "-o")
      ok = string(i, arg, a.output);
    else if (arg.consume_front("--emit="))
      a.emit = arg.str();
    else if (arg == "--so")
      ok = string(i, arg, a.so);
    else if (arg == "--checkpoint")
      ok = string(i, arg, a.checkpoint);
    else if (arg == "--resume")
      ok = string(i, arg, a.resume);
    else if (arg == "--loss-log")
      ok = string(i, arg, a.lossLog);
    else if (arg == "--data")
      ok = string(i, arg, a.data);
    else if (arg == "--epochs")
      ok = number(i, arg, a.epochs);
    else if (arg == "--steps")
      ok = number(i, arg, a.steps);
    else if (arg == "--batch")
      ok = number(i, arg, a.batch);
    else if (arg == "--seed")
      ok = number(i, arg, a.seed);
    else if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (arg.starts_with("-")) {
      fail(fmt::format("unknown option '{}'\n{}", arg.str(), usage));
      return std::nullopt;
    } else if (a.input.empty())
      a.input = arg.str();
    else {
      fail(fmt::format("unexpected argument '{}'", arg.str()));
      return std::nullopt;
    }
    if (!ok)
      return std::nullopt;
  }
  if (a.input.empty()) {
    fail(fmt::format("no input file\n{}", usage));
    return std::nullopt;
  }
  if (!a.emit.empty() && a.emit != "ast" && a.emit != "nn" &&
      a.emit != "linalg" && a.emit != "llvm") {
    fail(fmt::format("unknown stage '{}' (expected ast, nn, linalg, llvm)",
                     a.emit));
    return std::nullopt;
  }
  return a;
}

/// The compiled model: the --so library, or the JIT.
llvm::Expected<std::unique_ptr<rt::Model>>
loadModel(const Args &args, Compiler &compiler, mlir::ModuleOp module) {
  if (!args.so.empty())
    return rt::Model::loadShared(args.so, compiler.sourceHash());
  return jitModel(module, compiler.sourceHash());
}

int runSampling(const Args &args, Compiler &compiler, mlir::ModuleOp module) {
  if (args.checkpoint.empty())
    return fail("sampling needs trained parameters: --checkpoint <file> "
                "(written by dlc train --checkpoint)");
  auto model = loadModel(args, compiler, module);
  if (!model)
    return fail(llvm::toString(model.takeError()));
  if (!(*model)->manifest().train.count("vocab"))
    return fail(fmt::format("model '{}' was not trained on text: nothing to "
                            "sample",
                            (*model)->manifest().model));
  if (auto step = (*model)->loadCheckpoint(args.checkpoint); !step)
    return fail(llvm::toString(step.takeError()));
  rt::SampleOptions options;
  options.seed = args.seed.value_or(0);
  options.temperature = args.temperature.value_or(1.0);
  options.length = args.length.value_or(200);
  if (args.prompt)
    options.prompt = *args.prompt;
  auto text = rt::sample(**model, options);
  if (!text)
    return fail(llvm::toString(text.takeError()));
  std::fwrite(text->data(), 1, text->size(), stdout);
  std::fputc('\n', stdout);
  return 0;
}

int runTraining(const Args &args, Compiler &compiler, mlir::ModuleOp module) {
  auto loaded = loadModel(args, compiler, module);
  if (!loaded)
    return fail(llvm::toString(loaded.takeError()));
  std::unique_ptr<rt::Model> model = std::move(*loaded);

  rt::TrainOptions options;
  if (!args.data.empty())
    options.dataDir = args.data;
  options.epochs = args.epochs;
  options.maxSteps = args.steps;
  options.seed = args.seed;
  options.checkpoint = args.checkpoint;
  options.resume = args.resume;
  options.interactive = isatty(fileno(stdout));
  std::FILE *lossLog = nullptr;
  if (!args.lossLog.empty()) {
    lossLog = std::fopen(args.lossLog.c_str(), "w");
    if (!lossLog)
      return fail(fmt::format("cannot write '{}'", args.lossLog));
    options.lossLog = lossLog;
  }
  const rt::Manifest &m = model->manifest();
  auto setting = [&](const char *key) {
    auto it = m.train.find(key);
    return it == m.train.end() ? std::string("?") : it->second;
  };
  std::printf("training %s (%s): %s, batch %s, %s\n", m.model.c_str(),
              args.so.empty() ? "JIT" : args.so.c_str(),
              setting("optimizer").c_str(), setting("batch").c_str(),
              setting("loss").c_str());
  std::fflush(stdout);
  auto result = rt::train(*model, options);
  if (lossLog)
    std::fclose(lossLog);
  if (!result)
    return fail(llvm::toString(result.takeError()));
  std::printf("steps: %lld\n", static_cast<long long>(result->steps));
  std::printf("train time: %.2f s (%.1f steps/s)\n", result->seconds,
              result->steps / std::max(result->seconds, 1e-9));
  std::printf("final epoch loss: %.4f\n", result->finalLoss);
  std::printf("mean loss of the last %lld steps: %.4f\n",
              static_cast<long long>(result->recentSteps), result->recentLoss);
  if (result->testAccuracy)
    std::printf("test accuracy: %.4f\n", *result->testAccuracy);
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  std::optional<Args> args = parseArgs(argc, argv);
  if (!args)
    return 1;
  Compiler compiler;
  SemaOptions sema;
  sema.batch = args->batch;
  sema.requireTraining = args->train || args->sample;
  if (args->emit == "ast")
    return failed(compiler.load(args->input, sema, &llvm::outs()));
  if (failed(compiler.load(args->input, sema)))
    return 1;
  auto module = compiler.emitNN();
  if (failed(module))
    return 1;
  mlir::OpPrintingFlags flags;
  if (args->emit == "nn") {
    (*module)->print(llvm::outs(), flags);
    return 0;
  }
  if (failed(compiler.lowerToLinalg(**module)))
    return 1;
  if (args->emit == "linalg") {
    (*module)->print(llvm::outs(), flags);
    return 0;
  }
  if (failed(compiler.lowerToLLVM(**module)))
    return 1;
  if (args->emit == "llvm") {
    (*module)->print(llvm::outs(), flags);
    return 0;
  }
  if (args->train)
    return runTraining(*args, compiler, **module);
  if (args->sample)
    return runSampling(*args, compiler, **module);
  if (!args->output.empty())
    if (auto err = writeSharedLibrary(**module, args->output))
      return fail(llvm::toString(std::move(err)));
  return 0;
}
