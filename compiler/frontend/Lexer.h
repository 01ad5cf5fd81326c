//===- Lexer.h - tokens of a .net file ------------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_LEXER_H
#define DLC_COMPILER_FRONTEND_LEXER_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <string>

namespace dlc {

struct Token {
  enum Kind { Ident, Number, String, Punct, End, Error } kind;
  llvm::StringRef text; // the spelling; for Error, the message
  llvm::SMLoc loc;
  double number = 0;
  bool isInteger = false;
  std::string value; // String: contents without quotes

  bool is(llvm::StringRef punct) const {
    return kind == Punct && text == punct;
  }
  bool isKeyword(llvm::StringRef word) const {
    return kind == Ident && text == word;
  }
};

/// Splits a buffer into tokens; `#` starts a comment to the end of the line.
class Lexer {
public:
  explicit Lexer(llvm::StringRef buffer)
      : cur(buffer.begin()), end(buffer.end()) {}
  Token next();

private:
  Token make(Token::Kind kind, const char *start) {
    return {kind, llvm::StringRef(start, cur - start),
            llvm::SMLoc::getFromPointer(start)};
  }
  const char *cur, *end;
};

} // namespace dlc

#endif // DLC_COMPILER_FRONTEND_LEXER_H
