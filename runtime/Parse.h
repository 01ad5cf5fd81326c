//===- runtime/Parse.h - strict parsing of numbers and fields ---*- C++ -*-===//
//
// The manifest, initializer names and command lines hold numbers as text.
// These helpers accept a value only when the whole string is one.
//
//===----------------------------------------------------------------------===//

#ifndef DLC_RUNTIME_PARSE_H
#define DLC_RUNTIME_PARSE_H

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dlc::rt {

/// Parses all of `text` as a base-10 integer (optionally negative for
/// signed types); false on an empty string, other characters or overflow.
template <typename T> bool parseInteger(std::string_view text, T &value) {
  if (text.empty())
    return false;
  T v;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size())
    return false;
  value = v;
  return true;
}

/// Parses all of `text` as a floating-point number (strtod syntax, without
/// leading spaces; out of range values become inf or 0); false otherwise.
inline bool parseDouble(std::string_view text, double &value) {
  if (text.empty() || std::isspace(static_cast<unsigned char>(text.front())))
    return false;
  std::string s(text); // strtod needs a terminating NUL
  char *end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size())
    return false;
  value = v;
  return true;
}

/// Splits at every `separator`; with `keepEmpty` false, empty pieces are
/// dropped ("a  b" -> {"a", "b"}).
inline std::vector<std::string_view> splitAll(std::string_view text,
                                              char separator, bool keepEmpty) {
  std::vector<std::string_view> pieces;
  for (;;) {
    size_t at = text.find(separator);
    std::string_view piece = text.substr(0, at);
    if (keepEmpty || !piece.empty())
      pieces.push_back(piece);
    if (at == std::string_view::npos)
      return pieces;
    text.remove_prefix(at + 1);
  }
}

/// Splits at the first `separator`: ("a:b:c", ':') -> {"a", "b:c"}; without
/// one, the second part is empty.
inline std::pair<std::string_view, std::string_view>
splitOnce(std::string_view text, char separator) {
  size_t at = text.find(separator);
  if (at == std::string_view::npos)
    return {text, {}};
  return {text.substr(0, at), text.substr(at + 1)};
}

} // namespace dlc::rt

#endif // DLC_RUNTIME_PARSE_H
