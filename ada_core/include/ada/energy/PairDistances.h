#pragma once
// Squared distances of all particle pairs i < j of a batch of configurations, in the order of
// at::triu_indices(N, N, 1): used by the pair energies and by `ada evaluate --energy`'s distance histograms.
#include <ATen/core/Tensor.h>

namespace ada {

/** p: [B, N, S] -> [B, N (N - 1) / 2], |p_i - p_j|^2 for i < j; differentiable in p. */
at::Tensor squaredPairDistances(const at::Tensor& p);

}  // namespace ada
