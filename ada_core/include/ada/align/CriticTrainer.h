#pragma once
// Training of a Critic as a Wasserstein-1 critic between model and data samples of one observable
// (DESIGN.md §3.3; WGAN-GP, Gulrajani et al., "Improved training of Wasserstein GANs", NeurIPS 2017):
//   max_f  E_{y~model} f(y) - E_{y~data} f(y) - lambda E_{yhat} P(|grad f(yhat)|),
//   yhat = eps y_model + (1 - eps) y_data,  eps ~ U[0, 1]  (independent pairs of the two minibatches),
// with the one-sided penalty P(g) = max(0, g - 1)^2 by default (WGAN-LP, Petzka et al., "On the regularization
// of Wasserstein GANs", ICLR 2018) or WGAN-GP's two-sided P(g) = (g - 1)^2. Inside an ADA loop the sign of the
// optimal critic flips when the model overshoots the data; the two-sided penalty puts a barrier of height
// lambda at |grad f| = 0 between the two signs (a 1-D critic is stuck at slope -1 when +1 is optimal), the
// one-sided one does not.
// The sign is that of the ADA saddle min_theta max_f KL + beta (E_mu_theta f - E_nu f): f is high where the
// model has too much mass, so the tilt mu* ∝ mu_base exp(-beta f) moves mass toward the data. By
// Kantorovich-Rubinstein duality the maximum over 1-Lipschitz f of E_model f - E_data f is W1(model, data);
// train() returns that estimate on all samples. Adam (betas 0.5, 0.9 as in WGAN-GP) on minibatches drawn with
// replacement; each train() call makes options.steps() updates (the k critic steps of an ADA round).
// The penalty is soft: for two equal-covariance Gaussians the regularised optimum is linear with slope
// 1 + W1 / (2 lambda), so |grad f| and the W1 estimate exceed 1 and W1 by that factor; raise lambda (e.g. 100)
// when the estimate itself matters, the default 10 is WGAN-GP's.
#include <cstdint>
#include <memory>
#include <string>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>
#include <torch/arg.h>

#include "ada/align/Critic.h"

namespace torch::optim {
class Adam;
}

namespace ada {

struct Bundle;

struct CriticTrainerOptions {
    /** Critic updates per train() call. */
    TORCH_ARG(int64_t, steps) = 5;
    /** Adam learning rate. */
    TORCH_ARG(double, learningRate) = 1e-3;
    /** Gradient-penalty weight lambda. */
    TORCH_ARG(double, penalty) = 10.0;
    /** One-sided penalty max(0, |grad f| - 1)^2 (WGAN-LP); false: WGAN-GP's (|grad f| - 1)^2. */
    TORCH_ARG(bool, oneSided) = true;
    /** Minibatch size drawn from each of the model and data samples. */
    TORCH_ARG(int64_t, batch) = 256;
    /** Seed of the minibatch and interpolation draws. */
    TORCH_ARG(uint64_t, seed) = 0;
};

/**
 * lambda-free gradient penalty E_{yhat} P(|grad f(yhat)|) on interpolates yhat = eps yModel + (1 - eps) yData of two
 * equally long minibatches [b, d] (eps ~ U[0, 1] drawn from `generator`); differentiable in the critic's
 * parameters. P is one-sided or two-sided as described above.
 */
at::Tensor criticGradientPenalty(Critic& critic, const at::Tensor& yModel, const at::Tensor& yData, at::Generator& generator, bool oneSided,
                                 double lipschitz = 1.0);

class CriticTrainer {
public:
    /** Trains `critic` in place (in the dtype of its parameters). */
    CriticTrainer(Critic critic, const CriticTrainerOptions& options);
    ~CriticTrainer();

    /**
     * options.steps() updates on y_model [n, d] and y_data [m, d] (d the critic's dimension); returns the W1
     * estimate E_model f - E_data f over all samples after them. If the critic is not yet standardised, it is
     * standardised first on the union of both sets. Throws SpecError naming the set and the problem (shape,
     * empty, NaN or infinite values).
     */
    double train(const at::Tensor& yModel, const at::Tensor& yData);
    /** E_model f - E_data f over all samples, without training (same checks as train). */
    double estimate(const at::Tensor& yModel, const at::Tensor& yData);
    /** Updates made so far. */
    int64_t step() const { return step_; }
    Critic critic() const { return critic_; }
    const CriticTrainerOptions& options() const { return options_; }

    /** The critic's weights, the Adam state, the minibatch generator and the step count, under `prefix`. */
    void store(Bundle& bundle, const std::string& prefix) const;
    /** Restores what store() wrote into this trainer (same critic architecture); checks everything first. */
    void restore(const Bundle& bundle, const std::string& where, const std::string& prefix);

private:
    at::Tensor checked(const at::Tensor& y, const char* name) const;

    Critic critic_;
    CriticTrainerOptions options_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    at::Generator generator_;
    int64_t step_ = 0;
};

}  // namespace ada
