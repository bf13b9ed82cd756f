#include "ada/models/ModelBundle.h"

#include <set>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/io/SpecError.h"
#include "ada/models/EGNNVectorField.h"
#include "ada/models/MLPVectorField.h"

namespace ada {

namespace {

std::vector<std::pair<std::string, at::Tensor>> namedTensors(VectorField& field) {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& item : field.named_parameters())
        out.emplace_back(item.key(), item.value());
    for (const auto& item : field.named_buffers())
        out.emplace_back(item.key(), item.value());
    return out;
}

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
    throw SpecError(where + ": bundle kind \"" + kind + "\" is not a vector field (expected \"" + MLPVectorFieldImpl::bundleKind +
                    "\" or \"" + EGNNVectorFieldImpl::bundleKind + "\")");
}

void storeVectorFieldTensors(VectorField& field, Bundle& bundle, const std::string& prefix) {
    for (const auto& [name, tensor] : namedTensors(field)) {
        const at::Tensor values = tensor.detach().to(at::kCPU, at::kDouble).contiguous();
        BundleTensor stored;
        stored.shape.assign(values.sizes().begin(), values.sizes().end());
        stored.values.assign(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
        bundle.tensors[prefix + name] = std::move(stored);
    }
}

void restoreVectorFieldTensors(VectorField& field, const Bundle& bundle, const std::string& where, const std::string& prefix, bool exhaustive) {
    const auto tensors = namedTensors(field);
    std::set<std::string> expected;
    // Check everything first, so that a bad bundle leaves the field unchanged.
    for (const auto& [name, tensor] : tensors) {
        expected.insert(prefix + name);
        const BundleTensor& stored = bundle.tensor(prefix + name, where);
        if (stored.shape != std::vector<int64_t>(tensor.sizes().begin(), tensor.sizes().end()))
            throw SpecError(where + ": tensor \"" + prefix + name + "\" has shape " + c10::str(at::IntArrayRef(stored.shape)) +
                            ", the " + bundle.kind + " config needs " + c10::str(tensor.sizes()));
    }
    if (exhaustive)
        for (const auto& entry : bundle.tensors)
            if (entry.first.compare(0, prefix.size(), prefix) == 0 && !expected.count(entry.first))
                throw SpecError(where + ": unexpected tensor \"" + entry.first + "\" (not a parameter of this " + field.kind() + ")");
    torch::NoGradGuard noGrad;
    for (const auto& [name, tensor] : tensors) {
        const BundleTensor& stored = bundle.tensors.at(prefix + name);
        const at::Tensor values = at::from_blob(const_cast<double*>(stored.values.data()), tensor.sizes(), at::kDouble);
        tensor.copy_(values);
    }
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
