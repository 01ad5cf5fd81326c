//===- ManifestFuzzer.cpp - text through the manifest parser --------------===//
//
// The input is a manifest's text (runtime/dlc_abi.h), as a compiled model
// hands it to the runtime. A manifest that parses must serialize to text that
// parses again to the same serialization: the runtime and the compiler share
// this one format.
//
//===----------------------------------------------------------------------===//

#include "runtime/Manifest.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto manifest = dlc::rt::Manifest::parse(text);
  if (!manifest)
    return 0;
  std::string once = manifest->serialize();
  auto again = dlc::rt::Manifest::parse(once);
  if (!again || again->serialize() != once)
    std::abort();
  return 0;
}
