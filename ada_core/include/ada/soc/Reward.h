#pragma once
// The reward r(x) of stochastic optimal control fine-tuning (DESIGN.md §3.2): the fine-tuned model samples
//   p*(x) ∝ p_base(x) · exp(r(x)),
// and adjoint matching needs only the gradient ∇r at the end points X_1 of its trajectories (the terminal
// condition ã(1) = −∇r(X_1) of the lean adjoint). For ADA (§3.3) r(x) = −β Σ_i f_i(o_i(x)); for Adjoint
// Sampling (§3.4) the terminal cost g = −r = E/τ + log p_base,1.
//
// A reward acts on a batch x [B, event...] and returns r [B]; r_b must depend on x_b alone, so that the
// gradient of Σ_b r_b with respect to x is the batch of per-sample gradients [B, event...].
#include <functional>

#include <ATen/core/Tensor.h>

namespace ada {

class Reward {
public:
    virtual ~Reward() = default;
    /** r(x) [B] for x [B, event...] (dimensionless, in units of kT where it comes from an energy). */
    virtual at::Tensor value(const at::Tensor& x) = 0;
    /** ∇r(x) [B, event...], detached. The default differentiates value() by autograd (one backward pass
     *  for the whole batch); override it where a closed form or a force is cheaper. */
    virtual at::Tensor gradient(const at::Tensor& x);
};

/** A reward given by any function of tensors that autograd can differentiate, e.g.
 *  FunctionReward([](const at::Tensor& x) { return -2.0 * x.sum(1); }). */
class FunctionReward : public Reward {
public:
    using Function = std::function<at::Tensor(const at::Tensor&)>;
    explicit FunctionReward(Function function);
    at::Tensor value(const at::Tensor& x) override;

private:
    Function function_;
};

}  // namespace ada
