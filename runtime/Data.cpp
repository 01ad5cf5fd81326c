//===- runtime/Data.cpp - Dataset loading and shuffling -------------------===//

#include "runtime/Data.h"
#include "runtime/Files.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <sys/stat.h>

namespace dlc::rt {
namespace {

Error fail(std::string msg) { return Error::failure(std::move(msg)); }

/// Compressed (or plain text) data files: larger than any data set the
/// runtime can hold in memory anyway.
constexpr uint64_t kMaxDataBytes = 8 * kGiB;

/// a * b, or UINT64_MAX when that overflows.
uint64_t saturatingMultiply(uint64_t a, uint64_t b) {
  uint64_t product;
  return __builtin_mul_overflow(a, b, &product) ? UINT64_MAX : product;
}

uint32_t readBE32(const unsigned char *p) {
  return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 |
         uint32_t(p[3]);
}

/// Owns a gzFile and turns short reads and zlib failures into errors that
/// name the file.
class GzReader {
public:
  GzReader() = default;
  GzReader(const GzReader &) = delete;
  GzReader &operator=(const GzReader &) = delete;
  ~GzReader() {
    if (file)
      gzclose(file);
  }

  const std::string &path() const { return filePath; }

  Error open(std::string path, uint64_t maxBytes) {
    filePath = std::move(path);
    if (Error e = checkInputFile(filePath, maxBytes); e.failed())
      return e;
    errno = 0;
    file = gzopen(filePath.c_str(), "rb");
    if (!file)
      return fail(fmt::format("{}: cannot open: {}", filePath,
                              errno ? std::strerror(errno) : "out of memory"));
    gzbuffer(file, 1 << 17);
    return Error::success();
  }

  /// Reads exactly \p n bytes of \p what (e.g. "pixels").
  Error read(void *buf, size_t n, const char *what) {
    size_t got = 0;
    while (got < n) {
      unsigned chunk =
          static_cast<unsigned>(std::min<size_t>(n - got, 1 << 30));
      int r = gzread(file, static_cast<char *>(buf) + got, chunk);
      if (r < 0)
        return corrupt();
      if (r == 0) {
        // Z_BUF_ERROR here means the gzip stream itself was cut short.
        int err;
        std::string why = zlibMessage(&err);
        return fail(fmt::format(
            "{}: truncated: expected {} bytes of {}, got {}{}", filePath, n,
            what, got, err == Z_OK ? "" : " (" + why + ")"));
      }
      got += static_cast<size_t>(r);
    }
    return Error::success();
  }

  /// Reads up to \p n bytes; 0 at the end of the stream.
  Expected<size_t> readSome(void *buf, unsigned n) {
    int r = gzread(file, buf, n);
    if (r < 0)
      return corrupt();
    return static_cast<size_t>(r);
  }

  /// Drains the rest of the stream so that the gzip CRC trailer is checked;
  /// extra data after the records is ignored.
  Error finish() {
    char buf[1 << 14];
    int r;
    while ((r = gzread(file, buf, sizeof buf)) > 0) {
    }
    if (r < 0)
      return corrupt();
    int err;
    std::string why = zlibMessage(&err);
    if (err != Z_OK)
      return fail(fmt::format("{}: truncated gzip stream: {}", filePath, why));
    return Error::success();
  }

private:
  Error corrupt() {
    int err;
    std::string why = zlibMessage(&err);
    return fail(fmt::format("{}: corrupt gzip data: {}", filePath, why));
  }

  /// gzerror() prefixes its text with "<path>: "; drop that, the caller's
  /// message already names the file.
  std::string zlibMessage(int *err) {
    std::string msg = gzerror(file, err);
    std::string prefix = filePath + ": ";
    if (msg.compare(0, prefix.size(), prefix) == 0)
      msg.erase(0, prefix.size());
    return msg;
  }

  gzFile file = nullptr;
  std::string filePath;
};

/// A corrupt header could claim billions of records; reject counts that the
/// compressed file cannot possibly hold (deflate expands at most ~1032:1)
/// before allocating.
Error checkPlausibleSize(const std::string &path, uint64_t bytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return Error::success(); // The read itself will report any problem.
  uint64_t fileSize = uint64_t(st.st_size);
  uint64_t limit = saturatingMultiply(fileSize, 1032) + 4096;
  if (bytes > limit)
    return fail(fmt::format("{}: header claims {} bytes of data, impossible "
                            "for a {}-byte compressed file",
                            path, bytes, fileSize));
  return Error::success();
}

} // namespace

Expected<ImageDataset> readIdxDataset(std::string_view dir,
                                      std::string_view prefix) {
  GzReader images, labels;
  if (Error e =
          images.open(fmt::format("{}/{}-images-idx3-ubyte.gz", dir, prefix),
                      kMaxDataBytes);
      e.failed())
    return e;
  if (Error e =
          labels.open(fmt::format("{}/{}-labels-idx1-ubyte.gz", dir, prefix),
                      kMaxDataBytes);
      e.failed())
    return e;

  // Headers are big-endian u32s: magic, count[, rows, cols].
  unsigned char imageHeader[16], labelHeader[8];
  if (Error e = images.read(imageHeader, sizeof imageHeader, "header");
      e.failed())
    return e;
  if (uint32_t magic = readBE32(imageHeader); magic != 0x803)
    return fail(fmt::format("{}: bad magic 0x{:08x} (expected 0x00000803 for "
                            "an IDX image file)",
                            images.path(), magic));
  if (Error e = labels.read(labelHeader, sizeof labelHeader, "header");
      e.failed())
    return e;
  if (uint32_t magic = readBE32(labelHeader); magic != 0x801)
    return fail(fmt::format("{}: bad magic 0x{:08x} (expected 0x00000801 for "
                            "an IDX label file)",
                            labels.path(), magic));

  ImageDataset ds;
  ds.count = readBE32(imageHeader + 4);
  ds.rows = readBE32(imageHeader + 8);
  ds.cols = readBE32(imageHeader + 12);
  int64_t labelCount = readBE32(labelHeader + 4);
  if (ds.rows == 0 || ds.cols == 0)
    return fail(fmt::format("{}: bad image size {}x{}", images.path(), ds.rows,
                            ds.cols));
  if (labelCount != ds.count)
    return fail(fmt::format("{}: count mismatch: {} images but {} labels in {}",
                            images.path(), ds.count, labelCount,
                            labels.path()));

  uint64_t numPixels = saturatingMultiply(
      uint64_t(ds.count), uint64_t(ds.rows) * uint64_t(ds.cols));
  if (Error e = checkPlausibleSize(images.path(), numPixels); e.failed())
    return e;
  if (Error e = checkPlausibleSize(labels.path(), uint64_t(ds.count));
      e.failed())
    return e;

  std::vector<uint8_t> bytes(numPixels);
  if (Error e = images.read(bytes.data(), bytes.size(), "pixels"); e.failed())
    return e;
  if (Error e = images.finish(); e.failed())
    return e;
  ds.images.resize(numPixels);
  for (size_t i = 0; i < numPixels; ++i)
    ds.images[i] = float(bytes[i]) / 255.0f;

  bytes.resize(ds.count);
  if (Error e = labels.read(bytes.data(), bytes.size(), "labels"); e.failed())
    return e;
  if (Error e = labels.finish(); e.failed())
    return e;
  ds.labels.resize(ds.count);
  for (int64_t i = 0; i < ds.count; ++i) {
    if (bytes[i] > 9)
      return fail(fmt::format("{}: label {} at index {} is out of range 0..9",
                              labels.path(), bytes[i], i));
    ds.labels[i] = bytes[i];
  }
  return ds;
}

Expected<std::string> readTextBytes(const std::string &path) {
  GzReader reader; // reads plain files too (gzip's transparent mode)
  if (Error e = reader.open(path, kMaxDataBytes); e.failed())
    return e;
  std::string text;
  std::string chunk(1 << 16, '\0');
  for (;;) {
    auto n = reader.readSome(chunk.data(), chunk.size());
    if (!n)
      return n.error();
    if (*n == 0)
      break;
    text.append(chunk.data(), *n);
    if (text.size() > (size_t(1) << 31))
      return fail(fmt::format("{}: larger than 2 GiB", path));
  }
  // A gzip stream cut before its trailer reads as a short text: check that
  // the stream ended where gzip says it ends.
  if (Error e = reader.finish(); e.failed())
    return e;
  return text;
}

std::string vocabularyOf(std::string_view text) {
  std::array<bool, 256> seen{};
  for (unsigned char c : text)
    seen[c] = true;
  std::string vocab;
  for (int c = 0; c < 256; ++c)
    if (seen[c])
      vocab.push_back(static_cast<char>(c));
  return vocab;
}

Expected<TextDataset> readText(const std::string &path,
                               std::string_view vocab) {
  auto text = readTextBytes(path);
  if (!text)
    return text.error();
  TextDataset data;
  data.vocab = std::string(vocab);
  std::array<int32_t, 256> idOf;
  idOf.fill(-1);
  for (size_t i = 0; i < vocab.size(); ++i)
    idOf[static_cast<unsigned char>(vocab[i])] = static_cast<int32_t>(i);
  data.ids.reserve(text->size());
  for (unsigned char c : *text) {
    if (idOf[c] < 0)
      return fail(fmt::format("{}: byte {:#04x} at offset {} is not in the "
                              "model's vocabulary: the model was compiled "
                              "for another text",
                              path, c, data.ids.size()));
    data.ids.push_back(idOf[c]);
  }
  if (data.ids.size() < 2)
    return fail(fmt::format("{}: no text to learn from", path));
  return data;
}

std::vector<int64_t> shuffledIndices(int64_t n, uint64_t seed, int64_t epoch) {
  if (n <= 0)
    return {};
  std::vector<int64_t> idx(n);
  std::iota(idx.begin(), idx.end(), int64_t(0));
  std::mt19937_64 rng(seed * 1000003u + static_cast<uint64_t>(epoch));
  for (int64_t i = n - 1; i > 0; --i) {
    uint64_t range = uint64_t(i) + 1;
    // Rejecting the lowest 2^64 mod range outputs makes r % range unbiased.
    uint64_t threshold = (0 - range) % range;
    uint64_t r;
    do
      r = rng();
    while (r < threshold);
    std::swap(idx[i], idx[r % range]);
  }
  return idx;
}

} // namespace dlc::rt
