#include "ada/observables/Coordinates.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace ada {

Coordinates::Coordinates(std::vector<int> atoms, std::vector<int> components) : components_(std::move(components)) {
    atoms_ = std::move(atoms);
}

void Coordinates::evaluate(const double* positions, const PeriodicBox&, double* value, double* jacobian) const {
    const size_t n = atoms_.size(), c = components_.size();
    if (jacobian)
        std::fill(jacobian, jacobian + n * c * n * 3, 0.0);
    for (size_t a = 0; a < n; ++a)
        for (size_t k = 0; k < c; ++k) {
            const size_t row = a * c + k;
            value[row] = positions[3 * atoms_[a] + components_[k]];
            if (jacobian)
                jacobian[(row * n + a) * 3 + components_[k]] = 1.0;
        }
}

nlohmann::json Coordinates::toJson() const {
    std::string comps;
    for (int k : components_)
        comps += "xyz"[k];
    return {{"type", type()}, {"atoms", atoms_}, {"components", comps}};
}

}  // namespace ada
