#pragma once
// A multilayer perceptron f: R^d -> R, evaluated with its input gradient by backpropagation:
//   h_0 = (y - shift) / scale,  z_l = W_l h_{l-1} + b_l,  h_l = act_l(z_l),  f = h_L (a scalar),
//   df/dy = (1/scale) * W_1^T diag(act_1'(z_1)) ... W_L^T diag(act_L'(z_L)).
// A layer may instead be a 2-D convolution of the previous layer's output read as an image (Convolution2D.h):
// z_l = K_l * h_{l-1} + b_l, with the transposed convolution in place of W_l^T in the backward pass. That is
// how an image critic's CNN is exported exactly without writing its convolutions as (C·H·W)² dense matrices.
// Activations: tanh, relu, silu, softplus, linear. The JSON form carries weights inline, or names a bundle
// file of kind "mlp" (config: activations, input_shift, input_scale, and for convolution layers
// "convolutions": [{"layer", "input": [C, H, W], "stride", "padding"}]; tensors layer<i>.weight (2-D, or 4-D
// [C_out, C_in, k, k] for a convolution), layer<i>.bias). Inline, a convolution layer has
// "convolution": {"input": [C, H, W], "kernel", "stride", "padding"} and its "weight" rows are the output
// channels, each C·k·k entries (c, u, v row-major).
#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "ada/bias/BiasFunction.h"
#include "ada/bias/Convolution2D.h"

namespace ada {

struct Bundle;

class MLPFunction : public BiasFunction {
public:
    enum class Activation { Tanh, ReLU, SiLU, Softplus, Linear };
    struct Layer {
        Eigen::MatrixXd weight;  // out x in; for a convolution: output channels x (input channels · kernel²)
        Eigen::VectorXd bias;    // out; for a convolution: one per output channel
        Activation activation;
        std::optional<Convolution2D> convolution;  // empty: a dense layer
        int64_t inputSize() const { return convolution ? convolution->inputSize() : weight.cols(); }
        int64_t outputSize() const { return convolution ? convolution->outputSize() : weight.rows(); }
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
