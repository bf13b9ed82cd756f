#include "ada/observables/Distance.h"

#include <nlohmann/json.hpp>

#include "ada/observables/Vector3.h"

namespace ada {

Distance::Distance(int i, int j) { atoms_ = {i, j}; }

void Distance::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    const Vector3 d = displacement(positions, atoms_[0], atoms_[1], box);
    const double r = norm(d);
    value[0] = r;
    if (jacobian) {
        const double inv = r > 0 ? 1.0 / r : 0.0;
        for (int k = 0; k < 3; ++k) {
            jacobian[k] = -d[k] * inv;
            jacobian[3 + k] = d[k] * inv;
        }
    }
}

nlohmann::json Distance::toJson() const { return {{"type", type()}, {"atoms", atoms_}}; }

}  // namespace ada
