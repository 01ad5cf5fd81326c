//===- HoistVectorTransfers.cpp - accumulators stay in registers ----------===//
#include "compiler/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"

namespace dlc {
#define GEN_PASS_DEF_HOISTVECTORTRANSFERS
#include "compiler/Passes.h.inc"
} // namespace dlc

namespace {
struct HoistVectorTransfersPass
    : dlc::impl::HoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    // Loops here have static, non-zero trip counts: hoisting is always safe.
    mlir::linalg::hoistRedundantVectorTransfers(getOperation());
  }
};
} // namespace
