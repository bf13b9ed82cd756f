#pragma once
// Effective sample size of importance weights, the path-ESS of the diffusion-sampler literature (DESIGN.md §5;
// e.g. Havens et al., "Adjoint Sampling", ICML 2025). For n paths with log-weights l_i = log dP*/dP_u(X^i)
// (target path measure over the sampler's; see soc/AdjointSampler.h for the weights of a controlled SDE),
//   ESS / n = (Σ_i w_i)² / (n Σ_i w_i²) = exp( 2 logsumexp(l) − logsumexp(2 l) − log n ),   in (0, 1],
// computed in log space so that weights spanning hundreds of orders of magnitude do not overflow. It is 1
// exactly when all weights are equal (the sampler is the target) and 1/n when one path carries all weight.
// Additive constants in l (log Z) cancel.
#include <vector>

namespace ada {

/** ESS / n of the given log-weights; throws SpecError if empty or if a log-weight is NaN or +inf. */
double pathEffectiveSampleSize(const std::vector<double>& logWeights);

}  // namespace ada
