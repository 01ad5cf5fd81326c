//===- Lexer.cpp - tokens of a .net file ----------------------------------===//
#include "compiler/frontend/Lexer.h"

#include <cctype>
#include <cstdlib>

using namespace dlc;

Token Lexer::next() {
  // Whitespace and comments.
  while (cur < end) {
    if (std::isspace(static_cast<unsigned char>(*cur))) {
      ++cur;
    } else if (*cur == '#') {
      while (cur < end && *cur != '\n')
        ++cur;
    } else {
      break;
    }
  }
  const char *start = cur;
  if (cur == end)
    return make(Token::End, start);

  char c = *cur;
  if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
    while (cur < end &&
           (std::isalnum(static_cast<unsigned char>(*cur)) || *cur == '_'))
      ++cur;
    return make(Token::Ident, start);
  }
  if (std::isdigit(static_cast<unsigned char>(c)) ||
      (c == '.' && cur + 1 < end &&
       std::isdigit(static_cast<unsigned char>(cur[1])))) {
    bool isInteger = true;
    while (cur < end && std::isdigit(static_cast<unsigned char>(*cur)))
      ++cur;
    if (cur < end && *cur == '.') {
      isInteger = false;
      ++cur;
      while (cur < end && std::isdigit(static_cast<unsigned char>(*cur)))
        ++cur;
    }
    if (cur < end && (*cur == 'e' || *cur == 'E')) {
      const char *exp = cur + 1;
      if (exp < end && (*exp == '+' || *exp == '-'))
        ++exp;
      if (exp < end && std::isdigit(static_cast<unsigned char>(*exp))) {
        isInteger = false;
        cur = exp;
        while (cur < end && std::isdigit(static_cast<unsigned char>(*cur)))
          ++cur;
      }
    }
    Token t = make(Token::Number, start);
    t.number = std::strtod(std::string(t.text).c_str(), nullptr);
    t.isInteger = isInteger;
    return t;
  }
  if (c == '"') {
    ++cur;
    std::string value;
    while (cur < end && *cur != '"' && *cur != '\n')
      value.push_back(*cur++);
    if (cur == end || *cur != '"') {
      Token t = make(Token::Error, start);
      t.text = "unterminated string";
      return t;
    }
    ++cur;
    Token t = make(Token::String, start);
    t.value = std::move(value);
    return t;
  }
  if (llvm::StringRef("(){}[],=:+-*/").contains(c)) {
    ++cur;
    return make(Token::Punct, start);
  }
  ++cur;
  Token t = make(Token::Error, start);
  t.text = "unexpected character";
  return t;
}
