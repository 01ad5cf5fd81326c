//===- Manifest.cpp - manifest text format --------------------------------===//
#include "runtime/Manifest.h"
#include "runtime/dlc_abi.h"

#include "llvm/ADT/StringExtras.h"
#include <fmt/format.h>

using namespace dlc::rt;
using llvm::StringRef;

/// Train values may hold paths and a text's vocabulary (any byte): '%',
/// spaces, control characters and bytes above 0x7e are %-escaped so a record
/// stays one line of space-separated printable fields, with no NUL to cut
/// the string short.
static std::string escape(StringRef value) {
  std::string out;
  for (char c : value) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '%' || byte <= ' ' || byte > '~')
      out += fmt::format("%{:02X}", static_cast<unsigned char>(c));
    else
      out.push_back(c);
  }
  return out;
}

static std::string unescape(StringRef value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned byte;
    if (value[i] == '%' && i + 2 < value.size() &&
        !value.substr(i + 1, 2).getAsInteger(16, byte)) {
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(value[i]);
    }
  }
  return out;
}

int64_t BufferSpec::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

const char *dlc::rt::toString(BufferKind kind) {
  switch (kind) {
  case BufferKind::Param:
    return "param";
  case BufferKind::State:
    return "state";
  case BufferKind::Input:
    return "input";
  case BufferKind::Output:
    return "output";
  }
  return "?";
}

const char *dlc::rt::toString(DType dtype) {
  return dtype == DType::F32 ? "f32" : "i32";
}

const BufferSpec *Manifest::find(StringRef name) const {
  for (const BufferSpec &b : buffers)
    if (b.name == name)
      return &b;
  return nullptr;
}

std::string Manifest::serialize() const {
  std::string out = fmt::format("dlc {}\nmodel {}\nsource {}\n", abiVersion,
                                model, sourceHash);
  for (const BufferSpec &b : buffers) {
    std::string dims = b.shape.empty() ? "scalar" : "";
    for (size_t i = 0; i < b.shape.size(); ++i)
      dims += fmt::format("{}{}", i ? "x" : "", b.shape[i]);
    out += fmt::format("buffer {} {} {} {} {}\n", b.name, toString(b.kind),
                       toString(b.dtype), dims, b.init.empty() ? "-" : b.init);
  }
  for (const auto &[name, indices] : entries) {
    out += "entry " + name;
    for (size_t i : indices)
      out += " " + buffers[i].name;
    out += "\n";
  }
  out += "train";
  for (const auto &[key, value] : train)
    out += fmt::format(" {}={}", key, escape(value));
  return out + "\n";
}

static llvm::Error bad(int line, const std::string &what) {
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      fmt::format("manifest line {}: {}", line, what));
}

llvm::Expected<Manifest> Manifest::parse(StringRef text) {
  Manifest m;
  llvm::SmallVector<StringRef> lines;
  text.split(lines, '\n', -1, /*KeepEmpty=*/false);
  int lineNo = 0;
  for (StringRef line : lines) {
    ++lineNo;
    llvm::SmallVector<StringRef> f;
    line.split(f, ' ', -1, /*KeepEmpty=*/false);
    if (f.empty())
      continue;
    StringRef tag = f[0];
    if (tag == "dlc" && f.size() == 2) {
      if (f[1].getAsInteger(10, m.abiVersion))
        return bad(lineNo, "bad ABI version");
    } else if (tag == "model" && f.size() == 2) {
      m.model = f[1].str();
    } else if (tag == "source" && f.size() <= 2) {
      m.sourceHash = f.size() == 2 ? f[1].str() : ""; // JIT of a bare module
    } else if (tag == "buffer" && f.size() == 6) {
      BufferSpec b;
      b.name = f[1].str();
      static const std::pair<StringRef, BufferKind> kinds[] = {
          {"param", BufferKind::Param},
          {"state", BufferKind::State},
          {"input", BufferKind::Input},
          {"output", BufferKind::Output}};
      auto kind =
          llvm::find_if(kinds, [&](auto &k) { return k.first == f[2]; });
      if (kind == std::end(kinds))
        return bad(lineNo, "unknown buffer kind '" + f[2].str() + "'");
      b.kind = kind->second;
      if (f[3] != "f32" && f[3] != "i32")
        return bad(lineNo, "unknown dtype '" + f[3].str() + "'");
      b.dtype = f[3] == "f32" ? DType::F32 : DType::I32;
      if (f[4] != "scalar") {
        llvm::SmallVector<StringRef> dims;
        f[4].split(dims, 'x');
        for (StringRef d : dims) {
          int64_t v;
          if (d.getAsInteger(10, v) || v <= 0)
            return bad(lineNo, "bad dimensions '" + f[4].str() + "'");
          b.shape.push_back(v);
        }
      }
      b.init = f[5] == "-" ? "" : f[5].str();
      m.buffers.push_back(std::move(b));
    } else if (tag == "entry" && f.size() >= 2) {
      std::vector<size_t> &indices = m.entries[f[1].str()];
      for (StringRef name : llvm::drop_begin(f, 2)) {
        const BufferSpec *b = m.find(name);
        if (!b)
          return bad(lineNo, "entry uses unknown buffer '" + name.str() + "'");
        indices.push_back(b - m.buffers.data());
      }
    } else if (tag == "train") {
      for (StringRef kv : llvm::drop_begin(f)) {
        auto [k, v] = kv.split('=');
        m.train[k.str()] = unescape(v);
      }
    } else {
      return bad(lineNo, "unrecognized record '" + line.str() + "'");
    }
  }
  if (m.abiVersion == 0 || m.model.empty())
    return bad(lineNo, "not a dlc manifest (no 'dlc' or 'model' record)");
  return m;
}
