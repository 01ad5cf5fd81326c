//===- Manifest.h - what a compiled model needs from its host -------------===//
//
// The manifest is written by the compiler into every compiled model (see
// runtime/dlc_abi.h for the text format) and read back by the runtime, so a
// host needs nothing but the compiled code to drive a model.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_RUNTIME_MANIFEST_H
#define DLC_RUNTIME_MANIFEST_H

#include "runtime/Status.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace dlc::rt {

enum class BufferKind { Param, State, Input, Output };
enum class DType { F32, I32 };

struct BufferSpec {
  std::string name;
  BufferKind kind = BufferKind::Param;
  DType dtype = DType::F32;
  std::vector<int64_t> shape; // empty: a scalar
  std::string init;           // params and state: zeros, he, glorot, ...
  int64_t numElements() const;
  int64_t byteSize() const { return numElements() * 4; }
};

struct Manifest {
  unsigned abiVersion = 0;
  std::string model;
  std::string sourceHash;
  std::vector<BufferSpec> buffers;
  /// Entry name -> indices into `buffers`, in argument order.
  std::map<std::string, std::vector<size_t>> entries;
  /// Training set-up from the .net file: data, loss, epochs, batch, seed, ...
  std::map<std::string, std::string> train;

  const BufferSpec *find(std::string_view name) const;
  std::string serialize() const;
  static Expected<Manifest> parse(std::string_view text);
};

const char *toString(BufferKind kind);
const char *toString(DType dtype);

} // namespace dlc::rt

#endif // DLC_RUNTIME_MANIFEST_H
