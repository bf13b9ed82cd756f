#include "ada/metrics/IterativeProportionalFitting.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

// The index of joint state `state` in the table over `variables`.
size_t marginalIndex(const std::vector<int>& cardinalities, size_t state, const std::vector<int>& variables) {
    // Decode the row-major joint index into per-variable states (last variable fastest).
    std::vector<int> digits(cardinalities.size());
    for (size_t v = cardinalities.size(); v-- > 0;) {
        digits[v] = static_cast<int>(state % cardinalities[v]);
        state /= cardinalities[v];
    }
    size_t index = 0;
    for (int v : variables)
        index = index * cardinalities[v] + digits[v];
    return index;
}

size_t tableSize(const std::vector<int>& cardinalities, const std::vector<int>& variables) {
    size_t size = 1;
    for (int v : variables)
        size *= cardinalities[v];
    return size;
}

}  // namespace

std::vector<double> marginalOf(const std::vector<int>& cardinalities, const std::vector<double>& joint, const std::vector<int>& variables) {
    std::vector<double> table(tableSize(cardinalities, variables), 0.0);
    for (size_t s = 0; s < joint.size(); ++s)
        table[marginalIndex(cardinalities, s, variables)] += joint[s];
    return table;
}

IterativeProportionalFittingResult iterativeProportionalFitting(const std::vector<int>& cardinalities, const std::vector<double>& base,
                                                                const std::vector<MarginalConstraint>& constraints, double tolerance,
                                                                int maxSweeps) {
    size_t states = 1;
    for (int c : cardinalities) {
        if (c <= 0)
            throw SpecError("iterative proportional fitting: every variable needs at least one state");
        states *= c;
    }
    if (base.size() != states)
        throw SpecError("iterative proportional fitting: the base has " + std::to_string(base.size()) + " entries, expected " + std::to_string(states));
    for (const MarginalConstraint& c : constraints) {
        for (int v : c.variables)
            if (v < 0 || v >= static_cast<int>(cardinalities.size()))
                throw SpecError("iterative proportional fitting: constraint on unknown variable " + std::to_string(v));
        if (c.table.size() != tableSize(cardinalities, c.variables))
            throw SpecError("iterative proportional fitting: a constraint table has the wrong size");
    }
    IterativeProportionalFittingResult result;
    result.weights = base;
    const double total = std::accumulate(base.begin(), base.end(), 0.0);
    for (double& w : result.weights) {
        if (!(w > 0))
            throw SpecError("iterative proportional fitting: base weights must be positive");
        w /= total;
    }
    for (result.sweeps = 1; result.sweeps <= maxSweeps; ++result.sweeps) {
        for (const MarginalConstraint& c : constraints) {
            const std::vector<double> current = marginalOf(cardinalities, result.weights, c.variables);
            for (size_t s = 0; s < states; ++s) {
                const size_t m = marginalIndex(cardinalities, s, c.variables);
                result.weights[s] *= current[m] > 0 ? c.table[m] / current[m] : 0.0;
            }
        }
        result.maxMarginalError = 0;
        for (const MarginalConstraint& c : constraints) {
            const std::vector<double> current = marginalOf(cardinalities, result.weights, c.variables);
            for (size_t m = 0; m < current.size(); ++m)
                result.maxMarginalError = std::max(result.maxMarginalError, std::abs(current[m] - c.table[m]));
        }
        if (result.maxMarginalError <= tolerance)
            break;
    }
    return result;
}

}  // namespace ada
