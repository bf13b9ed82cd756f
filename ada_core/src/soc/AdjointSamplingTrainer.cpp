#include "ada/soc/AdjointSamplingTrainer.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/optim/adam.h>

#include "ada/flow/GaussianBase.h"
#include "ada/io/SpecError.h"

namespace ada {

AdjointSamplingTrainer::AdjointSamplingTrainer(std::shared_ptr<VectorField> control, const Energy& energy, AdjointSamplingOptions options)
    : control_(std::move(control)), energy_(energy), options_(options), schedule_{options.sigmaMin(), options.sigmaMax()},
      generator_(at::detail::createCPUGenerator(options.seed())) {
    if (control_->flatDimension() != energy.particles() * energy.spatialDimension())
        throw SpecError("adjoint sampling: the control has dimension " + std::to_string(control_->flatDimension()) + " but the " +
                        energy.name() + " energy has " + std::to_string(energy.particles() * energy.spatialDimension()));
    if (!(options.sigmaMax() > options.sigmaMin() && options.sigmaMin() > 0))
        throw SpecError("adjoint sampling: needs 0 < sigmaMin < sigmaMax");
    optimizer_ = std::make_unique<torch::optim::Adam>(control_->parameters(), torch::optim::AdamOptions(options.learningRate()));
}

AdjointSamplingTrainer::~AdjointSamplingTrainer() = default;

at::Tensor AdjointSamplingTrainer::project(const at::Tensor& x) const { return GaussianBase::of(*control_).project(x); }

at::Tensor AdjointSamplingTrainer::sample(int64_t count) {
    torch::NoGradGuard noGrad;
    std::vector<int64_t> shape = {count};
    for (int64_t s : control_->eventShape())
        shape.push_back(s);
    const at::TensorOptions opts = control_->tensorOptions();
    at::Tensor x = at::zeros(shape, opts);
    const int64_t K = options_.sdeSteps();
    const double h = 1.0 / K;
    for (int64_t k = 0; k < K; ++k) {
        const double t = k * h, sigma = schedule_.sigma(t);
        const at::Tensor u = project(control_->forward(x, at::full({}, t, opts)));
        const at::Tensor noise = project(at::randn(shape, generator_, opts));
        x = x + sigma * u * h + sigma * std::sqrt(h) * noise;
    }
    return x;
}

at::Tensor AdjointSamplingTrainer::terminalCostGradient(const at::Tensor& x1, double* meanEnergy) {
    auto [e, grad] = energy_.energyAndGradient(x1);
    energyEvaluations_ += x1.size(0);
    *meanEnergy = e.mean().item<double>();
    at::Tensor g = grad.to(x1.scalar_type()) / options_.temperature() - x1 / schedule_.variance(1.0);
    if (options_.gradientClip() > 0) {
        // Clip each particle's gradient to the given norm (DESIGN §3.4: per-particle force clipping).
        const at::Tensor perParticle = g.reshape({g.size(0), energy_.particles(), energy_.spatialDimension()});
        const at::Tensor norms = perParticle.norm(2, -1, true).clamp_min(1e-30);
        g = (perParticle * (options_.gradientClip() / norms).clamp_max(1.0)).reshape(g.sizes());
    }
    return project(g);
}

double AdjointSamplingTrainer::iterate() {
    const int64_t M = options_.samplesPerIteration();
    const at::Tensor x1 = sample(M);
    double meanEnergy = 0;
    const at::Tensor grad = terminalCostGradient(x1, &meanEnergy);
    if (!bufferX_.defined()) {
        std::vector<int64_t> shape = x1.sizes().vec();
        shape[0] = options_.bufferSize();
        bufferX_ = at::zeros(shape, x1.options());
        bufferGrad_ = at::zeros(shape, x1.options());
    }
    for (int64_t i = 0; i < M; ++i) {
        bufferX_[bufferNext_].copy_(x1[i]);
        bufferGrad_[bufferNext_].copy_(grad[i]);
        bufferNext_ = (bufferNext_ + 1) % options_.bufferSize();
        bufferCount_ = std::min(bufferCount_ + 1, options_.bufferSize());
    }
    double lossSum = 0;
    const at::TensorOptions opts = control_->tensorOptions();
    const double nu1 = schedule_.variance(1.0);
    for (int64_t s = 0; s < options_.updatesPerIteration(); ++s) {
        const int64_t B = std::min(options_.batchSize(), bufferCount_);
        const at::Tensor index = at::randint(bufferCount_, {B}, generator_, at::TensorOptions().dtype(at::kLong));
        const at::Tensor xb = bufferX_.index_select(0, index), gb = bufferGrad_.index_select(0, index);
        const at::Tensor t = at::rand({B}, generator_, opts).clamp(1e-4, 1 - 1e-4);
        // Bridge X_t | X_1 ~ N(gamma_t X_1, nu_t (1 - gamma_t) I), per sample t.
        const at::Tensor nu = schedule_.sigmaMax * schedule_.sigmaMax * (1 - at::pow(schedule_.ratio(), -2 * t));
        const at::Tensor gamma = nu / nu1;
        const at::Tensor sigma = schedule_.sigmaMin * at::pow(schedule_.ratio(), 1 - t) * std::sqrt(2 * std::log(schedule_.ratio()));
        std::vector<int64_t> view(xb.dim(), 1);
        view[0] = B;
        const at::Tensor noise = project(at::randn(xb.sizes(), generator_, opts));
        const at::Tensor xt = gamma.view(view) * xb + (nu * (1 - gamma)).sqrt().view(view) * noise;
        const at::Tensor u = project(control_->forward(xt, t));
        const at::Tensor residual = u + sigma.view(view) * gb;
        const at::Tensor loss = residual.pow(2).reshape({B, -1}).sum(1).mean();
        optimizer_->zero_grad();
        loss.backward();
        optimizer_->step();
        ++gradientUpdates_;
        lossSum += loss.item<double>();
    }
    ++iteration_;
    const double meanLoss = lossSum / std::max<int64_t>(options_.updatesPerIteration(), 1);
    if (progress_ && options_.progressEvery() > 0 && (iteration_ % options_.progressEvery() == 0 || iteration_ == options_.iterations()))
        progress_({iteration_, options_.iterations(), energyEvaluations_, gradientUpdates_, meanLoss, meanEnergy});
    return meanLoss;
}

void AdjointSamplingTrainer::train(int64_t maxIterations) {
    int64_t done = 0;
    while (iteration_ < options_.iterations() && (maxIterations < 0 || done < maxIterations)) {
        iterate();
        ++done;
    }
}

}  // namespace ada
