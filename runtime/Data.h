//===- runtime/Data.h - Dataset loading and shuffling -----------*- C++ -*-===//
//
// Readers for the gzipped IDX files of (Fashion-)MNIST and deterministic
// per-epoch shuffling for training loops.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_DATA_H
#define DLC_RUNTIME_DATA_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::rt {

struct ImageDataset {
  int64_t count = 0, rows = 0, cols = 0;
  /// count * rows * cols values, pixel / 255 in [0, 1], row-major.
  std::vector<float> images;
  /// count values, each in [0, 9].
  std::vector<int32_t> labels;
};

/// Reads <dir>/<prefix>-images-idx3-ubyte.gz and
/// <dir>/<prefix>-labels-idx1-ubyte.gz (prefix "train" or "t10k"). Checks
/// magic numbers, image/label count agreement, label range, truncation and
/// gzip integrity (the whole stream is read so its CRC is verified). Data
/// after the last record is ignored.
Expected<ImageDataset> readIdxDataset(std::string_view dir,
                                      std::string_view prefix);

/// A text as ids into a character (byte) vocabulary.
struct TextDataset {
  std::string vocab;        // id -> byte
  std::vector<int32_t> ids; // the text, one id per byte
};

/// The bytes of a text file, plain or gzipped (decompressed, its CRC
/// checked), at most 2 GiB; only regular files are read.
Expected<std::string> readTextBytes(const std::string &path);

/// The distinct bytes of `text`, sorted: a text model's vocabulary.
std::string vocabularyOf(std::string_view text);

/// Reads a text file (a plain or gzipped byte stream) and maps each byte to
/// its index in `vocab`; a byte outside `vocab` is an error (the model was
/// compiled for another text).
Expected<TextDataset> readText(const std::string &path, std::string_view vocab);

/// A permutation of [0, n) that depends only on (seed, epoch): std::mt19937_64
/// seeded with seed * 1000003 + epoch drives a hand-written Fisher-Yates with
/// unbiased rejection sampling. std::shuffle and std::uniform_int_distribution
/// are implementation-defined, so they are avoided to keep runs reproducible
/// across standard libraries. Returns an empty vector for n <= 0.
std::vector<int64_t> shuffledIndices(int64_t n, uint64_t seed, int64_t epoch);

} // namespace dlc::rt

#endif // DLC_RUNTIME_DATA_H
