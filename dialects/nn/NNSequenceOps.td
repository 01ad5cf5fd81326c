//===- NNSequenceOps.td - embeddings, recurrences, attention -*- tablegen -*-===//
//
// Included by NNOps.td. Sequences are batch-major: [B, T, features].
//
//===----------------------------------------------------------------------===//
#ifndef NN_SEQUENCE_OPS_TD
#define NN_SEQUENCE_OPS_TD

//===----------------------------------------------------------------------===//
// Embedding lookup
//===----------------------------------------------------------------------===//

def NN_EmbeddingOp : NN_Op<"embedding", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Rows of a [V, D] table picked by integer ids: [...] -> [..., D]";
  let description = [{
    Ids outside [0, V) are clamped into it: the compiled code never reads
    outside the table.
  }];
  let arguments = (ins NN_IntTensor:$ids, NN_FloatTensor:$table);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$ids `,` $table attr-dict `:` type($ids) `,` type($table) `->` type($result)";
}

def NN_EmbeddingGradOp : NN_Op<"embedding_grad", [Pure]> {
  let summary = "Scatter-adds the rows of the gradient into a zero [V, D] table";
  let arguments = (ins NN_FloatTensor:$grad, NN_IntTensor:$ids);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $ids attr-dict `:` type($grad) `,` type($ids) `->` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Recurrences over time, as loops (compile time does not grow with T)
//===----------------------------------------------------------------------===//

def NN_RnnOp : NN_Op<"rnn", [Pure, AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Elman recurrence h_t = tanh(x_t + h_{t-1} W), h_{-1} = 0";
  let description = [{
    `input` [B, T, H] is the input already projected (x W_ih + b); `weight`
    is the recurrent [H, H] matrix. Returns every hidden state [B, T, H].
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `,` type($weight)";
  let hasVerifier = 1;
}

def NN_RnnGradOp : NN_Op<"rnn_grad", [Pure]> {
  let summary = "Backpropagation through time of nn.rnn";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$weight,
                   NN_FloatTensor:$hidden);
  let results = (outs NN_FloatTensor:$input_grad, NN_FloatTensor:$weight_grad);
  let assemblyFormat = "$grad `,` $weight `,` $hidden attr-dict `:` type(operands) `->` type(results)";
}

def NN_LstmOp : NN_Op<"lstm", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "LSTM over a sequence; gates i, f, g, o; zero initial state";
  let description = [{
    `input` [B, T, 4H] is the projected input (x W_ih + b), gate-major along
    the last dimension: i, f, g, o. `weight` is the recurrent [H, 4H] matrix.
      a = x_t + h_{t-1} W;  i, f, o = sigmoid(a_i, a_f, a_o);  g = tanh(a_g)
      c_t = f c_{t-1} + i g;  h_t = o tanh(c_t)
    Returns every hidden state and every cell state, [B, T, H] each.
  }];
  let arguments = (ins NN_FloatTensor:$input, NN_FloatTensor:$weight);
  let results = (outs NN_FloatTensor:$hidden, NN_FloatTensor:$cell);
  let assemblyFormat = "$input `,` $weight attr-dict `:` type($input) `,` type($weight)";
}

def NN_LstmGradOp : NN_Op<"lstm_grad", [Pure]> {
  let summary = "Backpropagation through time of nn.lstm (gates recomputed)";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$input,
                   NN_FloatTensor:$weight, NN_FloatTensor:$hidden,
                   NN_FloatTensor:$cell);
  let results = (outs NN_FloatTensor:$input_grad, NN_FloatTensor:$weight_grad);
  let assemblyFormat = "$grad `,` $input `,` $weight `,` $hidden `,` $cell attr-dict `:` type(operands) `->` type(results)";
}

//===----------------------------------------------------------------------===//
// Attention building blocks
//===----------------------------------------------------------------------===//

def NN_BatchMatmulOp : NN_Op<"batch_matmul", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Matrix products over leading batch dimensions: [..., M, K] x [..., K, N]";
  let arguments = (ins NN_FloatTensor:$lhs, NN_FloatTensor:$rhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_lhs,
                   DefaultValuedAttr<BoolAttr, "false">:$transpose_rhs);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs) `->` type($result)";
}

def NN_TransposeOp : NN_Op<"transpose", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Permutes dimensions: result dim i is input dim permutation[i]";
  let arguments = (ins NN_FloatTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
}

def NN_CausalMaskOp : NN_Op<"causal_mask", [Pure, AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Sets [..., i, j] to `fill` where j > i (future positions)";
  let description = [{
    Before a softmax, fill = -inf hides the future; the gradient is the same
    op with fill = 0.
  }];
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$fill);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `fill` $fill attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def NN_LayerNormOp : NN_Op<"layer_norm", [Pure, AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "(x - mean) / sqrt(var + eps) over the last dimension";
  let description = [{
    No scale or shift: the frontend applies those with mul and bias_add, so
    their gradients come from those ops.
  }];
  let arguments = (ins NN_FloatTensor:$input, F64Attr:$eps);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `eps` $eps attr-dict `:` type($input)";
}

def NN_LayerNormGradOp : NN_Op<"layer_norm_grad", [Pure,
    AllTypesMatch<["grad", "value", "input", "result"]>]> {
  let summary = "(g - mean(g) - y mean(g y)) / sqrt(var(x) + eps); value is y";
  let arguments = (ins NN_FloatTensor:$grad, NN_FloatTensor:$value,
                   NN_FloatTensor:$input, F64Attr:$eps);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `,` $value `,` $input `eps` $eps attr-dict `:` type($result)";
}

def NN_SliceOp : NN_Op<"slice", [Pure,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "A contiguous range [start, start + size) of one dimension";
  let arguments = (ins NN_FloatTensor:$input, I64Attr:$axis, I64Attr:$start);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `axis` $axis `start` $start attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
}

def NN_SliceGradOp : NN_Op<"slice_grad", [Pure]> {
  let summary = "Places a slice's gradient at its position, zeros elsewhere";
  let arguments = (ins NN_FloatTensor:$grad, I64Attr:$axis, I64Attr:$start);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$grad `axis` $axis `start` $start attr-dict `:` type($grad) `->` type($result)";
}

def NN_ConcatOp : NN_Op<"concat", [Pure, InferTypeOpAdaptor,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Joins tensors along one dimension";
  let arguments = (ins Variadic<NN_FloatTensor>:$inputs, I64Attr:$axis);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$inputs `axis` $axis attr-dict `:` type($inputs) `->` type($result)";
}

def NN_DropoutOp : NN_Op<"dropout", [Pure,
    AllTypesMatch<["input", "result"]>,
    DeclareOpInterfaceMethods<NN_DifferentiableOpInterface>]> {
  let summary = "Zeroes elements with probability `rate`, scales the rest by 1/(1-rate)";
  let description = [{
    The mask is a hash of (seed, step, element index): the same step gives
    the same mask, so the gradient is this op applied to the incoming
    gradient. `step` is a scalar i32 the runtime advances every step.
  }];
  let arguments = (ins NN_FloatTensor:$input, 0DTensorOf<[I32]>:$step,
                   F64Attr:$rate, I64Attr:$seed);
  let results = (outs NN_FloatTensor:$result);
  let assemblyFormat = "$input `,` $step attr-dict `:` type($input) `,` type($step)";
  let hasVerifier = 1;
}

#endif // NN_SEQUENCE_OPS_TD
