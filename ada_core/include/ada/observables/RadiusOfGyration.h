#pragma once
// Radius of gyration (unweighted, like OpenMM's RGForce):
//   Rg = sqrt( (1/n) sum_a |r_a - c|^2 ),  c = (1/n) sum_a r_a,   dRg/dr_a = (r_a - c) / (n Rg).
// Under a periodic box every atom is first unwrapped to the minimum image of its displacement from the
// first atom (valid while the group spans less than half the box).
#include "ada/observables/Observable.h"

namespace ada {

class RadiusOfGyration : public Observable {
public:
    explicit RadiusOfGyration(std::vector<int> atoms);
    std::string type() const override { return "rg"; }
    int dimension() const override { return 1; }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;
};

}  // namespace ada
