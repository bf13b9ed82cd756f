#include "ada/soc/ControlCost.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/MemorylessSDE.h"
#include "ada/io/SpecError.h"

namespace ada {

at::Tensor controlCost(VectorField& base, VectorField& model, const at::Tensor& trajectory, const std::vector<double>& times) {
    const int64_t k = static_cast<int64_t>(times.size()) - 1;
    if (k < 1 || trajectory.dim() < 3 || trajectory.size(0) != k + 1)
        throw SpecError("control cost: expected a trajectory [K + 1, M, event...] for " + std::to_string(times.size()) + " times, found " +
                        c10::str(trajectory.sizes()));
    torch::NoGradGuard noGrad;
    at::Tensor cost = at::zeros({trajectory.size(1)}, trajectory.options());
    for (int64_t i = 0; i < k; ++i) {
        const at::Tensor x = trajectory[i];
        const at::Tensor t = at::full({x.size(0)}, times[i], x.options());
        const double sigma = MemorylessSDE::sigma(times[i]);
        const at::Tensor u = (2.0 / sigma) * (model.forward(x, t) - base.forward(x, t));
        cost += 0.5 * u.pow(2).flatten(1).sum(1) * (times[i + 1] - times[i]);
    }
    return cost;
}

}  // namespace ada
