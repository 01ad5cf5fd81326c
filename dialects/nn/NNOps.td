//===- NNOps.td - nn dialect operations --------------------*- tablegen -*-===//
#ifndef NN_OPS_TD
#define NN_OPS_TD

include "dialects/nn/NNDialect.td"
include "dialects/nn/NNInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

def NN_FloatTensor : StaticShapeTensorOf<[AnyFloat]>;
def NN_IntTensor : StaticShapeTensorOf<[AnySignlessInteger]>;
def NN_Scalar : 0DTensorOf<[AnyFloat]>;

//===----------------------------------------------------------------------===//
// Parameters
//===----------------------------------------------------------------------===//

def NN_ParamOp : NN_Op<"param", [Pure]> {
  let summary = "A trainable parameter, owned by the runtime";
  let description = [{
    `init` tells the runtime how to initialize it: `zeros`, `he`, `glorot`,
    `normal:<std>` or `uniform:<limit>`. The fan-in of a weight is its first
    dimension, the fan-out its last. `nn-lift-params` turns every param into a
    function argument.
  }];
  let arguments = (ins StrAttr:$name, StrAttr:$init);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$name `init` $init attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def NN_MatmulOp : NN_Op<"matmul", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "2-D matrix product op(a) x op(b), op = optional transpose";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
  let hasVerifier = 1;
}

def NN_BiasAddOp : NN_Op<"bias_add", [Pure, AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Adds a vector along one dimension (default: the last)";
  let description = [{
    `axis` is the dimension the bias runs along: -1 (the last) for dense
    layers, 1 (channels) for NCHW convolutions.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$bias,
                   DefaultValuedAttr<I64Attr, "-1">:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `,` $bias attr-dict `:` type($input) `,` type($bias)";
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The dimension of the input the bias runs along, in [0, rank).
    int64_t getBiasDim();
  }];
}

def NN_ReduceSumOp : NN_Op<"reduce_sum", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Sums over the listed dimensions, which disappear from the shape";
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_ReduceMaxOp : NN_Op<"reduce_max", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Maximum over the listed dimensions, which disappear from the "
                "shape (torch.amax)";
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_ReduceMaxGradOp : NN_Op<"reduce_max_grad", [Pure]> {
  let summary = "Vector-Jacobian product of reduce_max: each maximum of a "
                "reduced group gets grad / (the group's number of maxima), "
                "as torch.amax";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                   NN_FloatTensor:$max, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input `,` $max attr-dict `:` type($grad) `,` "
                       "type($input) `,` type($max) `->` type($result)";
}

def NN_BroadcastOp : NN_Op<"broadcast", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Inserts the listed dimensions of the result, repeating the input";
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$axes);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_ReshapeOp : NN_Op<"reshape", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Same elements, row-major, in another shape (flatten)";
  let arguments = (ins NN_FloatTensor:$input);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Convolution and pooling, NCHW
//===----------------------------------------------------------------------===//

def NN_Conv2DOp : NN_Op<"conv2d", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "2-D convolution (cross-correlation) of [N, C, H, W] with [F, C, KH, KW]";
  let description = [{
    Zero padding on every side, one stride for both spatial dimensions:
    out[n, f, i, j] = sum(c, kh, kw) pad(x)[n, c, i*s + kh, j*s + kw] * w[f, c, kh, kw].
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$filter,
                   DefaultValuedAttr<I64Attr, "1">:$stride,
                   DefaultValuedAttr<I64Attr, "0">:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `,` $filter attr-dict `:` type($input) `,` type($filter) `->` type($result)";
}

def NN_Conv2DInputGradOp : NN_Op<"conv2d_input_grad", [Pure]> {
  let summary = "Gradient of conv2d with respect to its input";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$filter,
                   I64Attr:$stride, I64Attr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $filter attr-dict `:` type($grad) `,` type($filter) `->` type($result)";
}

def NN_Conv2DFilterGradOp : NN_Op<"conv2d_filter_grad", [Pure]> {
  let summary = "Gradient of conv2d with respect to its filter";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                   I64Attr:$stride, I64Attr:$padding);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` type($grad) `,` type($input) `->` type($result)";
}

class NN_Pool2DOp<string mnemonic, string what> : NN_Op<mnemonic, [Pure,
    InferTypeOpAdaptor, DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = what # " over KxK windows of [N, C, H, W], no padding";
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$kernel, I64Attr:$stride);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}
def NN_MaxPool2DOp : NN_Pool2DOp<"maxpool2d", "Maximum">;
def NN_AvgPool2DOp : NN_Pool2DOp<"avgpool2d", "Mean">;

def NN_MaxPool2DGradOp : NN_Op<"maxpool2d_grad", [Pure, AllTypesMatch<["input", "result"]>]> {
  let summary = "Routes each window's gradient to its first maximum";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                   I64Attr:$kernel, I64Attr:$stride);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input attr-dict `:` type($grad) `,` type($input)";
}

def NN_AvgPool2DGradOp : NN_Op<"avgpool2d_grad", [Pure]> {
  let summary = "Spreads each window's gradient evenly over the window";
  let arguments = (ins NN_FloatTensor:$grad, I64Attr:$kernel, I64Attr:$stride);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad attr-dict `:` type($grad) `->` type($result)";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

class NN_ElementwiseOp<string mnemonic>
    : NN_Op<mnemonic, [Pure, SameOperandsAndResultType,
        DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let results = (outs NN_FloatTensor:$result);
}

class NN_UnaryOp<string mnemonic> : NN_ElementwiseOp<mnemonic> {
  let arguments = (ins NN_FloatTensor:$input);
  let assemblyFormat = "$input attr-dict `:` type($result)";
}

class NN_BinaryOp<string mnemonic> : NN_ElementwiseOp<mnemonic> {
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($result)";
}

def NN_AddOp : NN_BinaryOp<"add"> { let summary = "lhs + rhs"; }
def NN_SubOp : NN_BinaryOp<"sub"> { let summary = "lhs - rhs"; }
def NN_MulOp : NN_BinaryOp<"mul"> { let summary = "lhs * rhs"; }
def NN_ReluOp : NN_UnaryOp<"relu"> { let summary = "max(x, 0)"; }
def NN_SigmoidOp : NN_UnaryOp<"sigmoid"> { let summary = "1 / (1 + exp(-x))"; }
def NN_TanhOp : NN_UnaryOp<"tanh"> { let summary = "tanh(x)"; }
def NN_GeluOp : NN_UnaryOp<"gelu"> {
  let summary = "x * Phi(x), Phi the standard normal CDF (torch.nn.GELU)";
  // The VJP: the incoming gradient times gelu'(x), one gelu_grad op.
  let extraClassDefinition = [{
    ::llvm::SmallVector<::mlir::Value>
    $cppClass::buildVJP(::mlir::OpBuilder &b, ::mlir::ValueRange grads) {
      return {GeluGradOp::create(b, getLoc(), grads[0], getInput())};
    }
  }];
}
// Ops whose VJP is given here as the body of buildVJP: `g` is the incoming
// gradient, `b` the builder, `loc` the op's location.
class NN_VJP<code body> {
  code definition = [{
    ::llvm::SmallVector<::mlir::Value>
    $cppClass::buildVJP(::mlir::OpBuilder &b, ::mlir::ValueRange grads) {
      ::mlir::Value g = grads[0];
      ::mlir::Location loc = getLoc();
      (void)g; (void)loc;
  }] # body # [{
    }
  }];
}
class NN_MathOp<string mnemonic, string what, code vjp> : NN_UnaryOp<mnemonic> {
  let summary = what;
  let extraClassDefinition = NN_VJP<vjp>.definition;
}
/// An elementwise op with one f64 parameter.
class NN_ParamMathOp<string mnemonic, string what, string param, code vjp>
    : NN_ElementwiseOp<mnemonic> {
  let summary = what;
  let arguments = !dag(ins, [NN_FloatTensor, F64Attr], ["input", param]);
  let assemblyFormat = "$input attr-dict `:` type($result)";
  let extraClassDefinition = NN_VJP<vjp>.definition;
}

def NN_GeluTanhOp : NN_MathOp<"gelu_tanh",
    "x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2 (GELU, approximate='tanh')",
    [{ return {GeluTanhGradOp::create(b, loc, g, getInput())}; }]>;
def NN_SiluOp : NN_MathOp<"silu", "x * sigmoid(x) (torch.nn.SiLU)",
    [{ return {SiluGradOp::create(b, loc, g, getInput())}; }]>;
def NN_SoftplusOp : NN_MathOp<"softplus", "log(1 + exp(x)) (torch.nn.Softplus)",
    [{ return {MulOp::create(b, loc, g, SigmoidOp::create(b, loc, getInput()))}; }]>;
def NN_ExpOp : NN_MathOp<"exp", "e^x",
    [{ return {MulOp::create(b, loc, g, getResult())}; }]>;
def NN_LogOp : NN_MathOp<"log", "natural logarithm",
    [{ return {DivOp::create(b, loc, g, getInput())}; }]>;
def NN_SqrtOp : NN_MathOp<"sqrt", "square root",
    [{ return {ScaleOp::create(b, loc, DivOp::create(b, loc, g, getResult()),
                               b.getF64FloatAttr(0.5))}; }]>;
def NN_AbsOp : NN_MathOp<"abs", "|x|; its gradient at 0 is 0, as PyTorch's",
    [{ return {AbsGradOp::create(b, loc, g, getInput())}; }]>;
def NN_LeakyReluOp : NN_ParamMathOp<"leaky_relu",
    "x if x > 0, else slope * x (torch.nn.LeakyReLU)", "slope",
    [{ return {LeakyReluGradOp::create(b, loc, g, getInput(), getSlopeAttr())}; }]>;
def NN_EluOp : NN_ParamMathOp<"elu",
    "x if x > 0, else alpha (e^x - 1) (torch.nn.ELU)", "alpha",
    [{ return {EluGradOp::create(b, loc, g, getInput(), getAlphaAttr())}; }]>;
def NN_PowOp : NN_ParamMathOp<"pow", "x^exponent (torch.pow with a number)",
    "exponent", [{
      // g * p * x^(p - 1)
      double p = getExponent().convertToDouble();
      ::mlir::Value d = PowOp::create(b, loc, getInput(), b.getF64FloatAttr(p - 1));
      return {MulOp::create(b, loc, g, ScaleOp::create(b, loc, d, getExponentAttr()))};
    }]>;
def NN_ShiftOp : NN_ParamMathOp<"shift", "x + offset", "offset",
    [{ return {g}; }]>;
def NN_DivOp : NN_BinaryOp<"div"> {
  let summary = "lhs / rhs";
  // d/dx = g / y; d/dy = -g x / y^2 = -(g * out) / y.
  let extraClassDefinition = NN_VJP<[{
      ::mlir::Value dy = DivOp::create(b, loc, MulOp::create(b, loc, g, getResult()), getRhs());
      return {DivOp::create(b, loc, g, getRhs()),
              ScaleOp::create(b, loc, dy, b.getF64FloatAttr(-1.0))};
  }]>.definition;
}
def NN_SoftmaxOp : NN_UnaryOp<"softmax"> {
  let summary = "Softmax over the last dimension (max-subtracted)";
}
def NN_LogSoftmaxOp : NN_UnaryOp<"log_softmax"> {
  let summary = "x - max - log(sum(exp(x - max))) over the last dimension "
                "(torch.log_softmax)";
}
def NN_ScaleOp : NN_ElementwiseOp<"scale"> {
  let summary = "x * factor";
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$factor);
  let assemblyFormat = "$input `by` $factor attr-dict `:` type($result)";
}

// Gradient helpers: they keep the backward graph as compact as the forward one
// (one linalg.generic each after lowering). Their first operand is the incoming
// gradient; they are not differentiated again.
class NN_GradOp<string mnemonic, string what>
    : NN_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Vector-Jacobian product of " # what;
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$value);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $value attr-dict `:` type($result)";
}
def NN_ReluGradOp : NN_GradOp<"relu_grad", "relu; value is the input">;
def NN_SigmoidGradOp : NN_GradOp<"sigmoid_grad", "sigmoid; value is the output">;
def NN_TanhGradOp : NN_GradOp<"tanh_grad", "tanh; value is the output">;
def NN_SoftmaxGradOp : NN_GradOp<"softmax_grad", "softmax; value is the output">;
def NN_LogSoftmaxGradOp : NN_GradOp<"log_softmax_grad", "log_softmax; value is the output">;
def NN_GeluGradOp : NN_GradOp<"gelu_grad", "gelu; value is the input">;
def NN_GeluTanhGradOp : NN_GradOp<"gelu_tanh_grad", "gelu_tanh; value is the input">;
def NN_SiluGradOp : NN_GradOp<"silu_grad", "silu; value is the input">;
def NN_AbsGradOp : NN_GradOp<"abs_grad", "abs; value is the input">;
class NN_ParamGradOp<string mnemonic, string what, string param>
    : NN_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Vector-Jacobian product of " # what;
  let arguments = !dag(ins, [NN_FloatTensor, NN_FloatTensor, F64Attr],
                       ["grad", "value", param]);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $value attr-dict `:` type($result)";
}
def NN_LeakyReluGradOp : NN_ParamGradOp<"leaky_relu_grad", "leaky_relu; value is the input", "slope">;
def NN_EluGradOp : NN_ParamGradOp<"elu_grad", "elu; value is the input", "alpha">;

//===----------------------------------------------------------------------===//
// Losses: mean over all elements (cross-entropy: over the batch) to a scalar.
//===----------------------------------------------------------------------===//

def NN_OneHotOp : NN_Op<"one_hot", [Pure]> {
  let summary = "Integer class ids to one-hot rows (a new last dimension)";
  let arguments = (ins NN_IntTensor:$labels);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$labels attr-dict `:` type($labels) `->` type($result)";
  let hasVerifier = 1;
}

def NN_CrossEntropyOp : NN_Op<"cross_entropy", [Pure,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Mean softmax cross-entropy of [N, C] logits against N class ids";
  let arguments = (ins NN_FloatTensor:$logits, NN_IntTensor:$labels);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$logits `,` $labels attr-dict `:` type($logits) `,` type($labels)";
  let hasVerifier = 1;
}

def NN_CrossEntropyGradOp : NN_Op<"cross_entropy_grad", [Pure,
    AllTypesMatch<["logits", "result"]>]> {
  let summary = "(softmax(logits) - one_hot(labels)) * grad / N";
  let arguments = (ins NN_Scalar:$grad, NN_FloatTensor:$logits, NN_IntTensor:$labels);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $logits `,` $labels attr-dict `:` type($grad) `,` type($logits) `,` type($labels)";
}

def NN_NllLossOp : NN_Op<"nll_loss", [Pure,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Mean over rows of -log_probs[row, label] "
                "(torch.nn.functional.nll_loss)";
  let arguments = (ins NN_FloatTensor:$logProbs, NN_IntTensor:$labels);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$logProbs `,` $labels attr-dict `:` type($logProbs) `,` type($labels)";
  let hasVerifier = 1;
}

def NN_NllLossGradOp : NN_Op<"nll_loss_grad", [Pure,
    AllTypesMatch<["logProbs", "result"]>]> {
  let summary = "-grad / N at each row's label, 0 elsewhere";
  let arguments = (ins NN_Scalar:$grad, NN_FloatTensor:$logProbs, NN_IntTensor:$labels);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $logProbs `,` $labels attr-dict `:` type($grad) `,` type($logProbs) `,` type($labels)";
}

class NN_PairLossOp<string mnemonic, string what> : NN_Op<mnemonic, [Pure,
    InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = what;
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$target);
  let results = (outs NN_Scalar:$result);
  let assemblyFormat = "$input `,` $target attr-dict `:` type($input) `,` type($target)";
  let hasVerifier = 1;
}
def NN_MseOp : NN_PairLossOp<"mse", "mean((input - target)^2)">;
def NN_L1Op : NN_PairLossOp<"l1", "mean(|input - target|) (torch.nn.L1Loss)">;
def NN_BceLogitsOp : NN_PairLossOp<"bce_logits",
    "mean binary cross-entropy of sigmoid(input) against targets in [0, 1]">;

class NN_PairLossGradOp<string mnemonic, string what> : NN_Op<mnemonic, [Pure,
    AllTypesMatch<["input", "target", "result"]>]> {
  let summary = what;
  let arguments = (ins NN_Scalar:$grad, NN_FloatTensor:$input, NN_FloatTensor:$target);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $input `,` $target attr-dict `:` type($grad) `,` type($input)";
}
def NN_MseGradOp : NN_PairLossGradOp<"mse_grad", "2 * (input - target) * grad / N">;
def NN_L1GradOp : NN_PairLossGradOp<"l1_grad",
    "sign(input - target) * grad / N, 0 where they are equal (as torch)">;
def NN_BceLogitsGradOp : NN_PairLossGradOp<"bce_logits_grad",
    "(sigmoid(input) - target) * grad / N">;

//===----------------------------------------------------------------------===//
// Optimizer updates: one fused elementwise step per parameter.
//===----------------------------------------------------------------------===//

def NN_SgdUpdateOp : NN_Op<"sgd_update", [Pure, AllTypesMatch<["param", "grad", "result"]>]> {
  let summary = "p - lr * (g + weight_decay * p)";
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad,
                   F64Attr:$lr, F64Attr:$weight_decay);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$param `,` $grad attr-dict `:` type($param)";
}

def NN_MomentumUpdateOp : NN_Op<"momentum_update", [Pure,
    AllTypesMatch<["param", "grad", "velocity", "new_param", "new_velocity"]>]> {
  let summary = "v = momentum * v + g + wd * p; p = p - lr * v (PyTorch's SGD)";
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad,
                   NN_FloatTensor:$velocity, F64Attr:$lr, F64Attr:$momentum,
                   F64Attr:$weight_decay);
  let results = (outs NN_FloatTensor:$new_param, NN_FloatTensor:$new_velocity);
  let assemblyFormat = "$param `,` $grad `,` $velocity attr-dict `:` type($param)";
}

def NN_AdamUpdateOp : NN_Op<"adam_update", [Pure,
    AllTypesMatch<["param", "grad", "m", "v", "new_param", "new_m", "new_v"]>]> {
  let summary = "Adam at step t (1-based); weight decay adds wd * p to g, as torch.optim.Adam";
  let arguments = (ins NN_FloatTensor:$param, NN_FloatTensor:$grad,
                   NN_FloatTensor:$m, NN_FloatTensor:$v, NN_Scalar:$step,
                   F64Attr:$lr, F64Attr:$beta1, F64Attr:$beta2, F64Attr:$eps,
                   F64Attr:$weight_decay);
  let results = (outs NN_FloatTensor:$new_param, NN_FloatTensor:$new_m,
                 NN_FloatTensor:$new_v);
  let assemblyFormat = "$param `,` $grad `,` $m `,` $v `,` $step attr-dict `:` type($param) `,` type($step)";
}

include "dialects/nn/NNSequenceOps.td"

#endif // NN_OPS_TD
