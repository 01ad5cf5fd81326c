//===- Model.h - the host API of a compiled model -------------------------===//
//
// One API whether the code was JIT-compiled in this process or loaded from a
// shared library: the Model owns every buffer (parameters, optimizer state,
// inputs, outputs), initializes them, and calls the compiled entry points.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_RUNTIME_MODEL_H
#define DLC_RUNTIME_MODEL_H

#include "runtime/Manifest.h"
#include "runtime/dlc_abi.h"

#include <functional>
#include <memory>
#include <string_view>

namespace dlc::rt {

class Model {
public:
  /// Looks up a symbol of the compiled code ("dlc_train_step"); null if absent.
  using Resolver = std::function<void *(const std::string &)>;

  /// Wraps compiled code. `owner` keeps it alive (a JIT engine, a dlopen
  /// handle). When `expectedSource` is set, the code must have been compiled
  /// from a .net source with that hash.
  static Expected<std::unique_ptr<Model>>
  create(const Resolver &resolve, std::shared_ptr<void> owner,
         std::string_view origin, std::string_view expectedSource = "");
  /// Loads a shared library written by `dlc model.net -o model.so`. A path
  /// without a slash names a file in the working directory (dlopen alone
  /// would search the library path instead).
  static Expected<std::unique_ptr<Model>>
  loadShared(const std::string &path, std::string_view expectedSource = "");

  ~Model();
  const Manifest &manifest() const { return manifest_; }

  /// Parameters from their initializers (seeded, independent of order),
  /// optimizer state to zero.
  void initialize(uint64_t seed);

  /// The buffer called `name`, or null.
  void *buffer(std::string_view name);
  float *f32(std::string_view name) {
    return static_cast<float *>(buffer(name));
  }
  int32_t *i32(std::string_view name) {
    return static_cast<int32_t *>(buffer(name));
  }

  /// Calls an entry point on the model's buffers.
  Error run(std::string_view entry);
  bool hasEntry(std::string_view entry) const {
    return entries_.count(std::string(entry));
  }

  /// Parameters and optimizer state, with the training step count.
  Error saveCheckpoint(const std::string &path, uint64_t step) const;
  /// Restores what saveCheckpoint wrote; returns the step count.
  Expected<uint64_t> loadCheckpoint(const std::string &path);

private:
  Model() = default;
  Manifest manifest_;
  std::shared_ptr<void> owner_;
  std::vector<void *> data_; // one 64-byte aligned allocation per buffer
  std::map<std::string, dlc_entry_fn> entries_;
};

} // namespace dlc::rt

#endif // DLC_RUNTIME_MODEL_H
