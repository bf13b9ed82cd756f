#pragma once
// A multilayer perceptron f: R^d -> R, evaluated with its input gradient by backpropagation:
//   h_0 = (y - shift) / scale,  z_l = W_l h_{l-1} + b_l,  h_l = act_l(z_l),  f = h_L (a scalar),
//   df/dy = (1/scale) * W_1^T diag(act_1'(z_1)) ... W_L^T diag(act_L'(z_L)).
// Activations: tanh, relu, silu, softplus, linear. The JSON form carries weights inline, or names a bundle
// file of kind "mlp" (config: activations, input_shift, input_scale; tensors layer<i>.weight, layer<i>.bias).
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ada/bias/BiasFunction.h"

namespace ada {

struct Bundle;

class MLPFunction : public BiasFunction {
public:
    enum class Activation { Tanh, ReLU, SiLU, Softplus, Linear };
    struct Layer {
        Eigen::MatrixXd weight;  // out x in
        Eigen::VectorXd bias;
        Activation activation;
    };

    MLPFunction(std::vector<Layer> layers, Eigen::VectorXd inputShift, Eigen::VectorXd inputScale, const std::string& where);
    static MLPFunction fromJson(const nlohmann::json& spec, const std::string& where);
    static MLPFunction fromBundle(const Bundle& bundle, const std::string& where);
    Bundle toBundle() const;

    std::string type() const override { return "mlp"; }
    int inputDimension() const override { return static_cast<int>(shift_.size()); }
    double evaluate(const double* y, double* gradient) const override;
    nlohmann::json toJson() const override;

    static Activation activationFromName(const std::string& name, const std::string& where);
    static std::string activationName(Activation activation);

private:
    std::vector<Layer> layers_;
    Eigen::VectorXd shift_, scale_;
};

}  // namespace ada
