#include "ada/models/ResidualVectorField.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/io/SpecError.h"

namespace ada {

ResidualVectorField::ResidualVectorField(std::shared_ptr<VectorField> base, const MLPVectorFieldOptions& correction) : base_(std::move(base)) {
    if (!base_)
        throw SpecError("residual vector field: no base field given");
    if (correction.dimension() != base_->flatDimension())
        throw SpecError("residual vector field: the correction has dimension " + std::to_string(correction.dimension()) +
                        ", the base field " + std::to_string(base_->flatDimension()));
    register_module("base", base_);
    for (at::Tensor& p : base_->parameters())
        p.requires_grad_(false);
    correction_ = register_module("correction", MLPVectorField(correction));
    const at::TensorOptions options = base_->tensorOptions();
    correction_->to(options.device(), options.dtype().toScalarType());
    torch::NoGradGuard noGrad;
    for (auto& p : correction_->named_parameters())
        if (p.key().rfind("output.", 0) == 0)
            p.value().zero_();
}

at::Tensor ResidualVectorField::forward(const at::Tensor& x, const at::Tensor& t) {
    at::Tensor c = correction_->forward(x.reshape({x.size(0), -1}), t);
    if (base_->zeroCentreOfMass()) {
        const std::vector<int64_t> shape = base_->eventShape();
        const at::Tensor p = c.reshape({x.size(0), shape[0], shape[1]});
        c = p - p.mean(1, true);
    }
    return base_->forward(x, t) + c.reshape(x.sizes());
}

nlohmann::json ResidualVectorField::config() const {
    return {{"base", {{"kind", base_->kind()}, {"config", base_->config()}}}, {"correction", correction_->options().toJson()}};
}

}  // namespace ada
