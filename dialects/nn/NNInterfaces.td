//===- NNInterfaces.td - autodiff interface ----------------*- tablegen -*-===//
#ifndef NN_INTERFACES_TD
#define NN_INTERFACES_TD

include "mlir/IR/OpBase.td"

def NN_DifferentiableOpInterface : OpInterface<"DifferentiableOpInterface"> {
  let cppNamespace = "::dlc::nn";
  let description = [{
    An op that can be differentiated in reverse mode. Given the gradient of the
    loss with respect to each result (null when a result does not reach the
    loss), it emits nn ops computing the vector-Jacobian product and returns one
    gradient per operand; a null Value marks an operand the op does not
    differentiate (integer labels, loss targets).
  }];
  let methods = [
    InterfaceMethod<"Emit the vector-Jacobian product.",
      "::llvm::SmallVector<::mlir::Value>", "buildVJP",
      (ins "::mlir::OpBuilder &":$builder, "::mlir::ValueRange":$resultGrads)>,
  ];
}

#endif // NN_INTERFACES_TD
