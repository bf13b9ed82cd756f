#include "ada/soc/AdjointMatchingTrainer.h"

#include <cmath>
#include <string>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>

#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"
#include "ada/torch/TrainingState.h"
#include "ada/soc/LeanAdjoint.h"

namespace ada {

MemorylessSDEOptions samplingSDEOptions(const AdjointMatchingTrainerOptions& o) {
    if (o.iterations() < 0 || o.trajectories() < 1 || o.timePoints() < 0 || o.updatesPerRollout() < 1 || o.sdeSteps() < 1 ||
        !(o.learningRate() > 0) || o.gradientClip() < 0 || !(o.tMin() > 0 && o.tMin() < 1) || o.progressEvery() < 0)
        throw SpecError("adjoint matching: expected iterations >= 0, trajectories >= 1, time points >= 0, updates per rollout >= 1, "
                        "SDE steps >= 1, learning rate > 0, gradient clip >= 0, 0 < t_min < 1, progress every >= 0");
    MemorylessSDEOptions s;
    s.steps = o.sdeSteps();
    s.tMin = o.tMin();
    return s;
}

namespace {

MemorylessSDEOptions sdeOptions(const AdjointMatchingTrainerOptions& o) {
    MemorylessSDEOptions s = samplingSDEOptions(o);
    s.recordTrajectory = true;
    return s;
}

}  // namespace

AdjointMatchingTrainer::AdjointMatchingTrainer(std::shared_ptr<VectorField> base, std::shared_ptr<VectorField> model,
                                               std::shared_ptr<Reward> reward, AdjointMatchingTrainerOptions options)
    : base_(std::move(base)),
      model_(std::move(model)),
      reward_(std::move(reward)),
      options_(options),
      sde_(sdeOptions(options)),
      generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed())) {
    if (!base_ || !model_ || !reward_)
        throw SpecError("adjoint matching: base, model and reward must be given");
    if (base_->eventShape() != model_->eventShape() || base_->zeroCentreOfMass() != model_->zeroCentreOfMass())
        throw SpecError("adjoint matching: the model's event shape " + c10::str(at::IntArrayRef(model_->eventShape())) +
                        " differs from the base's " + c10::str(at::IntArrayRef(base_->eventShape())));
    for (const at::Tensor& p : model_->parameters())
        if (p.requires_grad())
            parameters_.push_back(p);
    if (parameters_.empty())
        throw SpecError("adjoint matching: the model has no trainable parameters");
    optimizer_ = std::make_unique<torch::optim::Adam>(parameters_, torch::optim::AdamOptions(options_.learningRate()));
    lastReport_ = std::chrono::steady_clock::now();
}

AdjointMatchingTrainer::~AdjointMatchingTrainer() = default;

AdjointMatchingRollout AdjointMatchingTrainer::rollout() {
    AdjointMatchingRollout out;
    SDESample path = sde_.sample(*model_, options_.trajectories(), generator_);
    out.times = std::move(path.times);
    out.trajectory = path.trajectory;
    {
        torch::NoGradGuard noGrad;
        out.reward = reward_->value(path.samples).detach();
    }
    const at::Tensor gradient = reward_->gradient(path.samples);
    rewardGradientEvaluations_ += path.samples.size(0);
    out.adjoint = leanAdjoint(*base_, out.trajectory, out.times, -gradient);
    return out;
}

at::Tensor AdjointMatchingTrainer::loss(const AdjointMatchingRollout& rollout, const at::Tensor& steps) {
    const int64_t k = static_cast<int64_t>(rollout.times.size()) - 1;
    if (steps.numel() == 0 || steps.min().item<int64_t>() < 0 || steps.max().item<int64_t>() >= k)
        throw SpecError("adjoint matching: time indices must lie in 0.." + std::to_string(k - 1));
    const int64_t m = rollout.trajectory.size(1);
    const at::Tensor index = steps.to(at::kLong);
    const at::Tensor x = rollout.trajectory.index_select(0, index).flatten(0, 1);  // [S·M, event...]
    const at::Tensor a = rollout.adjoint.index_select(0, index).flatten(0, 1);
    const at::Tensor t = at::tensor(rollout.times, x.options()).index_select(0, index).repeat_interleave(m);  // [S·M]
    std::vector<int64_t> column(static_cast<size_t>(x.dim()), 1);
    column[0] = -1;
    const at::Tensor sigma = (2.0 * (1.0 - t) / t).sqrt().reshape(column);
    at::Tensor vBase;
    {
        torch::NoGradGuard noGrad;
        vBase = base_->forward(x, t);
    }
    const at::Tensor residual = options_.velocityWeighting() ? (model_->forward(x, t) - vBase) + 0.5 * sigma * sigma * a
                                                             : (2.0 / sigma) * (model_->forward(x, t) - vBase) + sigma * a;
    return residual.pow(2).flatten(1).sum(1).mean();
}

at::Tensor AdjointMatchingTrainer::loss(const AdjointMatchingRollout& rollout) {
    const int64_t k = static_cast<int64_t>(rollout.times.size()) - 1;
    return loss(rollout, at::arange(k, at::kLong));
}

at::Tensor AdjointMatchingTrainer::timeSubset() {
    const int64_t k = options_.sdeSteps();
    if (options_.timePoints() == 0 || options_.timePoints() >= k)
        return at::arange(k, at::kLong);
    return at::randperm(k, generator_, at::kLong).narrow(0, 0, options_.timePoints());
}

double AdjointMatchingTrainer::iterate() {
    const AdjointMatchingRollout r = rollout();
    rewardSum_ += r.reward.sum().item<double>();
    rewardCount_ += r.reward.size(0);
    double sum = 0;
    for (int64_t u = 0; u < options_.updatesPerRollout(); ++u) {
        optimizer_->zero_grad();
        const at::Tensor l = loss(r, timeSubset());
        l.backward();
        if (options_.gradientClip() > 0)
            torch::nn::utils::clip_grad_norm_(parameters_, options_.gradientClip());
        optimizer_->step();
        ++gradientUpdates_;
        sum += l.item<double>();
    }
    const double mean = sum / static_cast<double>(options_.updatesPerRollout());
    lossSum_ += mean;
    ++lossCount_;
    ++iteration_;

    const bool last = iteration_ == options_.iterations();
    if (progress_ && ((options_.progressEvery() > 0 && iteration_ % options_.progressEvery() == 0) || last)) {
        const auto now = std::chrono::steady_clock::now();
        const double seconds = std::chrono::duration<double>(now - lastReport_).count();
        AdjointMatchingProgress p;
        p.iteration = iteration_;
        p.totalIterations = options_.iterations();
        p.loss = lossSum_ / static_cast<double>(std::max<int64_t>(lossCount_, 1));
        p.meanReward = rewardSum_ / static_cast<double>(std::max<int64_t>(rewardCount_, 1));
        p.rewardGradientEvaluations = rewardGradientEvaluations_;
        p.gradientUpdates = gradientUpdates_;
        p.iterationsPerSecond = seconds > 0 ? static_cast<double>(iteration_ - lastReportIteration_) / seconds : 0;
        p.etaSeconds = p.iterationsPerSecond > 0 ? static_cast<double>(std::max<int64_t>(options_.iterations() - iteration_, 0)) / p.iterationsPerSecond : 0;
        progress_(p);
        lastReport_ = now;
        lastReportIteration_ = iteration_;
        lossSum_ = rewardSum_ = 0;
        lossCount_ = rewardCount_ = 0;
    }
    return mean;
}

void AdjointMatchingTrainer::train(int64_t maxIterations) {
    int64_t done = 0;
    while (iteration_ < options_.iterations() && (maxIterations < 0 || done < maxIterations)) {
        iterate();
        ++done;
    }
}

void AdjointMatchingTrainer::store(Bundle& bundle, const std::string& prefix) const {
    storeModuleTensors(*model_, bundle, prefix + "model.");
    storeAdamState(*optimizer_, *model_, bundle, prefix + "adam.");
    bundle.tensors[prefix + "generator"] = generatorState(generator_);
    bundle.tensors[prefix + "counters"] = BundleTensor{
        {3}, {static_cast<double>(iteration_), static_cast<double>(rewardGradientEvaluations_), static_cast<double>(gradientUpdates_)}};
}

void AdjointMatchingTrainer::restore(const Bundle& bundle, const std::string& where, const std::string& prefix) {
    const BundleTensor& counters = bundle.tensor(prefix + "counters", where);
    if (counters.values.size() != 3 || counters.values[0] < 0 || counters.values[1] < 0 || counters.values[2] < 0)
        throw SpecError(where + ": tensor \"" + prefix + "counters\" must hold [iteration, reward gradients, updates]");
    at::Generator generator = generatorFromState(bundle, prefix + "generator", where);
    StagedAdamState adam(bundle, *model_, where, prefix + "adam.");
    restoreModuleTensors(*model_, bundle, where, prefix + "model.");
    adam.apply(*optimizer_);
    generator_ = generator;
    iteration_ = static_cast<int64_t>(counters.values[0]);
    rewardGradientEvaluations_ = static_cast<int64_t>(counters.values[1]);
    gradientUpdates_ = static_cast<int64_t>(counters.values[2]);
    lastReportIteration_ = iteration_;
    lastReport_ = std::chrono::steady_clock::now();
}

}  // namespace ada
