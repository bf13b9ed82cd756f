#include "ada/observables/RadialDistribution.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/io/SpecError.h"
#include "ada/observables/Vector3.h"

namespace ada {

RadialDistribution::RadialDistribution(PairSet pairs, int bins, double rmin, double rmax, double sigma, double volume)
    : set_(std::move(pairs)), bins_(bins), rmin_(rmin), rmax_(rmax), sigma_(sigma), volume_(volume) {
    atoms_ = set_.atoms;
}

void RadialDistribution::evaluate(const double* positions, const PeriodicBox& box, double* value, double* jacobian) const {
    const double V = box.periodic ? box.volume() : volume_;
    if (!(V > 0))
        throw SpecError("rdf observable: the system has no periodic box, so the specification must give \"volume\" (nm^3)");
    const size_t nAtoms = atoms_.size();
    std::fill(value, value + bins_, 0.0);
    if (jacobian)
        std::fill(jacobian, jacobian + bins_ * nAtoms * 3, 0.0);
    const double width = (rmax_ - rmin_) / bins_;
    const double norm0 = 1.0 / (sigma_ * std::sqrt(2 * M_PI));
    const double P = std::max<size_t>(set_.pairs.size(), 1);
    for (const auto& p : set_.pairs) {
        const Vector3 d = displacement(positions, atoms_[p.first], atoms_[p.second], box);
        const double r = norm(d);
        for (int k = 0; k < bins_; ++k) {
            const double c = rmin_ + (k + 0.5) * width;
            const double scale = V / (P * 4 * M_PI * c * c);
            const double z = (r - c) / sigma_;
            if (std::abs(z) > 8)
                continue;
            const double gauss = norm0 * std::exp(-0.5 * z * z);
            value[k] += scale * gauss;
            if (jacobian && r > 0) {
                const double dr = -scale * gauss * z / sigma_ / r;
                double* row = jacobian + static_cast<size_t>(k) * nAtoms * 3;
                for (int a = 0; a < 3; ++a) {
                    row[3 * p.first + a] -= dr * d[a];
                    row[3 * p.second + a] += dr * d[a];
                }
            }
        }
    }
}

nlohmann::json RadialDistribution::toJson() const {
    nlohmann::json j = {{"type", type()}, {"bins", bins_}, {"rmin", rmin_}, {"rmax", rmax_}, {"sigma", sigma_}};
    if (volume_ > 0)
        j["volume"] = volume_;
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
