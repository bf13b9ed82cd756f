#include "ada/align/AlignmentTarget.h"

#include <algorithm>
#include <memory>

#include <ATen/ATen.h>
#include <torch/csrc/autograd/grad_mode.h>

#include "ada/io/SpecError.h"
#include "ada/observables/Observable.h"
#include "ada/torch/ObservableOp.h"

namespace ada {

at::Tensor checkedTargetData(const at::Tensor& data, int64_t dimension, const std::string& where) {
    if (!data.defined() || data.dim() != 2)
        throw SpecError(where + ": expected experimental samples of shape [m, " + std::to_string(dimension) + "], found " +
                        (data.defined() ? c10::str(data.sizes()) : std::string("nothing")));
    if (data.size(1) != dimension)
        throw SpecError(where + ": the samples have dimension " + std::to_string(data.size(1)) + ", the observable has dimension " +
                        std::to_string(dimension));
    if (data.size(0) == 0)
        throw SpecError(where + ": no samples (the file is empty)");
    const at::Tensor out = data.to(at::kDouble).contiguous();
    if (!at::isfinite(out).all().item<bool>())
        throw SpecError(where + ": the samples contain NaN or infinite values");
    return out;
}

std::vector<at::Tensor> observeTargets(const std::vector<AlignmentTarget>& targets, const at::Tensor& samples) {
    torch::NoGradGuard noGrad;
    std::vector<at::Tensor> out;
    for (const AlignmentTarget& t : targets)
        out.push_back(t.observe(samples).detach().to(at::kDouble).contiguous());
    return out;
}

AlignmentTarget modelObservableTarget(const std::string& name, const nlohmann::json& observable, const DataPreparation& preparation,
                                      const std::vector<int64_t>& eventShape, const at::Tensor& data, const std::string& where) {
    std::shared_ptr<const Observable> o = makeObservable(observable, where);
    int64_t modelled = 1;
    for (int64_t n : eventShape)
        modelled *= n;
    if (modelled % 3 != 0)
        throw SpecError(where + ": the model's samples have " + std::to_string(modelled) + " coordinates, not positions [N, 3]");
    modelled /= 3;
    // System atom of each modelled particle, and the system size the observable sees.
    std::vector<int64_t> systemAtom(static_cast<size_t>(modelled));
    for (int64_t k = 0; k < modelled; ++k)
        systemAtom[k] = preparation.atoms.empty() ? k : preparation.atoms.at(static_cast<size_t>(k));
    int64_t systemSize = preparation.atoms.empty() ? modelled : std::max<int64_t>(preparation.numSystemAtoms, 0);
    for (int64_t a : systemAtom)
        systemSize = std::max(systemSize, a + 1);
    for (int a : o->atoms())
        if (std::find(systemAtom.begin(), systemAtom.end(), static_cast<int64_t>(a)) == systemAtom.end())
            throw SpecError(where + ": the observable uses atom " + std::to_string(a) + ", which the model does not contain (it models " +
                            std::to_string(modelled) + " atoms" + (preparation.atoms.empty() ? std::string(", 0.." + std::to_string(modelled - 1)) : std::string()) +
                            ")");
    AlignmentTarget target;
    target.name = name;
    target.observable = o->toJson();
    target.angle = o->isAngle() && o->dimension() == 1;
    target.image = o->imageShape();
    target.data = checkedTargetData(data, o->dimension(), where);
    const at::Tensor index = at::tensor(systemAtom, at::kLong);
    const double scale = preparation.scale;
    target.observe = [o, index, systemSize, modelled, scale](const at::Tensor& y) {
        const at::Tensor x = (scale * y).reshape({y.size(0), modelled, 3});
        const at::Tensor positions = at::zeros({y.size(0), systemSize, 3}, x.options()).index_copy(1, index, x);
        return evaluateObservable(*o, positions);
    };
    return target;
}

}  // namespace ada
