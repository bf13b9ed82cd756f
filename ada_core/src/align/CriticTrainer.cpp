#include "ada/align/CriticTrainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/optim/adam.h>

#include "ada/io/Bundle.h"
#include "ada/io/SpecError.h"
#include "ada/torch/TrainingState.h"

namespace ada {

at::Tensor criticGradientPenalty(Critic& critic, const at::Tensor& yModel, const at::Tensor& yData, at::Generator& generator, bool oneSided,
                                 double lipschitz) {
    const at::Tensor eps = at::rand({yModel.size(0), 1}, generator, yModel.scalar_type());
    const at::Tensor yhat = (eps * yModel + (1 - eps) * yData).requires_grad_(true);
    const at::Tensor grad = torch::autograd::grad({critic->forward(yhat).sum()}, {yhat}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
    const at::Tensor excess = grad.norm(2, {1}) - lipschitz;
    return (oneSided ? excess.clamp_min(0) : excess).pow(2).mean();
}

CriticTrainer::CriticTrainer(Critic critic, const CriticTrainerOptions& options)
    : critic_(std::move(critic)), options_(options), generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed())) {
    if (options.steps() < 1 || options.batch() < 1 || !(options.learningRate() > 0) || !(options.penalty() >= 0))
        throw SpecError("critic trainer: steps, batch and learning rate must be positive and the penalty non-negative");
    optimizer_ = std::make_unique<torch::optim::Adam>(
        critic_->parameters(), torch::optim::AdamOptions(options.learningRate()).betas(std::make_tuple(0.5, 0.9)));
}

CriticTrainer::~CriticTrainer() = default;

at::Tensor CriticTrainer::checked(const at::Tensor& y, const char* name) const {
    const int64_t d = critic_->options().dimension();
    const std::string where = std::string("critic trainer: ") + name + " samples";
    if (!y.defined())
        throw SpecError(where + " are missing (undefined tensor)");
    if (y.dim() != 2 || y.size(1) != d)
        throw SpecError(where + " must have shape [n, " + std::to_string(d) + "] (the critic's observable dimension), found " +
                        c10::str(y.sizes()));
    if (y.size(0) == 0)
        throw SpecError(where + " are empty (shape " + c10::str(y.sizes()) + ")");
    if (!at::isfinite(y).all().item<bool>())
        throw SpecError(where + " contain NaN or infinite values");
    return y.detach().to(critic_->inputShift().scalar_type());
}

double CriticTrainer::train(const at::Tensor& yModelIn, const at::Tensor& yDataIn) {
    const at::Tensor yModel = checked(yModelIn, "model"), yData = checked(yDataIn, "data");
    if (!critic_->standardized())
        critic_->standardize(at::cat({yModel, yData}, 0));
    critic_->train();
    const int64_t b = options_.batch();
    for (int64_t s = 0; s < options_.steps(); ++s, ++step_) {
        const at::Tensor ym = yModel.index_select(0, at::randint(yModel.size(0), {b}, generator_, at::kLong));
        const at::Tensor yd = yData.index_select(0, at::randint(yData.size(0), {b}, generator_, at::kLong));
        const at::Tensor penalty = criticGradientPenalty(critic_, ym, yd, generator_, options_.oneSided());
        const at::Tensor loss = -(critic_->forward(ym).mean() - critic_->forward(yd).mean()) + options_.penalty() * penalty;
        optimizer_->zero_grad();
        loss.backward();
        optimizer_->step();
    }
    return estimate(yModel, yData);
}

double CriticTrainer::estimate(const at::Tensor& yModelIn, const at::Tensor& yDataIn) {
    const at::Tensor yModel = checked(yModelIn, "model"), yData = checked(yDataIn, "data");
    at::NoGradGuard noGrad;
    return (critic_->forward(yModel).mean() - critic_->forward(yData).mean()).item<double>();
}

void CriticTrainer::store(Bundle& bundle, const std::string& prefix) const {
    storeModuleTensors(*critic_, bundle, prefix + "critic.");
    storeAdamState(*optimizer_, *critic_, bundle, prefix + "adam.");
    bundle.tensors[prefix + "generator"] = generatorState(generator_);
    bundle.tensors[prefix + "counters"] = BundleTensor{{2}, {static_cast<double>(step_), critic_->standardized() ? 1.0 : 0.0}};
}

void CriticTrainer::restore(const Bundle& bundle, const std::string& where, const std::string& prefix) {
    const BundleTensor& counters = bundle.tensor(prefix + "counters", where);
    if (counters.values.size() != 2 || counters.values[0] < 0)
        throw SpecError(where + ": tensor \"" + prefix + "counters\" must hold [step, standardized]");
    at::Generator generator = generatorFromState(bundle, prefix + "generator", where);
    StagedAdamState adam(bundle, *critic_, where, prefix + "adam.");
    restoreModuleTensors(*critic_, bundle, where, prefix + "critic.");
    adam.apply(*optimizer_);
    generator_ = generator;
    step_ = static_cast<int64_t>(counters.values[0]);
    if (counters.values[1] != 0)
        critic_->markStandardized();
}

}  // namespace ada
