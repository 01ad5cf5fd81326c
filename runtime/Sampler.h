//===- Sampler.h - text generation from a next-character model ------------===//
#ifndef DLC_RUNTIME_SAMPLER_H
#define DLC_RUNTIME_SAMPLER_H

#include "runtime/Model.h"

namespace dlc::rt {

struct SampleOptions {
  uint64_t seed = 0;
  double temperature = 1.0;  // > 0; lower is more conservative
  int64_t length = 200;      // characters to generate
  std::string prompt = "\n"; // the text to continue (a newline starts a word)
};

/// Generates text with a model trained on text data: its `predict` maps
/// [batch, T] character ids to [batch, T, vocab] logits, and its manifest
/// holds the vocabulary. Each new character is drawn from
/// softmax(logits / temperature) at the last position of the context (the
/// last T characters); the model is causal, so the rest of the window does
/// not matter. Same seed, same text.
Expected<std::string> sample(Model &model, const SampleOptions &options);

} // namespace dlc::rt

#endif // DLC_RUNTIME_SAMPLER_H
