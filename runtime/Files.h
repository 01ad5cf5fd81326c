//===- Files.h - reading and writing files the way a user can trust -------===//
//
// Every file the runtime reads or writes goes through here, so the rules are
// the same everywhere: inputs must be regular files of bounded size (a FIFO
// or /dev/zero is an error, not a hang or an out-of-memory abort); outputs
// are written to a temporary file beside their real target and renamed over
// it, through symbolic links, never over something that is not a regular
// file.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_RUNTIME_FILES_H
#define DLC_RUNTIME_FILES_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace dlc::rt {

inline constexpr uint64_t kGiB = uint64_t(1) << 30;

/// Fails unless `path` names (after symbolic links) a regular file of at most
/// `maxBytes`. Messages start with the path: "x.ckpt: not a regular file".
Error checkInputFile(const std::string &path, uint64_t maxBytes);

/// The whole of a regular file of at most `maxBytes`.
Expected<std::string> readInputFile(const std::string &path, uint64_t maxBytes);

/// The file a write to `path` must replace: `path` itself, or the file a
/// symbolic link at `path` points to. Fails when that exists and is not a
/// regular file (a directory, a device, a FIFO).
/// `verb` completes "cannot ..." in messages ("write", "save").
Expected<std::string> outputTarget(const std::string &path,
                                   std::string_view verb = "write");

/// The temporary file beside `target` that this process writes before
/// renaming it over `target`. Temporary files of the same target left by
/// processes that no longer run (a kill -9 during a save) are removed.
std::string temporaryFor(const std::string &target);

/// Writes `bytes` to `path` atomically: a temporary file, fsync, rename. On
/// failure `path` is untouched and no temporary file remains.
Error writeFileAtomically(const std::string &path, std::string_view bytes,
                          std::string_view verb = "write");

} // namespace dlc::rt

#endif // DLC_RUNTIME_FILES_H
