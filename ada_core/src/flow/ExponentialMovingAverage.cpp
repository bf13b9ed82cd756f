#include "ada/flow/ExponentialMovingAverage.h"

#include <stdexcept>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

namespace ada {

namespace {
void checkSameArchitecture(const torch::nn::Module& model, const torch::nn::Module& average) {
    const auto a = model.named_parameters(), b = average.named_parameters();
    if (a.size() != b.size())
        throw std::invalid_argument("moving average: the two modules have different parameters");
    for (const auto& item : a)
        if (!b.contains(item.key()) || !b[item.key()].sizes().equals(item.value().sizes()))
            throw std::invalid_argument("moving average: parameter \"" + item.key() + "\" differs between the modules");
}
}  // namespace

void copyWeights(const torch::nn::Module& model, torch::nn::Module& average) {
    checkSameArchitecture(model, average);
    torch::NoGradGuard noGrad;
    const auto source = model.named_parameters();
    for (auto& item : average.named_parameters())
        item.value().copy_(source[item.key()]);
    const auto buffers = model.named_buffers();
    for (auto& item : average.named_buffers())
        item.value().copy_(buffers[item.key()]);
}

void updateExponentialMovingAverage(torch::nn::Module& average, const torch::nn::Module& model, double decay) {
    torch::NoGradGuard noGrad;
    const auto source = model.named_parameters();
    for (auto& item : average.named_parameters())
        item.value().lerp_(source[item.key()], 1.0 - decay);  // θ̄ + (1 − δ)(θ − θ̄)
    const auto buffers = model.named_buffers();
    for (auto& item : average.named_buffers())
        item.value().copy_(buffers[item.key()]);
}

void updateExponentialMovingAverage(const std::vector<at::Tensor>& average, const std::vector<at::Tensor>& model, double decay) {
    if (average.size() != model.size())
        throw std::invalid_argument("moving average: lists of different lengths");
    torch::NoGradGuard noGrad;
    for (size_t i = 0; i < average.size(); ++i) {
        at::Tensor target = average[i];
        target.lerp_(model[i], 1.0 - decay);
    }
}

}  // namespace ada
