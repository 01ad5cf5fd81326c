//===- ExpandStridedCopies.cpp - strided memref.copy to linalg.copy -------===//
#include "compiler/targets/cpu/Passes.h"

#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"

namespace dlc::cpu {
#define GEN_PASS_DEF_EXPANDSTRIDEDCOPIES
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

using namespace mlir;

namespace {
struct ExpandStridedCopiesPass
    : dlc::cpu::impl::ExpandStridedCopiesBase<ExpandStridedCopiesPass> {
  void runOnOperation() override {
    auto contiguous = [](Value v) {
      auto type = cast<MemRefType>(v.getType());
      return type.getLayout().isIdentity() ||
             memref::isStaticShapeAndContiguousRowMajor(type);
    };
    getOperation().walk([&](memref::CopyOp copy) {
      // Bufferization leaves copies of a buffer onto itself.
      if (copy.getSource() == copy.getTarget()) {
        copy.erase();
        return;
      }
      if (contiguous(copy.getSource()) && contiguous(copy.getTarget()))
        return;
      OpBuilder b(copy);
      linalg::CopyOp::create(b, copy.getLoc(), copy.getSource(),
                             copy.getTarget());
      copy.erase();
    });
  }
};
} // namespace
