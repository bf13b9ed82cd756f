#pragma once
// The sampler an Adjoint Sampling model defines (DESIGN.md §3.4; Havens et al., "Adjoint Sampling", ICML 2025):
// the controlled SDE  dX = sigma(t) u(X, t) dt + sigma(t) dB,  X_0 = 0,  with the geometric schedule of
// GeometricNoiseSchedule.h and the control u = sigma f_theta given by the model's field f_theta = u / sigma
// (the quantity AdjointSamplingTrainer regresses, -grad g at the optimum), on the uniform grid t_k = k/K.
// (A grid even in the variance nu_t, which puts more steps early where most noise is added, sampled DW-4
// worse: energy W2 8.5 against 4.3 after 100 iterations.)
// Each step takes the base process's exact variance increment dnu_k = nu(t_{k+1}) - nu(t_k) = integral of
// sigma^2 over the step, and the drift over the step with f frozen at t_k, integral of sigma^2 f = dnu_k f_k:
//   X_{k+1} = X_k + c_k sqrt(dnu_k) + sqrt(dnu_k) xi_k,   c_k = sqrt(dnu_k) f_k,   xi_k ~ N(0, I),
// which is Euler-Maruyama (c_k = sqrt(h) u_k) up to O(h) in the coefficients; unlike plain Euler-Maruyama
// (whose left sums of the steep sigma^2 overshoot nu_1 by about 2 h ln r, 8% for r = 2000, K = 100) the
// uncontrolled chain then ends exactly at p_base,1 = N(0, nu_1 I), the law the terminal cost g refers to. For
// particle fields xi_k and u_k are projected onto the zero-centre-of-mass subspace (dimension d).
//
// Heun's method (the integrator "heun"; stochastic Heun, weak order 2 for additive noise) takes the same
// noise twice: a predictor X~ = X_k + dnu_k f(X_k, t_k) + sqrt(dnu_k) xi_k, then
//   X_{k+1} = X_k + dnu_k (f(X_k, t_k) + f(X~, t_{k+1})) / 2 + sqrt(dnu_k) xi_k,
// two field evaluations per step. Euler's O(h) bias is large here: the steps are geometric in the remaining
// variance nu_1 - nu_t (each removes the fraction 1 - r^(-2h) of it, 26 % for r = 2000, K = 50), so every step
// where the control is stiff contributes. With the exact control of a Gaussian target N(0, 1) (sigma_max 3,
// r = 3000) the samples' sd is 1.073 / 1.018 / 1.004 with Euler at K = 50 / 200 / 1000 and 0.986 / 0.997
// with Heun at K = 50 / 100. Path weights are those of the Euler chain; Heun's transition density has no
// closed form, so sampleWithLogWeights needs "euler".
//
// Path weights. The target path measure is P*(X) = P_base(X | X_K) pi(X_K), pi ∝ exp(-E/tau), P_base the same
// chain without control. The ratio of the base and controlled transition densities is
// exp(-c_k·xi_k - ½ |c_k|^2), so
//   log w = log dP*/dP_u = -g(X_K) - Σ_k [ c_k·xi_k + ½ |c_k|^2 ] - log Z,
//   g(x)  = E(x)/tau + log p_base,1(x),   log p_base,1(x) = -|x|^2/(2 nu_1) - (d/2) log(2 pi nu_1),
// exact for the discrete chain (Girsanov's theorem in the limit K -> infinity). Their ESS (metrics/
// PathEffectiveSampleSize.h) is 1 for the optimal control and drops as the sampler departs from P*.
//
// An Adjoint Sampling model file is the control's bundle (models/TrainedModel.h) with
//   config["model_kind"] = "adjoint_sampling",
//   config["sampler"]    = {"sigma_min", "sigma_max", "sde_steps", "integrator" ("euler" when absent), "energy",
//                           "temperature", "particles", "spatial_dimension"}
// so that `ada sample` knows to integrate this SDE from X_0 = 0 rather than a flow from noise.
#include <cstdint>
#include <string>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "ada/energy/Energy.h"
#include "ada/models/VectorField.h"
#include "ada/soc/GeometricNoiseSchedule.h"

namespace ada {

enum class SdeIntegrator { EulerMaruyama, Heun };
/** "euler" or "heun". */
std::string sdeIntegratorName(SdeIntegrator integrator);
/** Throws SpecError naming `where` for anything but "euler" or "heun". */
SdeIntegrator sdeIntegratorFromName(const std::string& name, const std::string& where);

struct ControlledPaths {
    at::Tensor samples;     // X_K [count, event...]
    at::Tensor logWeights;  // log dP*/dP_u (up to log Z) [count], float64
};

class AdjointSampler {
public:
    static constexpr const char* modelKind = "adjoint_sampling";

    /** Throws SpecError unless 0 < sigmaMin < sigmaMax and steps >= 1. */
    AdjointSampler(GeometricNoiseSchedule schedule, int64_t steps, SdeIntegrator integrator = SdeIntegrator::EulerMaruyama);

    const GeometricNoiseSchedule& schedule() const { return schedule_; }
    int64_t steps() const { return steps_; }
    SdeIntegrator integrator() const { return integrator_; }
    /** Field evaluations per sample: steps, or twice that with Heun. */
    int64_t fieldEvaluations() const { return integrator_ == SdeIntegrator::Heun ? 2 * steps_ : steps_; }
    /** nu_1: the variance per coordinate of the uncontrolled chain's end point. */
    double baseVariance() const { return schedule_.variance(1.0); }

    /** count samples X_K [count, event...] of the field's dtype, without gradients; control is f = u / sigma. */
    at::Tensor sample(VectorField& control, int64_t count, at::Generator& generator) const;
    /** Samples with their path log-weights towards exp(-E/temperature); one energy evaluation per sample.
     *  Throws SpecError for the Heun integrator (see the header comment). */
    ControlledPaths sampleWithLogWeights(VectorField& control, int64_t count, const Energy& energy, double temperature,
                                         at::Generator& generator) const;

    /** Writes the control as a model file (see the header comment) for `energy` at `temperature`. */
    void save(VectorField& control, const Energy& energy, double temperature, const std::string& path) const;
    /** The sampler of a model file's config["sampler"]; throws SpecError naming `where` and the field. */
    static AdjointSampler fromJson(const nlohmann::json& config, const std::string& where);

private:
    ControlledPaths integrate(VectorField& control, int64_t count, at::Generator& generator, bool weights) const;

    GeometricNoiseSchedule schedule_;
    int64_t steps_;
    SdeIntegrator integrator_;
};

}  // namespace ada
