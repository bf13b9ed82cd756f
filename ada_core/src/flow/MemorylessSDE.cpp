#include "ada/flow/MemorylessSDE.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/GaussianBase.h"
#include "ada/io/SpecError.h"

namespace ada {

MemorylessSDE::MemorylessSDE(MemorylessSDEOptions options) : recordTrajectory_(options.recordTrajectory) {
    if (!options.times.empty()) {
        times_ = options.times;
    } else {
        if (options.steps < 1 || !(options.tMin > 0 && options.tMin < 1))
            throw SpecError("memoryless SDE: expected steps >= 1 and 0 < t_min < 1");
        for (int64_t k = 0; k <= options.steps; ++k)
            times_.push_back(options.tMin + (1.0 - options.tMin) * static_cast<double>(k) / static_cast<double>(options.steps));
        times_.back() = 1.0;
    }
    if (times_.size() < 2 || !(times_.front() > 0) || times_.back() != 1.0)
        throw SpecError("memoryless SDE: the time grid must start above 0 and end at 1");
    for (size_t k = 1; k < times_.size(); ++k)
        if (!(times_[k] > times_[k - 1]))
            throw SpecError("memoryless SDE: the time grid must increase strictly (t[" + std::to_string(k) + "])");
}

double MemorylessSDE::sigma(double t) { return std::sqrt(2.0 * eta(t)); }

at::Tensor MemorylessSDE::drift(VectorField& field, const at::Tensor& x, double t) {
    return 2.0 * field.forward(x, at::full({}, t, x.options())) - kappa(t) * x;
}

at::Tensor MemorylessSDE::initialState(VectorField& field, int64_t count, at::Generator& generator) const {
    return (1.0 - times_.front()) * GaussianBase::of(field).sample(count, field.tensorOptions(), generator);
}

SDESample MemorylessSDE::sample(VectorField& field, int64_t count, at::Generator& generator) const {
    return integrate(field, initialState(field, count, generator), generator);
}

SDESample MemorylessSDE::integrate(VectorField& field, const at::Tensor& start, at::Generator& generator) const {
    torch::NoGradGuard noGrad;
    const GaussianBase base = GaussianBase::of(field);
    SDESample out;
    out.times = times_;
    std::vector<at::Tensor> states;
    at::Tensor x = start;
    if (recordTrajectory_)
        states.push_back(x);
    for (size_t k = 0; k + 1 < times_.size(); ++k) {
        const double t = times_[k], h = times_[k + 1] - t;
        const at::Tensor noise = base.project(at::randn(x.sizes(), generator, x.options()));
        x = x + h * drift(field, x, t) + (sigma(t) * std::sqrt(h)) * noise;
        if (recordTrajectory_)
            states.push_back(x);
    }
    out.samples = x;
    out.functionEvaluations = static_cast<int64_t>(times_.size()) - 1;
    if (recordTrajectory_)
        out.trajectory = at::stack(states);
    return out;
}

}  // namespace ada
