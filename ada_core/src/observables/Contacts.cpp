#include "ada/observables/Contacts.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/observables/RationalSwitch.h"
#include "ada/observables/Vector3.h"

namespace ada {

Contacts::Contacts(PairSet pairs, double r0, int n, int m) : set_(std::move(pairs)), r0_(r0), n_(n), m_(m) {
    atoms_ = set_.atoms;
}

void Contacts::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    if (jacobian)
        std::fill(jacobian, jacobian + 3 * atoms_.size(), 0.0);
    double total = 0;
    for (const auto& p : set_.pairs) {
        const Vector3 d = displacement(positions, atoms_[p.first], atoms_[p.second], box);
        const double r = norm(d), x = r / r0_;
        double dsdx;
        const double s = rationalSwitch(x, n_, m_, dsdx);
        total += s;
        if (jacobian && r > 0) {
            const double g = dsdx / (r0_ * r);
            for (int k = 0; k < 3; ++k) {
                jacobian[3 * p.first + k] -= g * d[k];
                jacobian[3 * p.second + k] += g * d[k];
            }
        }
    }
    value[0] = total;
}

nlohmann::json Contacts::toJson() const {
    nlohmann::json j = {{"type", type()}, {"r0", r0_}, {"n", n_}, {"m", m_}};
    if (!set_.groups.empty())
        j["groups"] = set_.groups;
    else {
        nlohmann::json pairs = nlohmann::json::array();
        for (const auto& p : set_.original)
            pairs.push_back({p.first, p.second});
        j["pairs"] = pairs;
    }
    return j;
}

}  // namespace ada
