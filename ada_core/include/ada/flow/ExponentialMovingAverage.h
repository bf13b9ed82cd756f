#pragma once
// Exponential moving average of model weights (Polyak averaging), used for validation and sampling:
//   θ̄ ← δ·θ̄ + (1 − δ)·θ   after every optimiser step, δ = decay ∈ [0, 1),
// with buffers (fixed tensors such as embedding frequencies) copied. The average is a second module of the
// same architecture, so it can be saved, sampled and evaluated like the model itself.
#include <vector>

#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>

namespace ada {

/** Copies every parameter and buffer of `model` into `average` (same architecture; checked by name). */
void copyWeights(const torch::nn::Module& model, torch::nn::Module& average);
/** θ̄ ← decay·θ̄ + (1 − decay)·θ for every parameter of `average`; buffers copied. */
void updateExponentialMovingAverage(torch::nn::Module& average, const torch::nn::Module& model, double decay);
/** The same on matching lists of tensors (e.g. cached parameters() of both modules, in the same order). */
void updateExponentialMovingAverage(const std::vector<at::Tensor>& average, const std::vector<at::Tensor>& model, double decay);

}  // namespace ada
