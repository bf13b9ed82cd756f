#pragma once
// Interpolating cubic spline on a strictly increasing grid x_0 < ... < x_n with values y_k.
// Second derivatives M_k solve the tridiagonal system
//   h_{k-1} M_{k-1} + 2 (h_{k-1} + h_k) M_k + h_k M_{k+1} = 6 [ (y_{k+1}-y_k)/h_k - (y_k-y_{k-1})/h_{k-1} ]
// with natural ends (M_0 = M_n = 0), or cyclically closed for a periodic spline, whose grid must span one
// period (x_n - x_0 = 2 pi for angles) with y_n = y_0; inputs are then wrapped into [x_0, x_n).
// A non-periodic spline is constant beyond its grid (zero force), so a grid should cover the sampled range.
#include <vector>

#include "ada/bias/BiasFunction.h"

namespace ada {

class Spline : public BiasFunction {
public:
    /** Throws SpecError (naming `where`) if the grid is not increasing, sizes differ, or periodic ends mismatch. */
    Spline(std::vector<double> grid, std::vector<double> values, bool periodic, const std::string& where = "spline");
    /**
     * A spline through f at `points` equally spaced nodes on [lo, hi] (f 1-D), e.g. to export a critic as an
     * ADAForce term; periodic splines take the value at lo for the last node. Throws SpecError naming `where`.
     */
    static Spline tabulate(const BiasFunction& f, double lo, double hi, int points, bool periodic, const std::string& where);
    std::string type() const override { return "spline"; }
    int inputDimension() const override { return 1; }
    double evaluate(const double* y, double* gradient) const override;
    nlohmann::json toJson() const override;
    bool periodic() const { return periodic_; }

private:
    std::vector<double> x_, y_, m_;
    bool periodic_;
};

}  // namespace ada
