//===- FrontendFuzzer.cpp - .net source text through parse and check -----===//
//
// The input is a .net file. It is parsed, printed back as an AST, checked and
// emitted as nn (names, shapes, settings) exactly as `dlc` does before
// lowering; every
// diagnostic is rendered (line, caret) into a null stream. Any crash, hang or
// sanitizer report is a bug: a user's mistake must be a located error.
//
//===----------------------------------------------------------------------===//

#include "compiler/frontend/MLIRGen.h"
#include "compiler/frontend/Parser.h"

#include "mlir/IR/MLIRContext.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef text(reinterpret_cast<const char *>(data), size);
  llvm::SourceMgr sources;
  // A directory that does not exist: data paths relative to the source find
  // nothing, as for a .net file whose data is missing.
  sources.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(text, "/nonexistent/fuzz.net"),
      llvm::SMLoc());
  sources.setDiagHandler(
      [](const llvm::SMDiagnostic &diag, void *) {
        llvm::raw_null_ostream os;
        diag.print("dlc", os);
      },
      nullptr);
  std::optional<dlc::ast::Program> program = dlc::parseProgram(sources);
  if (!program)
    return 0;
  llvm::raw_null_ostream os;
  dlc::ast::print(*program, os);
  // Both ways dlc checks a file: with a batch size from the command line
  // (--batch) and without one. The input's length picks one, so a seed
  // corpus reaches both without spending a byte of the program on it.
  dlc::FrontendOptions options;
  if (size % 2)
    options.batch = 64;
  // A context per input: types and locations it interns would otherwise
  // grow with every input.
  mlir::MLIRContext context(mlir::MLIRContext::Threading::DISABLED);
  (void)dlc::mlirGen(*program, sources, context, options);
  return 0;
}
