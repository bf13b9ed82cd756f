#pragma once
// Vector fields with closed-form flows, for exact tests of the samplers and the likelihood integrator.
#include <cmath>
#include <string>
#include <vector>

#include <ATen/ATen.h>

#include "ada/models/VectorField.h"

namespace adatest {

// The marginal velocity of the interpolant x_t = t x1 + (1−t) x0 with x0 ~ N(0, I), x1 ~ N(μ, Σ):
//   v(x, t) = E[x1 − x0 | x_t = x] = μ + C_t Σ_t^{-1} (x − tμ),  Σ_t = t²Σ + (1−t)²I,  C_t = tΣ − (1−t)I.
// With Σ = Q diag(λ) Qᵀ both are diagonal in the eigenbasis: g_k(t) = (tλ_k − (1−t))/(t²λ_k + (1−t)²), and
// ∇·v = Σ_k g_k(t). Its flow maps N(0, I) at t = 0 exactly onto N(μ, Σ) at t = 1.
class GaussianField : public ada::VectorField {
public:
    GaussianField(at::Tensor mean, at::Tensor covariance) : mean_(mean.to(at::kDouble)), covariance_(covariance.to(at::kDouble)) {
        auto [values, vectors] = at::linalg_eigh(covariance_);
        eigenvalues_ = values;
        eigenvectors_ = vectors;
    }
    at::Tensor forward(const at::Tensor& x, const at::Tensor& tIn) override {
        const at::Tensor t = tIn.to(x.options()).reshape({-1, 1}).expand({x.size(0), 1});
        const at::Tensor lambda = eigenvalues_.to(x.options()).unsqueeze(0);
        const at::Tensor q = eigenvectors_.to(x.options());
        const at::Tensor mu = mean_.to(x.options()).unsqueeze(0);
        const at::Tensor g = (t * lambda - (1 - t)) / (t * t * lambda + (1 - t) * (1 - t));
        return mu + at::matmul(at::matmul(x - t * mu, q) * g, q.t());
    }
    std::string kind() const override { return "gaussian_test_field"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<int64_t> eventShape() const override { return {mean_.size(0)}; }

    /** log N(x; μ, Σ) [B]. */
    at::Tensor logDensity(const at::Tensor& x) const {
        const int64_t d = mean_.size(0);
        const at::Tensor diff = x.to(at::kDouble) - mean_.unsqueeze(0);
        const at::Tensor y = at::matmul(diff, eigenvectors_) / eigenvalues_.sqrt().unsqueeze(0);
        return -0.5 * (d * std::log(2 * M_PI) + eigenvalues_.log().sum().item<double>()) - 0.5 * y.pow(2).sum(1);
    }
    /** E log N(x; μ, Σ) = −½ (D ln 2π + ln|Σ| + D). */
    double expectedLogDensity() const {
        const int64_t d = mean_.size(0);
        return -0.5 * (d * std::log(2 * M_PI) + eigenvalues_.log().sum().item<double>() + d);
    }
    at::Tensor sample(int64_t count, at::Generator& generator) const {
        const at::Tensor z = at::randn({count, mean_.size(0)}, generator, at::kDouble);
        return mean_.unsqueeze(0) + at::matmul(z * eigenvalues_.sqrt().unsqueeze(0), eigenvectors_.t());
    }

private:
    at::Tensor mean_, covariance_, eigenvalues_, eigenvectors_;
};

// N particles in S dimensions, data isotropic N(0, s² I) on the zero-centre-of-mass subspace U: the same
// closed form with μ = 0, λ = s², applied to centred configurations; on U,
//   log p1(x) = −(N−1)S/2 · ln(2π s²) − ‖x‖²/(2 s²).
class IsotropicParticleField : public ada::VectorField {
public:
    IsotropicParticleField(int64_t particles, int64_t dimension, double scale) : n_(particles), s_(dimension), scale_(scale) {}
    at::Tensor forward(const at::Tensor& x, const at::Tensor& tIn) override {
        const at::Tensor p = x.reshape({x.size(0), n_, s_});
        const at::Tensor t = tIn.to(x.options()).reshape({-1, 1, 1});
        const double l = scale_ * scale_;
        const at::Tensor g = (t * l - (1 - t)) / (t * t * l + (1 - t) * (1 - t));
        return (g * (p - p.mean(1, true))).reshape(x.sizes());
    }
    std::string kind() const override { return "isotropic_particle_test_field"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<int64_t> eventShape() const override { return {n_, s_}; }
    bool zeroCentreOfMass() const override { return true; }

    at::Tensor logDensity(const at::Tensor& x) const {
        const at::Tensor p = x.to(at::kDouble).reshape({x.size(0), n_, s_});
        const at::Tensor c = p - p.mean(1, true);
        return -0.5 * (n_ - 1) * s_ * std::log(2 * M_PI * scale_ * scale_) - c.pow(2).sum({1, 2}) / (2 * scale_ * scale_);
    }

private:
    int64_t n_, s_;
    double scale_;
};

// dx/dt = A x (time-independent): x(t) = exp(tA) x(0).
class LinearField : public ada::VectorField {
public:
    explicit LinearField(at::Tensor a) : a_(a.to(at::kDouble)) {}
    at::Tensor forward(const at::Tensor& x, const at::Tensor&) override { return at::matmul(x, a_.to(x.options()).t()); }
    std::string kind() const override { return "linear_test_field"; }
    nlohmann::json config() const override { return nlohmann::json::object(); }
    std::vector<int64_t> eventShape() const override { return {a_.size(0)}; }
    const at::Tensor& matrix() const { return a_; }

private:
    at::Tensor a_;
};

}  // namespace adatest
