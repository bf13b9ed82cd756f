#pragma once
// Expectation alignment (EA), the ADA baseline of DESIGN.md §3.3: critics restricted to polynomials,
//   f_i(y) = sum_{1 <= |k| <= K} lambda_ik u^k,   u = (y - mean_data_i) / std_data_i  (componentwise),
// all monomials of total degree 1..K (cross moments included for d > 1), applied to a fixed set of base samples
// x_1..x_n through their observables o_i(x_b). The tilt of the empirical base is exact:
//   w_b ∝ exp(-beta sum_i f_i(o_i(x_b))),
// and lambda is the minimiser of the convex dual (maximum entropy / minimum KL under moment constraints;
// Jaynes 1957, Csiszar 1975)
//   L(lambda) = log (1/n) sum_b exp(-beta lambda . phi_b) + beta lambda . E_data phi,
//   grad L = -beta (E_w phi - E_data phi),   Hessian = beta^2 Cov_w(phi),
// so dual ascent on the moment gaps g = E_w phi - E_data phi reads lambda <- lambda + eta g (descent on L).
// With newton (the default), the step is preconditioned, lambda <- lambda + eta Cov_w(phi)^{-1} g / beta,
// which converges quadratically and is invariant to the scale of the moments. Either step is shortened by
// backtracking until L decreases (Armijo). At the optimum E_w[u^k] = E_data[u^k] for every |k| <= K; if the data
// moments lie outside what reweighting the base samples can reach, lambda diverges and converged() stays false.
#include <cstdint>
#include <vector>

#include <ATen/core/Tensor.h>
#include <Eigen/Core>
#include <torch/arg.h>

#include "ada/bias/Polynomial.h"
#include "ada/bias/Spline.h"

namespace ada {

struct ExpectationAlignmentOptions {
    /** K, the highest total degree of the matched moments (>= 1). */
    TORCH_ARG(int64_t, order) = 2;
    /** beta of the tilt exp(-beta sum_i f_i); only rescales lambda. */
    TORCH_ARG(double, beta) = 1.0;
    /** eta, the (largest) step of each update. */
    TORCH_ARG(double, stepSize) = 1.0;
    /** Precondition the step by Cov_w(phi)^{-1} (Newton) rather than plain dual ascent. */
    TORCH_ARG(bool, newton) = true;
    /** Most updates align() makes. */
    TORCH_ARG(int64_t, maxIterations) = 1000;
    /** Converged when every |E_w[u^k] - E_data[u^k]| <= tolerance (u standardised, so unitless). */
    TORCH_ARG(double, tolerance) = 1e-9;
};

class ExpectationAlignment {
public:
    /**
     * base[i] [n, d_i]: observable i at the n base samples (the same n configurations for every i); data[i]
     * [m_i, d_i]: data samples of observable i. Throws SpecError naming the observable and the problem (counts,
     * shapes, empty sets, NaN or infinite values, bad options).
     */
    ExpectationAlignment(const std::vector<at::Tensor>& base, const std::vector<at::Tensor>& data,
                         const ExpectationAlignmentOptions& options = ExpectationAlignmentOptions());

    /** Updates until converged or options.maxIterations() updates in all; returns the updates this call made. */
    int64_t align();
    /** One update of lambda. */
    void update();

    bool converged() const { return maxGap() <= options_.tolerance(); }
    int64_t iterations() const { return iterations_; }
    int numObservables() const { return static_cast<int>(blocks_.size()); }
    const ExpectationAlignmentOptions& options() const { return options_; }

    /** Tilted weights w [n] (float64, summing to 1) of the base samples. */
    at::Tensor weights() const;
    /** E_w[u^k] - E_data[u^k] for observable i, one entry per monomial of monomials(i) ([M_i], float64). */
    at::Tensor momentGaps(int i) const;
    /** max over all observables and monomials of |gap|. */
    double maxGap() const;
    /** The multi-indices k of observable i (Polynomial::monomials order). */
    const std::vector<std::vector<int>>& monomials(int i) const;
    /** lambda_i [M_i] (float64). */
    at::Tensor coefficients(int i) const;

    /** f_i as a bias function (exact; U_bias = kT beta f_i reproduces the tilt for that observable). */
    Polynomial toBiasFunction(int i) const;
    /** beta f_i, ready for a bias specification at beta = 1, as a Polynomial. */
    Polynomial toScaledBiasFunction(int i) const;
    /** For d_i = 1: f_i tabulated at `points` equally spaced nodes of [lo, hi] (a periodic spline takes the
     *  value at lo at its last node). */
    Spline toSpline(int i, double lo, double hi, int points, bool periodic) const;

private:
    struct Block {
        std::vector<std::vector<int>> monomials;
        std::vector<double> shift, scale;
        Eigen::Index offset = 0;  // first column in phi_
    };
    const Block& block(int i) const;
    double dual(const Eigen::VectorXd& lambda, Eigen::VectorXd* weights) const;
    void refresh();

    ExpectationAlignmentOptions options_;
    std::vector<Block> blocks_;
    Eigen::MatrixXd phi_;         // [n, M] monomials of the base samples
    Eigen::VectorXd dataMoments_; // [M]
    Eigen::VectorXd lambda_;      // [M]
    Eigen::VectorXd weights_;     // [n]
    Eigen::VectorXd gaps_;        // [M]
    double dualValue_ = 0;
    int64_t iterations_ = 0;
};

}  // namespace ada
