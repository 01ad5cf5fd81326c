//===- Passes.td - dlc compiler passes ---------------------*- tablegen -*-===//
#ifndef DLC_COMPILER_PASSES_TD
#define DLC_COMPILER_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// transforms/: on the nn dialect
//===----------------------------------------------------------------------===//

def LiftParams : Pass<"nn-lift-params", "mlir::ModuleOp"> {
  let summary = "Turn nn.param ops into leading function arguments";
  let description = [{
    Parameters are buffers the runtime owns, so every function receives them as
    arguments, in order of first use, tagged `nn.param = "<name>"` and
    `nn.init = "<initializer>"`.
  }];
  let dependentDialects = ["dlc::nn::NNDialect"];
}

def BuildTrainStep : Pass<"nn-build-train-step", "mlir::ModuleOp"> {
  let summary = "Append backward pass and optimizer update to a loss function";
  let description = [{
    A function tagged `nn.train = {optimizer = "sgd"|"momentum"|"adam", lr, ...}`
    returns a scalar loss and takes parameters (`nn.param` arguments). It
    becomes a training step: the gradient of the loss with respect to each
    parameter is built by reverse-mode autodiff through the ops' VJPs, then the
    optimizer update. Optimizer state is added as arguments (`nn.state`), and
    the function returns the loss followed by the new value of every parameter
    and state, each tagged `nn.update = <argument index>`: the runtime's
    buffers are updated in place.
  }];
  let dependentDialects = ["dlc::nn::NNDialect", "mlir::arith::ArithDialect"];
}

def Differentiate : Pass<"nn-differentiate", "mlir::ModuleOp"> {
  let summary = "Add @<f>_grad for every function tagged nn.differentiate";
  let description = [{
    `@f_grad` takes the arguments of `@f` (which returns a scalar) and returns
    the scalar followed by its gradient with respect to every floating-point
    argument. Used by the gradient checks and to inspect VJPs.
  }];
  let dependentDialects = ["dlc::nn::NNDialect", "mlir::arith::ArithDialect"];
}

//===----------------------------------------------------------------------===//
// conversion/
//===----------------------------------------------------------------------===//

def ConvertNNToLinalg : Pass<"convert-nn-to-linalg", "mlir::ModuleOp"> {
  let summary = "Lower nn ops to linalg.generic on tensors";
  let dependentDialects = ["mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect", "mlir::arith::ArithDialect",
    "mlir::math::MathDialect", "mlir::scf::SCFDialect"];
}

def FuseElementwise : Pass<"dlc-fuse-elementwise"> {
  let summary = "Fuse elementwise linalg ops and propagate reshapes, keeping windowed contractions";
  let description = [{
    MLIR's `linalg-fuse-elementwise-ops` (producer into single consumer,
    reshape propagation by expansion, constant folding), except that a
    producer is fused only into a consumer that reads each of its elements
    once (never into a matmul, which would recompute it per column and stop
    being a contraction), and no
    reshape is folded into a generic next to a window generic (im2col,
    col2im, pooling): convolutions stay contractions over [batch, M, K] x
    [batch, K, N] columns, which the targets tile and vectorize.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect",
    "mlir::tensor::TensorDialect", "mlir::affine::AffineDialect"];
}

//===----------------------------------------------------------------------===//
// codegen/: the C ABI, shared by every target
//===----------------------------------------------------------------------===//

def BufferABI : Pass<"dlc-buffer-abi", "mlir::ModuleOp"> {
  let summary = "Turn tensor signatures of entry points into caller-owned buffers";
  let description = [{
    Every argument becomes a memref. A result tagged `nn.update = i` is written
    back into argument i; every other result gets a new trailing memref
    argument. Functions then return nothing, so the caller owns all memory.
  }];
  let dependentDialects = ["mlir::bufferization::BufferizationDialect",
    "mlir::memref::MemRefDialect"];
}

def UnshareInitTensors : Pass<"dlc-unshare-init-tensors"> {
  let summary = "Give every use of a tensor.empty, or of a linalg.fill of one, its own copy";
  let description = [{
    CSE merges identical tensor.empty ops and identical fills of them, so in
    a deep model one zero-filled `tensor<64x256xf32>` becomes the init of
    hundreds of matmuls. One-Shot Bufferize then sees one alias set for all
    of them and checks every write against every read of it: analysis time
    grows with the square of the model, and the decisions do not improve.
    Run right before bufferization, after the last CSE: each use gets its
    own chain (a fresh tensor.empty, filled again if it was), placed right
    before the user, so alias sets stay local.
  }];
  let dependentDialects = ["mlir::tensor::TensorDialect",
    "mlir::linalg::LinalgDialect"];
}

def EarlyDeallocs : Pass<"dlc-early-deallocs"> {
  let summary = "Free each unconditionally owned buffer right after its last use";
  let description = [{
    Runs between MLIR's ownership-based buffer deallocation and its
    simplification. In a straight-line function such as a training step,
    ownership-based deallocation frees every buffer in one
    `bufferization.dealloc` at the end of the block: all temporaries stay
    alive for the whole step, and the simplification compares every pair of
    them (time quadratic in the model). A buffer of that op that is owned
    unconditionally, allocated in the same block, and whose views never
    leave it, is instead freed by a `memref.dealloc` after the op of the
    block that uses it last.
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect"];
}

def PlanMemory : Pass<"dlc-plan-memory", "mlir::func::FuncOp"> {
  let summary = "Place a function's temporaries in one arena, sharing memory between buffers whose lifetimes do not overlap";
  let description = [{
    Runs after buffer deallocation, before kernels are outlined. Every
    `memref.alloc` of a static, identity-layout buffer in the function's
    block that is freed by one `memref.dealloc` in the same block lives from
    the alloc to the dealloc. The buffers are placed greedily, largest first,
    at the lowest 64-byte aligned offset not used by a buffer live at the
    same time, in one arena allocated at the start of the function and freed
    before it returns; each alloc becomes a `memref.view` of the arena.

    A training step then makes one allocation instead of one per temporary,
    its peak memory is that of the buffers live at once, and the code
    generator sees one base pointer and constant offsets instead of hundreds
    of pointers live across the kernel calls (LLVM's register allocator took
    time quadratic in those).
  }];
  let dependentDialects = ["mlir::memref::MemRefDialect",
    "mlir::arith::ArithDialect"];
}

def EmitEntryPoints : Pass<"dlc-emit-entry-points", "mlir::ModuleOp"> {
  let summary = "Add the dlc C ABI: dlc_<entry>(void **), dlc_abi_version, dlc_manifest";
  let description = [{
    Runs on the LLVM dialect, after functions were lowered with the bare-pointer
    calling convention. For every function tagged `nn.entry` it adds
    `void dlc_<name>(void **buffers)` which calls it with the buffers in
    order; the manifest text comes from the module's `nn.manifest` attribute.
  }];
  let dependentDialects = ["mlir::LLVM::LLVMDialect"];
}

#endif // DLC_COMPILER_PASSES_TD
