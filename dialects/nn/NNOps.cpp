//===- NNOps.cpp - nn op verifiers and shape inference --------------------===//
#include "dialects/nn/NNDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace dlc::nn;

//===----------------------------------------------------------------------===//
// matmul
//===----------------------------------------------------------------------===//

std::string dlc::nn::describeProduct(Type lhs, bool transposeLhs, Type rhs,
                                     bool transposeRhs, StringRef why) {
  return "cannot multiply " + describe(lhs) +
         (transposeLhs ? " (transposed)" : "") + " by " + describe(rhs) +
         (transposeRhs ? " (transposed)" : "") + ": " + why.str();
}

/// The [rows, cols] of op(x) for a rank-2 tensor, transposed when asked.
static std::pair<int64_t, int64_t> matrixDims(RankedTensorType t, bool trans) {
  auto shape = t.getShape();
  return trans ? std::make_pair(shape[1], shape[0])
               : std::make_pair(shape[0], shape[1]);
}

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto lhs = dyn_cast<RankedTensorType>(adaptor.getLhs().getType());
  auto rhs = dyn_cast<RankedTensorType>(adaptor.getRhs().getType());
  if (!lhs || !rhs || lhs.getRank() != 2 || rhs.getRank() != 2)
    return emitOptionalError(loc, "matmul expects rank-2 operands");
  auto [m, k1] = matrixDims(lhs, adaptor.getTransposeLhs());
  auto [k2, n] = matrixDims(rhs, adaptor.getTransposeRhs());
  if (k1 != k2)
    return emitOptionalError(
        loc, describeProduct(lhs, adaptor.getTransposeLhs(), rhs,
                             adaptor.getTransposeRhs(), "inner sizes differ"));
  results.push_back(RankedTensorType::get({m, n}, lhs.getElementType()));
  return success();
}

LogicalResult MatmulOp::verify() {
  if (getLhs().getType().getElementType() !=
      getRhs().getType().getElementType())
    return emitOpError("operand element types differ");
  return success();
}

//===----------------------------------------------------------------------===//
// bias_add, reduce_sum, broadcast
//===----------------------------------------------------------------------===//

int64_t BiasAddOp::getBiasDim() {
  int64_t axis = getAxis();
  return axis < 0 ? axis + getInput().getType().getRank() : axis;
}

LogicalResult BiasAddOp::verify() {
  auto in = getInput().getType();
  auto bias = getBias().getType();
  int64_t dim = getBiasDim();
  if (dim < 0 || dim >= in.getRank())
    return emitOpError("axis ") << getAxis() << " is not a dimension of " << in;
  if (bias.getRank() != 1 || bias.getDimSize(0) != in.getDimSize(dim) ||
      bias.getElementType() != in.getElementType())
    return emitOpError("bias ")
           << bias << " does not match dimension " << dim << " of " << in;
  return success();
}

LogicalResult ReshapeOp::verify() {
  auto in = getInput().getType();
  auto out = getResult().getType();
  // Sizes come from users: count without overflowing.
  std::optional<int64_t> have = elementCount(in), want = elementCount(out);
  if (!have || !want || *have != *want ||
      in.getElementType() != out.getElementType())
    return emitOpError("cannot reshape ")
           << describe(in) << " to " << describe(out) << ": "
           << (have ? std::to_string(*have) : "too many") << " values against "
           << (want ? std::to_string(*want) : "too many");
  return success();
}

/// Output size of a window sliding over `size` (padded by `padding` on both
/// sides); 0 when the window does not fit.
static int64_t slidingSize(int64_t size, int64_t window, int64_t stride,
                           int64_t padding) {
  int64_t span = size + 2 * padding - window;
  return span < 0 ? 0 : span / stride + 1;
}

static std::string windowMisfit(RankedTensorType x, int64_t kh, int64_t kw,
                                int64_t padding) {
  return llvm::formatv("a {0}x{1} window does not fit the {2}x{3} images of "
                       "{4}",
                       kh, kw, x.getDimSize(2) + 2 * padding,
                       x.getDimSize(3) + 2 * padding, describe(x))
      .str();
}

LogicalResult Conv2DOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> loc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  auto x = dyn_cast<RankedTensorType>(adaptor.getInput().getType());
  auto w = dyn_cast<RankedTensorType>(adaptor.getFilter().getType());
  if (!x || !w || x.getRank() != 4 || w.getRank() != 4)
    return emitOptionalError(loc, "conv2d expects [N, C, H, W] input and "
                                  "[F, C, KH, KW] filter");
  int64_t stride = adaptor.getStride(), padding = adaptor.getPadding();
  if (stride < 1 || padding < 0)
    return emitOptionalError(loc, "conv2d needs stride >= 1 and padding >= 0");
  if (x.getDimSize(1) != w.getDimSize(1))
    return emitOptionalError(loc, "conv2d input has ", x.getDimSize(1),
                             " channels but the filter expects ",
                             w.getDimSize(1));
  int64_t oh = slidingSize(x.getDimSize(2), w.getDimSize(2), stride, padding);
  int64_t ow = slidingSize(x.getDimSize(3), w.getDimSize(3), stride, padding);
  if (oh < 1 || ow < 1)
    return emitOptionalError(
        loc, windowMisfit(x, w.getDimSize(2), w.getDimSize(3), padding));
  results.push_back(RankedTensorType::get(
      {x.getDimSize(0), w.getDimSize(0), oh, ow}, x.getElementType()));
  return success();
}

static LogicalResult inferPool(std::optional<Location> loc, Type input,
                               int64_t kernel, int64_t stride,
                               SmallVectorImpl<Type> &results) {
  auto x = dyn_cast<RankedTensorType>(input);
  if (!x || x.getRank() != 4)
    return emitOptionalError(loc, "pooling expects an [N, C, H, W] input");
  if (kernel < 1 || stride < 1)
    return emitOptionalError(loc, "pooling needs kernel >= 1 and stride >= 1");
  int64_t oh = slidingSize(x.getDimSize(2), kernel, stride, 0);
  int64_t ow = slidingSize(x.getDimSize(3), kernel, stride, 0);
  if (oh < 1 || ow < 1)
    return emitOptionalError(loc, windowMisfit(x, kernel, kernel, 0));
  results.push_back(RankedTensorType::get(
      {x.getDimSize(0), x.getDimSize(1), oh, ow}, x.getElementType()));
  return success();
}

LogicalResult MaxPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor.getInput().getType(), adaptor.getKernel(),
                   adaptor.getStride(), results);
}

LogicalResult AvgPool2DOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferPool(loc, adaptor.getInput().getType(), adaptor.getKernel(),
                   adaptor.getStride(), results);
}

/// Checks that `axes` are strictly increasing dimensions of a rank-`rank`
/// value.
static LogicalResult checkAxes(ArrayRef<int64_t> axes, int64_t rank,
                               function_ref<InFlightDiagnostic()> emitError) {
  for (auto [i, a] : llvm::enumerate(axes))
    if (a < 0 || a >= rank || (i > 0 && axes[i - 1] >= a))
      return emitError() << "axes must be increasing dimensions below rank "
                         << rank;
  return success();
}

static SmallVector<int64_t> dropAxes(ArrayRef<int64_t> shape,
                                     ArrayRef<int64_t> axes) {
  SmallVector<int64_t> kept;
  for (auto [i, d] : llvm::enumerate(shape))
    if (!llvm::is_contained(axes, (int64_t)i))
      kept.push_back(d);
  return kept;
}

/// The type of a reduction of `input` over `axes`.
static LogicalResult inferReduced(StringRef op, std::optional<Location> loc,
                                  Value input, ArrayRef<int64_t> axes,
                                  SmallVectorImpl<Type> &results) {
  auto in = dyn_cast<RankedTensorType>(input.getType());
  if (!in)
    return emitOptionalError(loc, op, " expects a ranked tensor");
  results.push_back(RankedTensorType::get(dropAxes(in.getShape(), axes),
                                          in.getElementType()));
  return success();
}

LogicalResult ReduceSumOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferReduced("reduce_sum", loc, adaptor.getInput(), adaptor.getAxes(),
                      results);
}

LogicalResult ReduceSumOp::verify() {
  return checkAxes(getAxes(), getInput().getType().getRank(),
                   [&] { return emitOpError(); });
}

LogicalResult ReduceMaxOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> loc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferReduced("reduce_max", loc, adaptor.getInput(), adaptor.getAxes(),
                      results);
}

LogicalResult ReduceMaxOp::verify() {
  return checkAxes(getAxes(), getInput().getType().getRank(),
                   [&] { return emitOpError(); });
}

LogicalResult BroadcastOp::verify() {
  auto in = getInput().getType();
  auto out = getResult().getType();
  if (failed(
          checkAxes(getAxes(), out.getRank(), [&] { return emitOpError(); })))
    return failure();
  if (ArrayRef<int64_t>(dropAxes(out.getShape(), getAxes())) != in.getShape() ||
      in.getElementType() != out.getElementType())
    return emitOpError("cannot broadcast ")
           << in << " to " << out << " along the axes";
  return success();
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

LogicalResult OneHotOp::verify() {
  auto in = getLabels().getType();
  auto out = getResult().getType();
  if (out.getRank() != in.getRank() + 1 ||
      out.getShape().drop_back() != in.getShape())
    return emitOpError("result ")
           << out << " must be the labels' " << in << " plus a class dimension";
  return success();
}

static Type scalarOf(Value v) {
  return RankedTensorType::get(
      {}, cast<RankedTensorType>(v.getType()).getElementType());
}

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location>,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  results.push_back(scalarOf(adaptor.getLogits()));
  return success();
}

/// [..., C] scores (logits, log-probabilities) against [...] class ids: a
/// batch, or a batch of sequences.
static LogicalResult verifyClassScores(Operation *op, StringRef scores,
                                       RankedTensorType type,
                                       RankedTensorType labels) {
  if (type.getRank() < 2 || type.getShape().drop_back() != labels.getShape())
    return op->emitOpError("expects [..., C] ")
           << scores << " and [...] labels, got " << type << " and " << labels;
  return success();
}

LogicalResult CrossEntropyOp::verify() {
  return verifyClassScores(*this, "logits", getLogits().getType(),
                           getLabels().getType());
}

LogicalResult NllLossOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location>,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  results.push_back(scalarOf(adaptor.getLogProbs()));
  return success();
}

LogicalResult NllLossOp::verify() {
  return verifyClassScores(*this, "log-probabilities", getLogProbs().getType(),
                           getLabels().getType());
}

template <typename Op>
static LogicalResult inferPairLoss(typename Op::Adaptor adaptor,
                                   SmallVectorImpl<Type> &results) {
  results.push_back(scalarOf(adaptor.getInput()));
  return success();
}

template <typename Op> static LogicalResult verifyPairLoss(Op op) {
  if (op.getInput().getType() != op.getTarget().getType())
    return op.emitOpError("target ")
           << op.getTarget().getType() << " does not match input "
           << op.getInput().getType();
  return success();
}

LogicalResult MseOp::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                      Adaptor adaptor,
                                      SmallVectorImpl<Type> &results) {
  return inferPairLoss<MseOp>(adaptor, results);
}
LogicalResult MseOp::verify() { return verifyPairLoss(*this); }

LogicalResult L1Op::inferReturnTypes(MLIRContext *, std::optional<Location>,
                                     Adaptor adaptor,
                                     SmallVectorImpl<Type> &results) {
  return inferPairLoss<L1Op>(adaptor, results);
}
LogicalResult L1Op::verify() { return verifyPairLoss(*this); }

LogicalResult BceLogitsOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location>,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  return inferPairLoss<BceLogitsOp>(adaptor, results);
}
LogicalResult BceLogitsOp::verify() { return verifyPairLoss(*this); }

#define GET_OP_CLASSES
#include "dialects/nn/NNOps.cpp.inc"
