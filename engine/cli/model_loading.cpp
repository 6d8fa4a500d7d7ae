#include "model_loading.h"

#include "quantlab/error.h"

namespace quantlab::cli {

nn::Executor LoadedModel::executor() const {
  return quantized ? quantization::make_executor(*quantized) : nn::Executor(fp32);
}

LoadedModel load_any_model(const std::string& dir) {
  LoadedModel loaded;
  if (is_quantized_manifest(read_file_bytes(dir + "/" + kManifestFileName))) {
    loaded.quantized = std::make_unique<quantization::QuantizedModel>(
        load_quantized_model(dir, loaded.manifest));
  } else {
    loaded.fp32 = load_model(dir, loaded.manifest);
  }
  return loaded;
}

quantization::CalibrationOptions calibration_options(const Arguments& args) {
  quantization::CalibrationOptions options;
  options.observer.method = calib::parse_method(args.option("calib", "minmax"));
  options.observer.percentile = std::stod(args.option("percentile", "99.99"));
  const std::string size = args.option("calib-size", "512");
  require(!size.empty() && size.find_first_not_of("0123456789") == std::string::npos,
          "--calib-size must be a whole number, got '" + size + "'");
  options.samples = std::stoul(size);
  calib::validate_options(options.observer);
  return options;
}

}  // namespace quantlab::cli
