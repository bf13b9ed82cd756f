#pragma once
// Exact log-likelihood of a flow-matching model by the instantaneous change of variables (DESIGN.md §3.1;
// Chen et al., "Neural ODEs", 2018; Grathwohl et al., "FFJORD", 2019):
//   log p1(x1) = log p0(x0) − ∫_0^1 ∇·v(x_t, t) dt,
// computed with the augmented state y = [x, ℓ], dy/dt = [v(x, t), ∇·v(x, t)], integrated backwards from
// y(1) = [x1, 0] to t = 0, so that x0 = x(0), ℓ(0) = −∫_0^1 ∇·v dt and log p1(x1) = log p0(x0) + ℓ(0).
//
// Divergence. Exact: ∇·v = tr(∂v/∂x) = Σ_d e_dᵀ (∂v/∂x) e_d, one vector-Jacobian product per coordinate
// (D backward passes; fine for D up to a few hundred). Hutchinson (declared approximate): ∇·v ≈ (1/K) Σ_k
// ε_kᵀ (∂v/∂x) ε_k with K Rademacher probes ε_k ∈ {±1}^D drawn once per call from `seed` and held fixed over
// the trajectory (so the ODE stays smooth for the adaptive solver); unbiased, E[εᵀJε] = tr J.
//
// Particle systems (zero centre of mass, GaussianBase.h). x1 is first projected onto U = {Σ_i x_i = 0}, the
// (N−1)S-dimensional support of the model, and log p1 is the density with respect to the Lebesgue measure
// of U, matching log p0 = −(N−1)S/2 ln 2π − ‖x0‖²/2. The divergence needed is that of v restricted to U,
// tr(P J P) with P the projection onto U. The right-hand side uses f(x) = P v(P x), whose Jacobian is exactly
// P J P, so the plain trace of ∂f/∂x over all N·S coordinates (or Hutchinson's estimate of it) is the
// divergence on U: the (I − P) directions contribute nothing. (For fields that already output in U, as the
// EGNN does, tr J = tr PJ = tr JP = tr PJP anyway.)
#include <cstdint>

#include <ATen/core/Tensor.h>

#include "ada/flow/OdeIntegrator.h"
#include "ada/models/VectorField.h"

namespace ada {

enum class DivergenceMethod { Exact, Hutchinson };

struct LikelihoodOptions {
    OdeOptions ode = OdeOptions::dormandPrince(1e-5, 1e-5);
    DivergenceMethod divergence = DivergenceMethod::Exact;
    /** Rademacher probes per divergence evaluation (Hutchinson). */
    int64_t probes = 1;
    /** Seed of the Rademacher probes (Hutchinson). */
    uint64_t seed = 0;
};

struct LikelihoodResult {
    at::Tensor logLikelihood;        // log p1(x1)  [B]
    at::Tensor baseLogDensity;       // log p0(x0)  [B]
    at::Tensor divergenceIntegral;   // ∫_0^1 ∇·v dt  [B]
    at::Tensor noise;                // x0 = x(0)  [B, event...]
    int64_t functionEvaluations = 0; // right-hand-side evaluations (each: one forward, D or K backward passes)
    bool approximate = false;        // true with Hutchinson's estimator
};

/** log p1 of x1 [B, event...] (or flattened [B, D]) under the flow of `field`; results in the field's dtype. */
LikelihoodResult logLikelihood(VectorField& field, const at::Tensor& x1, const LikelihoodOptions& options = {});

/** ∇·v(x, t) for x [B, event...] at one time t: exact trace (D vector-Jacobian products); [B]. */
at::Tensor exactDivergence(VectorField& field, const at::Tensor& x, double t);

}  // namespace ada
