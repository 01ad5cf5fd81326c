//===- Files.cpp - reading and writing files the way a user can trust -----===//
#include "runtime/Files.h"

#include <fmt/format.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace dlc::rt {

static Error fail(std::string message) {
  return Error::failure(std::move(message));
}

static const char *kindOf(mode_t mode) {
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISSOCK(mode))
    return "a socket";
  return "not a regular file";
}

static std::string sizeText(uint64_t bytes) {
  if (bytes >= kGiB)
    return fmt::format("{} GiB", bytes / kGiB);
  return fmt::format("{} bytes", bytes);
}

Error checkInputFile(const std::string &path, uint64_t maxBytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0)
    return fail(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    return fail(fmt::format("{}: cannot read {}: only regular files are read",
                            path, kindOf(st.st_mode)));
  if (uint64_t(st.st_size) > maxBytes)
    return fail(fmt::format("{}: {} bytes is more than the {} this reader "
                            "accepts",
                            path, uint64_t(st.st_size), sizeText(maxBytes)));
  return Error::success();
}

Expected<std::string> readInputFile(const std::string &path,
                                    uint64_t maxBytes) {
  if (Error e = checkInputFile(path, maxBytes); e.failed())
    return e;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0)
    return fail(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  // Opened without blocking so that a file swapped for a FIFO after the
  // check cannot hang us; check again what was opened.
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    return fail(fmt::format("{}: cannot read: {}", path, why));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return fail(fmt::format("{}: cannot read {}: only regular files are read",
                            path, kindOf(st.st_mode)));
  }
  std::string bytes;
  bytes.reserve(size_t(st.st_size));
  char chunk[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      std::string why = std::strerror(errno);
      ::close(fd);
      return fail(fmt::format("{}: cannot read: {}", path, why));
    }
    if (n == 0)
      break;
    if (bytes.size() + size_t(n) > maxBytes) { // it grew while we read
      ::close(fd);
      return fail(fmt::format("{}: more than the {} this reader accepts", path,
                              sizeText(maxBytes)));
    }
    bytes.append(chunk, size_t(n));
  }
  ::close(fd);
  return bytes;
}

Expected<std::string> outputTarget(const std::string &path,
                                   std::string_view verb) {
  std::string target = path;
  // Follow a chain of symbolic links (bounded, as the kernel does).
  for (int hops = 0;; ++hops) {
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0) {
      if (errno == ENOENT)
        return target; // a new file
      return fail(
          fmt::format("{}: cannot {}: {}", path, verb, std::strerror(errno)));
    }
    if (S_ISREG(st.st_mode))
      return target;
    if (!S_ISLNK(st.st_mode))
      return fail(fmt::format("{}: cannot {} over {}: give the path of a "
                              "regular file",
                              path, verb, kindOf(st.st_mode)));
    if (hops == 40)
      return fail(fmt::format("{}: cannot {}: too many levels of symbolic "
                              "links",
                              path, verb));
    char link[PATH_MAX];
    ssize_t n = ::readlink(target.c_str(), link, sizeof link - 1);
    if (n < 0)
      return fail(
          fmt::format("{}: cannot {}: {}", path, verb, std::strerror(errno)));
    std::string next(link, size_t(n));
    if (next.empty() || next[0] != '/') { // relative to the link's directory
      size_t slash = target.rfind('/');
      if (slash != std::string::npos)
        next = target.substr(0, slash + 1) + next;
    }
    target = std::move(next);
  }
}

/// Removes "<target>.tmp.<pid>" files whose process is gone.
static void removeStaleTemporaries(const std::string &target) {
  size_t slash = target.rfind('/');
  std::string dir = slash == std::string::npos ? "." : target.substr(0, slash);
  if (dir.empty())
    dir = "/";
  std::string prefix =
      (slash == std::string::npos ? target : target.substr(slash + 1)) +
      ".tmp.";
  DIR *d = ::opendir(dir.c_str());
  if (!d)
    return;
  while (struct dirent *entry = ::readdir(d)) {
    std::string_view name = entry->d_name;
    if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix)
      continue;
    std::string_view digits = name.substr(prefix.size());
    if (digits.find_first_not_of("0123456789") != std::string_view::npos ||
        digits.size() > 9)
      continue;
    pid_t pid = static_cast<pid_t>(std::atol(std::string(digits).c_str()));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH)
      continue; // ours, or a live process's (or one we may not signal)
    std::string stale = dir + "/" + std::string(name);
    struct stat st;
    if (::lstat(stale.c_str(), &st) == 0 && S_ISREG(st.st_mode))
      ::unlink(stale.c_str());
  }
  ::closedir(d);
}

std::string temporaryFor(const std::string &target) {
  removeStaleTemporaries(target);
  return fmt::format("{}.tmp.{}", target, ::getpid());
}

Error writeFileAtomically(const std::string &path, std::string_view bytes,
                          std::string_view verb) {
  auto target = outputTarget(path, verb);
  if (!target)
    return target.error();
  std::string tmp = temporaryFor(*target);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return fail(fmt::format("{}: cannot {}: cannot create {}: {}", path, verb,
                            tmp, std::strerror(errno)));
  const char *failedOp = nullptr;
  int err = 0;
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      failedOp = "write";
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    done += size_t(n);
  }
  if (!failedOp && ::fsync(fd) != 0) {
    failedOp = "fsync";
    err = errno;
  }
  if (::close(fd) != 0 && !failedOp) {
    failedOp = "close";
    err = errno;
  }
  if (!failedOp && std::rename(tmp.c_str(), target->c_str()) != 0) {
    failedOp = "rename";
    err = errno;
  }
  if (failedOp) {
    ::unlink(tmp.c_str());
    return fail(fmt::format("{}: cannot {}: {} of {} failed: {}", path, verb,
                            failedOp, tmp, std::strerror(err)));
  }
  return Error::success();
}

} // namespace dlc::rt
