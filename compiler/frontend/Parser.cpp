//===- Parser.cpp - .net source to syntax tree ----------------------------===//
//
//   program := (model | block | train)*
//   model   := 'model' IDENT '(' input (',' input)* ')' body
//   block   := 'block' IDENT '(' IDENT (',' IDENT)* ')' body
//   body    := '{' assign* ('return' IDENT (',' IDENT)*)? '}'
//   input   := IDENT ':' IDENT '[' dim (',' dim)* ']'      dim := INT | IDENT
//   train   := 'train' IDENT '{' assign* '}'
//   assign  := IDENT '=' expr
//   expr    := term (('+' | '-') term)*
//   term    := unary (('*' | '/') unary)*
//   unary   := '-' unary | primary
//   primary := NUMBER | STRING | IDENT ('(' (arg (',' arg)*)? ')')?
//            | '(' expr (',' expr)* ')'       (two or more: a tuple)
//   arg     := (IDENT '=')? expr
//
//===----------------------------------------------------------------------===//
#include "compiler/frontend/Parser.h"
#include "compiler/frontend/Lexer.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

using namespace dlc;
using namespace dlc::ast;
using llvm::SMLoc;
using llvm::StringRef;

namespace {
class Parser {
public:
  Parser(llvm::SourceMgr &sources)
      : sources(sources),
        lexer(sources.getMemoryBuffer(sources.getMainFileID())->getBuffer()) {
    tok = lexer.next();
    peekTok = lexer.next();
  }

  std::optional<Program> parse() {
    Program program;
    while (tok.kind != Token::End) {
      if (tok.isKeyword("model") || tok.isKeyword("block")) {
        auto model = parseModel();
        if (!model)
          return std::nullopt;
        (model->isBlock ? program.blocks : program.models)
            .push_back(std::move(*model));
      } else if (tok.isKeyword("train")) {
        auto train = parseTrain();
        if (!train)
          return std::nullopt;
        program.trains.push_back(std::move(*train));
      } else {
        return fail(tok.loc,
                    "expected 'model', 'block' or 'train' at the top level, "
                    "found " +
                        describe(tok));
      }
    }
    return program;
  }

private:
  /// Bounds on parentheses, calls and unary minus inside one another, and on
  /// the height of an expression tree (a chain of 2000 additions is a tree of
  /// height 2000): every later stage walks expressions recursively.
  static constexpr unsigned kMaxNesting = 200;
  static constexpr unsigned kMaxHeight = 1000;

  llvm::SourceMgr &sources;
  Lexer lexer;
  Token tok, peekTok;
  unsigned nesting = 0;

  /// Counts one level of nesting for its lifetime.
  struct Nested {
    Parser &p;
    explicit Nested(Parser &p) : p(p) { ++p.nesting; }
    ~Nested() { --p.nesting; }
    bool tooDeep() const { return p.nesting > kMaxNesting; }
  };
  ExprPtr tooDeep(SMLoc loc) {
    fail(loc,
         fmt::format("expression nested deeper than {} levels", kMaxNesting));
    return nullptr;
  }

  /// `e` if its tree is not too tall; else an error at its location.
  ExprPtr bounded(ExprPtr e) {
    unsigned height = 0;
    for (const Arg &arg : e->args)
      height = std::max(height, arg.value->height);
    e->height = height + 1;
    if (e->height <= kMaxHeight)
      return e;
    fail(e->loc, fmt::format("expression too long: more than {} operations "
                             "in one statement",
                             kMaxHeight));
    return nullptr;
  }

  void advance() {
    tok = std::move(peekTok);
    peekTok = lexer.next();
  }

  static std::string describe(const Token &t) {
    switch (t.kind) {
    case Token::End:
      return "end of file";
    case Token::Error:
      return t.text.str();
    default:
      return "'" + t.text.str() + "'";
    }
  }

  std::nullopt_t fail(SMLoc loc, const std::string &message) {
    sources.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
    return std::nullopt;
  }

  bool expect(StringRef punct, StringRef what) {
    if (tok.is(punct)) {
      advance();
      return true;
    }
    fail(tok.loc, fmt::format("expected '{}' {}, found {}", punct.str(),
                              what.str(), describe(tok)));
    return false;
  }

  std::optional<std::pair<std::string, SMLoc>> ident(StringRef what) {
    if (tok.kind != Token::Ident)
      return fail(tok.loc, fmt::format("expected {}, found {}", what.str(),
                                       describe(tok)));
    std::pair<std::string, SMLoc> result{tok.text.str(), tok.loc};
    advance();
    return result;
  }

  std::optional<Model> parseModel() {
    Model model;
    model.loc = tok.loc;
    model.isBlock = tok.isKeyword("block");
    const char *kind = model.isBlock ? "block" : "model";
    advance();
    auto name = ident(fmt::format("a {} name after '{}'", kind, kind));
    if (!name)
      return std::nullopt;
    model.name = name->first;
    if (!expect("(", fmt::format("to start the {}'s inputs", kind)))
      return std::nullopt;
    do {
      std::optional<Input> input;
      if (model.isBlock) {
        auto param = ident("a block input name");
        if (!param)
          return std::nullopt;
        input.emplace();
        std::tie(input->name, input->loc) = *param;
      } else {
        input = parseInput();
      }
      if (!input)
        return std::nullopt;
      model.inputs.push_back(std::move(*input));
    } while (tok.is(",") && (advance(), true));
    if (!expect(")", fmt::format("after the {}'s inputs", kind)) ||
        !expect("{", fmt::format("to start the {} body", kind)))
      return std::nullopt;
    while (!tok.is("}")) {
      if (tok.isKeyword("return")) {
        advance();
        do {
          auto out = ident("an output name after 'return'");
          if (!out)
            return std::nullopt;
          model.outputs.push_back(*out);
        } while (tok.is(",") && (advance(), true));
        if (!tok.is("}"))
          return fail(tok.loc,
                      "expected '}' after the return statement, found " +
                          describe(tok));
        break;
      }
      auto assign = parseAssign("a layer definition 'name = ...' or '}'");
      if (!assign)
        return std::nullopt;
      model.body.push_back(std::move(*assign));
    }
    advance();
    return model;
  }

  std::optional<Input> parseInput() {
    Input input;
    auto name = ident("an input name");
    if (!name)
      return std::nullopt;
    std::tie(input.name, input.loc) = *name;
    if (!expect(":", "between the input name and its type"))
      return std::nullopt;
    auto dtype = ident("a dtype (f32 or i32)");
    if (!dtype)
      return std::nullopt;
    std::tie(input.dtype, input.dtypeLoc) = *dtype;
    if (!expect("[", "to start the input's shape"))
      return std::nullopt;
    do {
      Dim dim;
      dim.loc = tok.loc;
      if (tok.kind == Token::Ident) {
        dim.symbol = tok.text.str();
      } else if (tok.kind == Token::Number && tok.isInteger && tok.number > 0 &&
                 tok.number <= 0x1p40) {
        dim.size = static_cast<int64_t>(tok.number);
      } else {
        return fail(tok.loc, "expected a dimension (a positive integer or a "
                             "name such as B), found " +
                                 describe(tok));
      }
      advance();
      input.dims.push_back(dim);
    } while (tok.is(",") && (advance(), true));
    if (!expect("]", "to end the input's shape"))
      return std::nullopt;
    return input;
  }

  std::optional<Train> parseTrain() {
    Train train;
    train.loc = tok.loc;
    advance();
    auto model = ident("the name of the model to train after 'train'");
    if (!model)
      return std::nullopt;
    std::tie(train.model, train.modelLoc) = *model;
    if (!expect("{", "to start the train section"))
      return std::nullopt;
    while (!tok.is("}")) {
      auto assign = parseAssign("a setting 'name = value' or '}'");
      if (!assign)
        return std::nullopt;
      train.settings.push_back(std::move(*assign));
    }
    advance();
    return train;
  }

  std::optional<Assign> parseAssign(StringRef what) {
    Assign assign;
    if (tok.kind == Token::End)
      return fail(tok.loc, "expected '}' before the end of file");
    auto name = ident(what);
    if (!name)
      return std::nullopt;
    std::tie(assign.name, assign.loc) = *name;
    if (!expect("=", "after '" + assign.name + "'"))
      return std::nullopt;
    assign.value = parseExpr();
    if (!assign.value)
      return std::nullopt;
    return assign;
  }

  ExprPtr binary(char op, SMLoc loc, ExprPtr lhs, ExprPtr rhs) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Binary;
    e->op = op;
    e->loc = loc;
    e->args.push_back({"", {}, std::move(lhs)});
    e->args.push_back({"", {}, std::move(rhs)});
    return bounded(std::move(e));
  }

  ExprPtr parseExpr() {
    ExprPtr lhs = parseTerm();
    while (lhs && (tok.is("+") || tok.is("-"))) {
      char op = tok.text[0];
      SMLoc loc = tok.loc;
      advance();
      ExprPtr rhs = parseTerm();
      if (!rhs)
        return nullptr;
      lhs = binary(op, loc, std::move(lhs), std::move(rhs));
      if (!lhs)
        return nullptr;
    }
    return lhs;
  }

  ExprPtr parseTerm() {
    ExprPtr lhs = parseUnary();
    while (lhs && (tok.is("*") || tok.is("/"))) {
      char op = tok.text[0];
      SMLoc loc = tok.loc;
      advance();
      ExprPtr rhs = parseUnary();
      if (!rhs)
        return nullptr;
      lhs = binary(op, loc, std::move(lhs), std::move(rhs));
      if (!lhs)
        return nullptr;
    }
    return lhs;
  }

  ExprPtr parseUnary() {
    if (!tok.is("-"))
      return parsePrimary();
    Nested nested(*this);
    if (nested.tooDeep())
      return tooDeep(tok.loc);
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Negate;
    e->loc = tok.loc;
    advance();
    ExprPtr operand = parseUnary();
    if (!operand)
      return nullptr;
    e->args.push_back({"", {}, std::move(operand)});
    return bounded(std::move(e));
  }

  ExprPtr parsePrimary() {
    auto e = std::make_unique<Expr>();
    e->loc = tok.loc;
    if (tok.kind == Token::Number) {
      if (!std::isfinite(tok.number)) {
        fail(tok.loc, "number too large");
        return nullptr;
      }
      e->kind = Expr::Number;
      e->number = tok.number;
      e->isInteger = tok.isInteger;
      advance();
      return e;
    }
    if (tok.kind == Token::String) {
      e->kind = Expr::String;
      e->text = tok.value;
      advance();
      return e;
    }
    Nested nested(*this);
    if (nested.tooDeep() && (tok.is("(") || peekTok.is("(")))
      return tooDeep(tok.loc);
    if (tok.is("(")) {
      advance();
      ExprPtr inner = parseExpr();
      if (!inner)
        return nullptr;
      if (!tok.is(",")) {
        if (!expect(")", "to close the parenthesis"))
          return nullptr;
        return inner;
      }
      // A tuple, as axis = (1, 2).
      e->kind = Expr::Tuple;
      e->args.push_back({"", {}, std::move(inner)});
      while (tok.is(",")) {
        advance();
        ExprPtr next = parseExpr();
        if (!next)
          return nullptr;
        e->args.push_back({"", {}, std::move(next)});
      }
      if (!expect(")", "to close the list"))
        return nullptr;
      return bounded(std::move(e));
    }
    if (tok.kind != Token::Ident) {
      fail(tok.loc, "expected an expression, found " + describe(tok));
      return nullptr;
    }
    e->text = tok.text.str();
    advance();
    if (!tok.is("(")) {
      e->kind = Expr::Name;
      return e;
    }
    e->kind = Expr::Call;
    advance();
    while (!tok.is(")")) {
      Arg arg;
      if (tok.kind == Token::Ident && peekTok.is("=")) {
        arg.key = tok.text.str();
        arg.keyLoc = tok.loc;
        advance();
        advance();
      }
      arg.value = parseExpr();
      if (!arg.value)
        return nullptr;
      e->args.push_back(std::move(arg));
      if (tok.is(","))
        advance();
      else if (!tok.is(")")) {
        fail(tok.loc, "expected ',' or ')' in the arguments of '" + e->text +
                          "', found " + describe(tok));
        return nullptr;
      }
    }
    advance();
    return bounded(std::move(e));
  }
};

void printExpr(const Expr &e, llvm::raw_ostream &os) {
  switch (e.kind) {
  case Expr::Name:
    os << e.text;
    break;
  case Expr::Number:
    os << fmt::format("{}", e.number);
    break;
  case Expr::String:
    os << '"' << e.text << '"';
    break;
  case Expr::Negate:
    os << "-";
    printExpr(*e.args[0].value, os);
    break;
  case Expr::Binary:
    os << "(";
    printExpr(*e.args[0].value, os);
    os << " " << e.op << " ";
    printExpr(*e.args[1].value, os);
    os << ")";
    break;
  case Expr::Tuple:
  case Expr::Call:
    os << e.text << "(";
    for (size_t i = 0; i < e.args.size(); ++i) {
      if (i)
        os << ", ";
      if (!e.args[i].key.empty())
        os << e.args[i].key << " = ";
      printExpr(*e.args[i].value, os);
    }
    os << ")";
    break;
  }
}
} // namespace

std::optional<Program> dlc::parseProgram(llvm::SourceMgr &sources) {
  return Parser(sources).parse();
}

void dlc::ast::print(const Program &program, llvm::raw_ostream &os) {
  std::vector<const Model *> all;
  for (const Model &m : program.blocks)
    all.push_back(&m);
  for (const Model &m : program.models)
    all.push_back(&m);
  for (const Model *model : all) {
    const Model &m = *model;
    os << (m.isBlock ? "block " : "model ") << m.name << "(";
    for (size_t i = 0; i < m.inputs.size(); ++i) {
      const Input &in = m.inputs[i];
      os << (i ? ", " : "") << in.name;
      if (m.isBlock)
        continue;
      os << ": " << in.dtype << "[";
      for (size_t d = 0; d < in.dims.size(); ++d) {
        os << (d ? ", " : "");
        if (in.dims[d].symbol.empty())
          os << in.dims[d].size;
        else
          os << in.dims[d].symbol;
      }
      os << "]";
    }
    os << ") {\n";
    for (const Assign &a : m.body) {
      os << "  " << a.name << " = ";
      printExpr(*a.value, os);
      os << "\n";
    }
    if (!m.outputs.empty()) {
      os << "  return";
      for (size_t i = 0; i < m.outputs.size(); ++i)
        os << (i ? ", " : " ") << m.outputs[i].first;
      os << "\n";
    }
    os << "}\n";
  }
  for (const Train &t : program.trains) {
    os << "train " << t.model << " {\n";
    for (const Assign &a : t.settings) {
      os << "  " << a.name << " = ";
      printExpr(*a.value, os);
      os << "\n";
    }
    os << "}\n";
  }
}
