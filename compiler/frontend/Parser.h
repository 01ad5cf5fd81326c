//===- Parser.h - .net source to syntax tree ------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_PARSER_H
#define DLC_COMPILER_FRONTEND_PARSER_H

#include "compiler/frontend/AST.h"

#include "llvm/Support/SourceMgr.h"
#include <optional>

namespace dlc {

/// Parses the main buffer of `sources`. On a syntax error, reports it through
/// `sources` (file:line:col, the line and a caret) and returns nullopt.
std::optional<ast::Program> parseProgram(llvm::SourceMgr &sources);

} // namespace dlc

#endif // DLC_COMPILER_FRONTEND_PARSER_H
