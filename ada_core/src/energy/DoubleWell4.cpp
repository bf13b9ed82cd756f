#include "ada/energy/DoubleWell4.h"

#include <ATen/ATen.h>

namespace ada {

at::Tensor DoubleWell4::energy(const at::Tensor& x) const {
    const at::Tensor p = particlesView(x);
    evaluations_ += p.size(0);
    const at::Tensor pairs = at::triu_indices(4, 4, 1, at::TensorOptions().dtype(at::kLong));
    const at::Tensor d = (p.index_select(1, pairs[0]) - p.index_select(1, pairs[1])).norm(2, -1) - 4.0;
    const at::Tensor d2 = d * d;
    return (0.9 * d2 * d2 - 4.0 * d2).sum(1);
}

}  // namespace ada
