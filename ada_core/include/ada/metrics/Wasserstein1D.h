#pragma once
// The 1-Wasserstein distance between two empirical distributions on the line:
//   W1(a, b) = integral |F_a(x) - F_b(x)| dx,
// F the empirical CDFs (sample sizes may differ), computed exactly by a merge of the sorted samples.
// For angles (periodic = true, period 2 pi) the circular W1 is min over c of integral |F_a - F_b - c| on
// the circle, which equals the integral of |G - median(G)| for G = F_a - F_b (Rabin et al., 2011).
#include <vector>

namespace ada {

double wasserstein1(std::vector<double> a, std::vector<double> b, bool periodic = false);

}  // namespace ada
