#include "model_loading.h"

#include <filesystem>

#include "quantlab/error.h"

namespace quantlab::cli {

nn::Executor LoadedModel::executor() const {
  return quantized ? quantization::make_executor(*quantized) : nn::Executor(fp32);
}

LoadedModel load_any_model(const std::string& dir) {
  LoadedModel loaded;
  if (is_quantized_manifest(read_file_bytes(dir + "/" + kManifestFileName))) {
    loaded.quantized =
        std::make_unique<quantization::QuantizedModel>(load_quantized_model(dir, loaded.manifest));
  } else {
    loaded.fp32 = load_model(dir, loaded.manifest);
  }
  return loaded;
}

PlannedModel load_planned_model(const Arguments& args, const std::string& command) {
  require(args.positional.size() == 1, command + " needs exactly one model directory");
  PlannedModel planned;
  planned.out = args.option("out", "");
  require(!planned.out.empty(), command + " needs --out DIR");
  planned.plan = plan_by_name_or_file(args.option("plan", "int8"));
  planned.model = load_model(args.positional[0], planned.manifest);
  quantization::validate_plan(planned.plan, nn::fold_for_inference(planned.model));
  std::filesystem::create_directories(planned.out);
  const std::string data = args.option("data", default_data_dir(planned.manifest.dataset));
  planned.train = load_examples(data, "train", planned.manifest.input);
  planned.test = load_examples(data, "test", planned.manifest.input);
  return planned;
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
