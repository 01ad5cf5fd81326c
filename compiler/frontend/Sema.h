//===- Sema.h - names, shapes and settings of a .net program --------------===//
//
// Sema checks a parsed program and produces a Graph: the model as a list of
// layer nodes with concrete shapes, and the training set-up. Every user
// mistake is reported at its source location; EmitNN never sees a bad graph.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_SEMA_H
#define DLC_COMPILER_FRONTEND_SEMA_H

#include "compiler/frontend/AST.h"

#include "llvm/Support/SourceMgr.h"
#include <map>
#include <optional>

namespace dlc {

struct Shape {
  bool isInt = false; // i32 (labels) rather than f32
  std::vector<int64_t> dims;
  std::string str() const; // f32[64, 784]
  bool operator==(const Shape &o) const {
    return isInt == o.isInt && dims == o.dims;
  }
};

struct Node {
  enum Op {
    Input, Dense, Conv2D, MaxPool2D, AvgPool2D, Flatten,
    Relu, Sigmoid, Tanh, Softmax, Add, Sub, Mul, Scale
  };
  Op op;
  std::vector<int> operands; // indices of earlier nodes
  Shape shape;
  llvm::SMLoc loc;
  std::string name;      // Input: the input's name; Dense, Conv2D: parameter prefix
  int64_t units = 0;     // Dense: units; Conv2D: filters
  int64_t kernel = 0, stride = 1, padding = 0; // Conv2D, pools
  bool bias = true;      // Dense, Conv2D
  std::string init;      // Dense, Conv2D: weight initializer (runtime syntax)
  double factor = 1.0;   // Scale
};

struct TrainSpec {
  enum Loss { CrossEntropy, MSE, BCEWithLogits } loss = CrossEntropy;
  std::string lossName;
  int lossInput = -1;       // node the loss is computed on
  bool oneHotTarget = false; // target is one_hot(labels) rather than labels
  int64_t numClasses = 10;
  std::string optimizer;    // sgd, momentum, adam
  std::map<std::string, double> hyper;
  std::string dataKind = "fashion_mnist";
  std::string dataPath = "/usr/share/datasets/fashion-mnist";
  int64_t batch = 64, epochs = 1;
  uint64_t seed = 0;
};

struct Graph {
  std::string model;
  std::vector<Node> nodes;
  std::vector<std::pair<std::string, int>> outputs;
  std::optional<TrainSpec> train;
};

struct SemaOptions {
  /// Size of a symbolic batch dimension when there is no train section.
  std::optional<int64_t> batch;
  /// Training is requested: a train section is required, its data must exist.
  bool requireTraining = false;
};

/// Checks `program` (parsed from the main buffer of `sources`); reports the
/// first error through `sources` and returns nullopt on failure.
std::optional<Graph> analyze(const ast::Program &program,
                             llvm::SourceMgr &sources,
                             const SemaOptions &options);

} // namespace dlc

#endif // DLC_COMPILER_FRONTEND_SEMA_H
