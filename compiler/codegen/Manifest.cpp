//===- Manifest.cpp - describe entry-point buffers for the runtime --------===//
#include "compiler/codegen/Codegen.h"
#include "dialects/nn/NNContract.h"

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
  if (auto name = module->getAttrOfType<StringAttr>(nn::attr::kModel))
    manifest.model = name.str();
  if (auto source = module->getAttrOfType<StringAttr>(nn::attr::kSource))
    manifest.sourceHash = source.str();
  if (auto settings =
          module->getAttrOfType<DictionaryAttr>(nn::attr::kSettings))
    for (NamedAttribute s : settings)
      manifest.train[s.getName().str()] = cast<StringAttr>(s.getValue()).str();

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
    if (!func->hasAttr(nn::attr::kEntry))
      continue;
    std::vector<size_t> &order = manifest.entries[func.getName().str()];
    for (nn::EntryBuffer buffer : nn::entryBuffers(func)) {
      unsigned i = buffer.index;
      rt::BufferSpec spec;
      Type type;
      if (buffer.isResult) {
        auto name = func.getResultAttrOfType<StringAttr>(i, nn::attr::kName);
        if (!name)
          return func.emitError("result ") << i << " has no buffer name";
        spec.name = name.str();
        spec.kind = rt::BufferKind::Output;
        type = func.getResultTypes()[i];
      } else {
        if (auto p = func.getArgAttrOfType<StringAttr>(i, nn::attr::kParam)) {
          spec.name = p.str();
          spec.kind = rt::BufferKind::Param;
        } else if (auto s =
                       func.getArgAttrOfType<StringAttr>(i, nn::attr::kState)) {
          spec.name = s.str();
          spec.kind = rt::BufferKind::State;
        } else if (auto n =
                       func.getArgAttrOfType<StringAttr>(i, nn::attr::kName)) {
          spec.name = n.str();
          spec.kind = rt::BufferKind::Input;
        } else {
          return func.emitError("argument ") << i << " has no buffer name";
        }
        if (auto init = func.getArgAttrOfType<StringAttr>(i, nn::attr::kInit))
          spec.init = init.str();
        type = func.getArgumentTypes()[i];
      }
      auto index = addBuffer(func, spec, type);
      if (failed(index))
        return failure();
      order.push_back(*index);
    }
  }
  return manifest;
}

LogicalResult dlc::attachManifest(ModuleOp module) {
  FailureOr<rt::Manifest> manifest = buildManifest(module);
  if (failed(manifest))
    return failure();
  module->setAttr(nn::attr::kManifest,
                  StringAttr::get(module.getContext(), manifest->serialize()));
  return success();
}
