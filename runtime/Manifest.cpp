//===- Manifest.cpp - manifest text format --------------------------------===//
#include "runtime/Manifest.h"
#include "runtime/Parse.h"
#include "runtime/dlc_abi.h"

#include <algorithm>
#include <fmt/format.h>
#include <iterator>

using namespace dlc::rt;

/// Train values may hold paths and a text's vocabulary (any byte): '%',
/// spaces, control characters and bytes above 0x7e are %-escaped so a record
/// stays one line of space-separated printable fields, with no NUL to cut
/// the string short.
static std::string escape(std::string_view value) {
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

static int hexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static std::string unescape(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    int high = i + 2 < value.size() ? hexDigit(value[i + 1]) : -1;
    int low = i + 2 < value.size() ? hexDigit(value[i + 2]) : -1;
    if (value[i] == '%' && high >= 0 && low >= 0) {
      out.push_back(static_cast<char>(high * 16 + low));
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

const BufferSpec *Manifest::find(std::string_view name) const {
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

static Error bad(int line, const std::string &what) {
  return Error::failure(fmt::format("manifest line {}: {}", line, what));
}

Expected<Manifest> Manifest::parse(std::string_view text) {
  Manifest m;
  int lineNo = 0;
  for (std::string_view line : splitAll(text, '\n', /*keepEmpty=*/false)) {
    ++lineNo;
    std::vector<std::string_view> f = splitAll(line, ' ', /*keepEmpty=*/false);
    if (f.empty())
      continue;
    std::string_view tag = f[0];
    if (tag == "dlc" && f.size() == 2) {
      if (!parseInteger(f[1], m.abiVersion))
        return bad(lineNo, "bad ABI version");
    } else if (tag == "model" && f.size() == 2) {
      m.model = std::string(f[1]);
    } else if (tag == "source" && f.size() <= 2) {
      m.sourceHash = f.size() == 2 ? std::string(f[1]) : ""; // bare module JIT
    } else if (tag == "buffer" && f.size() == 6) {
      BufferSpec b;
      b.name = std::string(f[1]);
      static const std::pair<std::string_view, BufferKind> kinds[] = {
          {"param", BufferKind::Param},
          {"state", BufferKind::State},
          {"input", BufferKind::Input},
          {"output", BufferKind::Output}};
      auto kind = std::find_if(std::begin(kinds), std::end(kinds),
                               [&](auto &k) { return k.first == f[2]; });
      if (kind == std::end(kinds))
        return bad(lineNo, fmt::format("unknown buffer kind '{}'", f[2]));
      b.kind = kind->second;
      if (f[3] != "f32" && f[3] != "i32")
        return bad(lineNo, fmt::format("unknown dtype '{}'", f[3]));
      b.dtype = f[3] == "f32" ? DType::F32 : DType::I32;
      if (f[4] != "scalar") {
        for (std::string_view d : splitAll(f[4], 'x', /*keepEmpty=*/true)) {
          int64_t v;
          if (!parseInteger(d, v) || v <= 0)
            return bad(lineNo, fmt::format("bad dimensions '{}'", f[4]));
          b.shape.push_back(v);
        }
      }
      b.init = f[5] == "-" ? "" : std::string(f[5]);
      m.buffers.push_back(std::move(b));
    } else if (tag == "entry" && f.size() >= 2) {
      std::vector<size_t> &indices = m.entries[std::string(f[1])];
      for (size_t i = 2; i < f.size(); ++i) {
        const BufferSpec *b = m.find(f[i]);
        if (!b)
          return bad(lineNo,
                     fmt::format("entry uses unknown buffer '{}'", f[i]));
        indices.push_back(b - m.buffers.data());
      }
    } else if (tag == "train") {
      for (size_t i = 1; i < f.size(); ++i) {
        auto [k, v] = splitOnce(f[i], '=');
        m.train[std::string(k)] = unescape(v);
      }
    } else {
      return bad(lineNo, fmt::format("unrecognized record '{}'", line));
    }
  }
  if (m.abiVersion == 0 || m.model.empty())
    return bad(lineNo, "not a dlc manifest (no 'dlc' or 'model' record)");
  return m;
}
