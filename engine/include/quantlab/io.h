// File formats (io, beside the layers): IDX datasets, safetensors weights and the JSON model
// manifest. Every file is untrusted input: each size, offset, dtype and shape is checked before a
// byte is used, and errors name the file part (tensor, field, item count) and the problem. Gzip is
// undone by the caller (zlib in the native CLI, DecompressionStream in the library): these
// functions take the raw bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quantlab/nn.h"
#include "quantlab/quantize.h"
#include "quantlab/tensor.h"

namespace quantlab {

// ---- IDX (the MNIST file format) ----------------------------------------------------------------
// Big-endian header: magic 0x000008 | rank (0x03 images, 0x01 labels; dtype 0x08 = u8), then one
// u32 per dim, then the u8 data, exactly count × rows × cols bytes.

inline constexpr size_t kClassCount = 10;

// u8 [count, rows, cols]. `what` names the file in errors, e.g. "images file".
Tensor parse_idx_images(std::span<const uint8_t> bytes, const std::string& what = "images file");
// u8 [count], every value < kClassCount.
Tensor parse_idx_labels(std::span<const uint8_t> bytes, const std::string& what = "labels file");

std::vector<uint8_t> serialize_idx_images(const Tensor& images);  // u8 [count, rows, cols]
std::vector<uint8_t> serialize_idx_labels(const Tensor& labels);  // u8 [count]

// A labelled image set: images u8 [count, rows, cols], labels u8 [count].
struct Dataset {
  Tensor images;
  Tensor labels;
  size_t size() const { return labels.element_count(); }
};

// Parses both files and checks that they hold the same number of items, at least one.
Dataset parse_idx_dataset(std::span<const uint8_t> images, std::span<const uint8_t> labels,
                          const std::string& images_what = "images file",
                          const std::string& labels_what = "labels file");

// The file names the build writes under build/data/<dataset>/ (split is "train" or "test"):
// <dir>/<split>-images-idx3-ubyte and <dir>/<split>-labels-idx1-ubyte.
std::string idx_images_path(const std::string& dir, const std::string& split);
std::string idx_labels_path(const std::string& dir, const std::string& split);

// Reads and parses the two files of `split` in `dir`; `read` returns a file's raw IDX bytes (the
// CLI passes one that undoes gzip).
using FileReader = std::vector<uint8_t> (*)(const std::string& path);
std::vector<uint8_t> read_file_bytes(const std::string& path);
Dataset read_idx_dataset(const std::string& dir, const std::string& split,
                         FileReader read = read_file_bytes);

// ---- safetensors -------------------------------------------------------------------------------
// u64 little-endian header length N, N bytes of JSON header (padded with spaces to a multiple of
// 8), then the data buffer. Header: {"__metadata__": {str: str}, name: {"dtype": "F32", "shape":
// [..], "data_offsets": [begin, end]}, ...}; offsets are relative to the buffer and the tensors
// tile it exactly. Readable dtypes: F32, I32, I8, U8.
// Limits, so that no header costs more than a few tens of MB to parse (its parsed form takes
// about 10x its text) and none takes long. A tensor's entry is about 100 bytes (a 40-character
// name, a rank-4 shape, two 10-digit offsets); QuantLab's models hold fewer than 100 tensors
// and a large checkpoint shard about a thousand. The header cap leaves 400 bytes per entry at
// the tensor limit; the 100 MB of the reference implementation would admit 1.5 M entries.
inline constexpr size_t kMaxSafetensorsTensors = 10'000;
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 4'000'000;

struct TensorFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, Tensor> tensors;  // by name; the writer lays them out in this order
};

TensorFile parse_safetensors(std::span<const uint8_t> bytes);
// Deterministic: the same TensorFile always gives the same bytes, and
// serialize_safetensors(parse_safetensors(b)) == b for every b this function wrote.
std::vector<uint8_t> serialize_safetensors(const TensorFile& file);

// ---- limits shared by every file ---------------------------------------------------------------
// Most elements in one shape read from a file (a tensor, an image set, a model input), and in
// any one of its dims: 2^28, 1 GiB as f32. Its byte size then fits a 32-bit size_t (wasm) with
// room to spare, so every build gives the same error; MNIST's 60,000 training images are 47 M.
inline constexpr uint64_t kMaxTensorElements = uint64_t{1} << 28;
// JSON (manifest.json, safetensors headers) nests at most this deep. QuantLab's own files nest
// 5 levels; a deeper value is refused while it is read, so a hostile file (100,000 '[') cannot
// drive the recursive walks of a parsed value (printing, comparison) into the 1 MB wasm stack.
inline constexpr size_t kMaxJsonDepth = 64;

// ---- model directory: manifest.json + model.safetensors -----------------------------------------
// manifest.json: {"format": "quantlab-model", "version": 1, "name", "dataset", "input": {"shape",
// ["image_shape",] "pixel_scale", "mean", "std"}, "labels": [..], "architecture": {"layers":
// [..]}, "recipe": {..}, "metrics": {..}}. The architecture is the layer list with every shape;
// loading builds the Model from it and requires the weights to hold exactly the parameters it
// needs, each with the shape it needs.

// Most layers an architecture may list: QuantLab's models have at most 10 and a ResNet-152,
// counting each BatchNorm and ReLU, about 500; the cap bounds the work a manifest can ask for.
inline constexpr size_t kMaxLayers = 1'000;

// Network input x = (pixel * pixel_scale - mean) / std, per sample of `shape` (e.g. [1, 28, 28]).
struct InputSpec {
  std::vector<size_t> shape;
  float pixel_scale = 1.0f / 255.0f;
  float mean = 0.0f;
  float std = 1.0f;
  // [rows, cols] of the images a flat input (shape [784]) is made of, or empty. Written as
  // "image_shape" after "shape", and only for a flat input: a deeper one has them in `shape`.
  std::vector<size_t> image_shape = {};
};

// Everything in the manifest except the architecture, which the Model itself carries.
struct ModelManifest {
  std::string name;
  std::string dataset;  // "mnist" or "fashion-mnist": the test split `quantlab eval` uses
  InputSpec input;
  std::vector<std::string> labels;                   // class names, index = label value
  nlohmann::json recipe = nlohmann::json::object();  // how the model was trained, verbatim
  // Measured numbers, e.g. test_accuracy (fraction), test_correct, test_count, train_seconds.
  std::map<std::string, double> metrics;
};

// f32 [count, ...input.shape] from u8 images [count, ...] with the same pixels per item. Images
// [count, rows, cols] must also have the model's rows and cols (the last two dims of
// input.shape, or input.image_shape) where it has them: 14×56 images do not pass for 28×28.
Tensor to_network_input(const Tensor& images, const InputSpec& input);
// The same from a flat byte array: images of `image_size` {rows, cols} each, or, when it is
// empty, of the model's input size flattened (then only the pixel count can be checked). The
// sizes come from callers as 64-bit numbers (JS) and are limited to kMaxTensorElements before
// they are multiplied, so 32-bit wasm gives the same named error as a native build.
Tensor pixels_to_network_input(std::span<const uint8_t> pixels,
                               const std::vector<uint64_t>& image_size, const InputSpec& input);

inline constexpr const char* kManifestFileName = "manifest.json";
inline constexpr const char* kWeightsFileName = "model.safetensors";

// The manifest's "architecture" object ({"layers": [...]}): one JSON object per LayerSpec with
// exactly the fields of its kind, plus the shapes they imply (output_shape, parameter shapes) so a
// reader sees every shape; when read back those are checked against the layer list, not trusted.
nlohmann::ordered_json architecture_to_json(const nn::Model& model);
// Sets model.input_shape and model.layers (not the parameters) from `architecture`.
void architecture_from_json(const nlohmann::json& architecture,
                            const std::vector<size_t>& input_shape, nn::Model& model);

// Parses both files, builds the Model from the architecture and checks the weights against it;
// fills `manifest`. Errors name the file, the tensor or field, and the problem.
nn::Model parse_model(std::span<const uint8_t> manifest_json, std::span<const uint8_t> weights,
                      ModelManifest& manifest);
nn::Model load_model(const std::string& dir, ModelManifest& manifest);

std::string serialize_manifest(const nn::Model& model, const ModelManifest& manifest);
// Writes dir/manifest.json and dir/model.safetensors (the directory must exist).
void save_model(const std::string& dir, const nn::Model& model, const ModelManifest& manifest);

// ---- plans (docs/plans.md) ----------------------------------------------------------------------
// {"format": "quantlab-plan", "version": 1, "name", "default": {fields}, "layers": {"<layer>":
// {fields}}}; fields: weights (fp32|int8|int4), granularity (per_tensor|per_channel|per_group),
// group_size, symmetric, activations (fp32|int8-static|int8-dynamic), weight_range (minmax|mse).
// A layer entry overrides only the fields it names, over the default. `what` names the source in
// errors ("plan.json").
quantization::Plan plan_from_json(const nlohmann::json& value, const std::string& what);
quantization::Plan parse_plan(std::string_view text, const std::string& what);
nlohmann::ordered_json plan_to_json(const quantization::Plan& plan);
// A preset name given as a JSON string, or a plan object (how the library passes plans).
quantization::Plan plan_from_spec(const nlohmann::json& spec, const std::string& what);
// A preset name (quantization::preset_names) or the path of a .json plan file.
quantization::Plan plan_by_name_or_file(const std::string& spec);

// ---- quantized model files (docs/quantized-model-format.md)
// --------------------------------------- The same two files as an FP32 model: manifest.json (the
// inference-form architecture, plus a "quantization" field with the plan, the calibration and the
// static input parameters) and model.safetensors (per quantized layer <layer>.weight.codes I8
// [rows, K] or U8 [rows, ⌈K/2⌉] packed as Eq. 9, <layer>.weight.scales F32,
// <layer>.weight.zero_points for asymmetric schemes; every FP32 parameter by its own name).

std::string serialize_quantized_manifest(const quantization::QuantizedModel& quantized,
                                         const ModelManifest& manifest);
std::vector<uint8_t> serialize_quantized_weights(const quantization::QuantizedModel& quantized);
void save_quantized_model(const std::string& dir, const quantization::QuantizedModel& quantized,
                          const ModelManifest& manifest);
// Whether a manifest describes a quantized model (has a "quantization" field).
bool is_quantized_manifest(std::span<const uint8_t> manifest_json);
quantization::QuantizedModel parse_quantized_model(std::span<const uint8_t> manifest_json,
                                                   std::span<const uint8_t> weights,
                                                   ModelManifest& manifest);
quantization::QuantizedModel load_quantized_model(const std::string& dir, ModelManifest& manifest);

// ---- files ------------------------------------------------------------------------------------

void write_file_bytes(const std::string& path, std::span<const uint8_t> bytes);

}  // namespace quantlab
