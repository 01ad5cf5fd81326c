//===- NNContract.cpp - verification of the nn.* attributes ---------------===//
#include "dialects/nn/NNContract.h"
#include "dialects/nn/NNDialect.h"

#include "mlir/IR/BuiltinOps.h"

using namespace mlir;
using namespace dlc::nn;

bool dlc::nn::isReservedBufferName(StringRef name) {
  return name == buffer::kLabels || name == buffer::kLoss ||
         name == buffer::kStep;
}

SmallVector<EntryBuffer> dlc::nn::entryBuffers(FunctionOpInterface function) {
  SmallVector<EntryBuffer> buffers;
  for (unsigned i = 0, e = function.getNumArguments(); i < e; ++i)
    buffers.push_back({/*isResult=*/false, i});
  for (unsigned i = 0, e = function.getNumResults(); i < e; ++i)
    if (!function.getResultAttr(i, attr::kUpdate))
      buffers.push_back({/*isResult=*/true, i});
  return buffers;
}

static LogicalResult expectString(Operation *op, NamedAttribute a) {
  if (auto s = dyn_cast<StringAttr>(a.getValue()); s && !s.empty())
    return success();
  return op->emitOpError("attribute '")
         << a.getName().getValue() << "' must be a non-empty string";
}

LogicalResult NNDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute a) {
  StringRef name = a.getName().getValue();
  if (name == attr::kSettings) {
    auto settings = dyn_cast<DictionaryAttr>(a.getValue());
    if (!isa<ModuleOp>(op) || !settings ||
        !llvm::all_of(settings, [](NamedAttribute s) {
          return isa<StringAttr>(s.getValue());
        }))
      return op->emitOpError("attribute '")
             << name << "' must be a dictionary of strings on a module";
    return success();
  }
  if (name == attr::kModel || name == attr::kManifest ||
      name == attr::kSource) {
    if (!isa<ModuleOp>(op))
      return op->emitOpError("attribute '") << name << "' belongs on a module";
    return expectString(op, a);
  }
  bool isFunction = isa<FunctionOpInterface>(op);
  if (name == attr::kEntry || name == attr::kDifferentiate) {
    if (!isFunction || !isa<UnitAttr>(a.getValue()))
      return op->emitOpError("attribute '")
             << name << "' must be a unit attribute on a function";
    return success();
  }
  if (name == attr::kTrain) {
    auto config = dyn_cast<DictionaryAttr>(a.getValue());
    if (!isFunction || !config ||
        !isa_and_nonnull<StringAttr>(config.get("optimizer")))
      return op->emitOpError("attribute '")
             << name << "' must be a dictionary with an 'optimizer' on a "
             << "function";
    return success();
  }
  return op->emitOpError("unknown nn attribute '") << name << "'";
}

LogicalResult NNDialect::verifyRegionArgAttribute(Operation *op, unsigned,
                                                  unsigned argIndex,
                                                  NamedAttribute a) {
  StringRef name = a.getName().getValue();
  if (name == attr::kParam || name == attr::kState || name == attr::kInit ||
      name == attr::kName)
    return expectString(op, a);
  return op->emitOpError("unknown nn argument attribute '")
         << name << "' on argument " << argIndex;
}

LogicalResult NNDialect::verifyRegionResultAttribute(Operation *op, unsigned,
                                                     unsigned resultIndex,
                                                     NamedAttribute a) {
  StringRef name = a.getName().getValue();
  if (name == attr::kName)
    return expectString(op, a);
  if (name == attr::kUpdate) {
    auto index = dyn_cast<IntegerAttr>(a.getValue());
    auto function = dyn_cast<FunctionOpInterface>(op);
    if (!index || !function || index.getInt() < 0 ||
        index.getInt() >= function.getNumArguments())
      return op->emitOpError("result ") << resultIndex << ": '" << name
                                        << "' must be the index of an argument";
    return success();
  }
  return op->emitOpError("unknown nn result attribute '")
         << name << "' on result " << resultIndex;
}
