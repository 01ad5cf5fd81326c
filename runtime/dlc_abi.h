/*===- dlc_abi.h - the C ABI of dlc-compiled models ------------------------===*
 *
 * A model compiled by dlc (a shared library from `dlc model.net -o model.so`,
 * or the same code JIT-compiled in process) exports:
 *
 *   uint32_t dlc_abi_version(void);    equal to DLC_ABI_VERSION below
 *   const char *dlc_manifest(void);    what the model needs, see below
 *   void dlc_train_step(void **buffers);
 *   void dlc_predict(void **buffers);
 *
 * Entry points take one pointer per buffer, in the order the manifest lists
 * for that entry. Buffers are dense, row-major, 64-byte aligned, owned by the
 * caller and never aliased; parameters and optimizer state are updated in
 * place by dlc_train_step.
 *
 * The manifest is UTF-8 text, one record per line, fields separated by
 * single spaces:
 *   dlc <abi version>
 *   model <name>
 *   source <hash of the .net source, 16 hex digits>
 *   buffer <name> <param|state|input|output> <f32|i32> <dims> <init>
 *   entry <entry name> <buffer name>...
 *   train <key>=<value>...
 * where <dims> is 64x784 or "scalar", <init> an initializer or "-", and the
 * train record holds the training set-up (data, loss, epochs, batch, seed,
 * vocab, ...) with '%', spaces and non-printable bytes %XX-escaped.
 *
 *===----------------------------------------------------------------------===*/
#ifndef DLC_ABI_H
#define DLC_ABI_H

#include <stdint.h>

#define DLC_ABI_VERSION 1u
#define DLC_ENTRY_PREFIX "dlc_"

/* Buffers with a fixed meaning, filled or read by the host by name. */
#define DLC_BUFFER_LABELS "labels" /* train_step input: class ids or targets   \
                                    */
#define DLC_BUFFER_LOSS "loss"     /* train_step output: the scalar loss */
#define DLC_BUFFER_STEP "step"     /* train_step input: the step number (i32) */

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t (*dlc_abi_version_fn)(void);
typedef const char *(*dlc_manifest_fn)(void);
typedef void (*dlc_entry_fn)(void **buffers);

#ifdef __cplusplus
}
#endif

#endif /* DLC_ABI_H */
