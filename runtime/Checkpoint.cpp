//===- runtime/Checkpoint.cpp - Training checkpoints ----------------------===//

#include "runtime/Checkpoint.h"
#include "runtime/Files.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace dlc::rt {
namespace {

constexpr char kMagic[] = "DLCCKPT1";
constexpr size_t kMagicSize = 8;
// Magic, total size and trailing crc: the smallest well-formed prefix.
constexpr size_t kMinSize = kMagicSize + 8 + 4;
// Parameters and optimizer state of a model dlc can compile (2^28 elements
// per buffer) fit easily; anything larger is not a checkpoint of ours.
constexpr uint64_t kMaxCheckpointBytes = 64 * kGiB;

Error fail(std::string msg) { return Error::failure(std::move(msg)); }

uint32_t crcOf(const char *data, size_t size) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef *>(data), size));
}

/// Returns product(shape), or nothing for a negative dim or overflow.
std::optional<uint64_t> numElements(const std::vector<int64_t> &shape) {
  uint64_t n = 1;
  for (int64_t d : shape)
    if (d < 0 || __builtin_mul_overflow(n, uint64_t(d), &n))
      return std::nullopt;
  return n;
}

// The format is little-endian whatever the host: bytes are packed by hand.
void write32le(char *p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = char(v >> (8 * i));
}

void write64le(char *p, uint64_t v) {
  for (int i = 0; i < 8; ++i)
    p[i] = char(v >> (8 * i));
}

uint32_t read32le(const char *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= uint32_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

uint64_t read64le(const char *p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i)
    v |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

constexpr bool kLittleEndianHost = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;

void put32(std::string &out, uint32_t v) {
  char b[4];
  write32le(b, v);
  out.append(b, 4);
}

void put64(std::string &out, uint64_t v) {
  char b[8];
  write64le(b, v);
  out.append(b, 8);
}

/// Reads all of `path` into `bytes`; on failure returns why (strerror).
/// Bounds-checked little-endian reader over the checksummed payload; any
/// failure means the file is malformed.
class Reader {
public:
  Reader(const char *begin, const char *end) : p(begin), end(end) {}
  uint64_t remaining() const { return uint64_t(end - p); }
  bool u32(uint32_t &v) { return get(v, 4, read32le); }
  bool u64(uint64_t &v) { return get(v, 8, read64le); }
  bool bytes(std::string &s, uint64_t n) {
    if (remaining() < n)
      return false;
    s.assign(p, n);
    p += n;
    return true;
  }
  bool floats(std::vector<float> &v, uint64_t n) {
    if (remaining() / 4 < n)
      return false;
    v.resize(n);
    if constexpr (kLittleEndianHost) {
      if (n) // data() may be null when empty.
        std::memcpy(v.data(), p, n * 4);
    } else {
      for (uint64_t i = 0; i < n; ++i) {
        uint32_t bits = read32le(p + 4 * i);
        std::memcpy(&v[i], &bits, 4);
      }
    }
    p += n * 4;
    return true;
  }

private:
  template <typename T, typename F> bool get(T &v, size_t n, F read) {
    if (remaining() < n)
      return false;
    v = read(p);
    p += n;
    return true;
  }
  const char *p, *end;
};

std::string serialize(const Checkpoint &ckpt) {
  std::string out(kMagic, kMagicSize);
  put64(out, 0); // Total size, patched below.
  put32(out, uint32_t(ckpt.modelHash.size()));
  out += ckpt.modelHash;
  put64(out, ckpt.step);
  put64(out, ckpt.entries.size());
  for (const CheckpointEntry &e : ckpt.entries) {
    put32(out, uint32_t(e.name.size()));
    out += e.name;
    put32(out, uint32_t(e.shape.size()));
    for (int64_t d : e.shape)
      put64(out, uint64_t(d));
    size_t start = out.size();
    out.resize(start + 4 * e.data.size());
    for (size_t i = 0; i < e.data.size(); ++i) {
      uint32_t bits;
      std::memcpy(&bits, &e.data[i], 4);
      write32le(&out[start + 4 * i], bits);
    }
  }
  write64le(&out[kMagicSize], out.size() + 4);
  put32(out, crcOf(out.data(), out.size()));
  return out;
}

} // namespace

Error saveCheckpoint(const std::string &path, const Checkpoint &ckpt) {
  if (ckpt.modelHash.size() > UINT32_MAX)
    return fail(fmt::format("{}: cannot save: model hash too long", path));
  for (const CheckpointEntry &e : ckpt.entries) {
    std::optional<uint64_t> n = numElements(e.shape);
    if (e.name.size() > UINT32_MAX || e.shape.size() > UINT32_MAX)
      return fail(
          fmt::format("{}: cannot save: entry name or rank too large", path));
    if (!n || *n != e.data.size())
      return fail(fmt::format("{}: cannot save: entry '{}' has {} values but "
                              "shape [{}] needs {}",
                              path, e.name, e.data.size(),
                              fmt::join(e.shape, ", "),
                              n ? std::to_string(*n) : "an invalid count"));
  }
  std::string bytes = serialize(ckpt);

  return writeFileAtomically(path, bytes, "save");
}

Expected<Checkpoint> loadCheckpoint(const std::string &path) {
  auto bytes = readInputFile(path, kMaxCheckpointBytes);
  if (!bytes)
    return bytes.error();
  return parseCheckpoint(*bytes, path);
}

Expected<Checkpoint> parseCheckpoint(std::string_view buf,
                                     const std::string &p) {

  // A prefix of the magic is a truncated checkpoint, not a foreign file.
  if (buf.empty() || std::string_view(kMagic, kMagicSize)
                             .compare(0, std::min(buf.size(), kMagicSize),
                                      buf.substr(0, kMagicSize)) != 0)
    return fail(fmt::format("{}: not a dlc checkpoint (bad magic)", p));
  if (buf.size() < kMinSize)
    return fail(fmt::format("{}: truncated: {} bytes is too short for a "
                            "checkpoint header",
                            p, buf.size()));
  uint64_t declared = read64le(buf.data() + kMagicSize);
  if (buf.size() < declared)
    return fail(fmt::format("{}: truncated: expected {} bytes, got {}", p,
                            declared, buf.size()));
  if (buf.size() > declared)
    return fail(fmt::format("{}: corrupt (size mismatch: header says {} bytes, "
                            "file has {})",
                            p, declared, buf.size()));
  const char *crcPos = buf.data() + buf.size() - 4;
  if (crcOf(buf.data(), buf.size() - 4) != read32le(crcPos))
    return fail(fmt::format("{}: corrupt (checksum mismatch)", p));

  // The checksum matched, so malformed structure means a buggy or hostile
  // writer; still never trust a size beyond the bytes actually present.
  auto malformed = [&](const std::string &what) {
    return fail(fmt::format("{}: malformed checkpoint: {}", p, what));
  };
  Reader r(buf.data() + kMagicSize + 8, crcPos);
  Checkpoint ckpt;
  uint32_t len;
  uint64_t numEntries;
  if (!r.u32(len) || !r.bytes(ckpt.modelHash, len) || !r.u64(ckpt.step) ||
      !r.u64(numEntries))
    return malformed("header overruns the file");
  // Each entry takes at least 8 bytes (name length and rank).
  if (numEntries > r.remaining() / 8)
    return malformed(fmt::format("{} entries cannot fit in {} bytes",
                                 numEntries, r.remaining()));
  ckpt.entries.resize(numEntries);
  for (uint64_t i = 0; i < numEntries; ++i) {
    CheckpointEntry &e = ckpt.entries[i];
    uint32_t rank;
    if (!r.u32(len) || !r.bytes(e.name, len) || !r.u32(rank) ||
        rank > r.remaining() / 8)
      return malformed(fmt::format("entry {} overruns the file", i));
    e.shape.resize(rank);
    for (int64_t &d : e.shape) {
      uint64_t v = 0;
      r.u64(v); // Cannot fail: rank was checked above.
      d = int64_t(v);
    }
    std::optional<uint64_t> n = numElements(e.shape);
    if (!n)
      return malformed(fmt::format("entry '{}' has an invalid shape", e.name));
    if (!r.floats(e.data, *n))
      return malformed(
          fmt::format("entry '{}' data overruns the file", e.name));
  }
  if (r.remaining() != 0)
    return malformed(
        fmt::format("{} unexpected bytes after the last entry", r.remaining()));
  return ckpt;
}

} // namespace dlc::rt
