#include "ada/energy/PairDistances.h"

#include <ATen/ATen.h>

namespace ada {

at::Tensor squaredPairDistances(const at::Tensor& p) {
    const int64_t n = p.size(1);
    const at::Tensor pairs = at::triu_indices(n, n, 1, at::TensorOptions().dtype(at::kLong));
    return (p.index_select(1, pairs[0]) - p.index_select(1, pairs[1])).pow(2).sum(-1);
}

}  // namespace ada
