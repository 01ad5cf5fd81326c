//===- OutlineKernels.cpp - one function per top-level loop nest ----------===//
#include "compiler/codegen/Codegen.h"
#include "compiler/targets/cpu/Passes.h"

#include "mlir/Conversion/LLVMCommon/TypeConverter.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"

namespace dlc::cpu {
#define GEN_PASS_DEF_OUTLINEKERNELS
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

using namespace mlir;

/// Marks the functions this pass creates, so that a second run leaves them.
static constexpr llvm::StringLiteral kKernelAttr = "dlc.kernel";

/// Values a kernel recomputes instead of taking as arguments: constants and
/// side-effect-free, region-free ops (views, index arithmetic). Cloning them
/// keeps static offsets, strides and constants visible to LLVM. A buffer's
/// place in the memory arena (a memref.view) is an argument: kernels that
/// differ only in where their buffers live stay one kernel.
static bool isRematerializable(Operation *op) {
  return op->getNumRegions() == 0 && !isa<memref::ViewOp>(op) &&
         (op->hasTrait<OpTrait::ConstantLike>() ||
          isa<memref::GetGlobalOp>(op) || isPure(op));
}

/// A hash of what a kernel computes: its signature and every op of its body
/// (names, attributes, types), not its name or locations.
static llvm::hash_code structuralHash(func::FuncOp kernel) {
  llvm::hash_code hash = hash_value(kernel.getFunctionType());
  kernel.getBody().walk([&](Operation *op) {
    hash =
        llvm::hash_combine(hash, OperationEquivalence::computeHash(
                                     op, OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::ignoreHashValue,
                                     OperationEquivalence::IgnoreLocations));
  });
  return hash;
}

namespace {
class KernelOutliner {
public:
  KernelOutliner(ModuleOp module) : module_(module), symbols_(module) {}

  /// Moves `op` into a new function named after `parent` and calls it.
  /// Leaves `op` in place when one of its operands could not cross the
  /// bare-pointer calling convention (a memref of dynamic layout).
  bool outline(Operation *op, func::FuncOp parent, unsigned index) {
    MLIRContext *ctx = op->getContext();
    OpBuilder moduleBuilder = OpBuilder::atBlockEnd(module_.getBody());
    auto kernel = func::FuncOp::create(
        moduleBuilder, op->getLoc(),
        (parent.getSymName() + "_k" + llvm::Twine(index)).str(),
        FunctionType::get(ctx, {}, {}));
    Block *body = kernel.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(body);
    IRMapping mapping;
    SmallVector<Value> arguments;

    std::function<void(Value)> materialize = [&](Value value) {
      if (mapping.contains(value))
        return;
      Operation *def = value.getDefiningOp();
      if (def && isRematerializable(def)) {
        for (Value operand : def->getOperands())
          materialize(operand);
        b.clone(*def, mapping);
        return;
      }
      mapping.map(value, body->addArgument(value.getType(), value.getLoc()));
      arguments.push_back(value);
    };
    for (Value operand : op->getOperands())
      materialize(operand);
    llvm::SetVector<Value> captured;
    getUsedValuesDefinedAbove(op->getRegions(), captured);
    for (Value value : captured)
      materialize(value);

    for (Value argument : arguments)
      if (auto memref = dyn_cast<BaseMemRefType>(argument.getType()))
        if (!LLVMTypeConverter::canConvertToBarePtr(memref)) {
          kernel.erase();
          return false;
        }

    Operation *clone = b.clone(*op, mapping);
    func::ReturnOp::create(b, op->getLoc(), clone->getResults());
    kernel.setFunctionType(
        FunctionType::get(ctx, body->getArgumentTypes(), op->getResultTypes()));
    kernel.setPrivate();
    kernel->setAttr(kKernelAttr, UnitAttr::get(ctx));
    // Kept out of line: LLVM would inline a private function called once.
    // (convert-func-to-llvm drops `no_inline` but keeps `passthrough`.)
    kernel->setAttr("passthrough",
                    ArrayAttr::get(ctx, StringAttr::get(ctx, "noinline")));
    // The attribute convert-func-to-llvm reads for the linkage.
    kernel->setAttr("llvm.linkage",
                    LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));

    // A model that repeats a layer repeats its kernels: call the first copy
    // (LLVM's time grows with the code it compiles).
    SmallVector<func::FuncOp> &twins = kernelsByHash_[structuralHash(kernel)];
    auto same = llvm::find_if(twins, [&](func::FuncOp other) {
      return other.getFunctionType() == kernel.getFunctionType() &&
             OperationEquivalence::isRegionEquivalentTo(
                 &other.getBody(), &kernel.getBody(),
                 OperationEquivalence::IgnoreLocations);
    });
    if (same != twins.end()) {
      kernel.erase();
      kernel = *same;
    } else {
      symbols_.insert(kernel); // renames on a clash
      twins.push_back(kernel);
    }

    OpBuilder caller(op);
    auto call = func::CallOp::create(caller, op->getLoc(), kernel, arguments);
    op->replaceAllUsesWith(call.getResults());
    op->erase();
    return true;
  }

private:
  ModuleOp module_;
  SymbolTable symbols_;
  DenseMap<llvm::hash_code, SmallVector<func::FuncOp>> kernelsByHash_;
};

struct OutlineKernelsPass
    : dlc::cpu::impl::OutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    KernelOutliner outliner(getOperation());
    SmallVector<func::FuncOp> functions;
    for (auto function : getOperation().getOps<func::FuncOp>())
      if (!function.isDeclaration() && !function->hasAttr(kKernelAttr))
        functions.push_back(function);
    for (func::FuncOp function : functions) {
      SmallVector<Operation *> nests;
      for (Region &region : function->getRegions())
        for (Block &block : region)
          for (Operation &op : block)
            if (op.getNumRegions() > 0)
              nests.push_back(&op);
      unsigned index = 0;
      bool all = true;
      for (Operation *op : nests)
        all &= outliner.outline(op, function, index++);
      // Left with calls and buffer bookkeeping only: see kGlueAttr.
      if (all)
        function->setAttr(
            "passthrough",
            ArrayAttr::get(
                &getContext(),
                ArrayAttr::get(&getContext(),
                               {StringAttr::get(&getContext(), dlc::kGlueAttr),
                                StringAttr::get(&getContext(), "true")})));
    }
  }
};
} // namespace
