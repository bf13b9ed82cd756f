#include "ada/observables/ContactMap.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ada/observables/RationalSwitch.h"
#include "ada/observables/Vector3.h"

namespace ada {

ContactMap::ContactMap(std::vector<int> atoms, double r0, int n, int m) : r0_(r0), n_(n), m_(m) { atoms_ = std::move(atoms); }

void ContactMap::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    const size_t count = atoms_.size(), d = count * count;
    std::fill(value, value + d, 0.0);
    if (jacobian)
        std::fill(jacobian, jacobian + d * count * 3, 0.0);
    for (size_t i = 0; i < count; ++i)
        for (size_t j = i + 1; j < count; ++j) {
            const Vector3 delta = displacement(positions, atoms_[i], atoms_[j], box);  // x_j − x_i
            const double r = norm(delta);
            double dsdx;
            const double s = rationalSwitch(r / r0_, n_, m_, dsdx);
            value[i * count + j] = value[j * count + i] = s;
            if (!jacobian || !(r > 0))
                continue;
            const double g = dsdx / (r0_ * r);
            for (const size_t entry : {i * count + j, j * count + i})
                for (int k = 0; k < 3; ++k) {
                    jacobian[(entry * count + i) * 3 + k] = -g * delta[k];
                    jacobian[(entry * count + j) * 3 + k] = g * delta[k];
                }
        }
}

nlohmann::json ContactMap::toJson() const { return {{"type", type()}, {"atoms", atoms_}, {"r0", r0_}, {"n", n_}, {"m", m_}}; }

}  // namespace ada
