//===- Sampler.cpp - text generation from a next-character model ----------===//
#include "runtime/Sampler.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <random>

using namespace dlc::rt;

static Error error(std::string message) {
  return Error::failure(std::move(message));
}

Expected<std::string> dlc::rt::sample(Model &model,
                                      const SampleOptions &options) {
  const Manifest &m = model.manifest();
  auto vocabIt = m.train.find("vocab");
  auto predict = m.entries.find("predict");
  if (vocabIt == m.train.end() || predict == m.entries.end())
    return error(fmt::format("model '{}' was not trained on text: it has no "
                             "character vocabulary",
                             m.model));
  const std::string &vocab = vocabIt->second;
  const BufferSpec *ids = nullptr, *logits = nullptr;
  for (size_t i : predict->second) {
    const BufferSpec &b = m.buffers[i];
    if (b.kind == BufferKind::Input)
      ids = &b;
    else if (b.kind == BufferKind::Output && !logits)
      logits = &b;
  }
  if (!ids || !logits || ids->dtype != DType::I32 || ids->shape.size() != 2 ||
      logits->shape.size() != 3 || logits->shape[0] != ids->shape[0] ||
      logits->shape[1] != ids->shape[1] ||
      logits->shape[2] != static_cast<int64_t>(vocab.size()))
    return error(fmt::format("model '{}' does not map [batch, time] character "
                             "ids to [batch, time, {}] logits",
                             m.model, vocab.size()));
  if (!(options.temperature > 0))
    return error("the temperature must be positive");

  std::vector<int32_t> context;
  for (char c : options.prompt) {
    size_t id = vocab.find(c);
    if (id == std::string::npos)
      return error(fmt::format("the prompt's character {:#04x} is not in the "
                               "model's vocabulary",
                               static_cast<unsigned char>(c)));
    context.push_back(static_cast<int32_t>(id));
  }
  if (context.empty())
    return error("the prompt must not be empty");

  int64_t time = ids->shape[1], classes = vocab.size();
  int32_t *in = model.i32(ids->name);
  const float *out = model.f32(logits->name);
  std::memset(in, 0, ids->byteSize());
  std::mt19937_64 rng(options.seed);
  std::string text;
  std::vector<double> p(classes);
  for (int64_t n = 0; n < options.length; ++n) {
    // Row 0 holds the window; the other rows are ignored.
    int64_t len = std::min<int64_t>(time, context.size());
    std::memcpy(in, context.data() + context.size() - len,
                len * sizeof(int32_t));
    if (Error e = model.run("predict"); e.failed())
      return e;
    const float *row = out + (len - 1) * classes;
    double max = *std::max_element(row, row + classes), sum = 0;
    for (int64_t c = 0; c < classes; ++c)
      sum += p[c] = std::exp((row[c] - max) / options.temperature);
    // Inverse CDF with 53 random bits: the same on every standard library.
    double u = (rng() >> 11) * 0x1.0p-53 * sum;
    int64_t next = 0;
    for (double acc = p[0]; acc <= u && next + 1 < classes; acc += p[++next]) {
    }
    context.push_back(static_cast<int32_t>(next));
    text.push_back(vocab[next]);
  }
  return text;
}
