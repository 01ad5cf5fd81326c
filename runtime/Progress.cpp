//===- runtime/Progress.cpp - Training progress reporting -----------------===//

#include "runtime/Progress.h"

#include <fmt/format.h>

#include <limits>

namespace dlc::rt {

Progress::Progress(std::FILE *out, bool interactive, int64_t plainEvery)
    : out(out), interactive(interactive), plainEvery(plainEvery) {}

void Progress::beginEpoch(int64_t epoch, int64_t numEpochs,
                          int64_t stepsPerEpoch) {
  this->epoch = epoch;
  this->numEpochs = numEpochs;
  this->stepsPerEpoch = stepsPerEpoch;
  steps = 0;
  lossSum = 0;
  inEpoch = true;
  start = lastDraw = Clock::now();
}

double Progress::elapsedSeconds() const {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string Progress::statusLine() const {
  double secs = elapsedSeconds();
  std::string total =
      stepsPerEpoch > 0 ? fmt::format("/{}", stepsPerEpoch) : "";
  return fmt::format("epoch {}/{}  step {}{}  loss {:.4f}  {:.1f} steps/s",
                     epoch + 1, numEpochs, steps, total, lossSum / steps,
                     secs > 0 ? steps / secs : 0.0);
}

void Progress::step(float loss) {
  ++steps;
  lossSum += loss;
  if (interactive) {
    // Redrawing every step would make printing the bottleneck of fast loops,
    // and waiting 100 ms before the first draw avoids a noisy initial rate.
    Clock::time_point now = Clock::now();
    if (now - lastDraw < std::chrono::milliseconds(100))
      return;
    lastDraw = now;
    fmt::print(out, "\r{}\x1b[K", statusLine());
    std::fflush(out);
  } else if (plainEvery > 0 && steps % plainEvery == 0 &&
             steps != stepsPerEpoch) { // endEpoch prints the last one.
    fmt::print(out, "{}\n", statusLine());
    std::fflush(out);
  }
}

void Progress::endEpoch() {
  if (!inEpoch)
    return;
  inEpoch = false;
  lastSeconds = elapsedSeconds();
  lastMeanLoss =
      steps ? lossSum / steps : std::numeric_limits<double>::quiet_NaN();
  fmt::print(
      out, "{}epoch {}/{}  {} steps  loss {:.4f}  {:.2f} s  {:.1f} steps/s{}\n",
      interactive ? "\r" : "", epoch + 1, numEpochs, steps, lastMeanLoss,
      lastSeconds, lastSeconds > 0 ? steps / lastSeconds : 0.0,
      interactive ? "\x1b[K" : "");
  std::fflush(out);
}

} // namespace dlc::rt
