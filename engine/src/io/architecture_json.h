// The manifest's "architecture": the model's input shape and layer list, one JSON object per
// LayerSpec holding exactly the fields of its kind, plus the shapes they imply (output_shape and
// parameter shapes) so a reader sees every shape; on reading those are checked, not trusted.
#pragma once

#include <nlohmann/json.hpp>

#include "quantlab/nn.h"

namespace quantlab {

nlohmann::ordered_json architecture_to_json(const nn::Model& model);
// Fills model.input_shape and model.layers (no parameters) from `architecture`.
void architecture_from_json(const nlohmann::json& architecture, const std::vector<size_t>& input_shape,
                            nn::Model& model);

}  // namespace quantlab
