#pragma once
// A multilayer perceptron vector field for low-dimensional data x ∈ R^D (DESIGN.md §3.1):
//   h_0 = [x, e(t)],  h_l = SiLU(W_l h_{l−1} + b_l)  (l = 1..L),  v(x, t) = W_out h_L + b_out,
// with e(t) the sinusoidal time embedding (SinusoidalTimeEmbedding.h). L = layers hidden layers of width
// hidden. Parameter names: "time_embedding.frequencies", "layers.<l>.weight|bias", "output.weight|bias".
#include <cstdint>

#include <nlohmann/json.hpp>
#include <torch/arg.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "ada/models/SinusoidalTimeEmbedding.h"
#include "ada/models/VectorField.h"

namespace ada {

struct MLPVectorFieldOptions {
    explicit MLPVectorFieldOptions(int64_t dimension) : dimension_(dimension) {}
    /** D, the dimension of x. */
    TORCH_ARG(int64_t, dimension);
    /** Width of the hidden layers. */
    TORCH_ARG(int64_t, hidden) = 256;
    /** Number of hidden layers L (>= 1). */
    TORCH_ARG(int64_t, layers) = 4;
    /** Dimension of the time embedding e(t) (even). */
    TORCH_ARG(int64_t, timeEmbedding) = 32;
    /** Highest angular frequency ω_max of the time embedding. */
    TORCH_ARG(double, maxFrequency) = 100.0;

public:  // TORCH_ARG leaves the access private
    nlohmann::json toJson() const;
    /** Throws SpecError naming `where` and the field on a bad or missing value. */
    static MLPVectorFieldOptions fromJson(const nlohmann::json& config, const std::string& where);
};

class MLPVectorFieldImpl : public VectorField {
public:
    static constexpr const char* bundleKind = "mlp_vector_field";

    explicit MLPVectorFieldImpl(const MLPVectorFieldOptions& options);
    /** x [B, D], t [B] or scalar → v [B, D]. */
    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override;
    std::string kind() const override { return bundleKind; }
    nlohmann::json config() const override { return options_.toJson(); }
    std::vector<int64_t> eventShape() const override { return {options_.dimension()}; }
    const MLPVectorFieldOptions& options() const { return options_; }

private:
    MLPVectorFieldOptions options_;
    SinusoidalTimeEmbedding timeEmbedding_{nullptr};
    torch::nn::ModuleList layers_{nullptr};
    torch::nn::Linear output_{nullptr};
};
TORCH_MODULE(MLPVectorField);

}  // namespace ada
