//===- NNContract.h - the IR contract between the stages of dlc -----------===//
//
// The front end, the training passes, codegen and the runtime agree on a few
// attribute and buffer names. They are declared here, once; the nn dialect
// verifies every `nn.*` attribute wherever it appears (NNDialect.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef DLC_DIALECTS_NN_NNCONTRACT_H
#define DLC_DIALECTS_NN_NNCONTRACT_H

#include "runtime/dlc_abi.h"

#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace dlc::nn {

/// Attribute names, with where they go and what they hold.
namespace attr {
/// module: the model's name (string).
inline constexpr llvm::StringLiteral kModel = "nn.model";
/// module: the manifest text (string), see runtime/dlc_abi.h.
inline constexpr llvm::StringLiteral kManifest = "nn.manifest";
/// module: FNV-1a hash of the .net source, 16 hex digits (string).
inline constexpr llvm::StringLiteral kSource = "nn.source";
/// module: the training set-up the runtime reads (data, loss, optimizer,
/// batch, epochs, seed, vocab), a dictionary of strings.
inline constexpr llvm::StringLiteral kSettings = "nn.settings";
/// func: an entry point of the compiled model (unit).
inline constexpr llvm::StringLiteral kEntry = "nn.entry";
/// func: build the training step from this loss function (dictionary with
/// an `optimizer` string and the optimizer's float hyperparameters).
inline constexpr llvm::StringLiteral kTrain = "nn.train";
/// func: replace by its gradient function (unit).
inline constexpr llvm::StringLiteral kDifferentiate = "nn.differentiate";
/// argument: a parameter and its buffer name (string).
inline constexpr llvm::StringLiteral kParam = "nn.param";
/// argument: optimizer state and its buffer name (string).
inline constexpr llvm::StringLiteral kState = "nn.state";
/// argument: the initializer of a parameter or state buffer (string).
inline constexpr llvm::StringLiteral kInit = "nn.init";
/// argument or result: an input or output buffer name (string).
inline constexpr llvm::StringLiteral kName = "nn.name";
/// result: written back in place into this argument (integer index).
inline constexpr llvm::StringLiteral kUpdate = "nn.update";
} // namespace attr

/// Buffers the runtime fills or reads by name; a model may not use them.
namespace buffer {
inline constexpr llvm::StringLiteral kLabels = DLC_BUFFER_LABELS;
inline constexpr llvm::StringLiteral kLoss = DLC_BUFFER_LOSS;
inline constexpr llvm::StringLiteral kStep = DLC_BUFFER_STEP;
} // namespace buffer

/// True for the names in nn::buffer.
bool isReservedBufferName(llvm::StringRef name);

/// One buffer of an entry point: a function argument, or a result that is not
/// written back into an argument (it gets a buffer of its own).
struct EntryBuffer {
  bool isResult;
  unsigned index; // argument or result number
};

/// The buffers of an entry point in C ABI order: every argument, then every
/// result without `nn.update`. The manifest and the buffer ABI pass both
/// follow this order.
llvm::SmallVector<EntryBuffer> entryBuffers(mlir::FunctionOpInterface function);

} // namespace dlc::nn

#endif // DLC_DIALECTS_NN_NNCONTRACT_H
