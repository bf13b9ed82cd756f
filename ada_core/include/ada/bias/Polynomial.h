#pragma once
// A polynomial f: R^d -> R in standardised inputs (DESIGN.md §3.3, the expectation-alignment critic):
//   u = (y - shift) / scale,   f(y) = sum_j c_j prod_k u_k^{e_jk},
//   df/dy_k = (1/scale_k) sum_j c_j e_jk u_k^{e_jk - 1} prod_{l != k} u_l^{e_jl},
// with multi-indices e_j (non-negative integers). The JSON form is
//   {"type": "polynomial", "exponents": [[1, 0], [0, 1], [2, 0], ...], "coefficients": [...],
//    "input_shift": [...], "input_scale": [...]}       (shift and scale optional: 0 and 1)
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ada/bias/BiasFunction.h"

namespace ada {

class Polynomial : public BiasFunction {
public:
    /** exponents[j] is the multi-index of term j (d entries each). Throws SpecError naming `where` on bad shapes,
     *  negative exponents, non-finite coefficients or a zero scale. Empty shift/scale mean 0 and 1. */
    Polynomial(std::vector<std::vector<int>> exponents, std::vector<double> coefficients, std::vector<double> inputShift,
               std::vector<double> inputScale, const std::string& where = "polynomial");
    static Polynomial fromJson(const nlohmann::json& spec, const std::string& where);

    /** All multi-indices k with 1 <= |k| <= order in d dimensions, by total degree then lexicographically
     *  descending (d = 2, order 2: (1,0), (0,1), (2,0), (1,1), (0,2)). */
    static std::vector<std::vector<int>> monomials(int dimension, int order);

    std::string type() const override { return "polynomial"; }
    int inputDimension() const override { return static_cast<int>(shift_.size()); }
    double evaluate(const double* y, double* gradient) const override;
    nlohmann::json toJson() const override;

    const std::vector<std::vector<int>>& exponents() const { return exponents_; }
    const std::vector<double>& coefficients() const { return coefficients_; }

private:
    std::vector<std::vector<int>> exponents_;
    std::vector<double> coefficients_;
    std::vector<double> shift_, scale_;
};

}  // namespace ada
