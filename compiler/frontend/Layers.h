//===- Layers.h - the layers of the language, one table entry each --------===//
//
// A layer of the .net language is one `Layer`: its name, its arguments (kinds,
// keywords, defaults), a line of documentation and a builder that creates nn
// ops. The front end checks a call against the entry and binds its arguments
// (MLIRGen.cpp); the builder then creates ops through `LayerBuilder`, which
// takes result shapes from the ops' own type inference and reports their
// errors at the call. No shape rule lives here that an op already has.
//
//===----------------------------------------------------------------------===//
#ifndef DLC_COMPILER_FRONTEND_LAYERS_H
#define DLC_COMPILER_FRONTEND_LAYERS_H

#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/SMLoc.h"

#include <functional>
#include <string>

namespace dlc::frontend {

/// What an argument must be. The checker converts and checks it, with an
/// error at the argument, before the builder runs.
enum class ArgKind {
  Tensor,   // an f32 tensor (rank bounds in ArgSpec)
  Ids,      // an i32 tensor of ids
  Tensors,  // two or more f32 tensors (variadic, positional)
  Size,     // a positive integer, or `vocab` with text data
  Sizes,    // one or more sizes (variadic, positional)
  Index,    // a non-negative integer
  Number,   // a finite number
  Positive, // a number > 0
  Rate,     // a number in [0, 1)
  Bool,     // true or false
  Axis,     // a dimension of the first tensor argument, negative from the end
  Axes,     // an Axis or a tuple of distinct ones, as (0, 2)
  Init,     // an initializer: zeros, he, glorot, normal(std), uniform(limit)
  Choice,   // one of the strings listed in `what` ("none|tanh"), as its index
};

struct ArgSpec {
  llvm::StringRef name;
  ArgKind kind;
  /// Keyword arguments have a default; positional ones are required.
  bool keyword = false;
  /// The default of a keyword: a number (Bool: 0 or 1; Axis: -1 is the last
  /// dimension) or, for Init, an initializer ("" is the model's default).
  double number = 0;
  llvm::StringRef init = {};
  /// Size: what the error calls it ("units"); Tensor: the expected form, as
  /// "[batch, time, features] sequence", shown when the rank is wrong.
  llvm::StringRef what = {};
  int minRank = 0, maxRank = 64;
};

/// Helpers for table entries.
inline ArgSpec positional(llvm::StringRef name, ArgKind kind,
                          llvm::StringRef what = {}, int minRank = 0,
                          int maxRank = 64) {
  return {name, kind, false, 0, {}, what, minRank, maxRank};
}
inline ArgSpec keyword(llvm::StringRef name, ArgKind kind, double fallback) {
  return {name, kind, true, fallback};
}
inline ArgSpec choiceKeyword(llvm::StringRef name, llvm::StringRef choices) {
  return {name, ArgKind::Choice, true, 0, {}, choices};
}
inline ArgSpec initKeyword(llvm::StringRef fallback = "") {
  return {"init", ArgKind::Init, true, 0, fallback};
}

/// The checked arguments of one call.
class LayerArgs {
public:
  mlir::Value tensor(size_t i) const { return tensors_[i]; }
  llvm::ArrayRef<mlir::Value> tensors() const { return tensors_; }
  llvm::ArrayRef<int64_t> sizes() const { return sizes_; }
  /// The Axes argument, ascending.
  llvm::ArrayRef<int64_t> axes() const { return axes_; }
  int64_t integer(llvm::StringRef name) const {
    return static_cast<int64_t>(number(name));
  }
  double number(llvm::StringRef name) const { return numbers_.lookup(name); }
  bool flag(llvm::StringRef name) const { return number(name) != 0; }
  /// An Init argument, in the runtime's syntax ("he", "normal:0.01").
  llvm::StringRef init(llvm::StringRef name = "init") const {
    auto it = texts_.find(name); // lookup() would return a temporary copy
    return it == texts_.end() ? llvm::StringRef() : llvm::StringRef(it->second);
  }
  /// Where the argument was written (the call for a default).
  llvm::SMLoc loc(llvm::StringRef name) const { return locs_.lookup(name); }

private:
  friend class MLIRGen;
  llvm::SmallVector<mlir::Value> tensors_;
  llvm::SmallVector<int64_t> sizes_;
  llvm::SmallVector<int64_t> axes_;
  llvm::StringMap<double> numbers_;
  llvm::StringMap<std::string> texts_;
  llvm::StringMap<llvm::SMLoc> locs_;
};

/// What a layer's builder creates ops with.
class LayerBuilder {
public:
  LayerBuilder(mlir::OpBuilder &b, mlir::Location location, llvm::SMLoc at)
      : b(b), location(location), at(at) {}

  mlir::OpBuilder &b;
  mlir::Location location; // of the call, for the ops
  llvm::SMLoc at;          // of the call, for errors
  /// train_step's step number, which drives dropout; null in predict.
  mlir::Value step;
  /// Numbers the values of the program in order: seeds a dropout mask.
  int64_t valueIndex = 0;

  /// An op whose result types its type inference gives. On a shape error the
  /// op's message is reported at the call and the result is failure.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> infer(Args &&...args) {
    mlir::OperationState state(location, OpTy::getOperationName());
    llvm::SmallVector<mlir::Type> placeholders(resultCount<OpTy>(),
                                               b.getNoneType());
    OpTy::build(b, state, mlir::TypeRange(placeholders),
                std::forward<Args>(args)...);
    llvm::SmallVector<mlir::Type> types;
    if (mlir::failed(OpTy::inferReturnTypes(
            b.getContext(), location, state.operands,
            state.attributes.getDictionary(b.getContext()),
            state.getRawProperties(), state.regions, types)))
      return mlir::failure();
    state.types.assign(types.begin(), types.end());
    return finish(b.create(state));
  }

  /// An op whose result type the layer states (a reshape, a slice); the op's
  /// verifier checks it.
  template <typename OpTy, typename... Args>
  mlir::FailureOr<mlir::Value> typed(mlir::Type type, Args &&...args) {
    mlir::OperationState state(location, OpTy::getOperationName());
    OpTy::build(b, state, type, std::forward<Args>(args)...);
    return finish(b.create(state));
  }

  /// A parameter `<layer>.<suffix>` ("" names it `<layer>`), initialized by
  /// `init` ("" is the model's default initializer).
  mlir::FailureOr<mlir::Value> param(llvm::ArrayRef<int64_t> shape,
                                     llvm::StringRef suffix,
                                     llvm::StringRef init);

  /// Reports a layer's own error (not a shape error) at `at`.
  mlir::LogicalResult error(llvm::SMLoc at, const std::string &message) {
    report(at, message);
    return mlir::failure();
  }

  /// Set by the front end: the layer's name, its default initializer, a
  /// reporter, and a check on the size of every value.
  std::function<std::string()> layerName;
  std::string defaultInit;
  std::function<void(llvm::SMLoc, const std::string &)> report;
  std::function<mlir::LogicalResult(mlir::Value)> checkSize;
  std::function<void(llvm::StringRef)> onParam;

private:
  template <typename OpTy> static constexpr unsigned resultCount() {
    // The layers' ops have one result, or two (lstm: hidden and cell).
    if constexpr (OpTy::template hasTrait<mlir::OpTrait::OneResult>())
      return 1;
    else
      return 2;
  }
  mlir::FailureOr<mlir::Value> finish(mlir::Operation *op);
  std::string name_; // of the layer, once a parameter asked for it
};

/// One layer of the language.
struct Layer {
  llvm::StringRef name;
  /// One line saying what the layer computes and which PyTorch function it
  /// matches (docs/language.md has the full row).
  llvm::StringRef doc;
  /// Positional arguments first, then keywords.
  llvm::SmallVector<ArgSpec, 4> args;
  mlir::FailureOr<mlir::Value> (*build)(LayerBuilder &, const LayerArgs &);
  /// Variadic layers: what the error says when the count is wrong.
  llvm::StringRef usage = {};
  /// Uses the step number in training (dropout).
  bool usesStep = false;
};

/// `lhs op rhs` with the language's broadcasting: an operand whose shape is a
/// suffix of the other's is repeated over the leading dimensions. `call` is
/// the layer name for add(x, y), empty for `x + y`.
mlir::FailureOr<mlir::Value> buildBinary(LayerBuilder &lb, char op,
                                         mlir::Value lhs, mlir::Value rhs,
                                         llvm::StringRef call);

/// Every built-in layer, in the order the language reference lists them.
llvm::ArrayRef<Layer> layers();
/// The layer called `name`, or null.
const Layer *findLayer(llvm::StringRef name);

} // namespace dlc::frontend

#endif // DLC_COMPILER_FRONTEND_LAYERS_H
