//===- AST.h - syntax tree of a .net file ---------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_AST_H
#define DLC_COMPILER_FRONTEND_AST_H

#include "llvm/Support/SMLoc.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>
#include <string>
#include <vector>

namespace dlc::ast {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

/// `value` or `key = value` inside a call.
struct Arg {
  std::string key; // empty for a positional argument
  llvm::SMLoc keyLoc;
  ExprPtr value;
};

struct Expr {
  enum Kind { Name, Number, String, Call, Binary, Negate, Tuple } kind;
  llvm::SMLoc loc;
  std::string text;       // Name: the name; String: the contents; Call: callee
  double number = 0;      // Number
  bool isInteger = false; // Number written without '.' or exponent
  char op = 0;            // Binary: + - * /
  std::vector<Arg> args;  // Call: arguments; Binary/Negate: operands;
                          // Tuple: the elements of `(a, b, ...)`
  unsigned height = 1;    // of the tree below (and including) this node
};

struct Dim {
  std::string symbol; // empty for a fixed size
  int64_t size = 0;
  llvm::SMLoc loc;
};

struct Input {
  std::string name;
  llvm::SMLoc loc;
  std::string dtype;
  llvm::SMLoc dtypeLoc;
  std::vector<Dim> dims;
};

/// `name = value`, in a model body or a train section.
struct Assign {
  std::string name;
  llvm::SMLoc loc;
  ExprPtr value;
};

/// A model, or a block: a model whose inputs are untyped parameters
/// (`block name(x, y) { ... }`), applied like a layer.
struct Model {
  bool isBlock = false;
  std::string name;
  llvm::SMLoc loc;
  std::vector<Input> inputs;
  std::vector<Assign> body;
  std::vector<std::pair<std::string, llvm::SMLoc>> outputs; // `return a, b`
};

struct Train {
  std::string model;
  llvm::SMLoc loc, modelLoc;
  std::vector<Assign> settings;
};

struct Program {
  std::vector<Model> blocks;
  std::vector<Model> models;
  std::vector<Train> trains;
};

void print(const Program &program, llvm::raw_ostream &os);

} // namespace dlc::ast

#endif // DLC_COMPILER_FRONTEND_AST_H
