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
    Input,
    Dense,
    Conv2D,
    MaxPool2D,
    AvgPool2D,
    Flatten,
    Relu,
    Sigmoid,
    Tanh,
    Softmax,
    Add,
    Sub,
    Mul,
    Scale,
    Embedding,
    Rnn,
    Lstm,
    Last,
    Matmul,
    Transpose,
    LayerNorm,
    Param,
    Slice,
    Concat,
    Dropout
  };
  Op op;
  std::vector<int> operands; // indices of earlier nodes
  Shape shape;
  llvm::SMLoc loc;
  /// Input: the input's name; layers with parameters: their name prefix
  /// (Param: the parameter's name).
  std::string name;
  int64_t units = 0; // Dense, Rnn, Lstm: units; Conv2D: filters;
                     // Embedding: vector size
  int64_t rows = 0;  // Embedding: vocabulary size
  int64_t kernel = 0, stride = 1, padding = 0; // Conv2D, pools
  int64_t axis = 0, start = 0;         // Slice, Concat; Transpose: the two axes
  bool bias = true;                    // Dense, Conv2D
  bool causal = false;                 // Softmax
  bool transA = false, transB = false; // Matmul
  std::string init;                    // weight initializer (runtime syntax)
  double factor = 1.0;                 // Scale; Dropout: rate; LayerNorm: eps
};

struct TrainSpec {
  enum Loss { CrossEntropy, MSE, BCEWithLogits } loss = CrossEntropy;
  std::string lossName;
  int lossInput = -1;        // node the loss is computed on
  bool oneHotTarget = false; // target is one_hot(labels) rather than labels
  int64_t numClasses = 10;
  std::string optimizer; // sgd, momentum, adam
  std::map<std::string, double> hyper;
  std::string dataKind = "fashion_mnist"; // or "text"
  std::string dataPath = "/usr/share/datasets/fashion-mnist";
  std::string vocab;               // text: the characters (bytes), sorted
  std::vector<int64_t> labelShape; // [batch] or, for text, [batch, window]
  int64_t batch = 64, epochs = 1;
  uint64_t seed = 0;
};

struct Graph {
  std::string model;
  std::vector<Node> nodes;
  bool hasDropout = false; // train_step then takes the step number
  std::vector<std::pair<std::string, int>> outputs;
  std::optional<TrainSpec> train;
};

struct SemaOptions {
  /// Size of the symbolic batch dimension; overrides the train section's.
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
