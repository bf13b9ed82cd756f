#include "ada/models/MLPVectorField.h"

#include <ATen/ATen.h>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

nlohmann::json MLPVectorFieldOptions::toJson() const {
    return {{"dimension", dimension_}, {"hidden", hidden_}, {"layers", layers_}, {"time_embedding", timeEmbedding_}, {"max_frequency", maxFrequency_}};
}

MLPVectorFieldOptions MLPVectorFieldOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    const MLPVectorFieldOptions defaults(1);
    return MLPVectorFieldOptions(f.integer("dimension"))
        .hidden(f.integer("hidden", static_cast<int>(defaults.hidden())))
        .layers(f.integer("layers", static_cast<int>(defaults.layers())))
        .timeEmbedding(f.integer("time_embedding", static_cast<int>(defaults.timeEmbedding())))
        .maxFrequency(f.number("max_frequency", defaults.maxFrequency()));
}

MLPVectorFieldImpl::MLPVectorFieldImpl(const MLPVectorFieldOptions& options) : options_(options) {
    if (options.dimension() < 1 || options.hidden() < 1 || options.layers() < 1)
        throw SpecError("mlp_vector_field: dimension, hidden and layers must be positive, found " + options.toJson().dump());
    timeEmbedding_ = register_module("time_embedding", SinusoidalTimeEmbedding(options.timeEmbedding(), options.maxFrequency()));
    layers_ = register_module("layers", torch::nn::ModuleList());
    int64_t in = options.dimension() + options.timeEmbedding();
    for (int64_t l = 0; l < options.layers(); ++l) {
        layers_->push_back(torch::nn::Linear(in, options.hidden()));
        in = options.hidden();
    }
    output_ = register_module("output", torch::nn::Linear(in, options.dimension()));
}

at::Tensor MLPVectorFieldImpl::forward(const at::Tensor& x, const at::Tensor& t) {
    if (x.dim() != 2 || x.size(1) != options_.dimension())
        throw SpecError("mlp_vector_field: expected x of shape [B, " + std::to_string(options_.dimension()) + "], found " +
                        c10::str(x.sizes()));
    at::Tensor h = at::cat({x, timeEmbedding_->forward(batchTimes(t, x, "mlp_vector_field"))}, 1);
    for (const auto& layer : *layers_)
        h = at::silu(layer->as<torch::nn::Linear>()->forward(h));
    return output_->forward(h);
}

}  // namespace ada
