//===- Init.h - seeded parameter initialization ---------------------------===//
#ifndef DLC_RUNTIME_INIT_H
#define DLC_RUNTIME_INIT_H

#include "runtime/Manifest.h"

#include <string_view>

namespace dlc::rt {

/// Fills `data` per `spec.init`: zeros, he (normal, std sqrt(2 / fan_in)),
/// glorot (uniform, limit sqrt(6 / (fan_in + fan_out))), normal:<std>,
/// uniform:<limit>. fan_in is the first dimension, fan_out the last, except
/// for [F, C, KH, KW] filters: C*KH*KW and F*KH*KW. The
/// random stream depends on the seed and the buffer's name only, and uses no
/// implementation-defined distribution, so results match across platforms.
void initializeBuffer(const BufferSpec &spec, uint64_t seed, float *data);

/// Whether `init` names an initializer initializeBuffer knows.
bool isKnownInitializer(std::string_view init);

} // namespace dlc::rt

#endif // DLC_RUNTIME_INIT_H
