#pragma once
// The control cost of a fine-tuned memoryless SDE, the KL estimate logged by ADA (DESIGN.md §3.2, §3.3).
// Two SDEs with the same noise σ(t) and the same initial law, drifts b_θ and b_base, have by Girsanov's theorem
//   KL(P_θ ‖ P_base) = E_{X ~ P_θ} ½ ∫ ‖u(X_t, t)‖² dt,   u = (b_θ − b_base)/σ = 2 (v_θ − v_base)/σ,
// over whole paths; by the data-processing inequality it bounds the KL of the terminal laws from above,
// KL(μ_θ ‖ μ_base) ≤ KL(P_θ ‖ P_base), with equality when the control is the optimal one for its own terminal
// law (which adjoint matching converges to). On the Euler–Maruyama grid of a recorded trajectory,
//   cost_b = Σ_{k<K} ½ ‖u(X_{t_k}, t_k)‖² (t_{k+1} − t_k)   (the end point t_K = 1, where σ = 0, is left out).
#include <vector>

#include <ATen/core/Tensor.h>

#include "ada/models/VectorField.h"

namespace ada {

/** Per-trajectory cost [M] of trajectory [K + 1, M, event...] at `times` (t_0..t_K), without gradients. */
at::Tensor controlCost(VectorField& base, VectorField& model, const at::Tensor& trajectory, const std::vector<double>& times);

}  // namespace ada
