#pragma once
// Angle at j between u = r_i - r_j and v = r_k - r_j: theta = atan2(|u x v|, u.v) in [0, pi].
// d theta/d r_i = (cos(theta) u/|u| - v/|v|) / (|u| sin(theta)), symmetric for r_k, and
// d theta/d r_j = -(d theta/d r_i + d theta/d r_k).
#include "ada/observables/Observable.h"

namespace ada {

class Angle : public Observable {
public:
    Angle(int i, int j, int k);
    std::string type() const override { return "angle"; }
    int dimension() const override { return 1; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;
};

}  // namespace ada
