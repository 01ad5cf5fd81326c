//===- runtime/Checkpoint.cpp - Training checkpoints ----------------------===//

#include "runtime/Checkpoint.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/MemoryBuffer.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <unistd.h>

namespace dlc::rt {
namespace {

namespace endian = llvm::support::endian;

constexpr char kMagic[] = "DLCCKPT1";
constexpr size_t kMagicSize = 8;
// Magic, total size and trailing crc: the smallest well-formed prefix.
constexpr size_t kMinSize = kMagicSize + 8 + 4;

llvm::Error fail(const std::string &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

uint32_t crcOf(const char *data, size_t size) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef *>(data), size));
}

/// Returns product(shape), or nothing for a negative dim or overflow.
std::optional<uint64_t> numElements(llvm::ArrayRef<int64_t> shape) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d != 0 && n > UINT64_MAX / uint64_t(d)))
      return std::nullopt;
    n *= uint64_t(d);
  }
  return n;
}

void put32(std::string &out, uint32_t v) {
  char b[4];
  endian::write32le(b, v);
  out.append(b, 4);
}

void put64(std::string &out, uint64_t v) {
  char b[8];
  endian::write64le(b, v);
  out.append(b, 8);
}

/// Bounds-checked little-endian reader over the checksummed payload; any
/// failure means the file is malformed.
class Reader {
public:
  Reader(const char *begin, const char *end) : p(begin), end(end) {}
  uint64_t remaining() const { return uint64_t(end - p); }
  bool u32(uint32_t &v) { return get(v, 4, endian::read32le); }
  bool u64(uint64_t &v) { return get(v, 8, endian::read64le); }
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
    if constexpr (llvm::sys::IsLittleEndianHost) {
      if (n) // data() may be null when empty.
        std::memcpy(v.data(), p, n * 4);
    } else {
      for (uint64_t i = 0; i < n; ++i) {
        uint32_t bits = endian::read32le(p + 4 * i);
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
      endian::write32le(&out[start + 4 * i], bits);
    }
  }
  endian::write64le(&out[kMagicSize], out.size() + 4);
  put32(out, crcOf(out.data(), out.size()));
  return out;
}

} // namespace

llvm::Error saveCheckpoint(llvm::StringRef path, const Checkpoint &ckpt) {
  if (ckpt.modelHash.size() > UINT32_MAX)
    return fail(
        fmt::format("{}: cannot save: model hash too long", path.str()));
  for (const CheckpointEntry &e : ckpt.entries) {
    std::optional<uint64_t> n = numElements(e.shape);
    if (e.name.size() > UINT32_MAX || e.shape.size() > UINT32_MAX)
      return fail(fmt::format("{}: cannot save: entry name or rank too large",
                              path.str()));
    if (!n || *n != e.data.size())
      return fail(fmt::format("{}: cannot save: entry '{}' has {} values but "
                              "shape [{}] needs {}",
                              path.str(), e.name, e.data.size(),
                              fmt::join(e.shape, ", "),
                              n ? std::to_string(*n) : "an invalid count"));
  }
  std::string bytes = serialize(ckpt);

  std::string tmp = fmt::format("{}.tmp.{}", path.str(), ::getpid());
  std::FILE *f = std::fopen(tmp.c_str(), "wb");
  if (!f)
    return fail(fmt::format("{}: cannot save: cannot create {}: {}", path.str(),
                            tmp, std::strerror(errno)));
  const char *failedOp = nullptr;
  if (std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size())
    failedOp = "write";
  else if (std::fflush(f) != 0)
    failedOp = "flush";
  else if (::fsync(::fileno(f)) != 0)
    failedOp = "fsync";
  int err = errno;
  if (std::fclose(f) != 0 && !failedOp) {
    failedOp = "close";
    err = errno;
  }
  if (!failedOp && std::rename(tmp.c_str(), path.str().c_str()) != 0) {
    failedOp = "rename";
    err = errno;
  }
  if (failedOp) {
    std::remove(tmp.c_str());
    return fail(fmt::format("{}: cannot save: {} of {} failed: {}", path.str(),
                            failedOp, tmp, std::strerror(err)));
  }
  return llvm::Error::success();
}

llvm::Expected<Checkpoint> loadCheckpoint(llvm::StringRef path) {
  std::string p = path.str();
  auto bufOrErr = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                              /*RequiresNullTerminator=*/false);
  if (!bufOrErr)
    return fail(
        fmt::format("{}: cannot open: {}", p, bufOrErr.getError().message()));
  llvm::StringRef buf = (*bufOrErr)->getBuffer();

  if (buf.empty() || !llvm::StringRef(kMagic, kMagicSize)
                          .starts_with(buf.take_front(kMagicSize)))
    return fail(fmt::format("{}: not a dlc checkpoint (bad magic)", p));
  if (buf.size() < kMinSize)
    return fail(fmt::format("{}: truncated: {} bytes is too short for a "
                            "checkpoint header",
                            p, buf.size()));
  uint64_t declared = endian::read64le(buf.data() + kMagicSize);
  if (buf.size() < declared)
    return fail(fmt::format("{}: truncated: expected {} bytes, got {}", p,
                            declared, buf.size()));
  if (buf.size() > declared)
    return fail(fmt::format("{}: corrupt (size mismatch: header says {} bytes, "
                            "file has {})",
                            p, declared, buf.size()));
  const char *crcPos = buf.end() - 4;
  if (crcOf(buf.data(), buf.size() - 4) != endian::read32le(crcPos))
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
