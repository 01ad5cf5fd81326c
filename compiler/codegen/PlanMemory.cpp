//===- PlanMemory.cpp - one arena for a function's temporaries ------------===//
#include "compiler/Passes.h"

namespace dlc {
#define GEN_PASS_DEF_PLANMEMORY
#include "compiler/Passes.h.inc"
} // namespace dlc

using namespace mlir;

/// Every buffer starts at a multiple of this many bytes (the alignment
/// One-Shot Bufferize gives its allocations).
static constexpr int64_t kAlignment = 64;

namespace {
/// A buffer of the block: live from its alloc to its dealloc (op indices).
struct Buffer {
  memref::AllocOp alloc;
  memref::DeallocOp dealloc;
  int64_t start, end, bytes, offset = 0;
};
} // namespace

/// The bytes a buffer of `type` takes, rounded up to kAlignment; none for
/// a type the arena cannot hold as a plain view.
static std::optional<int64_t> arenaBytes(MemRefType type) {
  if (!type.hasStaticShape() || !type.getLayout().isIdentity() ||
      type.getMemorySpace() || !type.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t elementBytes = (type.getElementTypeBitWidth() + 7) / 8;
  int64_t bytes = std::max<int64_t>(type.getNumElements() * elementBytes, 1);
  return llvm::alignTo(bytes, kAlignment);
}

/// The one dealloc of `alloc`, if it is in the alloc's block.
static memref::DeallocOp deallocInBlock(memref::AllocOp alloc) {
  memref::DeallocOp found;
  for (Operation *user : alloc->getUsers()) {
    auto dealloc = dyn_cast<memref::DeallocOp>(user);
    if (!dealloc)
      continue;
    if (found || dealloc->getBlock() != alloc->getBlock())
      return {};
    found = dealloc;
  }
  return found;
}

/// Offsets for `buffers`, largest first, each at the lowest aligned offset
/// clear of the buffers already placed whose lifetimes overlap its own.
/// Returns the arena's size.
static int64_t place(MutableArrayRef<Buffer> buffers) {
  SmallVector<Buffer *> order;
  for (Buffer &buffer : buffers)
    order.push_back(&buffer);
  llvm::stable_sort(order, [](Buffer *a, Buffer *b) {
    return a->bytes != b->bytes ? a->bytes > b->bytes : a->start < b->start;
  });
  SmallVector<Buffer *> placed;
  int64_t total = 0;
  for (Buffer *buffer : order) {
    SmallVector<Buffer *> live;
    for (Buffer *other : placed)
      if (other->start <= buffer->end && buffer->start <= other->end)
        live.push_back(other);
    llvm::sort(live,
               [](Buffer *a, Buffer *b) { return a->offset < b->offset; });
    int64_t offset = 0;
    for (Buffer *other : live) {
      if (offset + buffer->bytes <= other->offset)
        break;
      offset = std::max(offset, other->offset + other->bytes);
    }
    buffer->offset = offset;
    total = std::max(total, offset + buffer->bytes);
    placed.push_back(buffer);
  }
  return total;
}

namespace {
struct PlanMemoryPass : dlc::impl::PlanMemoryBase<PlanMemoryPass> {
  void runOnOperation() override {
    func::FuncOp function = getOperation();
    if (function.isDeclaration() || !function.getBody().hasOneBlock())
      return;
    Block &block = function.getBody().front();
    DenseMap<Operation *, int64_t> index;
    int64_t position = 0;
    for (Operation &op : block)
      index[&op] = position++;

    SmallVector<Buffer> buffers;
    for (auto alloc : block.getOps<memref::AllocOp>()) {
      std::optional<int64_t> bytes = arenaBytes(alloc.getType());
      memref::DeallocOp dealloc = deallocInBlock(alloc);
      if (!bytes || !dealloc || !alloc.getDynamicSizes().empty() ||
          !alloc.getSymbolOperands().empty() ||
          alloc.getAlignment().value_or(1) > kAlignment)
        continue;
      buffers.push_back({alloc, dealloc, index[alloc], index[dealloc], *bytes});
    }
    if (buffers.size() < 2)
      return;
    int64_t total = place(buffers);

    Location loc = function.getLoc();
    OpBuilder b(&block, block.begin());
    Value arena =
        memref::AllocOp::create(b, loc, MemRefType::get({total}, b.getI8Type()),
                                b.getI64IntegerAttr(kAlignment));
    for (Buffer &buffer : buffers) {
      b.setInsertionPoint(buffer.alloc);
      Value offset = arith::ConstantIndexOp::create(b, loc, buffer.offset);
      Value view = memref::ViewOp::create(b, buffer.alloc.getLoc(),
                                          buffer.alloc.getType(), arena, offset,
                                          ValueRange{});
      buffer.alloc.replaceAllUsesWith(view);
      buffer.dealloc.erase();
      buffer.alloc.erase();
    }
    b.setInsertionPoint(block.getTerminator());
    memref::DeallocOp::create(b, loc, arena);
  }
};
} // namespace
