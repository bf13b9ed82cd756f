#pragma once
// The l1 residual between two sample sets in R^d (d = 1 or 2), as the ADA paper's synthetic benchmark
// measures projections (DESIGN.md §3.3; issue "ADA" §6):
//   residual = integral |p_hat(y) - q_hat(y)| dy,
// p_hat, q_hat Gaussian kernel density estimates with a diagonal bandwidth by Scott's rule,
// h_k = sigma_k n^(-1/(d+4)) (sigma_k the sample standard deviation of coordinate k, pooled over both sets),
// integrated by the midpoint rule on a regular grid covering both sets plus 4 bandwidths. 0 <= residual <= 2.
#include <cstddef>
#include <vector>

namespace ada {

struct KernelDensityResidualOptions {
    int gridPoints = 128;  // per axis
};

/** a, b: row-major [n][d] samples (d = dimension). */
double kernelDensityResidual(const std::vector<double>& a, const std::vector<double>& b, int dimension,
                             KernelDensityResidualOptions options = {});

}  // namespace ada
