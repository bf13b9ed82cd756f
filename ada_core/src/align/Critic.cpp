#include "ada/align/Critic.h"

#include <cmath>
#include <vector>

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/autograd.h>
#include <torch/nn/modules/conv.h>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

namespace {

// Written out (rather than at::softplus, which switches to z above 20) so that the MLPFunction export, which
// switches above 30, agrees to rounding everywhere.
at::Tensor activate(const std::string& name, const at::Tensor& z) {
    if (name == "tanh")
        return at::tanh(z);
    if (name == "silu")
        return at::silu(z);
    return at::where(z > 30, z, at::log1p(at::exp(at::clamp_max(z, 30))));
}

Eigen::MatrixXd matrixOf(const at::Tensor& t) {
    const at::Tensor c = t.detach().to(at::kDouble).contiguous();
    Eigen::MatrixXd m(c.size(0), c.size(1));
    const double* p = c.data_ptr<double>();
    for (int64_t r = 0; r < c.size(0); ++r)
        for (int64_t k = 0; k < c.size(1); ++k)
            m(r, k) = p[r * c.size(1) + k];
    return m;
}

Eigen::VectorXd vectorOf(const at::Tensor& t) {
    const at::Tensor c = t.detach().to(at::kDouble).contiguous();
    return Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.numel());
}

// f(y) = g(cos y, sin y) for an MLP g of 2d inputs [cos y_0..cos y_{d-1}, sin y_0..sin y_{d-1}] (the order of
// CriticImpl::forward), with df/dy_k = −sin y_k ∂g/∂u_k + cos y_k ∂g/∂u_{d+k}. Only tabulated into a spline,
// never written: the bias JSON has no such function type.
class AngleEmbeddedFunction : public BiasFunction {
public:
    explicit AngleEmbeddedFunction(MLPFunction g) : g_(std::move(g)) {}
    std::string type() const override { return "critic_of_angles"; }
    int inputDimension() const override { return g_.inputDimension() / 2; }
    double evaluate(const double* y, double* gradient) const override {
        const int d = inputDimension();
        std::vector<double> u(2 * d), du(2 * d);
        for (int k = 0; k < d; ++k) {
            u[k] = std::cos(y[k]);
            u[d + k] = std::sin(y[k]);
        }
        const double value = g_.evaluate(u.data(), gradient ? du.data() : nullptr);
        if (gradient)
            for (int k = 0; k < d; ++k)
                gradient[k] = -u[d + k] * du[k] + u[k] * du[d + k];
        return value;
    }
    nlohmann::json toJson() const override { throw SpecError("critic: a critic of angles is exported as a periodic spline"); }

private:
    MLPFunction g_;
};

// The two convolutions of an image critic (Critic.h): 3×3, padding 1, strides 1 and 2.
constexpr int64_t kStrides[2] = {1, 2};

// The input [channels, height, width] of each convolution of a height x width image, and the flattened size of
// the last one's output (the MLP's input).
struct ConvolutionInput {
    int64_t channels, height, width, stride;
    int64_t size() const { return channels * height * width; }
};
std::vector<ConvolutionInput> convolutionInputs(const std::vector<int64_t>& image, int64_t channels, int64_t* flattenedOutput) {
    std::vector<ConvolutionInput> inputs;
    ConvolutionInput in{1, image[0], image[1], 0};
    for (const int64_t stride : kStrides) {
        in.stride = stride;
        inputs.push_back(in);
        in = {channels, (in.height - 1) / stride + 1, (in.width - 1) / stride + 1, 0};  // 3×3, padding 1
    }
    *flattenedOutput = in.size();
    return inputs;
}

// A convolution of the critic as a layer of the exported function (the same kernel, run natively there).
MLPFunction::Layer exportedConvolution(const torch::nn::Conv2dImpl& conv, const ConvolutionInput& input, MLPFunction::Activation activation) {
    torch::NoGradGuard noGrad;
    const at::Tensor weight = conv.weight.detach().to(at::kDouble);
    Convolution2D geometry;
    geometry.inChannels = input.channels;
    geometry.height = input.height;
    geometry.width = input.width;
    geometry.outChannels = weight.size(0);
    geometry.kernel = weight.size(2);
    geometry.stride = input.stride;
    geometry.padding = 1;
    return {matrixOf(weight.reshape({weight.size(0), -1})), vectorOf(conv.bias), activation, geometry};
}

std::vector<int64_t> imageShapeOf(const JsonFields& f) {
    std::vector<int64_t> shape;
    for (double v : f.numbers("image")) {
        if (!(v >= 1) || v != std::floor(v) || v > 1e6)
            throw SpecError(f.path("image") + ": expected positive integers {height, width}");
        shape.push_back(static_cast<int64_t>(v));
    }
    return shape;
}

}  // namespace

nlohmann::json CriticOptions::toJson() const {
    nlohmann::json out = {{"dimension", dimension_}, {"hidden", hidden_}, {"layers", layers_}, {"activation", activation_}, {"seed", seed_}};
    if (periodic_)
        out["periodic"] = true;
    if (!image_.empty()) {
        out["image"] = image_;
        out["channels"] = channels_;
    }
    return out;
}

CriticOptions CriticOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    const CriticOptions defaults(1);
    return CriticOptions(f.integer("dimension"))
        .hidden(f.integer("hidden", static_cast<int>(defaults.hidden())))
        .layers(f.integer("layers", static_cast<int>(defaults.layers())))
        .activation(f.string("activation", defaults.activation()))
        .seed(static_cast<uint64_t>(f.integer("seed", 0)))
        .periodic(f.boolean("periodic", false))
        .image(f.has("image") ? imageShapeOf(f) : std::vector<int64_t>())
        .channels(f.integer64("channels", defaults.channels()));
}

CriticImpl::CriticImpl(const CriticOptions& options) : options_(options) {
    if (options.dimension() < 1 || options.hidden() < 1 || options.layers() < 1)
        throw SpecError("critic: dimension, hidden and layers must be positive, found " + options.toJson().dump());
    if (options.activation() != "tanh" && options.activation() != "softplus" && options.activation() != "silu")
        throw SpecError("critic.activation: expected tanh, softplus or silu (smooth, for a continuous bias force), found \"" +
                        options.activation() + "\"");
    const std::vector<int64_t>& image = options.image();
    if (!image.empty() && (image.size() != 2 || image[0] < 1 || image[1] < 1 || image[0] * image[1] != options.dimension() ||
                           options.channels() < 1 || options.periodic()))
        throw SpecError("critic: an image critic needs image = {height, width} with height · width = dimension, channels >= 1 and no "
                        "periodic inputs, found " + options.toJson().dump());
    convolutions_ = register_module("convolutions", torch::nn::ModuleList());
    int64_t in = options.periodic() ? 2 * options.dimension() : options.dimension();
    if (!image.empty())
        for (const ConvolutionInput& input : convolutionInputs(image, options.channels(), &in))
            convolutions_->push_back(torch::nn::Conv2d(torch::nn::Conv2dOptions(input.channels, options.channels(), 3).stride(input.stride).padding(1)));
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int64_t l = 0; l < options.layers(); ++l) {
        layers_->push_back(torch::nn::Linear(in, options.hidden()));
        in = options.hidden();
    }
    output_ = register_module("output", torch::nn::Linear(in, 1));
    shift_ = register_buffer("input_shift", at::zeros({options.dimension()}));
    scale_ = register_buffer("input_scale", at::ones({options.dimension()}));

    at::Generator g = at::make_generator<at::CPUGeneratorImpl>(options.seed());
    torch::NoGradGuard noGrad;
    std::vector<torch::nn::Linear> linears;
    for (const auto& layer : *layers_)
        linears.emplace_back(std::dynamic_pointer_cast<torch::nn::LinearImpl>(layer));
    linears.push_back(output_);
    for (const auto& module : *convolutions_) {
        auto* conv = module->as<torch::nn::Conv2d>();
        const double bound = 1.0 / std::sqrt(static_cast<double>(conv->weight[0].numel()));
        conv->weight.uniform_(-bound, bound, g);
        conv->bias.uniform_(-bound, bound, g);
    }
    for (auto& linear : linears) {
        const double bound = 1.0 / std::sqrt(static_cast<double>(linear->options.in_features()));
        linear->weight.uniform_(-bound, bound, g);
        linear->bias.uniform_(-bound, bound, g);
    }
}

at::Tensor CriticImpl::forward(const at::Tensor& y) {
    if (y.dim() != 2 || y.size(1) != options_.dimension())
        throw SpecError("critic: expected observable samples of shape [B, " + std::to_string(options_.dimension()) + "], found " +
                        c10::str(y.sizes()));
    at::Tensor h = options_.periodic() ? at::cat({at::cos(y), at::sin(y)}, 1) : (y - shift_) / scale_;
    if (!options_.image().empty()) {
        h = h.reshape({y.size(0), 1, options_.image()[0], options_.image()[1]});
        for (const auto& conv : *convolutions_)
            h = activate(options_.activation(), conv->as<torch::nn::Conv2d>()->forward(h));
        h = h.flatten(1);
    }
    for (const auto& layer : *layers_)
        h = activate(options_.activation(), layer->as<torch::nn::Linear>()->forward(h));
    return output_->forward(h).squeeze(1);
}

void CriticImpl::standardize(const at::Tensor& y) {
    if (y.dim() != 2 || y.size(1) != options_.dimension() || y.size(0) < 1)
        throw SpecError("critic: standardize needs samples of shape [B >= 1, " + std::to_string(options_.dimension()) + "], found " +
                        c10::str(y.sizes()));
    if (options_.periodic()) {
        standardized_ = true;
        return;
    }
    torch::NoGradGuard noGrad;
    const at::Tensor yc = y.to(shift_.scalar_type());
    if (!options_.image().empty()) {  // one shift and scale for all pixels
        const at::Tensor spread = yc.numel() > 1 ? yc.std() : at::zeros({}, yc.options());
        shift_.fill_(yc.mean());
        scale_.fill_(spread.item<double>() > 0 ? spread : at::ones_like(spread));
        standardized_ = true;
        return;
    }
    const at::Tensor spread = y.size(0) > 1 ? yc.std(0) : at::zeros_like(shift_);
    shift_.copy_(yc.mean(0));
    scale_.copy_(at::where(spread > 0, spread, at::ones_like(spread)));
    standardized_ = true;
}

MLPFunction CriticImpl::toBiasFunction(double factor) const {
    if (options_.periodic())
        throw SpecError("critic: a critic of angles (periodic) is exported as a periodic spline (toSpline), not as an MLP of the raw angle");
    return networkFunction(factor);
}

MLPFunction CriticImpl::networkFunction(double factor) const {
    if (!std::isfinite(factor))
        throw SpecError("critic: the factor of an exported bias function must be finite, found " + std::to_string(factor));
    const MLPFunction::Activation act = MLPFunction::activationFromName(options_.activation(), "critic.activation");
    std::vector<MLPFunction::Layer> layers;
    if (!options_.image().empty()) {
        int64_t flattened = 0;
        const std::vector<ConvolutionInput> inputs = convolutionInputs(options_.image(), options_.channels(), &flattened);
        for (size_t k = 0; k < inputs.size(); ++k)
            layers.push_back(exportedConvolution(*convolutions_->ptr(k)->as<torch::nn::Conv2d>(), inputs[k], act));
    }
    for (const auto& layer : *layers_) {
        const auto* linear = layer->as<torch::nn::Linear>();
        layers.push_back({matrixOf(linear->weight), vectorOf(linear->bias), act});
    }
    layers.push_back({factor * matrixOf(output_->weight), factor * vectorOf(output_->bias), MLPFunction::Activation::Linear});
    if (options_.periodic()) {
        const Eigen::Index n = 2 * options_.dimension();
        return MLPFunction(std::move(layers), Eigen::VectorXd::Zero(n), Eigen::VectorXd::Ones(n), "critic");
    }
    return MLPFunction(std::move(layers), vectorOf(shift_), vectorOf(scale_), "critic");
}

Spline CriticImpl::toSpline(double lo, double hi, int points, bool periodic, double factor) const {
    if (options_.dimension() != 1)
        throw SpecError("critic: a spline tabulates a 1-D observable, this critic has dimension " + std::to_string(options_.dimension()));
    if (options_.periodic())
        return Spline::tabulate(AngleEmbeddedFunction(networkFunction(factor)), lo, hi, points, periodic, "critic spline");
    return Spline::tabulate(networkFunction(factor), lo, hi, points, periodic, "critic spline");
}

}  // namespace ada
