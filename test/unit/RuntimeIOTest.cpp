//===- test/unit/RuntimeIOTest.cpp - Dataset/checkpoint/progress I/O ------===//

#include "runtime/Checkpoint.h"
#include "runtime/Data.h"
#include "runtime/Parse.h"
#include "runtime/Progress.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace dlc::rt;
namespace fs = std::filesystem;

namespace {

class TempDir {
public:
  TempDir() {
    std::string pattern =
        (fs::temp_directory_path() / "dlc-rtio-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      ADD_FAILURE() << "cannot create temp dir";
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string &name) const { return path + "/" + name; }
  /// Names in the directory containing ".tmp." (leftover temp files).
  std::vector<std::string> tempFiles() const {
    std::vector<std::string> out;
    for (const auto &e : fs::directory_iterator(path))
      if (e.path().filename().string().find(".tmp.") != std::string::npos)
        out.push_back(e.path().string());
    return out;
  }
  std::string path;
};

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

void writeGz(const std::string &path, const std::string &bytes) {
  gzFile f = gzopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, bytes.data(), unsigned(bytes.size())),
            int(bytes.size()));
  ASSERT_EQ(gzclose(f), Z_OK);
}

std::string readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void writeFile(const std::string &path, const std::string &bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string errorOf(const Error &e) { return e.message(); }
template <typename T> std::string errorOf(const Expected<T> &e) {
  return e.message();
}

struct IdxFiles {
  std::string imagesPath, labelsPath;
};

/// Writes <prefix>-{images,labels} files; the counts in the headers are
/// given separately from the data so tests can make them disagree.
IdxFiles writeIdx(const TempDir &dir, uint32_t imageCount, uint32_t rows,
                  uint32_t cols, const std::string &pixels, uint32_t labelCount,
                  const std::string &labels, uint32_t imageMagic = 0x803) {
  IdxFiles f{dir.file("train-images-idx3-ubyte.gz"),
             dir.file("train-labels-idx1-ubyte.gz")};
  writeGz(f.imagesPath, be32(imageMagic) + be32(imageCount) + be32(rows) +
                            be32(cols) + pixels);
  writeGz(f.labelsPath, be32(0x801) + be32(labelCount) + labels);
  return f;
}

/// Deterministic, moderately compressible bytes (so deflate emits Huffman
/// blocks whose corruption zlib notices).
std::string pseudoPixels(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 12345;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = char((x >> 16) % 16 * 16);
  }
  return s;
}

bool contains(const std::string &s, const std::string &part) {
  return s.find(part) != std::string::npos;
}

} // namespace

//===----------------------------------------------------------------------===//
// IDX datasets
//===----------------------------------------------------------------------===//

TEST(IdxDataset, ReadsNormalizedPixelsAndLabels) {
  TempDir dir;
  std::string pixels = {0,         char(255), 51, 1, 2, 3, //
                        4,         5,         6,  7, 8, 9, //
                        char(128), 0,         0,  0, 0, char(254)};
  // Trailing bytes after the records are ignored.
  writeIdx(dir, 3, 2, 3, pixels + "junk", 3, std::string{0, 9, 5} + "xx");
  auto ds = readIdxDataset(dir.path, "train");
  ASSERT_TRUE(ds.ok()) << ds.message();
  EXPECT_EQ(ds->count, 3);
  EXPECT_EQ(ds->rows, 2);
  EXPECT_EQ(ds->cols, 3);
  ASSERT_EQ(ds->images.size(), 18u);
  for (size_t i = 0; i < pixels.size(); ++i)
    EXPECT_EQ(ds->images[i], float(uint8_t(pixels[i])) / 255.0f) << i;
  EXPECT_EQ(ds->images[1], 1.0f);
  EXPECT_EQ(ds->images[0], 0.0f);
  EXPECT_EQ(ds->labels, (std::vector<int32_t>{0, 9, 5}));
}

TEST(IdxDataset, MissingFile) {
  TempDir dir;
  std::string err = errorOf(readIdxDataset(dir.path, "t10k"));
  EXPECT_TRUE(contains(err, dir.file("t10k-images-idx3-ubyte.gz"))) << err;
  EXPECT_TRUE(contains(err, "cannot open")) << err;
}

TEST(IdxDataset, BadMagic) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 1, 1, 1, "a", 1, "\x01", /*imageMagic=*/0);
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.imagesPath)) << err;
  EXPECT_TRUE(contains(err, "bad magic 0x00000000 (expected 0x00000803"))
      << err;
}

TEST(IdxDataset, LabelFileWithImageMagic) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 1, 1, 1, "a", 1, "\x01");
  writeGz(f.labelsPath, be32(0x803) + be32(1) + "\x01");
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.labelsPath)) << err;
  EXPECT_TRUE(contains(err, "bad magic 0x00000803 (expected 0x00000801"))
      << err;
}

TEST(IdxDataset, TruncatedPixels) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 3, 2, 3, std::string(12, 'a'), 3, "\x01\x02\x03");
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.imagesPath)) << err;
  EXPECT_TRUE(contains(err, "truncated: expected 18 bytes of pixels, got 12"))
      << err;
}

TEST(IdxDataset, TruncatedLabels) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 3, 1, 1, "abc", 3, "\x01");
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.labelsPath)) << err;
  EXPECT_TRUE(contains(err, "truncated: expected 3 bytes of labels, got 1"))
      << err;
}

TEST(IdxDataset, CountMismatch) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 3, 1, 1, "abc", 2, "\x01\x02");
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.imagesPath)) << err;
  EXPECT_TRUE(contains(err, "count mismatch: 3 images but 2 labels")) << err;
}

TEST(IdxDataset, LabelOutOfRange) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 2, 1, 1, "ab", 2, "\x01\x0a");
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.labelsPath)) << err;
  EXPECT_TRUE(contains(err, "label 10 at index 1 is out of range 0..9")) << err;
}

TEST(IdxDataset, AbsurdHeaderCountIsRejectedBeforeAllocating) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 0xffffffff, 0xffff, 0xffff, "", 0xffffffff, "");
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.imagesPath)) << err;
  EXPECT_TRUE(contains(err, "impossible")) << err;
}

TEST(IdxDataset, CorruptGzip) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 100, 28, 28, pseudoPixels(100 * 28 * 28), 100,
                        std::string(100, '\x03'));
  const std::string good = readFile(f.imagesPath);
  // Damage the first deflate block header (invalid block type, noticed
  // mid-read), or bytes in the middle (noticed at the latest by the CRC).
  std::string badHeader = good, badMiddle = good;
  badHeader[10] = char(0xff);
  for (size_t i = good.size() / 2; i < good.size() / 2 + 8; ++i)
    badMiddle[i] = char(~badMiddle[i]);
  for (const std::string &gz : {badHeader, badMiddle}) {
    writeFile(f.imagesPath, gz);
    std::string err = errorOf(readIdxDataset(dir.path, "train"));
    EXPECT_TRUE(contains(err, f.imagesPath + ": corrupt gzip data: ")) << err;
  }
}

TEST(IdxDataset, CorruptGzipChecksumOnly) {
  // Damage only the gzip CRC trailer: every byte decodes, but the stream is
  // still corrupt.
  TempDir dir;
  IdxFiles f = writeIdx(dir, 2, 1, 1, "ab", 2, "\x01\x02");
  std::string gz = readFile(f.labelsPath);
  gz[gz.size() - 8] ^= 1;
  writeFile(f.labelsPath, gz);
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.labelsPath + ": corrupt gzip data: ")) << err;
}

TEST(IdxDataset, TruncatedGzipStream) {
  TempDir dir;
  IdxFiles f = writeIdx(dir, 100, 28, 28, pseudoPixels(100 * 28 * 28), 100,
                        std::string(100, '\x03'));
  std::string gz = readFile(f.imagesPath);
  writeFile(f.imagesPath, gz.substr(0, gz.size() / 2));
  std::string err = errorOf(readIdxDataset(dir.path, "train"));
  EXPECT_TRUE(contains(err, f.imagesPath + ": truncated")) << err;
}

TEST(IdxDataset, FashionMnistTestSet) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir + "/t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << dir << " not present";
  auto ds = readIdxDataset(dir, "t10k");
  ASSERT_TRUE(ds.ok()) << ds.message();
  EXPECT_EQ(ds->count, 10000);
  EXPECT_EQ(ds->rows, 28);
  EXPECT_EQ(ds->cols, 28);
  ASSERT_EQ(ds->images.size(), 10000u * 28 * 28);
  ASSERT_EQ(ds->labels.size(), 10000u);
  auto [lo, hi] = std::minmax_element(ds->images.begin(), ds->images.end());
  EXPECT_EQ(*lo, 0.0f);
  EXPECT_LE(*hi, 1.0f);
  std::vector<int> perClass(10);
  for (int32_t l : ds->labels) {
    ASSERT_TRUE(l >= 0 && l <= 9) << l;
    ++perClass[l];
  }
  for (int n : perClass)
    EXPECT_EQ(n, 1000); // The test set is balanced.
}

//===----------------------------------------------------------------------===//
// Shuffling
//===----------------------------------------------------------------------===//

TEST(Shuffle, IsPermutation) {
  std::vector<int64_t> idx = shuffledIndices(1000, 7, 0);
  ASSERT_EQ(idx.size(), 1000u);
  std::vector<int64_t> sorted = idx;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i)
    EXPECT_EQ(sorted[i], i);
  EXPECT_NE(idx, sorted); // Actually shuffled.
}

TEST(Shuffle, DeterministicPerSeedAndEpoch) {
  EXPECT_EQ(shuffledIndices(500, 42, 3), shuffledIndices(500, 42, 3));
  EXPECT_NE(shuffledIndices(500, 42, 3), shuffledIndices(500, 42, 4));
  EXPECT_NE(shuffledIndices(500, 42, 3), shuffledIndices(500, 43, 3));
}

TEST(Shuffle, Golden) {
  // mt19937_64 and the hand-written Fisher-Yates are fully specified, so
  // this sequence must be the same on every platform and standard library.
  EXPECT_EQ(shuffledIndices(10, 42, 0),
            (std::vector<int64_t>{6, 0, 9, 7, 8, 2, 3, 1, 5, 4}));
}

TEST(Shuffle, EdgeCases) {
  EXPECT_TRUE(shuffledIndices(0, 1, 0).empty());
  EXPECT_TRUE(shuffledIndices(-5, 1, 0).empty());
  EXPECT_EQ(shuffledIndices(1, 1, 0), (std::vector<int64_t>{0}));
}

//===----------------------------------------------------------------------===//
// Checkpoints
//===----------------------------------------------------------------------===//

namespace {

Checkpoint sampleCheckpoint(float scale = 1.0f) {
  Checkpoint c;
  c.modelHash = "sha256:0123abcd";
  c.step = 123456789012ull;
  c.entries.push_back({"fc1.weight", {2, 3}, {1, -2, 3.5f, 0, -0.0f, 1e-40f}});
  c.entries.push_back({"fc1.bias", {3}, {0.25f, -1, 7}});
  c.entries.push_back({"scalar", {}, {std::numeric_limits<float>::infinity()}});
  c.entries.push_back({"empty", {0, 4}, {}});
  c.entries.push_back({"adam.m/fc1.weight", {1, 2}, {std::nanf("0x123"), 3}});
  for (CheckpointEntry &e : c.entries)
    for (float &v : e.data)
      v *= scale;
  return c;
}

/// Bitwise comparison, so NaNs and -0.0 must survive exactly.
void expectSame(const Checkpoint &a, const Checkpoint &b) {
  EXPECT_EQ(a.modelHash, b.modelHash);
  EXPECT_EQ(a.step, b.step);
  ASSERT_EQ(a.entries.size(), b.entries.size());
  for (size_t i = 0; i < a.entries.size(); ++i) {
    EXPECT_EQ(a.entries[i].name, b.entries[i].name);
    EXPECT_EQ(a.entries[i].shape, b.entries[i].shape);
    ASSERT_EQ(a.entries[i].data.size(), b.entries[i].data.size());
    const std::vector<float> &x = a.entries[i].data, &y = b.entries[i].data;
    EXPECT_TRUE(x.empty() || std::memcmp(x.data(), y.data(), 4 * x.size()) == 0)
        << a.entries[i].name;
  }
}

} // namespace

TEST(Checkpoint, RoundTripIsExact) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  Checkpoint c = sampleCheckpoint();
  ASSERT_EQ(errorOf(saveCheckpoint(path, c)), "");
  auto loaded = loadCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(c, *loaded);
  EXPECT_TRUE(dir.tempFiles().empty());
}

TEST(Checkpoint, EmptyCheckpointRoundTrips) {
  TempDir dir;
  std::string path = dir.file("empty.ckpt");
  ASSERT_EQ(errorOf(saveCheckpoint(path, Checkpoint())), "");
  auto loaded = loadCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(Checkpoint(), *loaded);
}

TEST(Checkpoint, MissingFile) {
  TempDir dir;
  std::string path = dir.file("none.ckpt");
  std::string err = errorOf(loadCheckpoint(path));
  EXPECT_TRUE(contains(err, path + ": cannot open")) << err;
}

TEST(Checkpoint, Truncated) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  ASSERT_EQ(errorOf(saveCheckpoint(path, sampleCheckpoint())), "");
  std::string bytes = readFile(path);
  for (size_t keep :
       {bytes.size() - 1, bytes.size() / 2, size_t(12), size_t(5)}) {
    writeFile(path, bytes.substr(0, keep));
    std::string err = errorOf(loadCheckpoint(path));
    EXPECT_TRUE(contains(err, path + ": truncated")) << keep << ": " << err;
  }
}

TEST(Checkpoint, FlippedByteFailsChecksum) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  ASSERT_EQ(errorOf(saveCheckpoint(path, sampleCheckpoint())), "");
  std::string bytes = readFile(path);
  // Every byte after the size field is covered by the checksum.
  for (size_t i = 16; i < bytes.size(); i += 7) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    writeFile(path, bad);
    std::string err = errorOf(loadCheckpoint(path));
    EXPECT_TRUE(contains(err, path + ": corrupt (checksum mismatch)"))
        << i << ": " << err;
  }
}

TEST(Checkpoint, WrongMagic) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  ASSERT_EQ(errorOf(saveCheckpoint(path, sampleCheckpoint())), "");
  std::string bytes = readFile(path);
  bytes[7] = '2';
  writeFile(path, bytes);
  std::string err = errorOf(loadCheckpoint(path));
  EXPECT_TRUE(contains(err, path + ": not a dlc checkpoint")) << err;
  writeFile(path, "");
  err = errorOf(loadCheckpoint(path));
  EXPECT_TRUE(contains(err, path + ": not a dlc checkpoint")) << err;
}

TEST(Checkpoint, AbsurdSizesAreRejected) {
  // A well-checksummed file whose entry count is huge must not allocate.
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  std::string body = std::string("DLCCKPT1") + std::string(8, '\0') +
                     std::string(4, '\0') /*hash*/ + std::string(8, '\0') +
                     std::string(8, '\xff') /*entries*/;
  uint64_t size = body.size() + 4;
  for (int i = 0; i < 8; ++i)
    body[8 + i] = char(size >> (8 * i));
  uint32_t crc = uint32_t(crc32(0, (const Bytef *)body.data(), body.size()));
  for (int i = 0; i < 4; ++i)
    body += char(crc >> (8 * i));
  writeFile(path, body);
  std::string err = errorOf(loadCheckpoint(path));
  EXPECT_TRUE(contains(err, path + ": malformed checkpoint")) << err;
}

TEST(Checkpoint, FailedSaveToMissingDirectoryLeavesNothing) {
  TempDir dir;
  std::string path = dir.file("no/such/dir/model.ckpt");
  std::string err = errorOf(saveCheckpoint(path, sampleCheckpoint()));
  EXPECT_TRUE(contains(err, path + ": cannot save")) << err;
  EXPECT_TRUE(fs::is_empty(dir.path));
}

TEST(Checkpoint, FailedSaveKeepsExistingFile) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  ASSERT_EQ(errorOf(saveCheckpoint(path, sampleCheckpoint())), "");
  std::string before = readFile(path);

  // The temp file cannot be created (its name is taken by a directory).
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  fs::create_directory(tmp);
  std::string err = errorOf(saveCheckpoint(path, sampleCheckpoint(2)));
  EXPECT_TRUE(contains(err, path + ": cannot save")) << err;
  EXPECT_EQ(readFile(path), before);
  fs::remove(tmp);

  // Inconsistent entries are rejected before anything is written.
  Checkpoint bad = sampleCheckpoint(2);
  bad.entries[0].data.pop_back();
  err = errorOf(saveCheckpoint(path, bad));
  EXPECT_TRUE(contains(err, "entry 'fc1.weight' has 5 values but shape [2, 3] "
                            "needs 6"))
      << err;
  EXPECT_EQ(readFile(path), before);
  EXPECT_TRUE(dir.tempFiles().empty());
}

TEST(Checkpoint, SaveRefusesToReplaceADirectory) {
  TempDir dir;
  std::string path = dir.file("occupied");
  fs::create_directory(path);
  writeFile(path + "/x", "keep");
  std::string err = errorOf(saveCheckpoint(path, sampleCheckpoint()));
  EXPECT_TRUE(contains(err, path + ": cannot save over a directory")) << err;
  EXPECT_TRUE(dir.tempFiles().empty());
  EXPECT_EQ(readFile(path + "/x"), "keep");
}

TEST(Checkpoint, SaveRefusesToReplaceADevice) {
  // Run as root, a rename over /dev/null would replace the device.
  std::string err = errorOf(saveCheckpoint("/dev/null", sampleCheckpoint()));
  EXPECT_TRUE(contains(err, "/dev/null: cannot save over a character device"))
      << err;
  EXPECT_TRUE(fs::is_character_file("/dev/null"));
}

TEST(Checkpoint, SaveThroughASymbolicLinkUpdatesItsTarget) {
  TempDir dir;
  fs::create_directory(dir.file("real"));
  std::string target = dir.file("real/model.ckpt");
  std::string link = dir.file("link.ckpt");
  fs::create_symlink("real/model.ckpt", link); // relative to the link
  ASSERT_EQ(errorOf(saveCheckpoint(link, sampleCheckpoint())), "");
  EXPECT_TRUE(fs::is_symlink(link));
  ASSERT_TRUE(fs::is_regular_file(target));
  auto loaded = loadCheckpoint(link);
  ASSERT_TRUE(bool(loaded)) << loaded.message();
  EXPECT_EQ(loaded->step, sampleCheckpoint().step);
}

TEST(Checkpoint, SaveRemovesTempFilesOfDeadProcesses) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  pid_t child = ::fork();
  if (child == 0)
    ::_exit(0);
  ASSERT_GT(child, 0);
  int status;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  // Left by a save that was killed (the process is gone), and files that
  // only look alike: a live process's, and one that is not ours at all.
  std::string stale = path + ".tmp." + std::to_string(child);
  std::string live = path + ".tmp.1";
  std::string other = path + ".tmp.notes";
  for (const std::string &f : {stale, live, other})
    writeFile(f, "partial");
  ASSERT_EQ(errorOf(saveCheckpoint(path, sampleCheckpoint())), "");
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live)); // pid 1 always runs
  EXPECT_TRUE(fs::exists(other));
}

TEST(Checkpoint, LoadRefusesWhatIsNotARegularFile) {
  TempDir dir;
  std::string fifo = dir.file("fifo");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Reading a FIFO nobody writes would block forever.
  EXPECT_EQ(errorOf(loadCheckpoint(fifo)),
            fifo + ": cannot read a FIFO: only regular files are read");
  EXPECT_EQ(errorOf(loadCheckpoint("/dev/zero")),
            "/dev/zero: cannot read a character device: only regular files "
            "are read");
  EXPECT_EQ(errorOf(loadCheckpoint(dir.path)),
            dir.path + ": cannot read a directory: only regular files are "
                       "read");
}

TEST(TextData, RefusesDevicesAndFifos) {
  TempDir dir;
  std::string fifo = dir.file("words");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(errorOf(readText(fifo, "ab")),
            fifo + ": cannot read a FIFO: only regular files are read");
  EXPECT_EQ(errorOf(readText("/dev/urandom", "ab")),
            "/dev/urandom: cannot read a character device: only regular "
            "files are read");
}

TEST(IdxDataset, RefusesAFifoInTheDirectory) {
  TempDir dir;
  std::string fifo = dir.file("train-images-idx3-ubyte.gz");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(errorOf(readIdxDataset(dir.path, "train")),
            fifo + ": cannot read a FIFO: only regular files are read");
}

TEST(Checkpoint, SaveReplacesExisting) {
  TempDir dir;
  std::string path = dir.file("model.ckpt");
  ASSERT_EQ(errorOf(saveCheckpoint(path, sampleCheckpoint())), "");
  Checkpoint second = sampleCheckpoint(3);
  second.step = 7;
  second.entries.pop_back();
  ASSERT_EQ(errorOf(saveCheckpoint(path, second)), "");
  auto loaded = loadCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  expectSame(second, *loaded);
  EXPECT_TRUE(dir.tempFiles().empty());
}

//===----------------------------------------------------------------------===//
// Progress
//===----------------------------------------------------------------------===//

TEST(Progress, PlainOutput) {
  std::FILE *f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  Progress p(f, /*interactive=*/false, /*plainEvery=*/2);
  p.beginEpoch(1, 5, 4);
  for (float loss : {1.0f, 2.0f, 3.0f, 6.0f})
    p.step(loss);
  p.endEpoch();
  EXPECT_DOUBLE_EQ(p.lastEpochMeanLoss(), 3.0);
  EXPECT_GE(p.lastEpochSeconds(), 0.0);

  std::rewind(f);
  std::string text;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, f))
    text.append(buf, n);
  std::fclose(f);
  // Step 2 gets a line, step 4 is covered by the epoch line.
  EXPECT_TRUE(contains(text, "epoch 2/5  step 2/4  loss 1.5000  ")) << text;
  EXPECT_FALSE(contains(text, "step 4/4")) << text;
  EXPECT_TRUE(contains(text, "epoch 2/5  4 steps  loss 3.0000  ")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2) << text;
  EXPECT_FALSE(contains(text, "\r")) << text;
}

//===----------------------------------------------------------------------===//
// Errors and parsing helpers
//===----------------------------------------------------------------------===//

TEST(Status, ErrorAndExpected) {
  Error ok = Error::success();
  EXPECT_TRUE(ok.succeeded());
  EXPECT_EQ(ok.message(), "");
  Error bad = Error::failure("x.ckpt: truncated");
  EXPECT_TRUE(bad.failed());
  EXPECT_EQ(bad.message(), "x.ckpt: truncated");

  Expected<int> value = 7;
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 7);
  EXPECT_TRUE(value.error().succeeded());
  Expected<int> failed = bad;
  EXPECT_FALSE(bool(failed));
  EXPECT_EQ(failed.message(), "x.ckpt: truncated");
}

TEST(Parse, IntegersMustBeWhole) {
  int64_t v = -1;
  EXPECT_TRUE(parseInteger("42", v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(parseInteger("-3", v));
  EXPECT_EQ(v, -3);
  for (const char *bad : {"", "4x", " 4", "+4", "0x10", "99999999999999999999"})
    EXPECT_FALSE(parseInteger(bad, v)) << bad;
  unsigned u = 5;
  EXPECT_FALSE(parseInteger("-1", u));
  EXPECT_FALSE(parseInteger("4294967296", u));
  EXPECT_EQ(u, 5u); // untouched on failure
}

TEST(Parse, Doubles) {
  double d = 0;
  EXPECT_TRUE(parseDouble("0.25", d));
  EXPECT_EQ(d, 0.25);
  EXPECT_TRUE(parseDouble("1e-3", d));
  EXPECT_EQ(d, 1e-3);
  for (const char *bad : {"", " 1", "1 ", "1.5x", "abc"})
    EXPECT_FALSE(parseDouble(bad, d)) << bad;
}

TEST(Parse, Splitting) {
  using Pieces = std::vector<std::string_view>;
  EXPECT_EQ(splitAll(" a  b ", ' ', false), (Pieces{"a", "b"}));
  EXPECT_EQ(splitAll("3x", 'x', true), (Pieces{"3", ""}));
  EXPECT_EQ(splitAll("", ',', false), Pieces{});
  EXPECT_EQ(splitOnce("text:/a:b", ':'),
            (std::pair<std::string_view, std::string_view>{"text", "/a:b"}));
  EXPECT_EQ(splitOnce("zeros", ':').second, "");
}
