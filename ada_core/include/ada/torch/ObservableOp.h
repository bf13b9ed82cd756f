#pragma once
// Batched, differentiable evaluation of an Observable on tensors, for training (DESIGN.md §1, §4).
// Forward: o(x_b) for each configuration b of x [B, N, 3] (nm), giving [B, d]. Backward: the vector-Jacobian
// product dL/dx_b = J(x_b)^T dL/do_b with the Jacobian the Observable computes analytically, so the force
// and the trainers share one implementation of every observable.
#include <ATen/core/Tensor.h>

#include "ada/observables/Observable.h"

namespace ada {

/** o(x) for x [B, N, 3] (any floating dtype, CPU); returns [B, d] in x's dtype, differentiable in x. */
at::Tensor evaluateObservable(const Observable& observable, const at::Tensor& positions, const PeriodicBox& box = PeriodicBox());

}  // namespace ada
