#include "ada/models/SinusoidalTimeEmbedding.h"

#include <cmath>

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"

namespace ada {

SinusoidalTimeEmbeddingImpl::SinusoidalTimeEmbeddingImpl(int64_t dimension, double maxFrequency) : dimension_(dimension) {
    if (dimension < 2 || dimension % 2 != 0)
        throw SpecError("time embedding: dimension must be even and at least 2, found " + std::to_string(dimension));
    if (!(maxFrequency >= 1.0) || !std::isfinite(maxFrequency))
        throw SpecError("time embedding: max_frequency must be a finite number >= 1, found " + std::to_string(maxFrequency));
    const int64_t k = dimension / 2;
    at::Tensor exponents = k == 1 ? at::zeros({1}, at::kDouble) : at::linspace(0.0, std::log(maxFrequency), k, at::kDouble);
    frequencies_ = register_buffer("frequencies", exponents.exp().to(at::kFloat));
}

at::Tensor SinusoidalTimeEmbeddingImpl::forward(const at::Tensor& t) {
    const at::Tensor angles = t.unsqueeze(-1) * frequencies_.to(t.scalar_type()).unsqueeze(0);
    return at::cat({angles.sin(), angles.cos()}, -1);
}

}  // namespace ada
