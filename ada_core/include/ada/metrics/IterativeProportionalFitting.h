#pragma once
// Iterative proportional fitting (Deming & Stephan 1940): among all joint distributions w over categorical
// variables (x_1, ..., x_m) that have prescribed marginal tables on given subsets S_j of the variables, find
// the one closest in KL divergence to a base distribution w0:
//   repeat over j:  w(x) <- w(x) * target_j(x_{S_j}) / current_j(x_{S_j})
// until every marginal matches. This is the ideal answer of distribution alignment with observables that are
// functions of x_{S_j} (DESIGN.md §3.3: the minimiser of KL to the base under the marginal constraints), e.g.
// the component weights of a mixture whose pairwise projections are observed (issue "ADA" §6).
#include <vector>

namespace ada {

struct MarginalConstraint {
    std::vector<int> variables;  // indices into the variables, in the order the table uses (row-major)
    std::vector<double> table;   // target probabilities over those variables' joint states (sums to 1)
};

struct IterativeProportionalFittingResult {
    std::vector<double> weights;  // the joint, row-major over all variables
    int sweeps = 0;
    double maxMarginalError = 0;
};

/**
 * cardinalities: the number of states of each variable; base: the base joint (row-major, positive, any
 * normalisation). Stops when every marginal is within tolerance (absolute) or after maxSweeps.
 */
IterativeProportionalFittingResult iterativeProportionalFitting(const std::vector<int>& cardinalities, const std::vector<double>& base,
                                                                const std::vector<MarginalConstraint>& constraints,
                                                                double tolerance = 1e-12, int maxSweeps = 10000);

/** The marginal of a row-major joint over `variables`. */
std::vector<double> marginalOf(const std::vector<int>& cardinalities, const std::vector<double>& joint, const std::vector<int>& variables);

}  // namespace ada
