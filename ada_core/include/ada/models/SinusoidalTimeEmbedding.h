#pragma once
// Sinusoidal (Fourier-feature) embedding of the flow time t ∈ [0, 1] (DESIGN.md §3.1):
//   e(t) = [sin(ω_1 t), ..., sin(ω_K t), cos(ω_1 t), ..., cos(ω_K t)],  K = dimension / 2,
//   ω_k = exp(ln(ω_max) · (k − 1)/(K − 1))   (geometric from 1 to ω_max; ω_1 = 1 when K = 1),
// as in the transformer position encoding, with the frequencies fixed (a buffer, saved with the model).
#include <ATen/core/Tensor.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace ada {

class SinusoidalTimeEmbeddingImpl : public torch::nn::Module {
public:
    /** dimension: even, >= 2; maxFrequency: ω_max (rad per unit time), >= 1. */
    SinusoidalTimeEmbeddingImpl(int64_t dimension, double maxFrequency);
    /** t [B] → e(t) [B, dimension], in the dtype of t. */
    at::Tensor forward(const at::Tensor& t);
    int64_t dimension() const { return dimension_; }

private:
    int64_t dimension_;
    at::Tensor frequencies_;
};
TORCH_MODULE(SinusoidalTimeEmbedding);

}  // namespace ada
