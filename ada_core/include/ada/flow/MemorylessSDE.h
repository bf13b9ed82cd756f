#pragma once
// The memoryless SDE with the marginals of a flow-matching model (DESIGN.md §3.2; Domingo-Enrich et al.,
// "Adjoint Matching", ICLR 2025). For the interpolant x_t = t·x1 + (1−t)·x0 (α_t = t, β_t = 1 − t):
//   κ_t = α̇_t/α_t = 1/t,   η_t = β_t(κ_t β_t − β̇_t) = (1 − t)/t,
//   dX = b(X, t) dt + σ(t) dB,   b(x, t) = 2 v(x, t) − κ_t x,   σ(t) = sqrt(2 η_t).
// The coefficients are singular at t = 0, so the SDE runs on a grid t_min = t_0 < t_1 < ... < t_K = 1
// (t_min ≈ 1e-2) by Euler–Maruyama,
//   X_{k+1} = X_k + b(X_k, t_k) h_k + σ(t_k) sqrt(h_k) ξ_k,   ξ_k ~ N(0, I),  h_k = t_{k+1} − t_k,
// started from the noise marginal: X_{t_min} = (1 − t_min)·x0 with x0 ~ p0, i.e. the interpolant's marginal
// at t_min with the data term t_min·x1 dropped. That O(t_min) error does not survive: the drift −X/t
// contracts any initial perturbation by t_min/t by time t (the process is memoryless: X_1 is independent of
// X_{t_min} in the continuum limit). For particle systems the increments ξ_k are projected onto the
// zero-centre-of-mass subspace, so the state stays in it.
#include <cstdint>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include "ada/models/VectorField.h"

namespace ada {

struct MemorylessSDEOptions {
    /** Number of Euler–Maruyama steps of the uniform grid over [tMin, 1] (ignored when `times` is given). */
    int64_t steps = 200;
    double tMin = 1e-2;
    /** An explicit grid t_0 = tMin < ... < t_K = 1 (optional; overrides steps and tMin). */
    std::vector<double> times;
    /** Keep every state X_{t_k} (for adjoint matching, which needs whole trajectories). */
    bool recordTrajectory = false;
};

struct SDESample {
    at::Tensor samples;               // X_1  [B, event...]
    at::Tensor trajectory;            // [K + 1, B, event...] when recorded, else undefined
    std::vector<double> times;        // t_0 .. t_K
    int64_t functionEvaluations = 0;  // calls of v on the whole batch (K)
};

class MemorylessSDE {
public:
    explicit MemorylessSDE(MemorylessSDEOptions options = {});

    static double kappa(double t) { return 1.0 / t; }
    static double eta(double t) { return (1.0 - t) / t; }
    /** σ(t) = sqrt(2 η_t). */
    static double sigma(double t);
    /** b(x, t) = 2 v(x, t) − x/t (differentiable if the caller enables gradients). */
    static at::Tensor drift(VectorField& field, const at::Tensor& x, double t);

    /** The time grid t_0 = t_min < ... < t_K = 1. */
    const std::vector<double>& times() const { return times_; }
    /** X_{t_min} = (1 − t_min)·x0, x0 ~ p0 of the field, in the field's dtype. */
    at::Tensor initialState(VectorField& field, int64_t count, at::Generator& generator) const;
    /** Draws the initial state and integrates to t = 1, without gradients. */
    SDESample sample(VectorField& field, int64_t count, at::Generator& generator) const;
    /** Integrates from a given X_{t_0} [B, event...] to t = 1, without gradients. */
    SDESample integrate(VectorField& field, const at::Tensor& start, at::Generator& generator) const;

private:
    std::vector<double> times_;
    bool recordTrajectory_;
};

}  // namespace ada
