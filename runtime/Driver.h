//===- runtime/Driver.h - the commands that run a compiled model -*- C++
//-*-===//
//
// `dlc train|eval|predict|sample model.net` and `dlc-run train|eval|predict|
// sample model.so` parse the same options and run the same code, here, so the
// two tools print the same lines and errors. The tools add what differs: how
// the model is obtained (JIT, --so, a .so argument) and their usage text.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_DRIVER_H
#define DLC_RUNTIME_DRIVER_H

#include "runtime/Model.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dlc::rt {

/// Help for the options of `train`, in the usage texts of dlc and dlc-run.
inline constexpr const char kTrainOptionsHelp[] =
    R"(      --epochs <n>         override the train section's epochs
      --steps <n>          stop after n training steps
      --data <path>        override the data (directory, or text file)
      --seed <n>           override the seed
      --checkpoint <file>  save parameters and optimizer state every epoch
      --resume <file>      start from a checkpoint
      --loss-log <file>    write every step's loss
)";

enum class Command { Train, Eval, Predict, Sample };

/// "train", "eval", "predict" or "sample"; nothing for any other word.
std::optional<Command> parseCommand(std::string_view word);

/// The options of the commands; unset ones take the model's own settings or
/// the defaults below.
struct RunOptions {
  std::optional<int64_t> epochs;     // train: override the train section
  std::optional<int64_t> steps;      // train: stop after this many steps
  std::optional<uint64_t> seed;      // train: override; sample: default 0
  std::string data;                  // override the data (dir or text file)
  std::string checkpoint;            // train: save; others: load
  std::string resume;                // train: start from this checkpoint
  std::string lossLog;               // train: every step's loss
  std::optional<int64_t> length;     // sample: characters (default 200)
  std::optional<double> temperature; // sample: > 0 (default 1)
  std::optional<std::string> prompt; // sample: text to continue
  std::optional<int64_t> count;      // predict: the first n test images
};

/// When argv[i] is one of the options above, stores it (consuming its value:
/// `i` moves past it) and returns true; returns false for anything else.
/// A missing or malformed value is an error ("--steps needs a non-negative
/// integer").
Expected<bool> parseRunOption(int argc, char **argv, int &i,
                              RunOptions &options);

/// What `command` needs before the model is loaded (or compiled), e.g. a
/// checkpoint to sample from.
Error checkRunOptions(Command command, const RunOptions &options);

/// Runs `command` on `model`, printing results and progress on stdout.
/// `origin` says where the code came from ("JIT" or the library's path).
///   train    trains (see rt::train) and prints the summary lines
///   eval     test accuracy and the throughput of `predict`
///   predict  "<index> <predicted class> <label>" per test image
///   sample   generated text
Error runCommand(Command command, Model &model, const RunOptions &options,
                 std::string_view origin);

} // namespace dlc::rt

#endif // DLC_RUNTIME_DRIVER_H
