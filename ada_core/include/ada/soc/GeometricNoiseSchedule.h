#pragma once
// The base process of Adjoint Sampling (DESIGN.md §3.4; Havens et al., "Adjoint Sampling: Highly Scalable
// Diffusion Samplers via Adjoint Matching", ICML 2025): X_0 = 0, dX = sigma(t) dB with the geometric schedule
//   sigma(t) = sigma_min r^(1 - t) sqrt(2 ln r),   r = sigma_max / sigma_min,
// whose variance is nu_t = integral_0^t sigma^2 = sigma_max^2 (1 - r^(-2t)), so p_base,1 = N(0, nu_1 I); and
// the Brownian bridge X_t | X_1 ~ N(gamma_t X_1, nu_t (1 - gamma_t) I), gamma_t = nu_t / nu_1.
#include <cmath>

namespace ada {

struct GeometricNoiseSchedule {
    double sigmaMin = 1e-3, sigmaMax = 1.0;

    double ratio() const { return sigmaMax / sigmaMin; }
    double sigma(double t) const { return sigmaMin * std::pow(ratio(), 1 - t) * std::sqrt(2 * std::log(ratio())); }
    double variance(double t) const { return sigmaMax * sigmaMax * (1 - std::pow(ratio(), -2 * t)); }
    double bridgeWeight(double t) const { return variance(t) / variance(1.0); }
};

}  // namespace ada
