#pragma once
// Exact discrete optimal transport and assignment by LEMON's network simplex (the solver POT uses):
//   OT(a, b; C) = min_{gamma >= 0, gamma 1 = a, gamma^T 1 = b} sum_ij gamma_ij C_ij
// with uniform a = 1/n, b = 1/m, and the assignment problem (n = m, a permutation) as its special case.
// Costs are scaled to 64-bit integers for the solver (relative resolution 1e-12 of the largest cost) and the
// returned cost is re-evaluated in double precision on the optimal plan.
#include <vector>

#include <Eigen/Core>

namespace ada {

/** Exact OT cost with uniform weights; cost is n x m. */
double optimalTransportCost(const Eigen::MatrixXd& cost);
/** The permutation p minimising sum_i cost(i, p[i]); cost is n x n. */
std::vector<int> optimalAssignment(const Eigen::MatrixXd& cost);

}  // namespace ada
