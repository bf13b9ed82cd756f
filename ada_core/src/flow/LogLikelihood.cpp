#include "ada/flow/LogLikelihood.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/GaussianBase.h"
#include "ada/io/SpecError.h"

namespace ada {

namespace {

// v and its divergence at flattened states x [B, D]; `probes` [K, B, D] selects Hutchinson's estimator.
struct VelocityAndDivergence {
    at::Tensor velocity, divergence;
};

VelocityAndDivergence evaluate(VectorField& field, const GaussianBase& base, const at::Tensor& x, double t, const at::Tensor& probes) {
    torch::AutoGradMode enableGrad(true);
    const int64_t batch = x.size(0), dimension = x.size(1);
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), base.eventShape().begin(), base.eventShape().end());
    const at::Tensor input = x.detach().requires_grad_(true);
    const at::Tensor v =
        base.project(field.forward(base.project(input.reshape(shape)), at::full({}, t, x.options()))).reshape({batch, dimension});
    at::Tensor divergence = at::zeros({batch}, x.options());
    if (probes.defined()) {
        const int64_t k = probes.size(0);
        for (int64_t i = 0; i < k; ++i) {
            const at::Tensor g = torch::autograd::grad({v}, {input}, {probes[i]}, /*retain_graph=*/i + 1 < k)[0];
            divergence += (g * probes[i]).sum(1);
        }
        divergence /= static_cast<double>(k);
    } else {
        at::Tensor unit = at::zeros_like(v);
        for (int64_t d = 0; d < dimension; ++d) {
            unit.select(1, d).fill_(1.0);
            const at::Tensor g = torch::autograd::grad({v}, {input}, {unit}, /*retain_graph=*/d + 1 < dimension)[0];
            divergence += g.select(1, d);
            unit.select(1, d).fill_(0.0);
        }
    }
    return {v.detach(), divergence.detach()};
}

}  // namespace

at::Tensor exactDivergence(VectorField& field, const at::Tensor& x, double t) {
    const GaussianBase base = GaussianBase::of(field);
    return evaluate(field, base, x.reshape({x.size(0), -1}), t, at::Tensor()).divergence;
}

LikelihoodResult logLikelihood(VectorField& field, const at::Tensor& x1, const LikelihoodOptions& options) {
    const GaussianBase base = GaussianBase::of(field);
    const int64_t dimension = base.flatDimension();
    if (x1.dim() < 2 || x1.numel() != x1.size(0) * dimension)
        throw SpecError("log-likelihood: expected samples [B, ...] with " + std::to_string(dimension) + " coordinates each, found " +
                        c10::str(x1.sizes()));
    const int64_t batch = x1.size(0);
    const at::Tensor x = base.project(x1.to(field.tensorOptions())).reshape({batch, dimension});

    at::Tensor probes;
    if (options.divergence == DivergenceMethod::Hutchinson) {
        if (options.probes < 1)
            throw SpecError("log-likelihood: Hutchinson's estimator needs at least one probe");
        at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(options.seed);
        probes = at::bernoulli(at::full({options.probes, batch, dimension}, 0.5, at::kDouble), generator).mul_(2.0).sub_(1.0);
        probes = probes.to(x.options());
    }
    const OdeFunction augmented = [&](const at::Tensor& y, double t) {
        const VelocityAndDivergence vd = evaluate(field, base, y.narrow(1, 0, dimension), t, probes);
        return at::cat({vd.velocity, vd.divergence.unsqueeze(1)}, 1);
    };
    const at::Tensor y1 = at::cat({x, at::zeros({batch, 1}, x.options())}, 1);
    const OdeResult solved = integrateOde(augmented, y1, 1.0, 0.0, options.ode);

    LikelihoodResult result;
    std::vector<int64_t> shape{batch};
    shape.insert(shape.end(), base.eventShape().begin(), base.eventShape().end());
    result.noise = solved.state.narrow(1, 0, dimension).reshape(shape);
    result.divergenceIntegral = -solved.state.select(1, dimension);
    result.baseLogDensity = base.logDensity(result.noise);
    result.logLikelihood = result.baseLogDensity - result.divergenceIntegral;
    result.functionEvaluations = solved.functionEvaluations;
    result.approximate = probes.defined();
    return result;
}

}  // namespace ada
