#include "ada/align/ObservableCritics.h"

#include <cmath>
#include <set>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/optim/adam.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/bias/MLPFunction.h"
#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/flow/LearningRateSchedule.h"
#include "ada/bias/Spline.h"
#include "ada/io/Bundle.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/torch/TrainingState.h"

namespace ada {

nlohmann::json ObservableCriticsOptions::toJson() const {
    nlohmann::json j = {{"beta", beta}, {"hidden", hidden},   {"layers", layers}, {"activation", activation}, {"steps", steps},
            {"learning_rate", learningRate}, {"final_learning_rate_fraction", finalLearningRateFraction}, {"schedule_steps", scheduleSteps},
            {"penalty", penalty}, {"batch", batch}, {"seed", seed}, {"spline_points", splinePoints},
            {"periodic_angles", periodicAngles}, {"channels", channels}};
    if (average > 0)  // only when set: the options of checkpoints written before the average existed stay equal
        j["average"] = average;
    return j;
}

ObservableCriticsOptions ObservableCriticsOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    ObservableCriticsOptions o;
    o.beta = f.number("beta", o.beta);
    o.hidden = f.integer("hidden", static_cast<int>(o.hidden));
    o.layers = f.integer("layers", static_cast<int>(o.layers));
    o.activation = f.string("activation", o.activation);
    o.steps = f.integer("steps", static_cast<int>(o.steps));
    o.learningRate = f.number("learning_rate", o.learningRate);
    o.finalLearningRateFraction = f.number("final_learning_rate_fraction", o.finalLearningRateFraction);
    o.scheduleSteps = f.integer("schedule_steps", static_cast<int>(o.scheduleSteps));
    o.penalty = f.number("penalty", o.penalty);
    o.batch = f.integer("batch", static_cast<int>(o.batch));
    o.seed = static_cast<uint64_t>(f.number("seed", static_cast<double>(o.seed)));
    o.splinePoints = f.integer("spline_points", o.splinePoints);
    o.periodicAngles = f.boolean("periodic_angles", o.periodicAngles);
    o.channels = f.integer64("channels", o.channels);
    o.average = f.number("average", o.average);
    return o;
}

ObservableCritics::ObservableCritics(std::vector<AlignmentTarget> targets, const ObservableCriticsOptions& options)
    : targets_(std::move(targets)), options_(options), generator_(at::make_generator<at::CPUGeneratorImpl>(options.seed + 1000)) {
    if (targets_.empty())
        throw SpecError("ADA critics: no observables given");
    if (!(options.beta > 0) || !std::isfinite(options.beta) || options.steps < 1 || options.batch < 1 || !(options.learningRate > 0) ||
        !(options.penalty >= 0) || options.splinePoints < 4 || !(options.finalLearningRateFraction >= 0) || options.scheduleSteps < 1 || options.channels < 1 ||
        !(options.average >= 0 && options.average < 1))
        throw SpecError("ADA critics: expected beta > 0, steps >= 1, batch >= 1, learning rate > 0, final learning-rate fraction >= 0, "
                        "schedule steps >= 1, penalty >= 0, spline points >= 4, channels >= 1, average in [0, 1) (options " +
                        options.toJson().dump() + ")");
    std::set<std::string> names;
    bank_ = std::make_shared<torch::nn::Module>("ObservableCritics");
    if (options.average > 0)
        averageBank_ = std::make_shared<torch::nn::Module>("ObservableCriticsAverage");
    for (size_t i = 0; i < targets_.size(); ++i) {
        AlignmentTarget& t = targets_[i];
        const std::string where = "observable \"" + t.name + "\"";
        if (t.name.empty() || !names.insert(t.name).second)
            throw SpecError("ADA critics: observable names must be unique and non-empty (\"" + t.name + "\")");
        if (!t.observe)
            throw SpecError(where + ": no map from samples to the observable");
        if (!(t.lipschitz > 0) || !std::isfinite(t.lipschitz))
            throw SpecError(where + ": expected a positive, finite Lipschitz bound (1 / scale)");
        t.data = checkedTargetData(t.data, t.data.defined() && t.data.dim() == 2 ? t.data.size(1) : 1, where);
        if (!t.image.empty() && (t.image.size() != 2 || t.image[0] < 1 || t.image[1] < 1 || t.image[0] * t.image[1] != t.dimension()))
            throw SpecError(where + ": an image must have a shape {height, width} with height · width = " + std::to_string(t.dimension()) +
                            " (the data's dimension)");
        const CriticOptions criticOptions = CriticOptions(t.dimension()).hidden(options.hidden).layers(options.layers).activation(options.activation)
                                                .seed(options.seed + i).periodic(options.periodicAngles && t.angle).image(t.image).channels(options.channels);
        Critic critic(criticOptions);
        critic->to(at::kDouble);
        critics_.push_back(bank_->register_module(std::to_string(i), critic));
        if (averageBank_) {
            Critic average(criticOptions);
            average->to(at::kDouble);
            averageCritics_.push_back(averageBank_->register_module(std::to_string(i), average));
        }
    }
    if (averageBank_)
        copyWeights(*bank_, *averageBank_);
    optimizer_ = std::make_unique<torch::optim::Adam>(bank_->parameters(),
                                                      torch::optim::AdamOptions(options.learningRate));
}

ObservableCritics::~ObservableCritics() = default;

std::vector<at::Tensor> ObservableCritics::observe(const at::Tensor& samples) const { return observeTargets(targets_, samples); }

std::vector<at::Tensor> ObservableCritics::checkedPool(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets, at::Tensor* offsets) const {
    if (pool.size() != targets_.size())
        throw SpecError("ADA critics: expected samples of " + std::to_string(targets_.size()) + " observables, found " + std::to_string(pool.size()));
    std::vector<at::Tensor> out;
    for (size_t i = 0; i < pool.size(); ++i) {
        const std::string where = "ADA critics: model samples of observable \"" + targets_[i].name + "\"";
        out.push_back(checkedTargetData(pool[i], targets_[i].dimension(), where));
        if (out[i].size(0) != out[0].size(0))
            throw SpecError(where + ": " + std::to_string(out[i].size(0)) + " samples, observable \"" + targets_[0].name + "\" has " +
                            std::to_string(out[0].size(0)) + " (one per configuration)");
    }
    if (offsets) {
        if (!logOffsets.defined())
            *offsets = at::zeros({out[0].size(0)}, at::kDouble);
        else if (logOffsets.dim() != 1 || logOffsets.size(0) != out[0].size(0) || !at::isfinite(logOffsets).all().item<bool>())
            throw SpecError("ADA critics: log-offsets must be [" + std::to_string(out[0].size(0)) + "] finite values, found " + c10::str(logOffsets.sizes()));
        else
            *offsets = logOffsets.to(at::kDouble);
    }
    return out;
}

at::Tensor ObservableCritics::logWeights(const std::vector<Critic>& critics, const std::vector<at::Tensor>& pool, const at::Tensor& offsets) const {
    at::Tensor f = at::zeros({pool[0].size(0)}, at::kDouble);
    for (size_t i = 0; i < pool.size(); ++i) {
        Critic critic = critics[i];  // a handle: forward() is not const
        f = f + critic->forward(pool[i]);
    }
    return offsets - options_.beta * f;  // unnormalised log w_b, differentiable in the critics
}

double ObservableCritics::update(const std::vector<at::Tensor>& poolIn, const at::Tensor& logOffsets) {
    at::Tensor offsets;
    const std::vector<at::Tensor> pool = checkedPool(poolIn, logOffsets, &offsets);
    if (!standardized_) {
        for (size_t i = 0; i < pool.size(); ++i)
            critics_[i]->standardize(at::cat({pool[i], targets_[i].data}, 0));
        standardized_ = true;
        if (averageBank_) {  // the average starts at the standardised initial critics
            copyWeights(*bank_, *averageBank_);
            for (Critic& c : averageCritics_)
                c->markStandardized();
        }
    }
    bank_->train();
    const int64_t b = options_.batch;
    for (int64_t s = 0; s < options_.steps; ++s, ++step_) {
        const at::Tensor logW = logWeights(critics_, pool, offsets);
        // −J = (1/β) log Σ_b w0_b exp(−β F_b) + Σ_i E_ν f_i, with w0 ∝ exp(a) (normalisation constants drop out).
        at::Tensor loss = (at::logsumexp(logW, 0) - at::logsumexp(offsets, 0)) / options_.beta;
        const at::Tensor tilted = at::multinomial(at::softmax(logW.detach(), 0), b, true, generator_);
        for (size_t i = 0; i < pool.size(); ++i) {
            const at::Tensor& data = targets_[i].data;
            // E_ν f on all data (the tilt amplifies minibatch noise in F by β); the penalty on a minibatch.
            loss = loss + critics_[i]->forward(data).mean();
            const at::Tensor yd = data.index_select(0, at::randint(data.size(0), {b}, generator_, at::kLong));
            if (options_.penalty > 0) {
                // On interpolates and on both sample sets themselves (an interpolate of a set with itself), so that
                // the bound also holds in the tails where the bias and the tilt act.
                const at::Tensor ym = pool[i].index_select(0, tilted);
                const double bound = targets_[i].lipschitz;
                loss = loss + options_.penalty * (criticGradientPenalty(critics_[i], ym, yd, generator_, true, bound) +
                                                  criticGradientPenalty(critics_[i], ym, ym, generator_, true, bound) +
                                                  criticGradientPenalty(critics_[i], yd, yd, generator_, true, bound));
            }
        }
        optimizer_->zero_grad();
        loss.backward();
        static_cast<torch::optim::AdamOptions&>(optimizer_->param_groups().front().options()).lr(learningRate());
        optimizer_->step();
        if (averageBank_) {
            torch::NoGradGuard noGrad;
            updateExponentialMovingAverage(*averageBank_, *bank_, options_.average);
        }
    }
    return dual(pool, offsets);
}

double ObservableCritics::learningRate() const {
    return WarmupCosineSchedule{options_.learningRate, 0, options_.scheduleSteps, options_.finalLearningRateFraction}(step_);
}

double ObservableCritics::dual(const std::vector<at::Tensor>& poolIn, const at::Tensor& logOffsets) {
    at::Tensor offsets;
    const std::vector<at::Tensor> pool = checkedPool(poolIn, logOffsets, &offsets);
    torch::NoGradGuard noGrad;
    double j = -((at::logsumexp(logWeights(critics_, pool, offsets), 0) - at::logsumexp(offsets, 0)) / options_.beta).item<double>();
    for (size_t i = 0; i < pool.size(); ++i)
        j -= critics_[i]->forward(targets_[i].data).mean().item<double>();
    return j;
}

at::Tensor ObservableCritics::weightsOf(const std::vector<Critic>& critics, const std::vector<at::Tensor>& poolIn, const at::Tensor& logOffsets) {
    at::Tensor offsets;
    const std::vector<at::Tensor> pool = checkedPool(poolIn, logOffsets, &offsets);
    torch::NoGradGuard noGrad;
    return at::softmax(logWeights(critics, pool, offsets), 0);
}

at::Tensor ObservableCritics::weights(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets) {
    return weightsOf(tiltCritics(), pool, logOffsets);
}

at::Tensor ObservableCritics::trainedWeights(const std::vector<at::Tensor>& pool, const at::Tensor& logOffsets) {
    return weightsOf(critics_, pool, logOffsets);
}

std::vector<double> ObservableCritics::gaps(const std::vector<at::Tensor>& modelIn) {
    const std::vector<at::Tensor> model = checkedPool(modelIn, at::Tensor(), nullptr);
    torch::NoGradGuard noGrad;
    std::vector<double> out;
    for (size_t i = 0; i < model.size(); ++i)
        out.push_back((critics_[i]->forward(model[i]).mean() - critics_[i]->forward(targets_[i].data).mean()).item<double>());
    return out;
}

at::Tensor ObservableCritics::potentialOfObservables(const std::vector<at::Tensor>& observablesIn) {
    const std::vector<at::Tensor> y = checkedPool(observablesIn, at::Tensor(), nullptr);
    torch::NoGradGuard noGrad;
    at::Tensor f = at::zeros({y[0].size(0)}, at::kDouble);
    for (size_t i = 0; i < y.size(); ++i) {
        Critic critic = tiltCritics()[i];
        f = f + critic->forward(y[i]);
    }
    return f;
}

at::Tensor ObservableCritics::potential(const at::Tensor& samples) const {
    at::Tensor sum = at::zeros({samples.size(0)}, samples.options());
    for (size_t i = 0; i < targets_.size(); ++i) {
        const at::Tensor y = targets_[i].observe(samples);
        Critic critic = tiltCritics()[i];
        sum = sum + critic->forward(y.to(at::kDouble)).to(samples.scalar_type());
    }
    return sum;
}

nlohmann::json ObservableCritics::biasTerms(double beta, const std::vector<at::Tensor>& modelObservables, const std::string& folder,
                                            const std::string& stem) const {
    if (modelObservables.size() != targets_.size())
        throw SpecError("ADA critics: expected observables of " + std::to_string(targets_.size()) + " kinds for the export");
    nlohmann::json terms = nlohmann::json::array();
    for (size_t i = 0; i < targets_.size(); ++i) {
        const AlignmentTarget& t = targets_[i];
        if (t.observable.is_null())
            throw SpecError("observable \"" + t.name + "\": no JSON form, so it cannot be exported as a bias term");
        nlohmann::json function;
        if (t.dimension() == 1) {
            double lo = -M_PI, hi = M_PI;
            if (!t.angle) {
                const at::Tensor all = at::cat({t.data.reshape({-1}), modelObservables[i].to(at::kDouble).reshape({-1})});
                const double a = all.min().item<double>(), b = all.max().item<double>();
                const double margin = 0.1 * std::max(b - a, 1e-6);
                lo = a - margin;
                hi = b + margin;
            }
            function = tiltCritics()[i]->toSpline(lo, hi, options_.splinePoints, t.angle, beta).toJson();
        } else {
            const std::string file = stem + std::to_string(i) + ".mlp";
            tiltCritics()[i]->toBiasFunction(beta).toBundle().write((folder.empty() ? std::string(".") : folder) + "/" + file);
            function = {{"type", "mlp"}, {"file", file}};
        }
        terms.push_back({{"observable", t.observable}, {"function", function}});
    }
    return terms;
}

void ObservableCritics::store(Bundle& bundle, const std::string& prefix) const {
    storeModuleTensors(*bank_, bundle, prefix + "critic.");
    if (averageBank_)
        storeModuleTensors(*averageBank_, bundle, prefix + "average.");
    storeAdamState(*optimizer_, *bank_, bundle, prefix + "adam.");
    bundle.tensors[prefix + "generator"] = generatorState(generator_);
    bundle.tensors[prefix + "counters"] = BundleTensor{{2}, {static_cast<double>(step_), standardized_ ? 1.0 : 0.0}};
}

void ObservableCritics::restore(const Bundle& bundle, const std::string& where, const std::string& prefix) {
    const BundleTensor& counters = bundle.tensor(prefix + "counters", where);
    if (counters.values.size() != 2 || counters.values[0] < 0)
        throw SpecError(where + ": tensor \"" + prefix + "counters\" must hold [step, standardized]");
    at::Generator generator = generatorFromState(bundle, prefix + "generator", where);
    StagedAdamState adam(bundle, *bank_, where, prefix + "adam.");
    if (averageBank_)  // checked before anything changes
        checkModuleTensors(*averageBank_, bundle, where, prefix + "average.");
    restoreModuleTensors(*bank_, bundle, where, prefix + "critic.");
    if (averageBank_)
        restoreModuleTensors(*averageBank_, bundle, where, prefix + "average.");
    adam.apply(*optimizer_);
    generator_ = generator;
    step_ = static_cast<int64_t>(counters.values[0]);
    standardized_ = counters.values[1] != 0;
    if (standardized_) {
        for (Critic& c : critics_)
            c->markStandardized();
        for (Critic& c : averageCritics_)
            c->markStandardized();
    }
}

}  // namespace ada
