#include "ada/energy/LennardJonesCluster.h"

#include <ATen/ATen.h>

#include "ada/energy/PairDistances.h"

#include "ada/io/SpecError.h"

namespace ada {

LennardJonesCluster::LennardJonesCluster(int64_t n) : n_(n) {
    if (n < 2)
        throw SpecError("Lennard-Jones cluster: needs at least 2 particles");
}

at::Tensor LennardJonesCluster::energy(const at::Tensor& x) const {
    const at::Tensor p = particlesView(x);
    evaluations_ += p.size(0);
    const at::Tensor d2 = squaredPairDistances(p);
    const at::Tensor inv6 = d2.pow(-3);
    const at::Tensor lj = 2.0 * (inv6 * inv6 - 2.0 * inv6).sum(1);  // ordered pairs: twice the i < j sum
    const at::Tensor centred = p - p.mean(1, true);
    return lj + 0.5 * centred.pow(2).sum({1, 2});
}

}  // namespace ada
