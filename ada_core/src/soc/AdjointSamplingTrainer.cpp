#include "ada/soc/AdjointSamplingTrainer.h"

#include <cmath>
#include <iomanip>
#include <ostream>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/optim/adam.h>

#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/flow/GaussianBase.h"
#include "ada/flow/LearningRateSchedule.h"
#include "ada/io/Bundle.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/models/ModelBundle.h"
#include "ada/torch/TrainingState.h"

namespace ada {

namespace {

std::string dtypeName(at::ScalarType type) { return type == at::kFloat ? "float32" : "float64"; }

void checkOptions(const AdjointSamplingOptions& o, const std::string& where) {
    if (o.iterations() < 0 || o.samplesPerIteration() < 1 || o.updatesPerIteration() < 0 || o.batchSize() < 1 || o.bufferSize() < 1 ||
        o.sdeSteps() < 1 || !(o.learningRate() > 0) || !(o.temperature() > 0) || o.gradientClip() < 0 || o.progressEvery() < 0 ||
        o.checkpointEvery() < 0 || !(o.finalLearningRateFraction() >= 0) || !(o.emaDecay() >= 0 && o.emaDecay() < 1))
        throw SpecError(where + ": expected iterations >= 0, samples per iteration, batch size, buffer size and SDE steps >= 1, "
                        "updates per iteration >= 0, positive learning rate and temperature, gradient clip >= 0, final learning-rate "
                        "fraction >= 0, EMA decay in [0, 1); found " +
                        o.toJson().dump());
    sdeIntegratorFromName(o.integrator(), where);
    if (!(o.timeDensityPower() > 0) || !std::isfinite(o.timeDensityPower()))
        throw SpecError(where + ": needs a finite time density power > 0, found " + std::to_string(o.timeDensityPower()));
    if (!(o.sigmaMax() > o.sigmaMin() && o.sigmaMin() > 0))
        throw SpecError(where + ": needs 0 < sigma_min < sigma_max, found sigma_min " + std::to_string(o.sigmaMin()) + " and sigma_max " +
                        std::to_string(o.sigmaMax()));
}

}  // namespace

nlohmann::json AdjointSamplingOptions::toJson() const {
    return {{"iterations", iterations_},       {"samples_per_iteration", samplesPerIteration_}, {"updates_per_iteration", updatesPerIteration_},
            {"batch_size", batchSize_},        {"buffer_size", bufferSize_},                     {"sde_steps", sdeSteps_},  {"integrator", integrator_},
            {"learning_rate", learningRate_},  {"final_learning_rate_fraction", finalLearningRateFraction_}, {"ema_decay", emaDecay_},
            {"temperature", temperature_},     {"gradient_clip", gradientClip_},
            {"sigma_min", sigmaMin_},          {"sigma_max", sigmaMax_},                         {"time_density_power", timeDensityPower_}, {"seed", seed_},
            {"progress_every", progressEvery_}, {"checkpoint_every", checkpointEvery_},          {"checkpoint_path", checkpointPath_}};
}

AdjointSamplingOptions AdjointSamplingOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    AdjointSamplingOptions o;
    o.iterations(f.integer64("iterations")).samplesPerIteration(f.integer64("samples_per_iteration"))
        .updatesPerIteration(f.integer64("updates_per_iteration")).batchSize(f.integer64("batch_size"))
        .bufferSize(f.integer64("buffer_size")).sdeSteps(f.integer64("sde_steps"))
        .integrator(f.string("integrator", "euler")).learningRate(f.number("learning_rate"))
        .finalLearningRateFraction(f.number("final_learning_rate_fraction", 1.0)).emaDecay(f.number("ema_decay", 0.0))
        .temperature(f.number("temperature")).gradientClip(f.number("gradient_clip")).sigmaMin(f.number("sigma_min"))
        .sigmaMax(f.number("sigma_max")).timeDensityPower(f.number("time_density_power", 1.0)).seed(f.unsignedInteger("seed")).progressEvery(f.integer64("progress_every"))
        .checkpointEvery(f.integer64("checkpoint_every")).checkpointPath(f.string("checkpoint_path", ""));
    return o;
}

std::function<void(const AdjointSamplingProgress&)> printAdjointSamplingProgress(std::ostream& out) {
    return [&out](const AdjointSamplingProgress& p) {
        const std::ios::fmtflags flags = out.flags();
        out << "iteration " << p.iteration << "/" << p.totalIterations << "  loss " << std::setprecision(4) << p.loss << "  mean energy "
            << p.meanEnergy << "  " << p.energyEvaluations << " energy evaluations  " << p.gradientUpdates << " updates  "
            << std::setprecision(3) << p.iterationsPerSecond << " it/s  ETA " << std::fixed << std::setprecision(0) << p.etaSeconds << " s\n";
        out.flags(flags);
        out << std::flush;
    };
}

AdjointSamplingTrainer::AdjointSamplingTrainer(std::shared_ptr<VectorField> control, const Energy& energy, AdjointSamplingOptions options)
    : control_(std::move(control)), energy_(energy), options_(options),
      sampler_(GeometricNoiseSchedule{options.sigmaMin(), options.sigmaMax()}, std::max<int64_t>(options.sdeSteps(), 1),
               sdeIntegratorFromName(options.integrator(), "adjoint sampling")),
      generator_(at::detail::createCPUGenerator(options.seed())) {
    if (!control_)
        throw SpecError("adjoint sampling: no control");
    checkOptions(options_, "adjoint sampling");
    if (control_->flatDimension() != energy.particles() * energy.spatialDimension())
        throw SpecError("adjoint sampling: the control has dimension " + std::to_string(control_->flatDimension()) + " but the " +
                        energy.name() + " energy has " + std::to_string(energy.particles() * energy.spatialDimension()));
    optimizer_ = std::make_unique<torch::optim::Adam>(control_->parameters(), torch::optim::AdamOptions(options.learningRate()));
    controlParameters_ = control_->parameters();
    if (options_.emaDecay() > 0)
        buildAverage();
}

void AdjointSamplingTrainer::buildAverage() {
    ema_ = frozenCopy(*control_, "adjoint sampling");
    emaParameters_ = ema_->parameters();
}

double AdjointSamplingTrainer::learningRate() const {
    const WarmupCosineSchedule schedule{options_.learningRate(), 0, std::max<int64_t>(1, options_.iterations() * options_.updatesPerIteration()),
                                        options_.finalLearningRateFraction()};
    return schedule(gradientUpdates_);
}

AdjointSamplingTrainer::~AdjointSamplingTrainer() = default;

at::Tensor AdjointSamplingTrainer::project(const at::Tensor& x) const { return GaussianBase::of(*control_).project(x); }

at::Tensor AdjointSamplingTrainer::sample(int64_t count) { return sampler_.sample(*control_, count, generator_); }

at::Tensor AdjointSamplingTrainer::terminalCostGradient(const at::Tensor& x1, double* meanEnergy) {
    auto [e, grad] = energy_.energyAndGradient(x1);
    energyEvaluations_ += x1.size(0);
    *meanEnergy = e.mean().item<double>();
    at::Tensor g = grad.to(x1.scalar_type()) / options_.temperature() - x1 / schedule().variance(1.0);
    if (options_.gradientClip() > 0) {
        // Clip each particle's gradient to the given norm (DESIGN §3.4: per-particle force clipping).
        const at::Tensor perParticle = g.reshape({g.size(0), energy_.particles(), energy_.spatialDimension()});
        const at::Tensor norms = perParticle.norm(2, -1, true).clamp_min(1e-30);
        g = (perParticle * (options_.gradientClip() / norms).clamp_max(1.0)).reshape(g.sizes());
    }
    return project(g);
}

at::Tensor AdjointSamplingTrainer::regressionTimes(int64_t count, double power, at::Generator& generator, const at::TensorOptions& options) {
    at::Tensor u = at::rand({count}, generator, options);
    if (power != 1.0)
        u = u.pow(1.0 / power);  // P(t < s) = P(u < s^power) = s^power: density power · s^(power − 1)
    return u.clamp(1e-4, 1 - 1e-4);
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
    const GeometricNoiseSchedule& schedule = sampler_.schedule();
    const double nu1 = schedule.variance(1.0);
    for (int64_t s = 0; s < options_.updatesPerIteration(); ++s) {
        const int64_t B = std::min(options_.batchSize(), bufferCount_);
        const at::Tensor index = at::randint(bufferCount_, {B}, generator_, at::TensorOptions().dtype(at::kLong));
        const at::Tensor xb = bufferX_.index_select(0, index), gb = bufferGrad_.index_select(0, index);
        const at::Tensor t = regressionTimes(B, options_.timeDensityPower(), generator_, opts);
        // Bridge X_t | X_1 ~ N(gamma_t X_1, nu_t (1 - gamma_t) I), per sample t.
        const at::Tensor nu = schedule.sigmaMax * schedule.sigmaMax * (1 - at::pow(schedule.ratio(), -2 * t));
        const at::Tensor gamma = nu / nu1;
        std::vector<int64_t> view(xb.dim(), 1);
        view[0] = B;
        const at::Tensor noise = project(at::randn(xb.sizes(), generator_, opts));
        const at::Tensor xt = gamma.view(view) * xb + (nu * (1 - gamma)).sqrt().view(view) * noise;
        const at::Tensor residual = project(control_->forward(xt, t)) + gb;
        const at::Tensor loss = residual.pow(2).reshape({B, -1}).sum(1).mean();
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw SpecError("adjoint sampling: the loss became " + std::to_string(value) + " at iteration " + std::to_string(iteration_ + 1) +
                            " (mean rollout energy " + std::to_string(meanEnergy) + "); lower the gradient clip or the learning rate");
        optimizer_->zero_grad();
        loss.backward();
        static_cast<torch::optim::AdamOptions&>(optimizer_->param_groups().front().options()).lr(learningRate());
        optimizer_->step();
        if (ema_)
            updateExponentialMovingAverage(emaParameters_, controlParameters_, options_.emaDecay());
        ++gradientUpdates_;
        lossSum += value;
    }
    ++iteration_;
    lastLoss_ = lossSum / std::max<int64_t>(options_.updatesPerIteration(), 1);
    lastMeanEnergy_ = meanEnergy;
    return lastLoss_;
}

void AdjointSamplingTrainer::train(int64_t maxIterations) {
    auto since = std::chrono::steady_clock::now();
    int64_t done = 0, sinceReport = 0;
    double lossSum = 0;
    while (iteration_ < options_.iterations() && (maxIterations < 0 || done < maxIterations)) {
        lossSum += iterate();
        ++done;
        ++sinceReport;
        const bool last = iteration_ == options_.iterations();
        if (progress_ && ((options_.progressEvery() > 0 && iteration_ % options_.progressEvery() == 0) || last)) {
            const auto now = std::chrono::steady_clock::now();
            const double seconds = std::chrono::duration<double>(now - since).count();
            AdjointSamplingProgress p;
            p.iteration = iteration_;
            p.totalIterations = options_.iterations();
            p.energyEvaluations = energyEvaluations_;
            p.gradientUpdates = gradientUpdates_;
            p.loss = lossSum / static_cast<double>(sinceReport);
            p.meanEnergy = lastMeanEnergy_;
            p.iterationsPerSecond = seconds > 0 ? sinceReport / seconds : 0;
            p.etaSeconds = p.iterationsPerSecond > 0 ? (options_.iterations() - iteration_) / p.iterationsPerSecond : 0;
            progress_(p);
            since = now;
            sinceReport = 0;
            lossSum = 0;
        }
        if (!options_.checkpointPath().empty() && options_.checkpointEvery() > 0 && iteration_ % options_.checkpointEvery() == 0)
            saveCheckpoint(options_.checkpointPath());
    }
    if (done > 0 && !options_.checkpointPath().empty())
        saveCheckpoint(options_.checkpointPath());
}

void AdjointSamplingTrainer::saveCheckpoint(const std::string& path) const {
    Bundle bundle;
    bundle.kind = checkpointKind;
    bundle.config = {{"options", options_.toJson()},
                     {"model", {{"kind", control_->kind()}, {"config", control_->config()}, {"dtype", dtypeName(control_->tensorOptions().dtype().toScalarType())}}},
                     {"energy", {{"name", energy_.name()}, {"particles", energy_.particles()}, {"spatial_dimension", energy_.spatialDimension()}}},
                     {"loop", {{"iteration", iteration_}, {"energy_evaluations", energyEvaluations_}, {"gradient_updates", gradientUpdates_},
                               {"buffer_count", bufferCount_}, {"buffer_next", bufferNext_}}}};
    storeModuleTensors(*control_, bundle, "model.");
    storeAdamState(*optimizer_, *control_, bundle, "adam.");
    if (ema_)
        storeModuleTensors(*ema_, bundle, "ema.");
    if (bufferX_.defined()) {
        bundle.tensors["buffer.x"] = toBundleTensor(bufferX_);
        bundle.tensors["buffer.gradient"] = toBundleTensor(bufferGrad_);
    }
    bundle.tensors["loop.generator"] = generatorState(generator_);
    bundle.write(path);
}

void AdjointSamplingTrainer::restoreCheckpoint(const std::string& path) {
    const Bundle bundle = Bundle::read(path);
    if (bundle.kind != checkpointKind)
        throw SpecError(path + ": bundle kind \"" + bundle.kind + "\" is not an " + checkpointKind);
    const JsonFields config(bundle.config, path + ": config");
    const JsonFields model(config.require("model"), config.path("model"));
    if (model.string("kind") != control_->kind() || model.require("config") != control_->config())
        throw SpecError(path + ": the checkpoint holds a " + model.string("kind") + " " + model.require("config").dump() + ", this trainer trains a " +
                        control_->kind() + " " + control_->config().dump());
    const JsonFields energy(config.require("energy"), config.path("energy"));
    if (energy.string("name") != energy_.name() || energy.integer64("particles") != energy_.particles() ||
        energy.integer64("spatial_dimension") != energy_.spatialDimension())
        throw SpecError(path + ": the checkpoint was made for the " + energy.string("name") + " energy (" + energy.require("particles").dump() +
                        " particles), this trainer samples " + energy_.name() + " (" + std::to_string(energy_.particles()) + " particles)");
    const AdjointSamplingOptions options = AdjointSamplingOptions::fromJson(config.require("options"), config.path("options"));
    checkOptions(options, config.path("options"));
    const JsonFields loop(config.require("loop"), config.path("loop"));
    const int64_t bufferCount = loop.integer64("buffer_count"), bufferNext = loop.integer64("buffer_next");
    if (bufferCount < 0 || bufferCount > options.bufferSize() || bufferNext < 0 || bufferNext >= options.bufferSize())
        throw SpecError(loop.path("buffer_count") + ": buffer count " + std::to_string(bufferCount) + " and position " +
                        std::to_string(bufferNext) + " do not fit a buffer of " + std::to_string(options.bufferSize()));

    // Read everything into fresh objects first: a bad checkpoint leaves this trainer unchanged.
    const at::TensorOptions tensorOptions = control_->tensorOptions();
    std::shared_ptr<VectorField> copy = buildVectorFieldLike(*control_, path);
    restoreModuleTensors(*copy, bundle, path, "model.");
    std::shared_ptr<VectorField> emaCopy;
    if (options.emaDecay() > 0) {
        emaCopy = buildVectorFieldLike(*control_, path);
        restoreModuleTensors(*emaCopy, bundle, path, "ema.");
    }
    StagedAdamState adam(bundle, *control_, path, "adam.");
    at::Tensor bufferX, bufferGrad;
    if (bufferCount > 0) {
        std::vector<int64_t> shape = {options.bufferSize()};
        for (int64_t s : control_->eventShape())
            shape.push_back(s);
        bufferX = fromBundleTensor(bundle.tensor("buffer.x", path));
        bufferGrad = fromBundleTensor(bundle.tensor("buffer.gradient", path));
        if (!bufferX.sizes().equals(shape) || !bufferGrad.sizes().equals(shape))
            throw SpecError(path + ": tensors \"buffer.x\" and \"buffer.gradient\" have shapes " + c10::str(bufferX.sizes()) + " and " +
                            c10::str(bufferGrad.sizes()) + ", a buffer of this trainer has " + c10::str(at::IntArrayRef(shape)));
        bufferX = bufferX.to(tensorOptions);
        bufferGrad = bufferGrad.to(tensorOptions);
    }
    at::Generator generator = generatorFromState(bundle, "loop.generator", path);

    copyWeights(*copy, *control_);
    options_ = options;
    if (emaCopy) {
        if (!ema_)
            buildAverage();
        copyWeights(*emaCopy, *ema_);
    } else {
        ema_.reset();
        emaParameters_.clear();
    }
    sampler_ = AdjointSampler(GeometricNoiseSchedule{options.sigmaMin(), options.sigmaMax()}, options.sdeSteps(),
                              sdeIntegratorFromName(options.integrator(), path));
    static_cast<torch::optim::AdamOptions&>(optimizer_->param_groups().front().options()).lr(options.learningRate());
    adam.apply(*optimizer_);
    bufferX_ = bufferX;
    bufferGrad_ = bufferGrad;
    bufferCount_ = bufferCount;
    bufferNext_ = bufferNext;
    generator_ = generator;
    iteration_ = loop.integer64("iteration");
    energyEvaluations_ = loop.integer64("energy_evaluations");
    gradientUpdates_ = loop.integer64("gradient_updates");
}

std::unique_ptr<AdjointSamplingTrainer> AdjointSamplingTrainer::resume(const std::string& checkpointPath, const Energy& energy, int64_t iterations) {
    const Bundle bundle = Bundle::read(checkpointPath);
    if (bundle.kind != checkpointKind)
        throw SpecError(checkpointPath + ": bundle kind \"" + bundle.kind + "\" is not an " + checkpointKind);
    const JsonFields config(bundle.config, checkpointPath + ": config");
    const JsonFields model(config.require("model"), config.path("model"));
    std::shared_ptr<VectorField> control = buildVectorField(model.string("kind"), model.require("config"), checkpointPath);
    control->to(model.string("dtype", "float64") == "float32" ? at::kFloat : at::kDouble);
    const AdjointSamplingOptions options = AdjointSamplingOptions::fromJson(config.require("options"), config.path("options"));
    auto trainer = std::make_unique<AdjointSamplingTrainer>(control, energy, options);
    trainer->restoreCheckpoint(checkpointPath);
    if (iterations >= 0)
        trainer->options_.iterations(iterations);
    return trainer;
}

}  // namespace ada
