//===- FuzzFiles.h - fuzz inputs as files for the file readers ------------===//
//
// The runtime's readers take paths (they check that a path names a regular
// file of bounded size), so the fuzz targets for them write each input to a
// file in one private temporary directory, on /dev/shm when it exists.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_TEST_FUZZ_FUZZFILES_H
#define DLC_TEST_FUZZ_FUZZFILES_H

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>

namespace dlc::fuzz {

/// The process's temporary directory, created on first use and removed with
/// its files at exit.
inline const std::string &scratchDir() {
  struct Dir {
    std::string path;
    Dir() {
      path = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
      path += "/dlc-fuzz-XXXXXX";
      if (!mkdtemp(path.data()))
        std::abort();
    }
    ~Dir() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
  };
  static const Dir dir;
  return dir.path;
}

/// Writes `bytes` to `name` in the scratch directory and returns its path.
inline std::string writeScratch(const std::string &name,
                                std::string_view bytes) {
  std::string path = scratchDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), std::streamsize(bytes.size()));
  if (!out)
    std::abort();
  return path;
}

/// `bytes` as a gzip stream, so that fuzzing reaches the readers' parsing
/// behind the gzip layer (a random mutation rarely keeps a valid CRC).
inline std::string gzip(std::string_view bytes) {
  z_stream z{};
  if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    std::abort();
  std::string out(deflateBound(&z, bytes.size()), '\0');
  z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.data()));
  z.avail_in = uInt(bytes.size());
  z.next_out = reinterpret_cast<Bytef *>(out.data());
  z.avail_out = uInt(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END)
    std::abort();
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

} // namespace dlc::fuzz

#endif // DLC_TEST_FUZZ_FUZZFILES_H
