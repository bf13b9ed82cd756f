#pragma once
// Distance r = |r_j - r_i| (minimum image); dr/dr_j = (r_j - r_i)/r = -dr/dr_i.
#include "ada/observables/Observable.h"

namespace ada {

class Distance : public Observable {
public:
    Distance(int i, int j);
    std::string type() const override { return "distance"; }
    int dimension() const override { return 1; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;
};

}  // namespace ada
