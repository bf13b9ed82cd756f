#include "ada/observables/RadiusOfGyration.h"

#include <nlohmann/json.hpp>

#include "ada/observables/Vector3.h"

namespace ada {

RadiusOfGyration::RadiusOfGyration(std::vector<int> atoms) { atoms_ = std::move(atoms); }

void RadiusOfGyration::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    const size_t n = atoms_.size();
    // Positions relative to the first atom; the centre is then c = mean of these.
    std::vector<Vector3> rel(n);
    Vector3 centre{0, 0, 0};
    for (size_t a = 0; a < n; ++a) {
        rel[a] = displacement(positions, atoms_[0], atoms_[a], box);
        centre = centre + rel[a];
    }
    centre = (1.0 / n) * centre;
    double sum = 0;
    for (size_t a = 0; a < n; ++a) {
        rel[a] = rel[a] - centre;
        sum += dot(rel[a], rel[a]);
    }
    const double rg = std::sqrt(sum / n);
    value[0] = rg;
    if (jacobian) {
        const double scale = rg > 0 ? 1.0 / (n * rg) : 0.0;
        for (size_t a = 0; a < n; ++a)
            for (int k = 0; k < 3; ++k)
                jacobian[3 * a + k] = scale * rel[a][k];
    }
}

nlohmann::json RadiusOfGyration::toJson() const { return {{"type", type()}, {"atoms", atoms_}}; }

}  // namespace ada
