#include "ada/flow/LogLikelihood.h"

#include <algorithm>

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
        // tr J = Σ_d e_dᵀ J e_d with all D vector-Jacobian products in one backward pass: the batch is replicated
        // for a chunk of coordinates d (fields act on each sample independently), copy d gets the cotangent e_d,
        // and ∂v_d/∂x_d is read off its gradient. Chunks bound the replicated batch to about kRows rows.
        constexpr int64_t kRows = 32768;
        const int64_t chunk = std::max<int64_t>(1, std::min<int64_t>(dimension, kRows / std::max<int64_t>(batch, 1)));
        for (int64_t first = 0; first < dimension; first += chunk) {
            const int64_t count = std::min(chunk, dimension - first);
            const at::Tensor copies = x.detach().repeat({count, 1}).requires_grad_(true);  // row c·B + b: sample b
            std::vector<int64_t> copiesShape{count * batch};
            copiesShape.insert(copiesShape.end(), base.eventShape().begin(), base.eventShape().end());
            const at::Tensor vc = base.project(field.forward(base.project(copies.reshape(copiesShape)), at::full({}, t, x.options())))
                                      .reshape({count * batch, dimension});
            const at::Tensor units =
                at::eye(dimension, x.options()).narrow(0, first, count).repeat_interleave(batch, 0);  // row c·B + b: e_{first+c}
            const at::Tensor g = torch::autograd::grad({vc}, {copies}, {units})[0];
            divergence += (g * units).sum(1).reshape({count, batch}).sum(0);
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
