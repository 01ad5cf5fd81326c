//===- dlc.cpp - the dlc driver -------------------------------------------===//
//
//   dlc model.net -o model.so        compile ahead of time to a shared library
//   dlc --emit=STAGE model.net       print a stage: ast, nn, linalg, llvm
//   dlc train model.net [options]    JIT-compile (or load --so) and train
//   dlc eval|predict model.net       test accuracy / predictions
//   dlc sample model.net [options]   generate text with a trained text model
//
// The commands that run a model are the runtime's (runtime/Driver.h), shared
// with dlc-run; this file adds the compiler: parsing and checking the .net
// file, and the JIT when no --so library is given.
//
//===----------------------------------------------------------------------===//
#include "compiler/Compiler.h"
#include "compiler/codegen/Codegen.h"
#include "runtime/Driver.h"
#include "runtime/Parse.h"

#include "mlir/IR/OperationSupport.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdio>
#include <fmt/format.h>

using namespace dlc;
using llvm::StringRef;

static const std::string usage =
    std::string(R"(usage:
  dlc <model.net> -o <model.so>     compile to a shared library (C ABI: dlc_abi.h)
  dlc --emit=<stage> <model.net>    print a stage: ast, nn, linalg, llvm
  dlc train <model.net> [options]   compile in process and train
      --so <model.so>      use this compiled library instead of the JIT
)") +
    rt::kTrainOptionsHelp +
    R"(  dlc eval <model.net> --checkpoint <file> [--so <model.so>] [--data <dir>]
                                    test accuracy and images/s of predict
  dlc predict <model.net> --checkpoint <file> [--so <model.so>] [--count <n>]
                                    "<index> <predicted class> <label>" for
                                    each test image (the first n)
  dlc sample <model.net> --checkpoint <file> [options]
                                    generate text with a model trained on text
      --so <model.so>      use this compiled library instead of the JIT
      --length <n>         characters to generate (default 200)
      --temperature <t>    sampling temperature, > 0 (default 1)
      --prompt <text>      text to continue (default: a newline)
      --seed <n>           random seed (default 0)
  common options:
      --batch <n>          batch size, overriding the train section's (JIT
                           only: a library keeps the size it was built with)
A library written by -o runs without the compiler: see dlc-run.
)";

static int fail(const std::string &message) {
  std::fprintf(stderr, "dlc: error: %s\n", message.c_str());
  return 1;
}

namespace {
struct Args {
  std::optional<rt::Command> command; // train, eval, predict, sample
  std::string input, output, emit, so;
  std::optional<int64_t> batch;
  rt::RunOptions run;
};

std::optional<Args> parseArgs(int argc, char **argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    StringRef arg = argv[i];
    if (i == 1 && (a.command = rt::parseCommand(arg)))
      continue;
    auto runOption = rt::parseRunOption(argc, argv, i, a.run);
    if (!runOption) {
      fail(runOption.message());
      return std::nullopt;
    }
    if (*runOption)
      continue;
    if (arg == "-o" || arg == "--so") {
      if (i + 1 >= argc) {
        fail(fmt::format("{} needs a value", arg.str()));
        return std::nullopt;
      }
      (arg == "-o" ? a.output : a.so) = argv[++i];
    } else if (arg.consume_front("--emit=")) {
      a.emit = arg.str();
    } else if (arg == "--batch") {
      int64_t v;
      if (i + 1 >= argc || !rt::parseInteger(argv[i + 1], v) || v < 1 ||
          v > (1 << 20)) {
        fail("--batch needs a positive integer (at most 1048576)");
        return std::nullopt;
      }
      a.batch = v;
      ++i;
    } else if (arg == "-h" || arg == "--help") {
      std::fputs(usage.c_str(), stdout);
      std::exit(0);
    } else if (arg.starts_with("-")) {
      fail(fmt::format("unknown option '{}'\n{}", arg.str(), usage));
      return std::nullopt;
    } else if (a.input.empty()) {
      a.input = arg.str();
    } else {
      fail(fmt::format("unexpected argument '{}'", arg.str()));
      return std::nullopt;
    }
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

int runModel(const Args &args, rt::Model &model, std::string_view origin) {
  if (rt::Error e = rt::runCommand(*args.command, model, args.run, origin);
      e.failed())
    return fail(e.message());
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  std::optional<Args> args = parseArgs(argc, argv);
  if (!args)
    return 1;
  Compiler compiler;
  FrontendOptions sema;
  sema.batch = args->batch;
  sema.requireTraining = args->command.has_value();
  if (args->emit == "ast")
    return failed(compiler.load(args->input, sema, &llvm::outs()));
  if (failed(compiler.load(args->input, sema)))
    return 1;
  bool runs = args->command && args->emit.empty();
  if (runs)
    if (rt::Error e = rt::checkRunOptions(*args->command, args->run);
        e.failed())
      return fail(e.message());
  // A library is already compiled code: the .net file was only needed to
  // check it and to identify the model (its source hash), so nothing is
  // lowered.
  if (runs && !args->so.empty()) {
    auto model = rt::Model::loadShared(args->so, compiler.sourceHash());
    if (!model)
      return fail(model.message());
    return runModel(*args, **model, args->so);
  }
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
  if (runs) {
    auto model = jitModel(**module, compiler.sourceHash());
    if (!model)
      return fail(llvm::toString(model.takeError()));
    return runModel(*args, **model, "JIT");
  }
  if (!args->output.empty())
    if (auto err = writeSharedLibrary(**module, args->output))
      return fail(llvm::toString(std::move(err)));
  return 0;
}
