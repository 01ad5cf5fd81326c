//===- NNDialect.td - the nn dialect -----------------------*- tablegen -*-===//
#ifndef NN_DIALECT_TD
#define NN_DIALECT_TD

include "mlir/IR/OpBase.td"

def NN_Dialect : Dialect {
  let name = "nn";
  let cppNamespace = "::dlc::nn";
  let summary = "Neural-network layers on ranked tensors";
  let description = [{
    The forward graph of a model as emitted by the dlc frontend, and the
    backward graph that autodiff builds from it. Ops work on statically shaped
    ranked tensors of floats (f32 for models, f64 for gradient checks); labels
    are integer tensors. Every op infers its result type.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
  // The nn.* attributes of the IR contract (NNContract.h) are verified
  // wherever they appear.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

class NN_Op<string mnemonic, list<Trait> traits = []>
    : Op<NN_Dialect, mnemonic, traits>;

#endif // NN_DIALECT_TD
