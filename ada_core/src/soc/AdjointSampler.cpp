#include "ada/soc/AdjointSampler.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/GaussianBase.h"
#include "ada/io/Bundle.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/models/ModelBundle.h"
#include "ada/models/TrainedModel.h"

namespace ada {

std::string sdeIntegratorName(SdeIntegrator integrator) { return integrator == SdeIntegrator::Heun ? "heun" : "euler"; }

SdeIntegrator sdeIntegratorFromName(const std::string& name, const std::string& where) {
    if (name == "euler")
        return SdeIntegrator::EulerMaruyama;
    if (name == "heun")
        return SdeIntegrator::Heun;
    throw SpecError(where + ": expected the SDE integrator \"euler\" or \"heun\", found \"" + name + "\"");
}

AdjointSampler::AdjointSampler(GeometricNoiseSchedule schedule, int64_t steps, SdeIntegrator integrator)
    : schedule_(schedule), steps_(steps), integrator_(integrator) {
    if (!(schedule.sigmaMin > 0 && schedule.sigmaMax > schedule.sigmaMin))
        throw SpecError("adjoint sampler: needs 0 < sigma_min < sigma_max, found sigma_min " + std::to_string(schedule.sigmaMin) +
                        " and sigma_max " + std::to_string(schedule.sigmaMax));
    if (steps < 1)
        throw SpecError("adjoint sampler: needs at least one SDE step, found " + std::to_string(steps));
}

ControlledPaths AdjointSampler::integrate(VectorField& control, int64_t count, at::Generator& generator, bool weights) const {
    torch::NoGradGuard noGrad;
    const GaussianBase base = GaussianBase::of(control);
    std::vector<int64_t> shape = {count};
    for (int64_t s : control.eventShape())
        shape.push_back(s);
    const at::TensorOptions opts = control.tensorOptions();
    at::Tensor x = at::zeros(shape, opts);
    at::Tensor pathTerm = weights ? at::zeros({count}, opts.dtype(at::kDouble)) : at::Tensor();
    const double h = 1.0 / static_cast<double>(steps_);
    for (int64_t k = 0; k < steps_; ++k) {
        const double t = k * h, next = k + 1 == steps_ ? 1.0 : (k + 1) * h;
        const double root = std::sqrt(schedule_.variance(next) - schedule_.variance(t));  // sqrt(dnu_k)
        const at::Tensor c = base.project(control.forward(x, at::full({}, t, opts))) * root;
        const at::Tensor noise = base.project(at::randn(shape, generator, opts));
        if (integrator_ == SdeIntegrator::Heun) {
            const at::Tensor predicted = x + root * (c + noise);
            const at::Tensor cNext = base.project(control.forward(predicted, at::full({}, next, opts))) * root;
            x = x + root * (0.5 * (c + cNext) + noise);
            continue;
        }
        if (weights) {
            const at::Tensor c64 = c.reshape({count, -1}).to(at::kDouble), xi = noise.reshape({count, -1}).to(at::kDouble);
            pathTerm += (c64 * xi).sum(1) + 0.5 * c64.pow(2).sum(1);
        }
        x = x + root * (c + noise);
    }
    return {x, pathTerm};
}

at::Tensor AdjointSampler::sample(VectorField& control, int64_t count, at::Generator& generator) const {
    return integrate(control, count, generator, false).samples;
}

ControlledPaths AdjointSampler::sampleWithLogWeights(VectorField& control, int64_t count, const Energy& energy, double temperature,
                                                     at::Generator& generator) const {
    if (!(temperature > 0))
        throw SpecError("adjoint sampler: the temperature must be positive, found " + std::to_string(temperature));
    if (integrator_ != SdeIntegrator::EulerMaruyama)
        throw SpecError("adjoint sampler: path weights are those of the Euler-Maruyama chain; this sampler integrates with " +
                        sdeIntegratorName(integrator_));
    ControlledPaths paths = integrate(control, count, generator, true);
    torch::NoGradGuard noGrad;
    const at::Tensor x = paths.samples.reshape({count, -1}).to(at::kDouble);
    const double v = baseVariance(), d = static_cast<double>(GaussianBase::of(control).dimension());
    const at::Tensor logBase = -x.pow(2).sum(1) / (2 * v) - 0.5 * d * std::log(2 * M_PI * v);
    const at::Tensor g = energy.energy(paths.samples).to(at::kDouble) / temperature + logBase;
    paths.logWeights = -g - paths.logWeights;
    return paths;
}

void AdjointSampler::save(VectorField& control, const Energy& energy, double temperature, const std::string& path) const {
    DataPreparation data;
    data.particles = energy.spatialDimension() == 3;
    data.numSystemAtoms = data.particles ? energy.particles() : 0;
    data.centred = control.zeroCentreOfMass();
    Bundle bundle = vectorFieldBundle(control);
    bundle.config["data"] = data.toJson();
    bundle.config["model_kind"] = modelKind;
    bundle.config["sampler"] = {{"sigma_min", schedule_.sigmaMin},   {"sigma_max", schedule_.sigmaMax},
                                {"sde_steps", steps_},               {"integrator", sdeIntegratorName(integrator_)},
                                {"energy", energy.name()},
                                {"temperature", temperature},        {"particles", energy.particles()},
                                {"spatial_dimension", energy.spatialDimension()}};
    bundle.write(path);
}

AdjointSampler AdjointSampler::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    return AdjointSampler(GeometricNoiseSchedule{f.number("sigma_min"), f.number("sigma_max")}, f.integer("sde_steps"),
                          sdeIntegratorFromName(f.string("integrator", "euler"), f.path("integrator")));
}

}  // namespace ada
