//===- HoistVectorTransfers.cpp - accumulators stay in registers ----------===//
#include "compiler/targets/cpu/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"

namespace dlc::cpu {
#define GEN_PASS_DEF_HOISTVECTORTRANSFERS
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

namespace {
struct HoistVectorTransfersPass
    : dlc::cpu::impl::HoistVectorTransfersBase<HoistVectorTransfersPass> {
  void runOnOperation() override {
    // Loops here have static, non-zero trip counts: hoisting is always safe.
    mlir::linalg::hoistRedundantVectorTransfers(getOperation());
  }
};
} // namespace
