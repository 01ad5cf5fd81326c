//===- MLIRGenImpl.h - the front end's walk, shared by its files ----------===//
//
// Private to compiler/frontend: MLIRGen.cpp walks the model (names, calls,
// blocks, entry points); TrainSection.cpp reads the train section.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_MLIRGENIMPL_H
#define DLC_COMPILER_FRONTEND_MLIRGENIMPL_H

#include "compiler/frontend/Layers.h"
#include "compiler/frontend/MLIRGen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringExtras.h"
#include <fmt/format.h>
#include <map>

namespace dlc::frontend {
using namespace dlc::ast;
using llvm::SMLoc;
using llvm::StringRef;

/// The train section, checked.
struct TrainSettings {
  enum Loss {
    CrossEntropy,
    NllLoss,
    MSE,
    L1,
    BCEWithLogits
  } loss = CrossEntropy;
  std::string lossName;
  std::string lossInput;     // the model value the loss is computed on
  bool oneHotTarget = false; // target is one_hot(labels) rather than labels
  std::string optimizer;     // sgd, momentum, adam
  std::map<std::string, double> hyper;
  std::string dataKind = "fashion_mnist"; // or "text"
  std::string dataPath = "/usr/share/datasets/fashion-mnist";
  std::string vocab;               // text: the characters (bytes), sorted
  std::vector<int64_t> labelShape; // [batch] or, for text, [batch, window]
  int64_t batch = 64, epochs = 1;
  uint64_t seed = 0;
};

class MLIRGen {
public:
  MLIRGen(llvm::SourceMgr &sources, mlir::MLIRContext &context,
          const FrontendOptions &options)
      : sources(sources), options(options), b(&context) {}

  mlir::OwningOpRef<mlir::ModuleOp> run(const Program &program);

private:
  llvm::SourceMgr &sources;
  const FrontendOptions &options;
  mlir::OpBuilder b;

  // The program.
  const Model *model = nullptr;
  std::map<std::string, const Model *> blocks;
  std::optional<TrainSettings> train;
  std::vector<std::pair<std::string, mlir::RankedTensorType>> inputs;
  std::vector<std::pair<std::string, SMLoc>> outputs;
  std::string defaultInit = "he";
  int64_t batch = 0;
  int64_t vocabSize = 0; // text data: the size of its character vocabulary
  bool usesStep = false; // a dropout layer: train_step takes the step number
  std::map<std::string, SMLoc> paramsAt; // param() names, for output checks

  // The walk of one entry point.
  std::map<std::string, mlir::Value> values;
  std::map<std::string, SMLoc> definedAt;
  std::string currentStmt;
  int layersInStmt = 0;
  std::string prefix; // parameter name prefix inside a block application
  std::vector<const Model *> activeBlocks; // being applied, innermost last
  int64_t valueCount = 0;                  // values computed so far
  mlir::Value step;                        // train_step's step number

  /// Blocks applied inside blocks multiply: bound what a model expands to.
  static constexpr int64_t kMaxLayers = 100000;

  bool error(SMLoc loc, const std::string &message) {
    sources.PrintMessage(loc, llvm::SourceMgr::DK_Error, message);
    return false;
  }
  void note(SMLoc loc, const std::string &message) {
    sources.PrintMessage(loc, llvm::SourceMgr::DK_Note, message);
  }
  mlir::Location loc(SMLoc at);

  // MLIRGen.cpp
  bool checkProgram(const Program &program);
  bool checkInputs();
  bool checkOutputs();
  mlir::func::FuncOp emitPredict();
  bool emitTrainStep();
  mlir::func::FuncOp
  startFunction(StringRef name,
                llvm::ArrayRef<std::pair<StringRef, mlir::Type>> extra);
  bool emitBody(const Model &body);
  mlir::Value eval(const Expr &e);
  mlir::Value evalBinary(const Expr &e);
  mlir::Value evalNegate(const Expr &e);
  mlir::Value evalFloat(const Expr &e, SMLoc at, StringRef what);
  mlir::Value evalCall(const Expr &e);
  mlir::Value applyBlock(const Expr &e, const Model &block);
  bool bindArgs(const Expr &call, const Layer &layer, LayerArgs &args);
  bool bindTensor(const Expr &call, const Arg &arg, const ArgSpec &spec,
                  LayerArgs &args);
  bool bindValue(const Arg &arg, const ArgSpec &spec, LayerArgs &args);
  mlir::Value
  build(SMLoc at,
        llvm::function_ref<mlir::FailureOr<mlir::Value>(LayerBuilder &)> body);
  std::string layerName();
  bool checkArgs(const Expr &call, size_t positional, StringRef signature,
                 llvm::ArrayRef<StringRef> keywords);
  std::optional<int64_t> size(const Expr &e, StringRef what);

  // TrainSection.cpp
  std::optional<double> number(const Expr &e);
  std::optional<std::string> initializer(const Expr &e, uint64_t *seed);
  bool trainSettings(const Train &section, bool early);
  bool data(const Expr &e);
  bool loss(const Expr &e);
  bool optimizer(const Expr &e);
  bool checkTrainInput();
  std::string relativeToSource(StringRef path) const;
  mlir::DictionaryAttr settingsAttr();
  mlir::Value emitLoss(mlir::Value labels);
};

} // namespace dlc::frontend

#endif // DLC_COMPILER_FRONTEND_MLIRGENIMPL_H
