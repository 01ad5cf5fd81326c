//===- IdxFuzzer.cpp - bytes through the IDX (Fashion-MNIST) reader -------===//
//
// Input: one flags byte (bit 0: gzip the image file, bit 1: gzip the label
// file; otherwise they are written as they are, which gzread reads as plain
// data), a little-endian u16 length of the image file, the image file, then
// the label file. Both go to a scratch directory read by readIdxDataset.
//
//===----------------------------------------------------------------------===//

#include "runtime/Data.h"
#include "test/fuzz/FuzzFiles.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size < 3)
    return 0;
  unsigned flags = data[0];
  size_t imageSize = std::min<size_t>(data[1] | size_t(data[2]) << 8, size - 3);
  std::string_view rest(reinterpret_cast<const char *>(data) + 3, size - 3);
  std::string images(rest.substr(0, imageSize));
  std::string labels(rest.substr(imageSize));
  using dlc::fuzz::gzip;
  dlc::fuzz::writeScratch("fuzz-images-idx3-ubyte.gz",
                          flags & 1 ? gzip(images) : images);
  dlc::fuzz::writeScratch("fuzz-labels-idx1-ubyte.gz",
                          flags & 2 ? gzip(labels) : labels);
  (void)dlc::rt::readIdxDataset(dlc::fuzz::scratchDir(), "fuzz");
  return 0;
}
