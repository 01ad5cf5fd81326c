//===- runtime/Driver.cpp - the commands that run a compiled model --------===//
#include "runtime/Driver.h"
#include "runtime/Data.h"
#include "runtime/Parse.h"
#include "runtime/Sampler.h"
#include "runtime/Trainer.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fmt/format.h>
#include <unistd.h>

using namespace dlc::rt;

static Error error(std::string message) {
  return Error::failure(std::move(message));
}

std::optional<Command> dlc::rt::parseCommand(std::string_view word) {
  if (word == "train")
    return Command::Train;
  if (word == "eval")
    return Command::Eval;
  if (word == "predict")
    return Command::Predict;
  if (word == "sample")
    return Command::Sample;
  return std::nullopt;
}

Expected<bool> dlc::rt::parseRunOption(int argc, char **argv, int &i,
                                       RunOptions &options) {
  std::string_view flag = argv[i];
  bool hasValue = i + 1 < argc;
  auto number = [&](auto &slot) -> Error {
    int64_t v;
    if (!hasValue || !parseInteger(argv[i + 1], v) || v < 0)
      return error(fmt::format("{} needs a non-negative integer", flag));
    slot = v;
    ++i;
    return Error::success();
  };
  auto string = [&](std::string &slot) -> Error {
    if (!hasValue)
      return error(fmt::format("{} needs a value", flag));
    slot = argv[++i];
    return Error::success();
  };
  Error e = Error::success();
  if (flag == "--epochs")
    e = number(options.epochs);
  else if (flag == "--steps")
    e = number(options.steps);
  else if (flag == "--seed")
    e = number(options.seed);
  else if (flag == "--length")
    e = number(options.length);
  else if (flag == "--count")
    e = number(options.count);
  else if (flag == "--data")
    e = string(options.data);
  else if (flag == "--checkpoint")
    e = string(options.checkpoint);
  else if (flag == "--resume")
    e = string(options.resume);
  else if (flag == "--loss-log")
    e = string(options.lossLog);
  else if (flag == "--prompt")
    e = string(options.prompt.emplace());
  else if (flag == "--temperature") {
    double t;
    if (!hasValue || !parseDouble(argv[i + 1], t) || !(t > 0))
      return error("--temperature needs a positive number");
    options.temperature = t;
    ++i;
  } else {
    return false;
  }
  if (e.failed())
    return e;
  return true;
}

Error dlc::rt::checkRunOptions(Command command, const RunOptions &options) {
  if (!options.checkpoint.empty() || command == Command::Train)
    return Error::success();
  const char *what = command == Command::Sample ? "sampling"
                     : command == Command::Eval ? "evaluation"
                                                : "prediction";
  return error(fmt::format("{} needs trained parameters: --checkpoint <file> "
                           "(written by dlc train --checkpoint)",
                           what));
}

static Error runTraining(Model &model, const RunOptions &args,
                         std::string_view origin) {
  TrainOptions options;
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
      return error(fmt::format("cannot write '{}'", args.lossLog));
    options.lossLog = lossLog;
  }
  const Manifest &m = model.manifest();
  auto setting = [&](const char *key) {
    auto it = m.train.find(key);
    return it == m.train.end() ? std::string("?") : it->second;
  };
  std::printf("training %s (%s): %s, batch %s, %s\n", m.model.c_str(),
              std::string(origin).c_str(), setting("optimizer").c_str(),
              setting("batch").c_str(), setting("loss").c_str());
  std::fflush(stdout);
  auto result = train(model, options);
  if (lossLog) {
    // Buffered writes fail at the latest here (a full disk): a loss log that
    // lost lines is an error, not a silent success.
    bool written = std::ferror(lossLog) == 0;
    int err = errno;
    if (std::fclose(lossLog) != 0) {
      written = false;
      err = errno;
    }
    if (!written && result)
      return error(fmt::format("cannot write the loss log '{}': {}",
                               args.lossLog, std::strerror(err)));
  }
  if (!result)
    return result.error();
  std::printf("steps: %lld\n", static_cast<long long>(result->steps));
  std::printf("train time: %.2f s (%.1f steps/s)\n", result->seconds,
              result->steps / std::max(result->seconds, 1e-9));
  std::printf("final epoch loss: %.4f\n", result->finalLoss);
  std::printf("mean loss of the last %lld steps: %.4f\n",
              static_cast<long long>(result->recentSteps), result->recentLoss);
  if (result->testAccuracy)
    std::printf("test accuracy: %.4f\n", *result->testAccuracy);
  return Error::success();
}

static Error runSampling(Model &model, const RunOptions &args) {
  if (!model.manifest().train.count("vocab"))
    return error(fmt::format("model '{}' was not trained on text: nothing to "
                             "sample",
                             model.manifest().model));
  if (auto step = model.loadCheckpoint(args.checkpoint); !step)
    return step.error();
  SampleOptions options;
  options.seed = args.seed.value_or(0);
  options.temperature = args.temperature.value_or(1.0);
  options.length = args.length.value_or(200);
  if (args.prompt)
    options.prompt = *args.prompt;
  auto text = sample(model, options);
  if (!text)
    return text.error();
  std::fwrite(text->data(), 1, text->size(), stdout);
  std::fputc('\n', stdout);
  return Error::success();
}

/// The test set of an image classifier: the t10k files in the directory of
/// the model's data setting, or in --data.
static Expected<ImageDataset>
testImages(const Model &model, const RunOptions &args, std::string *dir) {
  const Manifest &m = model.manifest();
  auto data = m.train.find("data");
  std::string setting = data == m.train.end() ? "" : data->second;
  auto [kind, path] = splitOnce(setting, ':');
  if (kind == "text")
    return error(fmt::format("model '{}' was trained on text: it has no test "
                             "images (sample generates text)",
                             m.model));
  *dir = args.data.empty() ? std::string(path) : args.data;
  if (dir->empty())
    return error(fmt::format("model '{}' names no data: give --data "
                             "<directory>",
                             m.model));
  return readIdxDataset(*dir, "t10k");
}

static Error runEvaluation(Model &model, const RunOptions &args,
                           std::string_view origin) {
  std::string dir;
  auto test = testImages(model, args, &dir);
  if (!test)
    return test.error();
  if (auto step = model.loadCheckpoint(args.checkpoint); !step)
    return step.error();
  std::printf("evaluating %s (%s) on %lld test images from %s\n",
              model.manifest().model.c_str(), std::string(origin).c_str(),
              static_cast<long long>(test->count), dir.c_str());
  std::fflush(stdout);
  auto result = evaluateClassifier(model, *test);
  if (!result)
    return result.error();
  std::printf("test accuracy: %.4f\n", result->accuracy);
  std::printf("predict: %.1f images/s (batch %lld, %.3f s)\n",
              result->images / std::max(result->predictSeconds, 1e-9),
              static_cast<long long>(result->batch), result->predictSeconds);
  return Error::success();
}

static Error runPrediction(Model &model, const RunOptions &args) {
  std::string dir;
  auto test = testImages(model, args, &dir);
  if (!test)
    return test.error();
  if (auto step = model.loadCheckpoint(args.checkpoint); !step)
    return step.error();
  if (args.count && *args.count < test->count) {
    // Only the first images are needed: don't run predict over the rest.
    int64_t pixels = test->rows * test->cols;
    test->count = *args.count;
    test->images.resize(test->count * pixels);
    test->labels.resize(test->count);
  }
  std::vector<int32_t> predicted;
  auto result = evaluateClassifier(model, *test, &predicted);
  if (!result)
    return result.error();
  for (int64_t i = 0; i < test->count; ++i)
    std::printf("%lld %d %d\n", static_cast<long long>(i), predicted[i],
                test->labels[i]);
  return Error::success();
}

Error dlc::rt::runCommand(Command command, Model &model,
                          const RunOptions &options, std::string_view origin) {
  if (Error e = checkRunOptions(command, options); e.failed())
    return e;
  switch (command) {
  case Command::Train:
    return runTraining(model, options, origin);
  case Command::Eval:
    return runEvaluation(model, options, origin);
  case Command::Predict:
    return runPrediction(model, options);
  case Command::Sample:
    return runSampling(model, options);
  }
  return Error::success();
}
