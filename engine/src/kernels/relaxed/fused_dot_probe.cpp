// One i32x4.relaxed_dot_i8x16_i7x16_add on lanes the caller chooses. The engine calls it once
// when it installs the module, before any kernel, and refuses the module if the result is
// wrong: Node 20's baseline compiler (Liftoff), which runs every function first, returns twice
// the dot product and drops the accumulator, while its optimizing compiler and Chromium's
// compilers are right (docs/quantization.md §10.1). The arguments arrive at run time, so clang
// cannot fold the instruction away.
#include "kernels/relaxed/relaxed_simd.h"

QUANTLAB_RELAXED_EXPORT(quantlab_relaxed_probe)
int32_t quantlab_relaxed_probe(int32_t a, int32_t b, int32_t c) {
  return wasm_i32x4_extract_lane(wasm_i32x4_relaxed_dot_i8x16_i7x16_add(
                                     wasm_i32x4_splat(a), wasm_i32x4_splat(b), wasm_i32x4_splat(c)),
                                 0);
}
