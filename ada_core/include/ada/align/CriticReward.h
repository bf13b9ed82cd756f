#pragma once
// The reward of an ADA generator phase (DESIGN.md §3.3): for fixed critics the minimiser of
// KL(μ ‖ μ_base) + β Σ_i E_μ f_i(o_i) is the tilt μ* ∝ μ_base · exp(−β Σ_i f_i(o_i(x))), i.e. adjoint matching
// (§3.2) with r(x) = −β Σ_i f_i(o_i(x)). The critics are shared with their trainers, so the reward follows
// every critic update without being rebuilt.
#include <memory>

#include "ada/align/ObservableCritics.h"
#include "ada/soc/Reward.h"

namespace ada {

class CriticReward : public Reward {
public:
    CriticReward(std::shared_ptr<ObservableCritics> critics, double beta);
    /** r(x) = −β Σ_i f_i(o_i(x)) [B], differentiable in x. */
    at::Tensor value(const at::Tensor& x) override;
    double beta() const { return beta_; }

private:
    std::shared_ptr<ObservableCritics> critics_;
    double beta_;
};

}  // namespace ada
