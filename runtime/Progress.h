//===- runtime/Progress.h - Training progress reporting ---------*- C++ -*-===//

#ifndef DLC_RUNTIME_PROGRESS_H
#define DLC_RUNTIME_PROGRESS_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

namespace dlc::rt {

/// Prints training progress: on a terminal one status line rewritten in
/// place; otherwise (logs, pipes) plain lines that read well in a file.
class Progress {
public:
  /// \p interactive should be true when \p out is a terminal (the caller
  /// decides, e.g. with isatty). Then the status line is redrawn with '\r'
  /// and "\x1b[K" at most ~10 times per second; otherwise a plain line is
  /// printed every \p plainEvery steps (never if <= 0) and at epoch end.
  Progress(std::FILE *out, bool interactive, int64_t plainEvery = 100);

  /// \p epoch is 0-based and shown 1-based ("epoch 1/5" for epoch 0).
  /// \p stepsPerEpoch <= 0 means unknown.
  void beginEpoch(int64_t epoch, int64_t numEpochs, int64_t stepsPerEpoch);
  /// Records one step's loss; shows e.g.
  /// "epoch 2/5  step 300/937  loss 0.4123  812.3 steps/s" where loss is the
  /// mean over the epoch so far.
  void step(float loss);
  /// Prints the final epoch line, e.g.
  /// "epoch 2/5  937 steps  loss 0.3817  1.15 s  812.3 steps/s".
  void endEpoch();

  double lastEpochSeconds() const { return lastSeconds; }
  /// Mean loss of the last finished epoch (NaN if it had no steps).
  double lastEpochMeanLoss() const { return lastMeanLoss; }

private:
  using Clock = std::chrono::steady_clock;
  double elapsedSeconds() const;
  std::string statusLine() const;

  std::FILE *out;
  bool interactive;
  int64_t plainEvery;
  int64_t epoch = 0, numEpochs = 0, stepsPerEpoch = 0, steps = 0;
  double lossSum = 0;
  bool inEpoch = false;
  Clock::time_point start, lastDraw;
  double lastSeconds = 0, lastMeanLoss = 0;
};

} // namespace dlc::rt

#endif // DLC_RUNTIME_PROGRESS_H
