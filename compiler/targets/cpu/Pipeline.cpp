//===- Pipeline.cpp - linalg on tensors to LLVM for the host CPU ----------===//
#include "compiler/targets/cpu/Pipeline.h"
#include "compiler/Passes.h"
#include "compiler/targets/cpu/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

static void cleanUp(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void dlc::cpu::buildCodegenPipeline(OpPassManager &pm) {
  // Contractions: cache tiles, register tiles, vector.contract.
  pm.addNestedPass<func::FuncOp>(createTileContractions());
  // Elementwise kernels: one loop of whole vectors each.
  pm.addNestedPass<func::FuncOp>(createVectorizeElementwise());
  // No CSE yet: every elementwise loop still starts from the same shared
  // init, and CSE compares loops of equal operands region by region, in time
  // quadratic in their number. The CSE after bufferization does its work.
  pm.addPass(createCanonicalizerPass());

  // Caller-owned buffers for the entry points, then bufferize everything else.
  pm.addPass(createBufferABI());
  pm.addPass(createUnshareInitTensors());
  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  // Without a canonicalization here a full copy of each output remains.
  cleanUp(pm);
  // MLIR's buffer deallocation pipeline (bufferization::
  // buildBufferDeallocationPipeline), with the step's temporaries freed after
  // their last use instead of all at its end.
  pm.addPass(memref::createExpandReallocPass({/*emitDeallocs=*/false}));
  pm.addPass(createCanonicalizerPass());
  pm.addPass(bufferization::createOwnershipBasedBufferDeallocationPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createEarlyDeallocs());
  pm.addPass(bufferization::createBufferDeallocationSimplificationPass());
  pm.addPass(bufferization::createLowerDeallocationsPass());
  pm.addPass(createCSEPass());
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createExpandStridedCopies());
  pm.addNestedPass<func::FuncOp>(createPlanMemory());
  // One function per kernel from here on: several MLIR passes below and
  // LLVM's loop passes take time quadratic in the kernels of one function.
  pm.addPass(createOutlineKernels());

  // Loops. CSE and LICM first, so that the accumulator of each vectorized
  // contraction is loop-invariant and can be hoisted into registers.
  pm.addPass(createConvertLinalgToLoopsPass());
  pm.addPass(memref::createFoldMemRefAliasOpsPass());
  cleanUp(pm);
  pm.addPass(createLoopInvariantCodeMotionPass());
  pm.addNestedPass<func::FuncOp>(createHoistVectorTransfers());
  VectorTransferToSCFOptions toSCF;
  toSCF.unroll = true;
  pm.addPass(createConvertVectorToSCFPass(toSCF));
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  pm.addPass(createApproximateMath());
  pm.addPass(math::createMathExpandOpsPass());

  // LLVM dialect; bare pointers at function boundaries (the C ABI passes one
  // pointer per buffer).
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.vectorContractLowering =
      vector::VectorContractLowering::OuterProduct;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  FinalizeMemRefToLLVMConversionPassOptions memrefToLLVM;
  memrefToLLVM.useAlignedAlloc = true;
  pm.addPass(createFinalizeMemRefToLLVMConversionPass(memrefToLLVM));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcToLLVM;
  funcToLLVM.useBarePtrCallConv = true;
  pm.addPass(createConvertFuncToLLVMPass(funcToLLVM));
  pm.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createEmitEntryPoints());
  pm.addPass(createCanonicalizerPass());
}
