#pragma once
// The critics of an ADA alignment, one per observable (DESIGN.md §3.3), shared by every sampler that can be
// aligned: the fine-tuned generator (AdversarialAlignment.h) and biased MD ("align the simulation itself").
// The saddle of §3.3, with F(x) = Σ_i f_i(o_i(x)) and each f_i 1-Lipschitz (in units of its target's scale:
// |∇f_i| ≤ AlignmentTarget::lipschitz in the observable's own units),
//   max_f min_μ  KL(μ ‖ μ_base) + β Σ_i ( E_μ f_i(o_i) − E_{ν_i} f_i ),
// has the inner minimiser μ_f ∝ μ_base exp(−β F) (the tilt) with value −log E_base exp(−β F) (Gibbs' variational
// principle), so the critics maximise the concave dual
//   J(f) = −(1/β) log E_base exp(−β F(x)) − Σ_i E_{y~ν_i} f_i(y)
// (divided by β so that J → W1 objective E_base F − E_ν f as β → 0). Its gradient is that of the WGAN critic
// objective with the model replaced by the tilt: ∂J = E_{μ_f} ∂F − Σ_i E_{ν_i} ∂f_i. At the optimum the tilt
// μ_f matches every ν_i as far as β and the Lipschitz bound allow. Unlike the plain saddle, no sampler has to
// keep up with the critics: E_base is estimated on a pool of samples x_b of any law q ∝ μ_base exp(−a(x)) with
// known offsets a_b (a = 0 for base samples; a = β F_bias for MD biased by an exported F_bias), by
// self-normalised weights w_b ∝ exp(a_b − β F(x_b)). Lipschitz continuity by a gradient penalty (WGAN-LP,
// CriticTrainer.h) on interpolates between tilted pool samples (resampled by w) and data samples, and on both
// sample sets themselves.
// Every update uses the whole pool and all data for J (full batch: β amplifies minibatch noise in F into
// the tilt) and a minibatch for the penalty; one Adam optimiser updates all critics together, since w couples
// them (standard betas: J is a smooth concave objective, not a game).
// Export: U_bias = kT · β Σ_i f_i(o_i(x)) (DESIGN.md §4), a spline for a 1-D observable (periodic for angles),
// an MLP bundle file otherwise (an image's convolutional critic included: its convolutions as dense layers).
// Critic averaging (options.average = δ > 0): the tilt's critics are an exponential moving average of the
// trained ones (flow/ExponentialMovingAverage.h), f̄ ← δ f̄ + (1 − δ) f after every Adam step (Polyak–Ruppert
// averaging of a stochastic ascent on the concave J). The trained critics are what the updates move and what
// the dual and the W1 gaps are measured with; the averaged ones define the tilt everywhere it leaves this
// class: weights(), potential(), potentialOfObservables() and the exported bias. With a fresh pool every update
// (MD frames, new base draws) the average pools the information of many pools, where the last iterate has fitted
// the last one; β amplifies what is left of that noise into the tilt. While the critics still move, the average
// trails them (on the cube benchmark δ = 0.999 made the tilt worse, docs/benchmarks/ada_mixture.md): off by default.
#include <memory>
#include <string>
#include <vector>

#include <ATen/core/Tensor.h>
#include <nlohmann/json.hpp>

#include "ada/align/AlignmentTarget.h"
#include "ada/align/Critic.h"
#include "ada/align/CriticTrainer.h"
#include <ATen/core/Generator.h>

namespace torch::optim {
class Adam;
}

namespace ada {

struct Bundle;

struct ObservableCriticsOptions {
    /** β of the tilt exp(−β F). */
    double beta = 1.0;
    /** Hidden width, hidden layers and activation of every critic. */
    int64_t hidden = 64, layers = 2;
    std::string activation = "softplus";
    /** Critic updates per update() call (k). */
    int64_t steps = 5;
    /** Adam's learning rate, decayed by a cosine to learningRate · finalLearningRateFraction over scheduleSteps
     *  updates (flow/LearningRateSchedule.h), then held; 1 (the default) keeps it constant. The dual is estimated
     *  with a random gradient-penalty minibatch every update: with a constant rate the critics, and the tilt
     *  exp(−β F) that β amplifies them into, keep moving around the optimum. */
    double learningRate = 1e-3;
    double finalLearningRateFraction = 1.0;
    int64_t scheduleSteps = 1;
    /** Gradient-penalty weight λ. */
    double penalty = 10.0;
    int64_t batch = 256;
    /** Critic i's weights are seeded with seed + i, the minibatch generator with seed + 1000. */
    uint64_t seed = 0;
    /** Nodes of the exported splines of 1-D critics. */
    int splinePoints = 200;
    /** Critics of angle targets (AlignmentTarget::angle) read (cos y, sin y): periodic (Critic.h). */
    bool periodicAngles = true;
    /** Channels of the convolutions of image targets' critics (AlignmentTarget::image; Critic.h). */
    int64_t channels = 8;
    /** Decay δ ∈ [0, 1) of the critics' weight average, which defines the tilt and the export; 0: none. */
    double average = 0.0;

    nlohmann::json toJson() const;
    static ObservableCriticsOptions fromJson(const nlohmann::json& config, const std::string& where);
};

class ObservableCritics {
public:
    /** Targets are checked (names unique and non-empty, data [m, d] finite); critics are built in float64. */
    ObservableCritics(std::vector<AlignmentTarget> targets, const ObservableCriticsOptions& options);
    ~ObservableCritics();

    int size() const { return static_cast<int>(targets_.size()); }
    const AlignmentTarget& target(int i) const { return targets_.at(static_cast<size_t>(i)); }
    /** The trained critic of target i. */
    Critic critic(int i) const { return critics_.at(static_cast<size_t>(i)); }
    /** The critic that defines the tilt and the export: the weight average when options.average > 0, else critic(i). */
    Critic tiltCritic(int i) const { return tiltCritics().at(static_cast<size_t>(i)); }
    const ObservableCriticsOptions& options() const { return options_; }

    /** o_i of samples [B, event...] for every target, without gradients ([B, d_i] float64 each). */
    std::vector<at::Tensor> observe(const at::Tensor& samples) const;
    /**
     * options.steps updates of the critics on the dual J, with the pool's observables pool[i] [n, d_i] and
     * log-offsets a [n] (undefined: zeros, i.e. base samples). Returns J on the whole pool after the updates.
     * Throws SpecError on shapes, counts, NaN.
     */
    double update(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets = at::Tensor());
    /** The dual J on the pool, without training. */
    double dual(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets = at::Tensor());
    /** The tilt's self-normalised weights w_b ∝ exp(a_b − β F̄(x_b)) [n] (float64), F̄ by the tilt's critics. */
    at::Tensor weights(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets = at::Tensor());
    /** The same weights by the trained (last) critics, whatever options.average: what the tilt would be without the average. */
    at::Tensor trainedWeights(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets = at::Tensor());
    /** E_model f_i − E_{ν_i} f_i for samples of a model ([n, d_i] each), by the trained critics: lower bounds of W1 per observable. */
    std::vector<double> gaps(const std::vector<at::Tensor>& modelObservables);
    /** F̄ = Σ_i f̄_i(y_i) [n] by the tilt's critics for observables y_i [n, d_i] (float64), without gradients. */
    at::Tensor potentialOfObservables(const std::vector<at::Tensor>& observables);
    /** F̄(x) = Σ_i f̄_i(o_i(x)) [B] by the tilt's critics for samples x [B, event...], differentiable in x, in x's dtype. */
    at::Tensor potential(const at::Tensor& samples) const;
    int64_t steps() const { return step_; }
    /** Adam's learning rate for the next update (the cosine schedule of the options at steps()). */
    double learningRate() const;

    /**
     * The bias terms of U_bias = kT · β Σ_i f̄_i (DESIGN.md §4), by the tilt's critics, one per target (each needs its observable JSON).
     * 1-D: a spline over the range of the data and `modelObservables` (all of it for angles: [−π, π], periodic),
     * extended by 10 % on each side; otherwise an MLP written as "<stem><i>.mlp" in `folder`, referred to by
     * its file name. Returns the "terms" array.
     */
    nlohmann::json biasTerms(double beta, const std::vector<at::Tensor>& modelObservables, const std::string& folder,
                             const std::string& stem = "critic") const;

    /** Critic weights (and their average), the Adam state, the minibatch generator and the step count under `prefix`. */
    void store(Bundle& bundle, const std::string& prefix) const;
    /** Restores what store() wrote (checked first: a bad bundle leaves the critics unchanged). */
    void restore(const Bundle& bundle, const std::string& where, const std::string& prefix);

private:
    std::vector<at::Tensor> checkedPool(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets, at::Tensor* offsets) const;
    /** Unnormalised log w_b = a_b − β Σ_i critics[i](pool[i]), differentiable in those critics. */
    at::Tensor logWeights(const std::vector<Critic>& critics, const std::vector<at::Tensor>& pool, const at::Tensor& offsets) const;
    /** Self-normalised weights of a checked pool by the given critics (the tilt's or the trained ones). */
    at::Tensor weightsOf(const std::vector<Critic>& critics, const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets);
    const std::vector<Critic>& tiltCritics() const { return averageBank_ ? averageCritics_ : critics_; }

    std::vector<AlignmentTarget> targets_;
    ObservableCriticsOptions options_;
    std::shared_ptr<torch::nn::Module> bank_;  // the critics as submodules "0", "1", ...
    std::vector<Critic> critics_;
    std::shared_ptr<torch::nn::Module> averageBank_;  // the weight averages, when options.average > 0
    std::vector<Critic> averageCritics_;
    std::unique_ptr<torch::optim::Adam> optimizer_;
    at::Generator generator_;
    int64_t step_ = 0;
    bool standardized_ = false;
};

}  // namespace ada
