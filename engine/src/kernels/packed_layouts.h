// Packed weight layouts shared by the packing routines, the reference kernels (which read
// through the accessors below) and the SIMD kernels (which stream the bytes).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "quantlab/kernels.h"

namespace quantlab::kernels {

inline size_t round_up(size_t x, size_t multiple) {
  return (x + multiple - 1) / multiple * multiple;
}

// FP32: columns in tiles of 8; a tile stores, for each k, its 8 weights contiguously (two v128),
// so the GEMM micro-kernel loads both vectors with one pointer bump per k. Missing columns of
// the last tile are zero.
inline constexpr size_t kF32TileN = 8;

inline float packed_f32_at(const PackedF32& w, size_t n, size_t k) {
  const float* data = reinterpret_cast<const float*>(w.data.data());
  return data[(n / kF32TileN * w.k + k) * kF32TileN + n % kF32TileN];
}

// Integer weights are multiplied with i32x4.dot_i16x8, which adds the products of two adjacent
// i16 lanes into one i32 lane. Both integer layouts therefore put, in consecutive i16 lanes, the
// weights of one column at k and k+1 for 4 columns: lane l holds column l/2, k-parity l%2. An
// activation pair (a[k], a[k+1]) splatted as one i32 then yields one i32 lane per column, and
// the accumulators never need a horizontal reduction. K is padded to 8 (one qc4w block).
inline constexpr size_t kIntTileN = 4;
inline constexpr size_t kIntBlockK = 8;

// QC8W: columns in panels of 4 tiles; per panel, per k pair, the tiles' 8 int8 codes follow each
// other (32 bytes, each tile read with i16x8.load8x8_s). Interleaving the tiles keeps a panel
// one sequential stream: with tiles stored K apart, the streams of a 4-tile GEMV sat a multiple
// of 4 KiB apart and collided in the L1 sets. The last panel holds only the tiles left (so
// nothing beyond the tile padding is stored); missing columns of the last tile are 0.
inline constexpr size_t kIntPanelTiles = 4;
inline constexpr size_t kQC8WPanelN = kIntPanelTiles * kIntTileN;

// Columns in the panel that starts at column `col0` (a multiple of kQC8WPanelN).
inline size_t qc8w_panel_width(const PackedQC8W& w, size_t col0) {
  return std::min(kQC8WPanelN, round_up(w.n, kIntTileN) - col0);
}

inline int8_t packed_qc8w_at(const PackedQC8W& w, size_t n, size_t k) {
  const size_t kpad = round_up(w.k, kIntBlockK);
  const size_t col0 = n / kQC8WPanelN * kQC8WPanelN;
  const int8_t* data = reinterpret_cast<const int8_t*>(w.data.data());
  return data[col0 * kpad + k / 2 * 2 * qc8w_panel_width(w, col0) + n % kQC8WPanelN * 2 + k % 2];
}

// QC4W: per tile, per block of 8 k, 16 bytes read as i16x8; nibble p (bits 4p..4p+3) of lane l
// holds column l/2 at k = block start + 2p + l%2. Codes are unsigned u in [0, 15] with the real
// weight scale · (u - zero_point): symmetric two's complement q is stored as u = q + 8 with zero
// point 8, so one kernel serves both. Groups are whole blocks (group_size is a multiple of 8 or
// the whole row). Tiles are interleaved in panels as for QC8W (block b of a full panel's 4 tiles
// is 64 contiguous bytes), so a 4-tile GEMV reads one sequential stream. Scales and zero points
// are stored per (tile, group, column of the tile).
inline constexpr int16_t kSymmetricZeroPoint = 8;

// Tiles in the panel holding column n.
inline size_t qc4w_panel_tiles(const PackedQC4W& w, size_t n) {
  const size_t first_tile = n / kIntTileN / kIntPanelTiles * kIntPanelTiles;
  return std::min(kIntPanelTiles, round_up(w.n, kIntTileN) / kIntTileN - first_tile);
}

// Byte offset of block `block` of the tile holding column n.
inline size_t packed_qc4w_block(const PackedQC4W& w, size_t n, size_t block) {
  const size_t blocks_per_tile = round_up(w.k, kIntBlockK) / kIntBlockK;
  const size_t tile = n / kIntTileN;
  const size_t first_tile = tile / kIntPanelTiles * kIntPanelTiles;
  return (first_tile * blocks_per_tile + block * qc4w_panel_tiles(w, n) + tile - first_tile) * 16;
}

inline uint8_t packed_qc4w_code(const PackedQC4W& w, size_t n, size_t k) {
  const size_t block = packed_qc4w_block(w, n, k / kIntBlockK);
  const size_t lane = n % kIntTileN * 2 + k % 2;
  const size_t nibble = k % kIntBlockK / 2;
  const uint16_t bits = static_cast<uint16_t>(w.data.data()[block + lane * 2] |
                                              w.data.data()[block + lane * 2 + 1] << 8);
  return static_cast<uint8_t>(bits >> (4 * nibble) & 0x0F);
}

inline size_t packed_qc4w_param_index(const PackedQC4W& w, size_t n, size_t group) {
  return (n / kIntTileN * w.groups() + group) * kIntTileN + n % kIntTileN;
}

}  // namespace quantlab::kernels
