//===- Trainer.h - the training loop over a compiled model ----------------===//
#ifndef DLC_RUNTIME_TRAINER_H
#define DLC_RUNTIME_TRAINER_H

#include "runtime/Data.h"
#include "runtime/Model.h"

#include <cstdio>
#include <optional>

namespace dlc::rt {

struct TrainOptions {
  std::optional<std::string> dataDir; // overrides the .net file's data
  std::optional<int64_t> epochs;      // overrides the .net file's epochs
  std::optional<int64_t> maxSteps;    // stop after this many steps in all
  std::optional<uint64_t> seed;       // overrides the .net file's seed
  std::string checkpoint;             // saved after every epoch when set
  std::string resume;                 // checkpoint to start from
  std::FILE *lossLog = nullptr;       // every step's loss, one per line
  std::FILE *progress = stdout;       // null: silent
  bool interactive = false;           // progress is a terminal
  bool evaluate = true;               // test accuracy at the end
};

/// Steps over which TrainResult::recentLoss is averaged.
constexpr size_t kRecentSteps = 200;

struct TrainResult {
  int64_t steps = 0;
  double seconds = 0;      // training time, without evaluation
  double finalLoss = 0;    // mean loss of the last (partial) epoch
  double recentLoss = 0;   // mean loss of the last recentSteps steps
  int64_t recentSteps = 0; // min(steps run, kRecentSteps)
  std::optional<double> testAccuracy;
};

/// Trains `model` on the data its manifest names (Fashion-MNIST images, or
/// windows of a text for next-character prediction): seeded initialization,
/// per-epoch shuffles, full batches (the remainder of an epoch that does not
/// fill a batch is skipped), progress, checkpoints. Models with dropout get
/// the step number in their `step` input.
Expected<TrainResult> train(Model &model, const TrainOptions &options);

struct Evaluation {
  double accuracy = 0;       // argmax of `predict` equals the label
  int64_t images = 0;        // images evaluated
  int64_t batch = 0;         // images per `predict` call
  double predictSeconds = 0; // time spent in `predict` alone
};

/// Runs the model's `predict` over `data` batch by batch (zero-padding the
/// last one). With `predictions`, also returns each image's predicted class.
Expected<Evaluation>
evaluateClassifier(Model &model, const ImageDataset &data,
                   std::vector<int32_t> *predictions = nullptr);

/// Accuracy of the model's `predict` output (argmax) on `data`.
Expected<double> evaluate(Model &model, const ImageDataset &data);

} // namespace dlc::rt

#endif // DLC_RUNTIME_TRAINER_H
