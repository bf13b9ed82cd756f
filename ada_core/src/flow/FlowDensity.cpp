#include "ada/flow/FlowDensity.h"

#include <cmath>
#include <string>

#include <ATen/ATen.h>

#include "ada/flow/GaussianBase.h"
#include "ada/flow/LogLikelihood.h"
#include "ada/flow/OdeSampler.h"
#include "ada/io/SpecError.h"

namespace ada {

FlowDensity::FlowDensity(const TrainedModel& model, double tolerance) : model_(model), tolerance_(tolerance) {
    if (!model_.field)
        throw SpecError("flow proposal: the model has no vector field");
    if (!(tolerance_ > 0))
        throw SpecError("flow proposal: the ODE tolerance must be positive, found " + std::to_string(tolerance_));
    model_.field->to(at::kDouble);
    model_.field->eval();
    dimension_ = GaussianBase::of(*model_.field).dimension();
    logJacobian_ = -static_cast<double>(dimension_) * std::log(model_.data.scale);
}

at::Tensor FlowDensity::logDensity(const at::Tensor& y) {
    LikelihoodOptions options;
    options.ode = OdeOptions::dormandPrince(tolerance_, tolerance_);
    std::vector<int64_t> shape{y.size(0)};
    const std::vector<int64_t> event = model_.field->eventShape();
    shape.insert(shape.end(), event.begin(), event.end());
    return logLikelihood(*model_.field, y.reshape(shape), options).logLikelihood;
}

std::vector<FlowDensity::Draw> FlowDensity::sample(int64_t count, at::Generator& generator) {
    const OdeOptions ode = OdeOptions::dormandPrince(tolerance_, tolerance_);
    const at::Tensor y = sampleByOde(*model_.field, count, ode, generator).samples.reshape({count, -1}).contiguous();
    const at::Tensor logDensities = logDensity(y).contiguous();
    const int64_t d = y.size(1);
    const double* values = y.data_ptr<double>();
    const double* densities = logDensities.data_ptr<double>();
    std::vector<Draw> draws;
    draws.reserve(static_cast<size_t>(count));
    for (int64_t b = 0; b < count; ++b)
        draws.push_back({std::vector<double>(values + b * d, values + (b + 1) * d), densities[b]});
    return draws;
}

}  // namespace ada
