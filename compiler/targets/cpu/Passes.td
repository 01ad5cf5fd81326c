//===- Passes.td - passes of the CPU target ----------------*- tablegen -*-===//
#ifndef DLC_COMPILER_TARGETS_CPU_PASSES_TD
#define DLC_COMPILER_TARGETS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

def TileContractions : Pass<"dlc-tile-contractions", "mlir::func::FuncOp"> {
  let summary = "Tile matmul-like linalg ops for the cache and registers, then vectorize them";
  let options = [
    ListOption<"cacheTile", "cache-tile", "int64_t", "Tile sizes (M, N, K) of the cache tile (default 64, 128, 128)">,
    ListOption<"registerTile", "register-tile", "int64_t", "Tile sizes (M, N, K) of the vectorized kernel (default 4, 64, 1)">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::tensor::TensorDialect"];
}

def VectorizeElementwise : Pass<"dlc-vectorize-elementwise", "mlir::func::FuncOp"> {
  let summary = "Vectorize elementwise generics and row reductions along their contiguous inner dimension";
  let description = [{
    An elementwise generic (all loops parallel, every operand read along the
    innermost loop or broadcast across it) has its contiguous trailing loops
    collapsed into one, which is tiled by whole vectors (up to 64 lanes, a
    multiple of 16) and vectorized. Without it the generic reaches LLVM as
    scalar loops with short inner trip counts (24 for a LeNet feature map),
    which LLVM's loop vectorizer handles slowly and poorly. Generics whose
    inner size has no such tile are left alone.

    A row reduction (only the innermost loop reduces, as in softmax and layer
    norm and their gradients; rows of 16 to 512 elements, a multiple of 16)
    is tiled one row at a time and vectorized, the row reduced across lanes.

    Finally the tiles' extract_slice/insert_slice fold into the vector reads
    and writes (MLIR's tensor subset folding), so that a tensor read by many
    kernels does not gather one slice alias per kernel: One-Shot Bufferize
    scans every alias of a value for each of its uses.
  }];
  let options = [
    Option<"maxLanes", "max-lanes", "int64_t", "64", "Largest vector tile">,
  ];
  let dependentDialects = ["mlir::scf::SCFDialect", "mlir::vector::VectorDialect",
    "mlir::tensor::TensorDialect"];
}

def HoistVectorTransfers : Pass<"dlc-hoist-vector-transfers", "mlir::func::FuncOp"> {
  let summary = "Keep matmul accumulators in registers across the K loop";
  let description = [{
    After bufferization, moves the read and write of a loop-invariant vector
    (the accumulator tile of a vectorized matmul) out of the loops around it,
    so the inner loop only loads operands and issues FMAs.
  }];
}

def ExpandStridedCopies : Pass<"dlc-expand-strided-copies", "mlir::func::FuncOp"> {
  let summary = "Turn memref.copy between non-contiguous buffers into linalg.copy";
  let description = [{
    memref.copy lowers to an LLVM memcpy only when both buffers are
    contiguous; otherwise it becomes a call to `memrefCopy` in MLIR's C runner
    library, which neither the JIT nor a shared library links. As linalg.copy
    it becomes ordinary loops. Contiguous copies are left alone.
  }];
  let dependentDialects = ["mlir::linalg::LinalgDialect"];
}

def ApproximateMath : Pass<"dlc-approximate-math", "mlir::ModuleOp"> {
  let summary = "f32 exp, log, tanh, erf (and expm1, log1p) to MLIR's polynomials; f64 erf to libm";
  let description = [{
    LLVM lowers a vector exp, log or tanh to one scalar libm call per lane,
    so every loop that uses them (sigmoid, tanh, softmax, the losses, the
    LSTM's gates) ran scalar and its code grew by a call per lane. In f32,
    scalar or vector, they become MLIR's polynomial approximations
    (upstream MathPolynomialApproximation: arith only, so they vectorize).
    f64 keeps LLVM's intrinsics (libm), exact for the gradient checks.
    LLVM has no erf intrinsic at all: f64 erf becomes a call to libm's erf,
    which both the JIT and a shared library (linked with -lm) resolve. A
    module pass: the libm calls need declarations in the module.
  }];
  let dependentDialects = ["mlir::arith::ArithDialect",
    "mlir::vector::VectorDialect", "mlir::func::FuncDialect"];
}

def OutlineKernels : Pass<"dlc-outline-kernels", "mlir::ModuleOp"> {
  let summary = "Move each top-level loop nest of a function into its own function";
  let description = [{
    After bufferization, an entry point such as train_step is one long
    sequence of loop nests, one per fused kernel. LLVM's loop passes
    (IndVarSimplify, SCEV) walk the dominator tree of the whole function, so
    one function of N loop nests compiles in time quadratic in N. Each
    top-level op with regions becomes a private, noinline function called in
    its place: every LLVM function stays the size of one kernel, so the
    time spent on a kernel no longer grows with the model. Constants, globals and views are
    cloned into the kernel (LLVM keeps seeing their static values); other
    values defined above become arguments; results are returned.
  }];
  let dependentDialects = ["mlir::func::FuncDialect", "mlir::LLVM::LLVMDialect"];
}

#endif // DLC_COMPILER_TARGETS_CPU_PASSES_TD
