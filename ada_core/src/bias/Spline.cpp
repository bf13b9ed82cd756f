#include "ada/bias/Spline.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "ada/io/SpecError.h"

namespace ada {

Spline::Spline(std::vector<double> grid, std::vector<double> values, bool periodic, const std::string& where)
    : x_(std::move(grid)), y_(std::move(values)), periodic_(periodic) {
    const int n = static_cast<int>(x_.size()) - 1;
    if (x_.size() != y_.size())
        throw SpecError(where + ": grid has " + std::to_string(x_.size()) + " points but values has " + std::to_string(y_.size()));
    if (n < (periodic ? 3 : 1))
        throw SpecError(where + ": a " + std::string(periodic ? "periodic " : "") + "spline needs at least " +
                        std::to_string(periodic ? 4 : 2) + " grid points, found " + std::to_string(x_.size()));
    for (int k = 0; k < n; ++k)
        if (!(x_[k + 1] > x_[k]))
            throw SpecError(where + ".grid: must be strictly increasing, but grid[" + std::to_string(k + 1) + "] = " +
                            std::to_string(x_[k + 1]) + " <= grid[" + std::to_string(k) + "] = " + std::to_string(x_[k]));
    for (size_t k = 0; k < y_.size(); ++k)
        if (!std::isfinite(y_[k]))
            throw SpecError(where + ".values[" + std::to_string(k) + "]: NaN or infinite value");
    if (periodic) {
        if (std::abs(y_[n] - y_[0]) > 1e-9 * std::max(1.0, std::abs(y_[0])))
            throw SpecError(where + ": a periodic spline needs values[last] == values[0] (found " + std::to_string(y_[n]) +
                            " and " + std::to_string(y_[0]) + ")");
    }
    std::vector<double> h(n);
    for (int k = 0; k < n; ++k)
        h[k] = x_[k + 1] - x_[k];
    m_.assign(n + 1, 0.0);
    if (periodic) {
        // Unknowns M_0..M_{n-1} (M_n = M_0), cyclic tridiagonal; small, so a dense LU is fine.
        Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, n);
        Eigen::VectorXd rhs(n);
        for (int k = 0; k < n; ++k) {
            const int prev = (k + n - 1) % n;
            const double hp = h[prev], hk = h[k];
            A(k, prev) += hp;
            A(k, k) += 2 * (hp + hk);
            A(k, (k + 1) % n) += hk;
            rhs(k) = 6 * ((y_[k + 1] - y_[k]) / hk - (y_[prev + 1] - y_[prev]) / hp);
        }
        Eigen::VectorXd M = A.partialPivLu().solve(rhs);
        for (int k = 0; k < n; ++k)
            m_[k] = M(k);
        m_[n] = m_[0];
    } else if (n >= 2) {
        Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n - 1, n - 1);
        Eigen::VectorXd rhs(n - 1);
        for (int k = 1; k < n; ++k) {
            A(k - 1, k - 1) = 2 * (h[k - 1] + h[k]);
            if (k > 1)
                A(k - 1, k - 2) = h[k - 1];
            if (k < n - 1)
                A(k - 1, k) = h[k];
            rhs(k - 1) = 6 * ((y_[k + 1] - y_[k]) / h[k] - (y_[k] - y_[k - 1]) / h[k - 1]);
        }
        Eigen::VectorXd M = A.partialPivLu().solve(rhs);
        for (int k = 1; k < n; ++k)
            m_[k] = M(k - 1);
    }
}

double Spline::evaluate(const double* input, double* gradient) const {
    double x = input[0];
    const size_t n = x_.size() - 1;
    if (periodic_) {
        const double period = x_[n] - x_[0];
        x = x_[0] + std::fmod(x - x_[0], period);
        if (x < x_[0])
            x += period;
    } else if (x <= x_[0] || x >= x_[n]) {
        if (gradient)
            gradient[0] = 0.0;
        return x <= x_[0] ? y_[0] : y_[n];
    }
    size_t k = std::upper_bound(x_.begin(), x_.end(), x) - x_.begin();
    k = std::min(std::max<size_t>(k, 1), n) - 1;
    const double h = x_[k + 1] - x_[k];
    const double a = (x_[k + 1] - x) / h, b = (x - x_[k]) / h;
    const double value = a * y_[k] + b * y_[k + 1] + ((a * a * a - a) * m_[k] + (b * b * b - b) * m_[k + 1]) * h * h / 6;
    if (gradient)
        gradient[0] = (y_[k + 1] - y_[k]) / h - (3 * a * a - 1) * h * m_[k] / 6 + (3 * b * b - 1) * h * m_[k + 1] / 6;
    return value;
}

nlohmann::json Spline::toJson() const {
    return {{"type", "spline"}, {"grid", x_}, {"values", y_}, {"periodic", periodic_}};
}

Spline Spline::tabulate(const BiasFunction& f, double lo, double hi, int points, bool periodic, const std::string& where) {
    if (f.inputDimension() != 1)
        throw SpecError(where + ": a spline tabulates a function of one variable, this one takes " + std::to_string(f.inputDimension()));
    if (points < 3 || !(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi))
        throw SpecError(where + ": a spline needs at least 3 points on a finite range lo < hi, found " + std::to_string(points) +
                        " points on [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    std::vector<double> grid(points), values(points);
    for (int k = 0; k < points; ++k) {
        grid[k] = k + 1 == points ? hi : lo + (hi - lo) * k / (points - 1);
        values[k] = f.evaluate(&grid[k], nullptr);
    }
    if (periodic)
        values.back() = values.front();
    return Spline(grid, values, periodic, where);
}

}  // namespace ada
