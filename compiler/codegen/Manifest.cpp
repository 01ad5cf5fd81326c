//===- Manifest.cpp - describe entry-point buffers for the runtime --------===//
#include "compiler/codegen/Codegen.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

using namespace mlir;
using namespace dlc;

static std::optional<rt::DType> dtypeOf(RankedTensorType type) {
  if (type.getElementType().isF32())
    return rt::DType::F32;
  if (type.getElementType().isInteger(32))
    return rt::DType::I32;
  return std::nullopt;
}

FailureOr<rt::Manifest> dlc::buildManifest(ModuleOp module) {
  rt::Manifest manifest;
  manifest.abiVersion = DLC_ABI_VERSION;
  if (auto name = module->getAttrOfType<StringAttr>("dlc.model"))
    manifest.model = name.str();

  // Buffers are shared across entries by name (predict and train_step use the
  // same parameters); one name must always have one shape.
  auto addBuffer = [&](func::FuncOp func, rt::BufferSpec spec,
                       Type type) -> FailureOr<size_t> {
    auto tensor = dyn_cast<RankedTensorType>(type);
    auto dtype = tensor ? dtypeOf(tensor) : std::nullopt;
    if (!dtype)
      return func.emitError("buffer '")
             << spec.name << "' has unsupported type " << type;
    spec.dtype = *dtype;
    spec.shape.assign(tensor.getShape().begin(), tensor.getShape().end());
    if (const rt::BufferSpec *existing = manifest.find(spec.name)) {
      if (existing->shape != spec.shape || existing->kind != spec.kind)
        return func.emitError("buffer '")
               << spec.name << "' differs between entry points";
      return existing - manifest.buffers.data();
    }
    manifest.buffers.push_back(std::move(spec));
    return manifest.buffers.size() - 1;
  };

  for (auto func : module.getOps<func::FuncOp>()) {
    if (!func->hasAttr("dlc.entry"))
      continue;
    std::vector<size_t> &args = manifest.entries[func.getName().str()];
    for (unsigned i = 0; i < func.getNumArguments(); ++i) {
      rt::BufferSpec spec;
      if (auto p = func.getArgAttrOfType<StringAttr>(i, "nn.param")) {
        spec.name = p.str();
        spec.kind = rt::BufferKind::Param;
      } else if (auto s = func.getArgAttrOfType<StringAttr>(i, "nn.state")) {
        spec.name = s.str();
        spec.kind = rt::BufferKind::State;
      } else if (auto n = func.getArgAttrOfType<StringAttr>(i, "nn.name")) {
        spec.name = n.str();
        spec.kind = rt::BufferKind::Input;
      } else {
        return func.emitError("argument ") << i << " has no buffer name";
      }
      if (auto init = func.getArgAttrOfType<StringAttr>(i, "nn.init"))
        spec.init = init.str();
      auto index = addBuffer(func, spec, func.getArgumentTypes()[i]);
      if (failed(index))
        return failure();
      args.push_back(*index);
    }
    for (unsigned i = 0; i < func.getNumResults(); ++i) {
      if (func.getResultAttr(i, "nn.update"))
        continue;
      auto name = func.getResultAttrOfType<StringAttr>(i, "nn.name");
      if (!name)
        return func.emitError("result ") << i << " has no buffer name";
      rt::BufferSpec spec;
      spec.name = name.str();
      spec.kind = rt::BufferKind::Output;
      auto index = addBuffer(func, spec, func.getResultTypes()[i]);
      if (failed(index))
        return failure();
      args.push_back(*index);
    }
  }
  return manifest;
}
