#pragma once
// Training state in bundles (io/Bundle.h), written once for every trainer that checkpoints (flow matching,
// adjoint matching, critics, ADA): module tensors, Adam moments, CPU generator states. Values are stored as
// float64 (exact for float32 and float64 tensors), so a resumed run continues bitwise where it stopped.
// Restoring is two-phase where it matters: read and check everything, then assign, so that a bad checkpoint
// leaves the trainer unchanged.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include "ada/io/Bundle.h"

namespace torch {
namespace nn {
class Module;
}
namespace optim {
class Adam;
class OptimizerParamState;
}  // namespace optim
}  // namespace torch

namespace ada {

BundleTensor toBundleTensor(const at::Tensor& tensor);
/** A float64 CPU tensor with the stored shape and values. */
at::Tensor fromBundleTensor(const BundleTensor& stored);

/** Parameters and buffers of `module` as "<prefix><name>". */
void storeModuleTensors(const torch::nn::Module& module, Bundle& bundle, const std::string& prefix);
/** Checks that the bundle holds every parameter and buffer of `module` as "<prefix><name>" with its shape (SpecError
 *  naming `where` otherwise); with exhaustive, also that it holds no other tensor under the prefix. Changes nothing. */
void checkModuleTensors(const torch::nn::Module& module, const Bundle& bundle, const std::string& where, const std::string& prefix,
                        bool exhaustive = true);
/** The reverse of storeModuleTensors; checks every shape first (SpecError naming `where`); with exhaustive, also rejects stored
 *  tensors under the prefix that the module does not have. */
void restoreModuleTensors(torch::nn::Module& module, const Bundle& bundle, const std::string& where, const std::string& prefix,
                          bool exhaustive = true);

/** Adam moments and step counts of the parameters of `module`, as "<prefix><name>.exp_avg|exp_avg_sq|step". */
void storeAdamState(const torch::optim::Adam& optimizer, const torch::nn::Module& module, Bundle& bundle, const std::string& prefix);

/** Adam state read from a bundle and checked against the parameters of a module, ready to be applied. */
class StagedAdamState {
public:
    StagedAdamState(const Bundle& bundle, const torch::nn::Module& module, const std::string& where, const std::string& prefix);
    ~StagedAdamState();
    StagedAdamState(StagedAdamState&&) noexcept;
    /** Replaces the optimizer's state (the optimizer must hold the parameters of the same module). */
    void apply(torch::optim::Adam& optimizer);

private:
    std::vector<std::pair<std::string, std::unique_ptr<torch::optim::OptimizerParamState>>> states_;
};

BundleTensor generatorState(const at::Generator& generator);
/** A CPU generator with the stored state (SpecError naming `where` if it is not one). */
at::Generator generatorFromState(const Bundle& bundle, const std::string& name, const std::string& where);

}  // namespace ada
