//===- dlc-run.cpp - run a compiled model without the compiler ------------===//
//
//   dlc-run train model.so [options]
//   dlc-run eval|predict|sample model.so --checkpoint file [options]
//
// Drives a shared library written by `dlc model.net -o model.so` through the
// runtime alone: this program links neither LLVM nor MLIR, so it runs on
// machines that have only the library (and fmt, zlib).
//
//===----------------------------------------------------------------------===//
#include "runtime/Driver.h"

#include <cstdio>
#include <cstring>
#include <fmt/format.h>

static const std::string usage =
    std::string(R"(usage: dlc-run <command> <model.so> [options]
Runs a model compiled by `dlc model.net -o model.so`; the training set-up
(data, loss, optimizer, epochs, seed) is the one compiled into the library.
commands:
  train     train the model
)") +
    dlc::rt::kTrainOptionsHelp +
    R"(  eval      test accuracy and images/s of predict, at the compiled batch size
      --checkpoint <file>  trained parameters (required)
      --data <dir>         override the test data directory
  predict   print "<index> <predicted class> <label>" for each test image
      --checkpoint <file>  trained parameters (required)
      --count <n>          only the first n test images
      --data <dir>         override the test data directory
  sample    generate text with a model trained on text
      --checkpoint <file>  trained parameters (required)
      --length <n>         characters to generate (default 200)
      --temperature <t>    sampling temperature, > 0 (default 1)
      --prompt <text>      text to continue (default: a newline)
      --seed <n>           random seed (default 0)
)";

static int fail(const std::string &message) {
  std::fprintf(stderr, "dlc-run: error: %s\n", message.c_str());
  return 1;
}

static bool isHelp(const char *arg) {
  return !std::strcmp(arg, "-h") || !std::strcmp(arg, "--help");
}

int main(int argc, char **argv) {
  if (argc >= 2 && isHelp(argv[1])) {
    std::fputs(usage.c_str(), stdout);
    return 0;
  }
  if (argc < 2)
    return fail(fmt::format("no command\n{}", usage));
  std::optional<dlc::rt::Command> command = dlc::rt::parseCommand(argv[1]);
  if (!command)
    return fail(fmt::format("unknown command '{}' (expected train, eval, "
                            "predict, sample)\n{}",
                            argv[1], usage));

  std::string library;
  dlc::rt::RunOptions options;
  for (int i = 2; i < argc; ++i) {
    auto parsed = dlc::rt::parseRunOption(argc, argv, i, options);
    if (!parsed)
      return fail(parsed.message());
    if (*parsed)
      continue;
    if (isHelp(argv[i])) {
      std::fputs(usage.c_str(), stdout);
      return 0;
    }
    if (argv[i][0] == '-')
      return fail(fmt::format("unknown option '{}'\n{}", argv[i], usage));
    if (!library.empty())
      return fail(fmt::format("unexpected argument '{}'", argv[i]));
    library = argv[i];
  }
  if (library.empty())
    return fail(
        fmt::format("no model library (a .so written by dlc -o)\n{}", usage));
  if (dlc::rt::Error e = dlc::rt::checkRunOptions(*command, options);
      e.failed())
    return fail(e.message());

  auto model = dlc::rt::Model::loadShared(library);
  if (!model)
    return fail(model.message());
  if (dlc::rt::Error e =
          dlc::rt::runCommand(*command, **model, options, library);
      e.failed())
    return fail(e.message());
  return 0;
}
