#include "ada/torch/TrainingState.h"

#include <set>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/csrc/autograd/grad_mode.h>
#include <torch/nn/module.h>
#include <torch/optim/adam.h>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

std::vector<std::pair<std::string, at::Tensor>> namedTensors(const torch::nn::Module& module) {
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto& item : module.named_parameters())
        out.emplace_back(item.key(), item.value());
    for (const auto& item : module.named_buffers())
        out.emplace_back(item.key(), item.value());
    return out;
}

std::string adamKey(const at::Tensor& parameter) { return c10::guts::to_string(parameter.unsafeGetTensorImpl()); }

}  // namespace

BundleTensor toBundleTensor(const at::Tensor& tensor) {
    const at::Tensor values = tensor.detach().to(at::kCPU, at::kDouble).contiguous();
    BundleTensor out;
    out.shape.assign(values.sizes().begin(), values.sizes().end());
    out.values.assign(values.data_ptr<double>(), values.data_ptr<double>() + values.numel());
    return out;
}

at::Tensor fromBundleTensor(const BundleTensor& stored) {
    return at::from_blob(const_cast<double*>(stored.values.data()), at::IntArrayRef(stored.shape), at::kDouble).clone();
}

void storeModuleTensors(const torch::nn::Module& module, Bundle& bundle, const std::string& prefix) {
    for (const auto& [name, tensor] : namedTensors(module))
        bundle.tensors[prefix + name] = toBundleTensor(tensor);
}

void checkModuleTensors(const torch::nn::Module& module, const Bundle& bundle, const std::string& where, const std::string& prefix, bool exhaustive) {
    const auto tensors = namedTensors(module);
    std::set<std::string> expected;
    for (const auto& [name, tensor] : tensors) {
        expected.insert(prefix + name);
        const BundleTensor& stored = bundle.tensor(prefix + name, where);
        if (stored.shape != std::vector<int64_t>(tensor.sizes().begin(), tensor.sizes().end()))
            throw SpecError(where + ": tensor \"" + prefix + name + "\" has shape " + c10::str(at::IntArrayRef(stored.shape)) + ", the " +
                            module.name() + " needs " + c10::str(tensor.sizes()));
    }
    if (exhaustive)
        for (const auto& entry : bundle.tensors)
            if (entry.first.compare(0, prefix.size(), prefix) == 0 && !expected.count(entry.first))
                throw SpecError(where + ": unexpected tensor \"" + entry.first + "\" (not a parameter of this " + module.name() + ")");
}

void restoreModuleTensors(torch::nn::Module& module, const Bundle& bundle, const std::string& where, const std::string& prefix, bool exhaustive) {
    checkModuleTensors(module, bundle, where, prefix, exhaustive);
    const auto tensors = namedTensors(module);
    torch::NoGradGuard noGrad;
    for (const auto& [name, tensor] : tensors) {
        const BundleTensor& stored = bundle.tensors.at(prefix + name);
        at::Tensor target = tensor;
        target.copy_(at::from_blob(const_cast<double*>(stored.values.data()), tensor.sizes(), at::kDouble));
    }
}

void storeAdamState(const torch::optim::Adam& optimizer, const torch::nn::Module& module, Bundle& bundle, const std::string& prefix) {
    const auto& state = optimizer.state();
    for (const auto& item : module.named_parameters()) {
        auto it = state.find(adamKey(item.value()));
        if (it == state.end())
            continue;
        const auto& adam = static_cast<const torch::optim::AdamParamState&>(*it->second);
        bundle.tensors[prefix + item.key() + ".exp_avg"] = toBundleTensor(adam.exp_avg());
        bundle.tensors[prefix + item.key() + ".exp_avg_sq"] = toBundleTensor(adam.exp_avg_sq());
        bundle.tensors[prefix + item.key() + ".step"] = BundleTensor{{1}, {static_cast<double>(adam.step())}};
    }
}

StagedAdamState::StagedAdamState(const Bundle& bundle, const torch::nn::Module& module, const std::string& where, const std::string& prefix) {
    for (const auto& item : module.named_parameters()) {
        const std::string name = prefix + item.key();
        if (!bundle.tensors.count(name + ".step"))
            continue;
        auto state = std::make_unique<torch::optim::AdamParamState>();
        state->step(static_cast<int64_t>(bundle.tensor(name + ".step", where).values.at(0)));
        const auto moment = [&](const std::string& suffix) {
            const at::Tensor value = fromBundleTensor(bundle.tensor(name + suffix, where));
            if (!value.sizes().equals(item.value().sizes()))
                throw SpecError(where + ": tensor \"" + name + suffix + "\" has shape " + c10::str(value.sizes()) + ", the parameter has " +
                                c10::str(item.value().sizes()));
            return value.to(item.value().options());
        };
        state->exp_avg(moment(".exp_avg"));
        state->exp_avg_sq(moment(".exp_avg_sq"));
        states_.emplace_back(adamKey(item.value()), std::move(state));
    }
}

StagedAdamState::~StagedAdamState() = default;
StagedAdamState::StagedAdamState(StagedAdamState&&) noexcept = default;

void StagedAdamState::apply(torch::optim::Adam& optimizer) {
    auto& state = optimizer.state();
    state.clear();
    for (auto& entry : states_)
        state[entry.first] = std::move(entry.second);
    states_.clear();
}

BundleTensor generatorState(const at::Generator& generator) { return toBundleTensor(generator.get_state()); }

at::Generator generatorFromState(const Bundle& bundle, const std::string& name, const std::string& where) {
    const at::Tensor state = fromBundleTensor(bundle.tensor(name, where)).to(at::kByte);
    at::Generator generator = at::make_generator<at::CPUGeneratorImpl>(0);
    try {
        generator.set_state(state);
    } catch (const c10::Error& e) {
        throw SpecError(where + ": tensor \"" + name + "\" is not a CPU generator state (" + e.what_without_backtrace() + ")");
    }
    return generator;
}

}  // namespace ada
