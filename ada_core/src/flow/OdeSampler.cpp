#include "ada/flow/OdeSampler.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/GaussianBase.h"

namespace ada {

OdeResult transport(VectorField& field, const at::Tensor& x, double t0, double t1, const OdeOptions& options) {
    torch::NoGradGuard noGrad;
    const at::TensorOptions tensorOptions = x.options();
    const OdeFunction velocity = [&](const at::Tensor& y, double t) { return field.forward(y, at::full({}, t, tensorOptions)); };
    return integrateOde(velocity, x, t0, t1, options);
}

OdeSample sampleByOde(VectorField& field, int64_t count, const OdeOptions& options, at::Generator& generator) {
    OdeSample out;
    out.noise = GaussianBase::of(field).sample(count, field.tensorOptions(), generator);
    const OdeResult result = transport(field, out.noise, 0.0, 1.0, options);
    out.samples = result.state;
    out.functionEvaluations = result.functionEvaluations;
    return out;
}

}  // namespace ada
