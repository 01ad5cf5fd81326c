//===- Init.cpp - seeded parameter initialization -------------------------===//
#include "runtime/Init.h"
#include "runtime/Parse.h"

#include <cmath>
#include <random>

using namespace dlc::rt;

namespace {
/// Uniform doubles in [0, 1) and standard normals (Box-Muller) from a
/// mt19937_64, whose output the C++ standard fixes.
struct Stream {
  std::mt19937_64 engine;
  double uniform() { return (engine() >> 11) * 0x1.0p-53; }
  double normal() {
    double u1 = 1.0 - uniform(), u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
};

uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (char c : s)
    h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  return h;
}
} // namespace

bool dlc::rt::isKnownInitializer(std::string_view init) {
  auto [kind, arg] = splitOnce(init, ':');
  double v;
  if (kind == "normal" || kind == "uniform")
    return parseDouble(arg, v) && v >= 0;
  return arg.empty() && (kind == "zeros" || kind == "ones" || kind == "he" ||
                         kind == "glorot");
}

void dlc::rt::initializeBuffer(const BufferSpec &spec, uint64_t seed,
                               float *data) {
  int64_t n = spec.numElements();
  auto [kind, arg] = splitOnce(spec.init, ':');
  // Dense weights are [in, out]; convolution filters [F, C, KH, KW] see
  // C*KH*KW inputs and feed F*KH*KW outputs.
  double fanIn = spec.shape.empty() ? 1 : spec.shape.front();
  double fanOut = spec.shape.empty() ? 1 : spec.shape.back();
  if (spec.shape.size() == 4) {
    double window = spec.shape[2] * spec.shape[3];
    fanIn = spec.shape[1] * window;
    fanOut = spec.shape[0] * window;
  }
  Stream rng{std::mt19937_64(seed ^ fnv1a(spec.name))};
  double value = 0;
  if (kind == "he") {
    double std = std::sqrt(2.0 / fanIn);
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(std * rng.normal());
  } else if (kind == "normal" && parseDouble(arg, value)) {
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(value * rng.normal());
  } else if (kind == "glorot" || kind == "uniform") {
    double limit = kind == "glorot" ? std::sqrt(6.0 / (fanIn + fanOut)) : 0.0;
    if (kind == "uniform")
      parseDouble(arg, limit);
    for (int64_t i = 0; i < n; ++i)
      data[i] = static_cast<float>(limit * (2.0 * rng.uniform() - 1.0));
  } else {
    float fill = kind == "ones" ? 1.0f : 0.0f;
    for (int64_t i = 0; i < n; ++i)
      data[i] = fill;
  }
}
