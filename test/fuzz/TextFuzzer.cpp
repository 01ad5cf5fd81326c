//===- TextFuzzer.cpp - bytes through the text data reader ----------------===//
//
// Input: one flags byte (bit 0: gzip the rest, bit 1: leave the text's last
// byte out of the vocabulary), then the text file. It is read with
// readTextBytes and, against a vocabulary, with readText.
//
//===----------------------------------------------------------------------===//

#include "runtime/Data.h"
#include "test/fuzz/FuzzFiles.h"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  unsigned flags = data[0];
  std::string text(reinterpret_cast<const char *>(data) + 1, size - 1);
  std::string path = dlc::fuzz::writeScratch(
      "fuzz.txt", flags & 1 ? dlc::fuzz::gzip(text) : text);
  auto bytes = dlc::rt::readTextBytes(path);
  if (!bytes)
    return 0;
  std::string vocab = dlc::rt::vocabularyOf(*bytes);
  if ((flags & 2) && !bytes->empty())
    vocab.erase(vocab.find(bytes->back()), 1);
  (void)dlc::rt::readText(path, vocab);
  return 0;
}
