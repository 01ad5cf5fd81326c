//===- Model.cpp - the host API of a compiled model -----------------------===//
#include "runtime/Model.h"
#include "runtime/Checkpoint.h"
#include "runtime/Files.h"
#include "runtime/Init.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <elf.h>
#include <fmt/format.h>
#include <malloc.h>

using namespace dlc::rt;

static Error error(std::string message) {
  return Error::failure(std::move(message));
}

Expected<std::unique_ptr<Model>>
Model::create(const Resolver &resolve, std::shared_ptr<void> owner,
              std::string_view origin, std::string_view expectedSource) {
  auto version =
      reinterpret_cast<dlc_abi_version_fn>(resolve("dlc_abi_version"));
  auto manifestFn = reinterpret_cast<dlc_manifest_fn>(resolve("dlc_manifest"));
  if (!version || !manifestFn)
    return error(fmt::format("{}: not a dlc model (no dlc_abi_version or "
                             "dlc_manifest symbol)",
                             origin));
  if (version() != DLC_ABI_VERSION)
    return error(fmt::format("{}: built for dlc ABI version {}, but this "
                             "runtime speaks version {}: recompile the model "
                             "with this dlc",
                             origin, version(), DLC_ABI_VERSION));
  auto manifest = Manifest::parse(manifestFn());
  if (!manifest)
    return error(fmt::format("{}: {}", origin, manifest.message()));
  if (!expectedSource.empty() && manifest->sourceHash != expectedSource)
    return error(fmt::format(
        "{}: compiled from another model ('{}', source {}), not the one "
        "given (source {}): recompile it",
        origin, manifest->model, manifest->sourceHash, expectedSource));

  // Compiled code allocates its temporaries (activations, gradients) with
  // malloc on every call. Above glibc's default 128 KiB mmap threshold each
  // step would map and fault in fresh pages; keep them on the reused heap.
  static bool heapTuned = [] {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 512 << 20);
    return true;
  }();
  (void)heapTuned;

  std::unique_ptr<Model> model(new Model());
  model->manifest_ = std::move(*manifest);
  model->owner_ = std::move(owner);
  for (const auto &[name, _] : model->manifest_.entries) {
    auto fn = reinterpret_cast<dlc_entry_fn>(resolve(DLC_ENTRY_PREFIX + name));
    if (!fn)
      return error(fmt::format("{}: manifest lists entry '{}' but the code "
                               "has no {}{}",
                               origin, name, DLC_ENTRY_PREFIX, name));
    model->entries_[name] = fn;
  }
  for (const BufferSpec &b : model->manifest_.buffers) {
    size_t bytes = (b.byteSize() + 63) / 64 * 64;
    void *p = std::aligned_alloc(64, bytes);
    if (!p)
      return error(fmt::format("out of memory for buffer '{}'", b.name));
    std::memset(p, 0, bytes);
    model->data_.push_back(p);
  }
  return model;
}

/// dlopen maps a library's segments without checking that the file holds
/// them: a truncated library then dies with SIGBUS on first touch. Check the
/// ELF headers against the file's size first.
static Error checkSharedLibrary(const std::string &path) {
  auto bytes = readInputFile(path, 4 * kGiB);
  if (!bytes)
    return Error::failure("cannot load " + bytes.message());
  const std::string &f = *bytes;
  auto bad = [&](const char *why) {
    return Error::failure(fmt::format("cannot load {}: {}", path, why));
  };
  if (f.size() < sizeof(Elf64_Ehdr) || std::memcmp(f.data(), ELFMAG, SELFMAG))
    return bad("not a shared library (no ELF header)");
  Elf64_Ehdr header;
  std::memcpy(&header, f.data(), sizeof header);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_DYN)
    return bad("not a 64-bit shared library");
  auto within = [&](uint64_t offset, uint64_t count, uint64_t size) {
    uint64_t bytes;
    return !__builtin_mul_overflow(count, size, &bytes) && offset <= f.size() &&
           bytes <= f.size() - offset;
  };
  if (!within(header.e_phoff, header.e_phnum, sizeof(Elf64_Phdr)) ||
      !within(header.e_shoff, header.e_shnum, sizeof(Elf64_Shdr)))
    return bad("truncated or corrupt (its headers lie past the end of the "
               "file): recompile it");
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment;
    std::memcpy(&segment, f.data() + header.e_phoff + i * sizeof segment,
                sizeof segment);
    if (segment.p_type == PT_LOAD &&
        !within(segment.p_offset, segment.p_filesz, 1))
      return bad("truncated or corrupt (a segment lies past the end of the "
                 "file): recompile it");
  }
  return Error::success();
}

Expected<std::unique_ptr<Model>>
Model::loadShared(const std::string &path, std::string_view expectedSource) {
  std::string file = path.find('/') == std::string::npos ? "./" + path : path;
  if (Error e = checkSharedLibrary(file); e.failed())
    return e;
  void *handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle)
    return error(fmt::format("cannot load {}: {}", path, dlerror()));
  std::shared_ptr<void> owner(handle, [](void *h) { dlclose(h); });
  return create(
      [&](const std::string &name) { return dlsym(handle, name.c_str()); },
      owner, path, expectedSource);
}

Model::~Model() {
  for (void *p : data_)
    std::free(p);
}

static bool isTrained(const BufferSpec &b) {
  return b.kind == BufferKind::Param || b.kind == BufferKind::State;
}

void Model::initialize(uint64_t seed) {
  for (size_t i = 0; i < manifest_.buffers.size(); ++i)
    if (isTrained(manifest_.buffers[i]))
      initializeBuffer(manifest_.buffers[i], seed,
                       static_cast<float *>(data_[i]));
}

void *Model::buffer(std::string_view name) {
  const BufferSpec *b = manifest_.find(name);
  return b ? data_[b - manifest_.buffers.data()] : nullptr;
}

Error Model::run(std::string_view entry) {
  std::string name(entry);
  auto it = entries_.find(name);
  if (it == entries_.end())
    return error(fmt::format("model '{}' has no entry point '{}'",
                             manifest_.model, entry));
  std::vector<void *> args;
  for (size_t i : manifest_.entries.at(name))
    args.push_back(data_[i]);
  it->second(args.data());
  return Error::success();
}

Error Model::saveCheckpoint(const std::string &path, uint64_t step) const {
  Checkpoint ckpt;
  ckpt.modelHash = manifest_.sourceHash;
  ckpt.step = step;
  for (size_t i = 0; i < manifest_.buffers.size(); ++i) {
    const BufferSpec &b = manifest_.buffers[i];
    if (!isTrained(b))
      continue;
    const float *p = static_cast<const float *>(data_[i]);
    ckpt.entries.push_back(
        {b.name, b.shape, std::vector<float>(p, p + b.numElements())});
  }
  return dlc::rt::saveCheckpoint(path, ckpt);
}

Expected<uint64_t> Model::loadCheckpoint(const std::string &path) {
  auto ckpt = dlc::rt::loadCheckpoint(path);
  if (!ckpt)
    return ckpt.error();
  if (ckpt->modelHash != manifest_.sourceHash)
    return error(fmt::format("{}: checkpoint of another model (source {}, "
                             "this model is {})",
                             path, ckpt->modelHash, manifest_.sourceHash));
  // Check everything before writing anything: a bad file changes nothing.
  for (const CheckpointEntry &e : ckpt->entries) {
    const BufferSpec *b = manifest_.find(e.name);
    if (!b || b->shape != e.shape)
      return error(
          fmt::format("{}: entry '{}' does not match the model", path, e.name));
  }
  for (const BufferSpec &b : manifest_.buffers)
    if (isTrained(b) && std::none_of(ckpt->entries.begin(), ckpt->entries.end(),
                                     [&](const CheckpointEntry &e) {
                                       return e.name == b.name;
                                     }))
      return error(fmt::format("{}: no entry for '{}'", path, b.name));
  for (const CheckpointEntry &e : ckpt->entries)
    std::memcpy(buffer(e.name), e.data.data(), e.data.size() * sizeof(float));
  return ckpt->step;
}
