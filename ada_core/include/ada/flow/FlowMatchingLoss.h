#pragma once
// The conditional flow-matching loss (DESIGN.md §3.1; Lipman et al. 2023, Liu et al. 2023):
//   L(θ) = E_{t ~ U[0,1], x0 ~ p0, x1 ~ data} ‖v_θ(x_t, t) − (x1 − x0)‖²,   x_t = t·x1 + (1 − t)·x0,
// estimated on a minibatch as (1/B) Σ_b ‖v_θ(x_t,b, t_b) − (x1_b − x0_b)‖² (squared norm summed over all
// coordinates of a sample, averaged over the batch). Its minimiser is the marginal velocity
// v(x, t) = E[x1 − x0 | x_t = x], whose flow carries p0 to the data distribution.
#include <ATen/core/Tensor.h>

#include "ada/models/VectorField.h"

namespace ada {

/** The minibatch loss for x1, x0 [B, event...] and t [B]; a differentiable scalar. */
at::Tensor flowMatchingLoss(VectorField& field, const at::Tensor& x1, const at::Tensor& x0, const at::Tensor& t);

}  // namespace ada
