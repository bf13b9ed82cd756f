#include "ada/soc/LeanAdjoint.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/GaussianBase.h"
#include "ada/flow/MemorylessSDE.h"
#include "ada/io/SpecError.h"

namespace ada {

at::Tensor leanAdjoint(VectorField& base, const at::Tensor& trajectory, const std::vector<double>& times,
                       const at::Tensor& terminal) {
    const int64_t k = static_cast<int64_t>(times.size()) - 1;
    if (k < 1 || trajectory.dim() < 2 || trajectory.size(0) != k + 1)
        throw SpecError("lean adjoint: expected a trajectory [" + std::to_string(k + 1) + ", B, event...] for " +
                        std::to_string(k + 1) + " times, found " + c10::str(trajectory.sizes()));
    if (!terminal.sizes().equals(trajectory.sizes().slice(1)))
        throw SpecError("lean adjoint: expected the terminal condition of shape " + c10::str(trajectory.sizes().slice(1)) +
                        ", found " + c10::str(terminal.sizes()));
    const GaussianBase space = GaussianBase::of(base);
    c10::AutoGradMode enable(true);
    std::vector<at::Tensor> adjoint(static_cast<size_t>(k + 1));
    adjoint[k] = space.project(terminal.detach().to(trajectory.options()));
    for (int64_t i = k; i >= 1; --i) {
        const at::Tensor x = trajectory[i].detach().requires_grad_(true);
        const at::Tensor b = MemorylessSDE::drift(base, x, times[i]);
        const at::Tensor vjp = torch::autograd::grad({b}, {x}, {adjoint[i]})[0];  // ∇_x bᵀ ã
        adjoint[i - 1] = adjoint[i] + (times[i] - times[i - 1]) * space.project(vjp.detach());
    }
    return at::stack(adjoint);
}

}  // namespace ada
