//===- NNDialect.cpp - nn dialect registration ----------------------------===//
#include "dialects/nn/NNDialect.h"

#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace dlc::nn;

#include "dialects/nn/NNDialect.cpp.inc"
#include "dialects/nn/NNInterfaces.cpp.inc"

void NNDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/nn/NNOps.cpp.inc"
      >();
}

std::string dlc::nn::describe(Type type) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return "a value that is not a ranked tensor";
  std::string text;
  llvm::raw_string_ostream os(text);
  os << tensor.getElementType() << '[';
  llvm::interleaveComma(tensor.getShape(), os);
  os << ']';
  return text;
}

std::optional<int64_t> dlc::nn::elementCount(ShapedType type) {
  int64_t count = 1;
  for (int64_t d : type.getShape())
    if (d < 0 || llvm::MulOverflow(count, d, count))
      return std::nullopt;
  return count;
}
