#include "ada/flow/FlowMatchingLoss.h"

#include <ATen/ATen.h>

namespace ada {

at::Tensor flowMatchingLoss(VectorField& field, const at::Tensor& x1, const at::Tensor& x0, const at::Tensor& t) {
    std::vector<int64_t> broadcast(x1.dim(), 1);
    broadcast[0] = x1.size(0);
    const at::Tensor tt = t.reshape(broadcast);
    const at::Tensor xt = at::lerp(x0, x1, tt);  // x0 + t (x1 − x0)
    const at::Tensor residual = field.forward(xt, t) - (x1 - x0);
    return residual.pow(2).sum() / static_cast<double>(x1.size(0));
}

}  // namespace ada
