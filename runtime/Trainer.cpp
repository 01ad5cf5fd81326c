//===- Trainer.cpp - the training loop over a compiled model --------------===//
#include "runtime/Trainer.h"
#include "runtime/Parse.h"
#include "runtime/Progress.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <functional>

using namespace dlc::rt;

static Error error(std::string message) {
  return Error::failure(std::move(message));
}

namespace {
/// The buffers a classifier on images exchanges with the runtime.
struct Binding {
  float *images = nullptr;       // [B, ...] f32, 784 values per image
  int32_t *labels = nullptr;     // [B]
  const float *logits = nullptr; // predict's output [B, C]
  int64_t batch = 0, classes = 0, imageSize = 0;
};

Expected<Binding> bind(Model &model) {
  const Manifest &m = model.manifest();
  Binding b;
  for (const BufferSpec &spec : m.buffers) {
    if (spec.kind != BufferKind::Input)
      continue;
    if (spec.name == DLC_BUFFER_LABELS) {
      b.labels = model.i32(spec.name);
      continue;
    }
    if (spec.name == DLC_BUFFER_STEP) // the step number, for dropout
      continue;
    if (b.images)
      return error(
          fmt::format("model '{}' has more than one data input", m.model));
    if (spec.shape.empty() || spec.dtype != DType::F32)
      return error(fmt::format("input '{}' is not an f32 batch", spec.name));
    b.images = model.f32(spec.name);
    b.batch = spec.shape[0];
    b.imageSize = spec.numElements() / b.batch;
  }
  auto predict = m.entries.find("predict");
  if (predict != m.entries.end())
    for (size_t i : predict->second)
      if (m.buffers[i].kind == BufferKind::Output) {
        const BufferSpec &out = m.buffers[i];
        if (out.shape.size() != 2 || out.shape[0] != b.batch)
          return error(
              fmt::format("output '{}' is not [batch, classes]", out.name));
        b.logits = model.f32(out.name);
        b.classes = out.shape[1];
        break;
      }
  if (!b.images)
    return error(fmt::format("model '{}' has no data input", m.model));
  return b;
}

/// Copies samples `indices[first, first + count)` into the input buffers,
/// zero-padding a short final batch.
void gather(const Binding &b, const ImageDataset &data,
            const std::vector<int64_t> *indices, int64_t first, int64_t count) {
  for (int64_t i = 0; i < b.batch; ++i) {
    float *dst = b.images + i * b.imageSize;
    if (i >= count) {
      std::memset(dst, 0, b.imageSize * sizeof(float));
      if (b.labels)
        b.labels[i] = 0;
      continue;
    }
    int64_t src = indices ? (*indices)[first + i] : first + i;
    std::memcpy(dst, data.images.data() + src * b.imageSize,
                b.imageSize * sizeof(float));
    if (b.labels)
      b.labels[i] = data.labels[src];
  }
}
} // namespace

Expected<Evaluation>
dlc::rt::evaluateClassifier(Model &model, const ImageDataset &data,
                            std::vector<int32_t> *predictions) {
  auto b = bind(model);
  if (!b)
    return b.error();
  if (!b->logits)
    return error(
        "the model has no predict entry with a [batch, classes] output");
  if (data.rows * data.cols != b->imageSize)
    return error(fmt::format("the data has {} values per image, the model "
                             "takes {}",
                             data.rows * data.cols, b->imageSize));
  if (data.count == 0)
    return error("the test set is empty: there is nothing to evaluate");
  Evaluation result;
  result.images = data.count;
  result.batch = b->batch;
  if (predictions)
    predictions->assign(data.count, 0);
  int64_t correct = 0;
  for (int64_t first = 0; first < data.count; first += b->batch) {
    int64_t count = std::min(b->batch, data.count - first);
    gather(*b, data, nullptr, first, count);
    auto start = std::chrono::steady_clock::now();
    if (Error e = model.run("predict"); e.failed())
      return e;
    result.predictSeconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
    for (int64_t i = 0; i < count; ++i) {
      const float *row = b->logits + i * b->classes;
      int64_t best = std::max_element(row, row + b->classes) - row;
      correct += best == data.labels[first + i];
      if (predictions)
        (*predictions)[first + i] = static_cast<int32_t>(best);
    }
  }
  result.accuracy = static_cast<double>(correct) / data.count;
  return result;
}

Expected<double> dlc::rt::evaluate(Model &model, const ImageDataset &data) {
  auto evaluation = evaluateClassifier(model, data);
  if (!evaluation)
    return evaluation.error();
  return evaluation->accuracy;
}

static Expected<int64_t> setting(const Manifest &m, const std::string &key) {
  auto it = m.train.find(key);
  int64_t v;
  if (it == m.train.end() || !parseInteger(it->second, v))
    return error(fmt::format("model '{}' has no training setting '{}': was it "
                             "compiled from a file with a train section?",
                             m.model, key));
  return v;
}

namespace {
/// Where training batches come from: `count` samples per epoch (images, or
/// windows of text), copied into the model's input buffers by `fill`.
struct BatchSource {
  int64_t count = 0, batch = 0;
  std::function<void(const std::vector<int64_t> &order, int64_t first)> fill;
};

/// Next-character windows: input ids[w T, w T + T), labels shifted by one.
Expected<BatchSource> textSource(Model &model, const TextDataset &text) {
  const Manifest &m = model.manifest();
  const BufferSpec *ids = nullptr;
  for (const BufferSpec &spec : m.buffers)
    if (spec.kind == BufferKind::Input && spec.name != DLC_BUFFER_LABELS &&
        spec.name != DLC_BUFFER_STEP)
      ids = &spec;
  const BufferSpec *labels = m.find(DLC_BUFFER_LABELS);
  if (!ids || ids->dtype != DType::I32 || ids->shape.size() != 2 || !labels ||
      labels->shape != ids->shape)
    return error(fmt::format("model '{}' does not take [batch, time] character "
                             "ids and labels",
                             m.model));
  int64_t batch = ids->shape[0], time = ids->shape[1];
  int32_t *idsBuf = model.i32(ids->name),
          *labelsBuf = model.i32(DLC_BUFFER_LABELS);
  BatchSource source;
  source.batch = batch;
  source.count = (static_cast<int64_t>(text.ids.size()) - 1) / time;
  source.fill = [=, &text](const std::vector<int64_t> &order, int64_t first) {
    for (int64_t i = 0; i < batch; ++i) {
      const int32_t *window = text.ids.data() + order[first + i] * time;
      std::memcpy(idsBuf + i * time, window, time * sizeof(int32_t));
      std::memcpy(labelsBuf + i * time, window + 1, time * sizeof(int32_t));
    }
  };
  return source;
}
} // namespace

Expected<TrainResult> dlc::rt::train(Model &model,
                                     const TrainOptions &options) {
  const Manifest &m = model.manifest();
  if (!model.hasEntry("train_step"))
    return error(fmt::format("model '{}' has no train_step: compile it from a "
                             "file with a train section",
                             m.model));
  auto epochsSetting = setting(m, "epochs");
  auto seedSetting = setting(m, "seed");
  if (!epochsSetting)
    return epochsSetting.error();
  if (!seedSetting)
    return seedSetting.error();
  int64_t epochs = options.epochs.value_or(*epochsSetting);
  uint64_t seed = options.seed.value_or(*seedSetting);
  auto data = m.train.find("data");
  std::string dataSetting = data == m.train.end() ? "" : data->second;
  auto [kind, path] = splitOnce(dataSetting, ':');
  std::string dataPath = options.dataDir.value_or(std::string(path));

  // The data stays alive for the whole loop: the sources point into it.
  std::optional<ImageDataset> trainSet;
  std::optional<TextDataset> text;
  BatchSource source;
  if (kind == "text") {
    auto vocab = m.train.find("vocab");
    if (vocab == m.train.end())
      return error(fmt::format("model '{}' has no vocabulary for its text data",
                               m.model));
    auto read = readText(dataPath, vocab->second);
    if (!read)
      return read.error();
    text = std::move(*read);
    auto made = textSource(model, *text);
    if (!made)
      return made.error();
    source = std::move(*made);
  } else {
    auto b = bind(model);
    if (!b)
      return b.error();
    if (!b->labels)
      return error("train_step takes no labels");
    auto read = readIdxDataset(dataPath, "train");
    if (!read)
      return read.error();
    trainSet = std::move(*read);
    if (trainSet->rows * trainSet->cols != b->imageSize)
      return error(fmt::format("{} has {} values per image, the model takes {}",
                               dataPath, trainSet->rows * trainSet->cols,
                               b->imageSize));
    source.count = trainSet->count;
    source.batch = b->batch;
    source.fill = [b = *b, &trainSet](const std::vector<int64_t> &order,
                                      int64_t first) {
      gather(b, *trainSet, &order, first, b.batch);
    };
  }

  int64_t stepsPerEpoch = source.count / source.batch;
  if (stepsPerEpoch == 0)
    return error(fmt::format("{} holds {} samples, fewer than one batch of {}",
                             dataPath, source.count, source.batch));
  int64_t totalSteps;
  if (__builtin_mul_overflow(epochs, stepsPerEpoch, &totalSteps))
    return error(fmt::format("{} epochs of {} steps are more steps than can "
                             "be counted",
                             epochs, stepsPerEpoch));
  int64_t done = 0;
  if (!options.resume.empty()) {
    auto step = model.loadCheckpoint(options.resume);
    if (!step)
      return step.error();
    // The step picks the epoch and the batch to resume from: it must be one
    // this training run can reach.
    if (*step > uint64_t(totalSteps))
      return error(fmt::format("{}: the checkpoint is at step {}, past the {} "
                               "steps of this training ({} epochs of {})",
                               options.resume, *step, totalSteps, epochs,
                               stepsPerEpoch));
    done = static_cast<int64_t>(*step);
  } else {
    model.initialize(seed);
  }
  if (options.maxSteps)
    totalSteps = std::min(totalSteps, done + *options.maxSteps);

  TrainResult result;
  float *loss = model.f32(DLC_BUFFER_LOSS);
  int32_t *stepNumber =
      model.i32(DLC_BUFFER_STEP); // dropout masks, when present
  std::vector<double> recent;     // the last kRecentSteps losses, as a ring
  Progress progress(options.progress ? options.progress : stdout,
                    options.interactive);
  auto start = std::chrono::steady_clock::now();
  while (done < totalSteps) {
    int64_t epoch = done / stepsPerEpoch;
    int64_t first = done % stepsPerEpoch;
    int64_t last = std::min(stepsPerEpoch, first + (totalSteps - done));
    std::vector<int64_t> order = shuffledIndices(source.count, seed, epoch);
    if (options.progress)
      progress.beginEpoch(epoch, epochs, stepsPerEpoch);
    double lossSum = 0;
    for (int64_t s = first; s < last; ++s) {
      source.fill(order, s * source.batch);
      if (stepNumber)
        *stepNumber = static_cast<int32_t>(done);
      if (Error e = model.run("train_step"); e.failed())
        return e;
      if (!std::isfinite(*loss))
        return error(fmt::format("the loss is {} at step {}: training diverged "
                                 "(try a smaller learning rate)",
                                 *loss, done + 1));
      lossSum += *loss;
      if (recent.size() < kRecentSteps)
        recent.push_back(*loss);
      else
        recent[done % kRecentSteps] = *loss;
      if (options.lossLog && std::fprintf(options.lossLog, "%.9g\n", *loss) < 0)
        return error(
            fmt::format("cannot write the loss log: {}", std::strerror(errno)));
      if (options.progress)
        progress.step(*loss);
      ++done;
    }
    result.finalLoss = lossSum / std::max<int64_t>(1, last - first);
    if (options.progress)
      progress.endEpoch();
    if (!options.checkpoint.empty())
      if (Error e = model.saveCheckpoint(options.checkpoint, done); e.failed())
        return e;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  result.steps = done;
  result.recentSteps = recent.size();
  for (double l : recent)
    result.recentLoss += l / recent.size();

  if (options.evaluate && trainSet) {
    auto testSet = readIdxDataset(dataPath, "t10k");
    if (!testSet)
      return testSet.error();
    auto accuracy = evaluate(model, *testSet);
    if (!accuracy)
      return accuracy.error();
    result.testAccuracy = *accuracy;
  }
  return result;
}
