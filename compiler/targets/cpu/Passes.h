//===- Passes.h - passes of the CPU target --------------------------------===//
#ifndef DLC_COMPILER_TARGETS_CPU_PASSES_H
#define DLC_COMPILER_TARGETS_CPU_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/Pass/Pass.h"

namespace dlc::cpu {
#define GEN_PASS_DECL
#include "compiler/targets/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "compiler/targets/cpu/Passes.h.inc"
} // namespace dlc::cpu

#endif // DLC_COMPILER_TARGETS_CPU_PASSES_H
