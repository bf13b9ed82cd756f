#include "ada/soc/Reward.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/io/SpecError.h"

namespace ada {

at::Tensor Reward::gradient(const at::Tensor& x) {
    c10::AutoGradMode enable(true);
    const at::Tensor input = x.detach().requires_grad_(true);
    const at::Tensor r = value(input);
    if (r.dim() != 1 || r.size(0) != x.size(0))
        throw SpecError("reward: expected r(x) of shape [" + std::to_string(x.size(0)) + "], found " + c10::str(r.sizes()));
    if (!r.requires_grad())  // a constant reward
        return at::zeros_like(x);
    const at::Tensor g = torch::autograd::grad({r.sum()}, {input}, /*grad_outputs=*/{}, /*retain_graph=*/false,
                                               /*create_graph=*/false, /*allow_unused=*/true)[0];
    return g.defined() ? g.detach() : at::zeros_like(x);
}

FunctionReward::FunctionReward(Function function) : function_(std::move(function)) {
    if (!function_)
        throw SpecError("reward: empty function");
}

at::Tensor FunctionReward::value(const at::Tensor& x) { return function_(x); }

}  // namespace ada
