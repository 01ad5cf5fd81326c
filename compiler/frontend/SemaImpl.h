//===- SemaImpl.h - the semantic checker, shared by its source files ------===//
//
// Private to compiler/frontend: Sema.cpp holds the driver, names, inputs and
// training settings; SemaLayers.cpp the layer calls.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_SEMAIMPL_H
#define DLC_COMPILER_FRONTEND_SEMAIMPL_H

#include "compiler/frontend/Sema.h"

#include "llvm/ADT/StringExtras.h"
#include <fmt/format.h>

namespace dlc::sema {
using namespace dlc::ast;
using llvm::SMLoc;
using llvm::StringRef;

class Sema {
public:
  Sema(llvm::SourceMgr &sources, const SemaOptions &options)
      : sources(sources), options(options) {}

  std::optional<Graph> run(const Program &program);

private:
  llvm::SourceMgr &sources;
  const SemaOptions &options;
  Graph graph;
  std::map<std::string, int> values;
  std::map<std::string, SMLoc> definedAt;
  std::string currentStmt;
  int layersInStmt = 0;
  std::string defaultInit = "he";
  int64_t batch = 0;
  int64_t vocabSize = 0; // text data: the size of its character vocabulary
  std::map<std::string, const Model *> blocks;
  std::vector<const Model *> activeBlocks; // being applied, innermost last
  std::string prefix; // parameter name prefix inside a block application

  bool error(SMLoc loc, const std::string &message) {
    sources.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
    return false;
  }
  void note(SMLoc loc, const std::string &message) {
    sources.PrintMessage(loc, llvm::SourceMgr::DK_Note, message);
  }

  /// Blocks applied inside blocks multiply: bound what a model expands to.
  static constexpr size_t kMaxLayers = 100000;

  int add(Node node) {
    if (graph.nodes.size() >= kMaxLayers) {
      error(node.loc,
            activeBlocks.empty()
                ? fmt::format("the model has more than {} layers", kMaxLayers)
                : fmt::format("the model expands to more than {} layers "
                              "through block '{}'",
                              kMaxLayers, activeBlocks.front()->name));
      return -1;
    }
    // Every value is a buffer of the compiled code: keep each under 1 GiB.
    int64_t elements = 1;
    for (int64_t d : node.shape.dims) {
      if (d < 1) {
        error(node.loc,
              fmt::format("{} has an empty dimension", node.shape.str()));
        return -1;
      }
      elements =
          d > (int64_t(1) << 28) / elements ? (int64_t(1) << 29) : elements * d;
    }
    if (elements > (int64_t(1) << 28)) {
      error(node.loc, fmt::format("{} is too large (more than 2^28 elements)",
                                  node.shape.str()));
      return -1;
    }
    graph.nodes.push_back(std::move(node));
    return static_cast<int>(graph.nodes.size()) - 1;
  }
  const Shape &shapeOf(int node) const { return graph.nodes[node].shape; }

  bool checkInputs(const Model &model, const Train *train);
  bool checkBufferNames(const Model &model);
  std::string relativeToSource(StringRef path) const;
  int eval(const Expr &e);
  int evalCall(const Expr &e);
  int evalBinary(const Expr &e);
  int evalSpatial(const Expr &e);
  int evalSequence(const Expr &e);
  int evalAttention(const Expr &e);
  int applyBlock(const Expr &e, const Model &block);
  int elementwise(const Expr &e, Node::Op op, int a, int b, const char *verb);
  bool evalBody(const Model &body);
  std::optional<int64_t> size(const Expr &e, const char *what);
  int tensorArg(const Expr &call, size_t i, bool isInt = false);
  std::string layerName();
  bool weightOptions(const Expr &e, Node &n);
  bool checkArgs(const Expr &call, size_t positional, StringRef signature,
                 llvm::ArrayRef<StringRef> keywords);
  std::optional<double> number(const Expr &e);
  std::optional<std::string> initializer(const Expr &e, uint64_t *seed);
  bool trainSettings(const Train &train, bool early);
  bool loss(const Expr &e, TrainSpec &spec);
  bool optimizer(const Expr &e, TrainSpec &spec);
  bool data(const Expr &e, TrainSpec &spec);
};

/// The names of the built-in layers, which blocks may not take.
llvm::ArrayRef<StringRef> builtinLayers();

} // namespace dlc::sema

#endif // DLC_COMPILER_FRONTEND_SEMAIMPL_H
