#include "ada/energy/Energy.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <ATen/core/grad_mode.h>

#include "ada/energy/DoubleWell4.h"
#include "ada/energy/LennardJonesCluster.h"
#include "ada/energy/MuellerBrown.h"
#include "ada/io/SpecError.h"

namespace ada {

at::Tensor Energy::particlesView(const at::Tensor& x) const {
    const int64_t N = particles(), S = spatialDimension();
    if (x.dim() == 2 && x.size(1) == N * S)
        return x.reshape({x.size(0), N, S});
    if (x.dim() == 3 && x.size(1) == N && x.size(2) == S)
        return x;
    throw SpecError(name() + " energy: expected configurations of shape [B, " + std::to_string(N) + ", " + std::to_string(S) +
                    "] or [B, " + std::to_string(N * S) + "], found " + std::to_string(x.dim()) + "-D input with " +
                    std::to_string(x.dim() > 1 ? x.size(1) : 0) + " columns");
}

std::pair<at::Tensor, at::Tensor> Energy::energyAndGradient(const at::Tensor& x) const {
    at::AutoGradMode enable(true);
    at::Tensor input = x.detach().requires_grad_(true);
    at::Tensor e = energy(input);
    at::Tensor grad = torch::autograd::grad({e.sum()}, {input})[0];
    return {e.detach(), grad.detach()};
}

std::unique_ptr<Energy> makeEnergy(const std::string& name) {
    if (name == "dw4")
        return std::make_unique<DoubleWell4>();
    if (name == "lj13")
        return std::make_unique<LennardJonesCluster>(13);
    if (name == "lj55")
        return std::make_unique<LennardJonesCluster>(55);
    if (name == "muller-brown")
        return std::make_unique<MuellerBrown>();
    throw SpecError("unknown energy \"" + name + "\" (expected dw4, lj13, lj55, muller-brown or openmm:<system.xml>)");
}

}  // namespace ada
