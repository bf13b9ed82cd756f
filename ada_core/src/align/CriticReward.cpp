#include "ada/align/CriticReward.h"

#include <cmath>

#include <ATen/ATen.h>

#include "ada/io/SpecError.h"

namespace ada {

CriticReward::CriticReward(std::shared_ptr<ObservableCritics> critics, double beta) : critics_(std::move(critics)), beta_(beta) {
    if (!critics_)
        throw SpecError("critic reward: no critics given");
    if (!std::isfinite(beta) || beta <= 0)
        throw SpecError("critic reward: beta must be positive and finite, found " + std::to_string(beta));
}

at::Tensor CriticReward::value(const at::Tensor& x) { return -beta_ * critics_->potential(x); }

}  // namespace ada
