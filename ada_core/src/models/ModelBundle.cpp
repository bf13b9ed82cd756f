#include "ada/models/ModelBundle.h"

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/flow/ExponentialMovingAverage.h"
#include "ada/io/SpecError.h"
#include "ada/io/JsonFields.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/GaussianMixtureField.h"
#include "ada/models/MLPVectorField.h"
#include "ada/models/ResidualVectorField.h"
#include "ada/torch/TrainingState.h"

namespace ada {

namespace {

std::string dtypeName(at::ScalarType type) {
    switch (type) {
        case at::kFloat: return "float32";
        case at::kDouble: return "float64";
        default: return c10::toString(type);
    }
}

}  // namespace

std::shared_ptr<VectorField> buildVectorField(const std::string& kind, const nlohmann::json& config, const std::string& where) {
    if (kind == MLPVectorFieldImpl::bundleKind)
        return std::make_shared<MLPVectorFieldImpl>(MLPVectorFieldOptions::fromJson(config, where + ": config"));
    if (kind == EGNNVectorFieldImpl::bundleKind)
        return std::make_shared<EGNNVectorFieldImpl>(EGNNVectorFieldOptions::fromJson(config, where + ": config"));
    if (kind == GaussianMixtureField::bundleKind)
        return GaussianMixtureField::fromJson(config, where + ": config");
    if (kind == ResidualVectorField::bundleKind) {
        const JsonFields f(config, where + ": config");
        const JsonFields base(f.require("base"), f.path("base"));
        return std::make_shared<ResidualVectorField>(buildVectorField(base.string("kind"), base.require("config"), base.where()),
                                                     MLPVectorFieldOptions::fromJson(f.require("correction"), f.path("correction")));
    }
    throw SpecError(where + ": bundle kind \"" + kind + "\" is not a vector field (expected \"" + MLPVectorFieldImpl::bundleKind +
                    "\", \"" + EGNNVectorFieldImpl::bundleKind + "\", \"" + GaussianMixtureField::bundleKind + "\" or \"" +
                    ResidualVectorField::bundleKind + "\")");
}

std::shared_ptr<VectorField> buildVectorFieldLike(const VectorField& field, const std::string& where) {
    const at::TensorOptions options = field.tensorOptions();
    std::shared_ptr<VectorField> copy = buildVectorField(field.kind(), field.config(), where);
    copy->to(options.device(), options.dtype().toScalarType());
    return copy;
}

std::shared_ptr<VectorField> frozenCopy(const VectorField& field, const std::string& where) {
    std::shared_ptr<VectorField> copy = buildVectorFieldLike(field, where);
    copyWeights(field, *copy);
    for (at::Tensor& p : copy->parameters())
        p.set_requires_grad(false);
    return copy;
}

void storeVectorFieldTensors(VectorField& field, Bundle& bundle, const std::string& prefix) { storeModuleTensors(field, bundle, prefix); }

void restoreVectorFieldTensors(VectorField& field, const Bundle& bundle, const std::string& where, const std::string& prefix, bool exhaustive) {
    restoreModuleTensors(field, bundle, where, prefix, exhaustive);
}

Bundle vectorFieldBundle(VectorField& field) {
    Bundle bundle;
    bundle.kind = field.kind();
    bundle.config = field.config();
    bundle.config["dtype"] = dtypeName(field.tensorOptions().dtype().toScalarType());
    storeVectorFieldTensors(field, bundle);
    return bundle;
}

void saveVectorField(VectorField& field, const std::string& path) { vectorFieldBundle(field).write(path); }

std::shared_ptr<VectorField> vectorFieldFromBundle(const Bundle& bundle, const std::string& where, const at::TensorOptions& options) {
    nlohmann::json config = bundle.config;
    config.erase("dtype");
    std::shared_ptr<VectorField> field = buildVectorField(bundle.kind, config, where);
    field->to(options.device(), options.dtype().toScalarType());
    restoreVectorFieldTensors(*field, bundle, where);
    return field;
}

std::shared_ptr<VectorField> loadVectorField(const std::string& path, const at::TensorOptions& options) {
    return vectorFieldFromBundle(Bundle::read(path), path, options);
}

std::shared_ptr<VectorField> loadVectorField(const std::string& path) {
    const Bundle bundle = Bundle::read(path);
    const std::string dtype = bundle.config.value("dtype", std::string("float64"));
    if (dtype != "float32" && dtype != "float64")
        throw SpecError(path + ": config.dtype: expected \"float32\" or \"float64\", found \"" + dtype + "\"");
    return vectorFieldFromBundle(bundle, path, at::TensorOptions().dtype(dtype == "float32" ? at::kFloat : at::kDouble));
}

}  // namespace ada
