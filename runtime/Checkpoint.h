//===- runtime/Checkpoint.h - Training checkpoints --------------*- C++ -*-===//
//
// Saving and loading of model parameters and optimizer state.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_CHECKPOINT_H
#define DLC_RUNTIME_CHECKPOINT_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::rt {

struct CheckpointEntry {
  std::string name;
  std::vector<int64_t> shape;
  std::vector<float> data; // product(shape) values, row-major
};

struct Checkpoint {
  std::string modelHash; // identifies the model the checkpoint belongs to
  uint64_t step = 0;     // training steps done
  std::vector<CheckpointEntry> entries; // parameters and optimizer state
};

/// Format (all integers little-endian):
///   "DLCCKPT1", u64 total file size, u32 hash length, hash, u64 step,
///   u64 entry count, then per entry: u32 name length, name, u32 rank,
///   rank x i64 dims, product(dims) x f32; finally u32 zlib crc32 of all
///   preceding bytes.
/// The file is written to "<path>.tmp.<pid>", synced, and renamed over
/// \p path, so a crash or error never leaves a partial checkpoint and an
/// existing \p path is only replaced by a complete new one.
Error saveCheckpoint(const std::string &path, const Checkpoint &ckpt);

/// Validates magic, size, checksum and structure before trusting any size
/// read from the file.
Expected<Checkpoint> loadCheckpoint(const std::string &path);

/// loadCheckpoint on bytes already read; messages start with \p name. The
/// fuzz target calls this directly.
Expected<Checkpoint> parseCheckpoint(std::string_view bytes,
                                     const std::string &name);

} // namespace dlc::rt

#endif // DLC_RUNTIME_CHECKPOINT_H
