#pragma once
// The exact flow-matching velocity of a Gaussian mixture with diagonal covariances, a base model with no
// training error (the synthetic ADA benchmark, DESIGN.md §3.3, uses it so that alignment is measured alone).
// Data x1 ~ Σ_k π_k N(μ_k, diag λ_k); interpolant x_t = t x1 + (1−t) x0, x0 ~ N(0, I) (DESIGN.md §3.1). Given
// the component k, x_t ~ N(t μ_k, diag s_k(t)), s_k(t) = t² λ_k + (1−t)², and the conditional velocity is
//   v_k(x, t) = E[x1 − x0 | x_t = x, k] = μ_k + g_k(t) ⊙ (x − t μ_k),   g_k(t) = (t λ_k − (1−t)) / s_k(t).
// The marginal velocity mixes them with the posterior component weights
//   v(x, t) = Σ_k w_k(x, t) v_k(x, t),   w_k ∝ π_k N(x; t μ_k, diag s_k(t)).
// Its flow carries N(0, I) at t = 0 exactly onto the mixture at t = 1. No trainable parameters: fine-tune it
// through a ResidualVectorField.
#include <string>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include "ada/models/VectorField.h"

namespace ada {

class GaussianMixtureField : public VectorField {
public:
    static constexpr const char* bundleKind = "gaussian_mixture_field";

    /** weights [K] (positive; normalised here), means [K, D], variances [K, D] (positive). Throws SpecError. */
    GaussianMixtureField(const at::Tensor& weights, const at::Tensor& means, const at::Tensor& variances);
    /** config: {"weights": [...], "means": [[...]], "variances": [[...]]}. */
    static std::shared_ptr<GaussianMixtureField> fromJson(const nlohmann::json& config, const std::string& where);

    at::Tensor forward(const at::Tensor& x, const at::Tensor& t) override;
    std::string kind() const override { return bundleKind; }
    nlohmann::json config() const override;
    std::vector<int64_t> eventShape() const override { return {means_.size(1)}; }

    /** count exact samples [count, D] (float64) and, if wanted, their component indices [count]. */
    at::Tensor sample(int64_t count, at::Generator& generator, at::Tensor* components = nullptr) const;
    /** log p1(x) [B] (float64). */
    at::Tensor logDensity(const at::Tensor& x) const;
    const at::Tensor& weights() const { return weights_; }
    const at::Tensor& means() const { return means_; }
    const at::Tensor& variances() const { return variances_; }

private:
    at::Tensor weights_, means_, variances_;  // float64
};

}  // namespace ada
