#pragma once
// The lean adjoint of Adjoint Matching (DESIGN.md §3.2; Domingo-Enrich et al., "Adjoint Matching:
// Fine-tuning Flow and Diffusion Generative Models with Memoryless Stochastic Optimal Control", ICLR 2025,
// eq. (lean adjoint ODE) and Algorithm 1). Along a trajectory X of the memoryless SDE (flow/MemorylessSDE.h),
// with the drift of the frozen base model b_base(x, t) = 2 v_base(x, t) − x/t and the terminal cost
// g = −r,
//   ã(1) = ∇g(X_1) = −∇r(X_1),      dã/dt = −ã(t)ᵀ ∇_x b_base(X_t, t),
// a linear ODE solved backwards on the SDE's own grid t_0 < ... < t_K = 1 by explicit Euler, each step one
// vector-Jacobian product of the base drift at the known (later) point:
//   ã_{k−1} = ã_k + h_k · ∇_x b_base(X_{t_k}, t_k)ᵀ ã_k,     h_k = t_k − t_{k−1}.
// "Lean": unlike the full adjoint it needs no gradient of the control, only of the base drift, because the
// optimal-control terms cancel at the optimum (the paper's Proposition on the lean adjoint). The adjoint does
// not depend on the parameters θ being trained, so it is computed without a graph and detached.
// For particle fields the terminal gradient and every increment are projected onto the zero-centre-of-mass
// subspace (GaussianBase::project), where states and velocities live.
#include <vector>

#include <ATen/core/Tensor.h>

#include "ada/models/VectorField.h"

namespace ada {

/** ã(t_k) for k = 0..K as [K + 1, B, event...], from trajectory [K + 1, B, event...] on `times` (K + 1
 *  increasing values ending at 1) and the terminal condition ã(1) = terminal [B, event...] (−∇r(X_1)).
 *  Costs K vector-Jacobian products of the base drift; throws SpecError on mismatched shapes. */
at::Tensor leanAdjoint(VectorField& base, const at::Tensor& trajectory, const std::vector<double>& times,
                       const at::Tensor& terminal);

}  // namespace ada
