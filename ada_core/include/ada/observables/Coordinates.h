#pragma once
// Selected Cartesian components of selected atoms, in the order atoms x components; the Jacobian is a
// selection matrix. Values are the raw (unwrapped) positions in nm.
#include "ada/observables/Observable.h"

namespace ada {

class Coordinates : public Observable {
public:
    /** components: a non-empty subset of {0, 1, 2} (x, y, z). */
    Coordinates(std::vector<int> atoms, std::vector<int> components);
    std::string type() const override { return "coordinates"; }
    int dimension() const override { return static_cast<int>(atoms_.size() * components_.size()); }
    void evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const override;
    nlohmann::json toJson() const override;

private:
    std::vector<int> components_;
};

}  // namespace ada
