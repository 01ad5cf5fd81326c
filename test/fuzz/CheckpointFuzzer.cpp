//===- CheckpointFuzzer.cpp - bytes through the checkpoint reader ---------===//
//
// The first byte selects a mode, the rest is the file. In mode 1 the header's
// size field and the trailing CRC are made consistent first, so mutations
// reach the structure parser behind the checksum; in mode 0 the bytes are
// read as they are.
//
//===----------------------------------------------------------------------===//

#include "runtime/Checkpoint.h"

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace {
void putLE(std::string &buf, size_t at, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i)
    buf[at + i] = char((v >> (8 * i)) & 0xff);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  std::string bytes(reinterpret_cast<const char *>(data) + 1, size - 1);
  // "DLCCKPT1", u64 size, ..., u32 crc32: at least 20 bytes.
  if ((data[0] & 1) && bytes.size() >= 20) {
    putLE(bytes, 8, bytes.size(), 8);
    uint32_t crc =
        uint32_t(crc32(0, reinterpret_cast<const Bytef *>(bytes.data()),
                       uInt(bytes.size() - 4)));
    putLE(bytes, bytes.size() - 4, crc, 4);
  }
  (void)dlc::rt::parseCheckpoint(bytes, "fuzz.ckpt");
  return 0;
}
