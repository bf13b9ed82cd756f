#include "ada/bias/MLPFunction.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/io/Bundle.h"
#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

using nlohmann::json;

namespace {

double activate(MLPFunction::Activation a, double z, double& derivative) {
    switch (a) {
    case MLPFunction::Activation::Tanh: {
        const double t = std::tanh(z);
        derivative = 1 - t * t;
        return t;
    }
    case MLPFunction::Activation::ReLU:
        derivative = z > 0 ? 1.0 : 0.0;
        return z > 0 ? z : 0.0;
    case MLPFunction::Activation::SiLU: {
        const double s = 1 / (1 + std::exp(-z));
        derivative = s * (1 + z * (1 - s));
        return z * s;
    }
    case MLPFunction::Activation::Softplus:
        derivative = 1 / (1 + std::exp(-z));
        return z > 30 ? z : std::log1p(std::exp(z));
    case MLPFunction::Activation::Linear:
    default:
        derivative = 1.0;
        return z;
    }
}

Eigen::VectorXd vectorOf(const std::vector<double>& v) { return Eigen::Map<const Eigen::VectorXd>(v.data(), v.size()); }

// Positive integers of a list field (sizes), at most 1e6 each.
std::vector<int64_t> sizesOf(const JsonFields& f, const std::string& key, size_t count) {
    const std::vector<double> values = f.numbers(key);
    if (values.size() != count)
        throw SpecError(f.path(key) + ": expected " + std::to_string(count) + " sizes, found " + std::to_string(values.size()));
    std::vector<int64_t> sizes;
    for (double v : values) {
        if (!(v >= 1) || v != std::floor(v) || v > 1e6)
            throw SpecError(f.path(key) + ": expected positive integers, found " + std::to_string(v));
        sizes.push_back(static_cast<int64_t>(v));
    }
    return sizes;
}

// A convolution's geometry from {"input": [C, H, W], "kernel", "stride", "padding"}; the output channels and,
// when kernelFromWeight > 0, the kernel size come from the weight.
Convolution2D convolutionOf(const json& spec, const std::string& where, int64_t outChannels, int64_t kernelFromWeight) {
    const JsonFields f(spec, where);
    const std::vector<int64_t> input = sizesOf(f, "input", 3);
    Convolution2D conv;
    conv.inChannels = input[0];
    conv.height = input[1];
    conv.width = input[2];
    conv.outChannels = outChannels;
    conv.kernel = kernelFromWeight > 0 ? kernelFromWeight : f.integer64("kernel", 3);
    conv.stride = f.integer64("stride", 1);
    conv.padding = f.integer64("padding", (conv.kernel - 1) / 2);
    return conv;
}

json geometryOf(const Convolution2D& conv) {
    return {{"input", {conv.inChannels, conv.height, conv.width}}, {"stride", conv.stride}, {"padding", conv.padding}};
}

}  // namespace

MLPFunction::Activation MLPFunction::activationFromName(const std::string& name, const std::string& where) {
    if (name == "tanh")
        return Activation::Tanh;
    if (name == "relu")
        return Activation::ReLU;
    if (name == "silu")
        return Activation::SiLU;
    if (name == "softplus")
        return Activation::Softplus;
    if (name == "linear")
        return Activation::Linear;
    throw SpecError(where + ": unknown activation \"" + name + "\" (expected tanh, relu, silu, softplus or linear)");
}

std::string MLPFunction::activationName(Activation a) {
    switch (a) {
    case Activation::Tanh: return "tanh";
    case Activation::ReLU: return "relu";
    case Activation::SiLU: return "silu";
    case Activation::Softplus: return "softplus";
    default: return "linear";
    }
}

MLPFunction::MLPFunction(std::vector<Layer> layers, Eigen::VectorXd inputShift, Eigen::VectorXd inputScale,
                         const std::string& where)
    : layers_(std::move(layers)), shift_(std::move(inputShift)), scale_(std::move(inputScale)) {
    if (layers_.empty())
        throw SpecError(where + ": an mlp needs at least one layer");
    // The layers first: a convolution's sizes are checked before any vector of its input size is made.
    for (size_t l = 0; l < layers_.size(); ++l) {
        const Layer& layer = layers_[l];
        const std::string at = where + ".layers[" + std::to_string(l) + "]";
        if (layer.convolution)
            layer.convolution->check(layer.weight, layer.bias, at);
        else if (layer.bias.size() != layer.weight.rows())
            throw SpecError(at + ": bias has " + std::to_string(layer.bias.size()) + " entries but weight has " +
                            std::to_string(layer.weight.rows()) + " rows");
        if (l > 0 && layer.inputSize() != layers_[l - 1].outputSize())
            throw SpecError(at + ": takes " + std::to_string(layer.inputSize()) + " inputs but the previous layer has " +
                            std::to_string(layers_[l - 1].outputSize()) + " outputs");
        if (!layer.weight.allFinite() || !layer.bias.allFinite())
            throw SpecError(at + ": NaN or infinite weight");
    }
    const Eigen::Index in = layers_.front().inputSize();
    if (shift_.size() == 0)
        shift_ = Eigen::VectorXd::Zero(in);
    if (scale_.size() == 0)
        scale_ = Eigen::VectorXd::Ones(in);
    if (shift_.size() != in || scale_.size() != in)
        throw SpecError(where + ": input_shift and input_scale must have " + std::to_string(in) + " entries (the first layer's input size)");
    for (Eigen::Index k = 0; k < in; ++k)
        if (!(scale_(k) != 0.0) || !std::isfinite(scale_(k)))
            throw SpecError(where + ".input_scale[" + std::to_string(k) + "]: must be finite and non-zero");
    if (layers_.back().outputSize() != 1)
        throw SpecError(where + ": the last layer must have one output, found " + std::to_string(layers_.back().outputSize()));
}

MLPFunction MLPFunction::fromJson(const json& spec, const std::string& where) {
    JsonFields f(spec, where);
    const json& list = f.require("layers");
    if (!list.is_array())
        throw SpecError(f.path("layers") + ": expected a list of layers");
    std::vector<Layer> layers;
    for (size_t l = 0; l < list.size(); ++l) {
        const std::string at = f.path("layers") + "[" + std::to_string(l) + "]";
        JsonFields lf(list[l], at);
        const json& rows = lf.require("weight");
        if (!rows.is_array() || rows.empty())
            throw SpecError(lf.path("weight") + ": expected a non-empty list of rows");
        Layer layer;
        for (size_t r = 0; r < rows.size(); ++r) {
            std::vector<double> row = finiteNumbers(rows[r], lf.path("weight") + "[" + std::to_string(r) + "]");
            if (r == 0)
                layer.weight.resize(rows.size(), row.size());
            else if (static_cast<Eigen::Index>(row.size()) != layer.weight.cols())
                throw SpecError(lf.path("weight") + "[" + std::to_string(r) + "]: rows differ in length");
            for (size_t c = 0; c < row.size(); ++c)
                layer.weight(r, c) = row[c];
        }
        layer.bias = vectorOf(lf.numbers("bias"));
        layer.activation = activationFromName(lf.string("activation", l + 1 == list.size() ? "linear" : "tanh"), lf.path("activation"));
        if (lf.has("convolution"))
            layer.convolution = convolutionOf(lf.require("convolution"), lf.path("convolution"), layer.weight.rows(), 0);
        layers.push_back(std::move(layer));
    }
    Eigen::VectorXd shift = f.has("input_shift") ? vectorOf(f.numbers("input_shift")) : Eigen::VectorXd();
    Eigen::VectorXd scale = f.has("input_scale") ? vectorOf(f.numbers("input_scale")) : Eigen::VectorXd();
    return MLPFunction(std::move(layers), shift, scale, where);
}

MLPFunction MLPFunction::fromBundle(const Bundle& bundle, const std::string& where) {
    if (bundle.kind != "mlp")
        throw SpecError(where + ": expected a bundle of kind \"mlp\", found \"" + bundle.kind + "\"");
    JsonFields f(bundle.config, where + " (bundle config)");
    const json& acts = f.require("activations");
    if (!acts.is_array())
        throw SpecError(f.path("activations") + ": expected a list of names");
    // Geometry of the convolution layers, by layer index.
    std::vector<const json*> geometry(acts.size(), nullptr);
    if (f.has("convolutions")) {
        const json& list = f.require("convolutions");
        if (!list.is_array())
            throw SpecError(f.path("convolutions") + ": expected a list of {layer, input, stride, padding}");
        for (size_t k = 0; k < list.size(); ++k) {
            const JsonFields cf(list[k], f.path("convolutions") + "[" + std::to_string(k) + "]");
            const int layer = cf.integer("layer");
            if (layer < 0 || static_cast<size_t>(layer) >= acts.size() || geometry[static_cast<size_t>(layer)])
                throw SpecError(cf.path("layer") + ": " + std::to_string(layer) + " is not a layer index (0.." + std::to_string(acts.size() - 1) +
                                ") or is given twice");
            geometry[static_cast<size_t>(layer)] = &list[k];
        }
    }
    std::vector<Layer> layers;
    for (size_t l = 0; l < acts.size(); ++l) {
        const std::string name = "layer" + std::to_string(l);
        const BundleTensor& w = bundle.tensor(name + ".weight", where);
        const BundleTensor& b = bundle.tensor(name + ".bias", where);
        const bool convolution = geometry[l] != nullptr;
        if (w.shape.size() != (convolution ? 4u : 2u) || b.shape.size() != 1 || (convolution && w.shape[2] != w.shape[3]))
            throw SpecError(where + ": " + name + " weight must be " + (convolution ? "4-D [out, in, k, k] (a convolution)" : "2-D") +
                            " and bias 1-D");
        Layer layer;
        const int64_t rows = w.shape[0], cols = static_cast<int64_t>(w.values.size()) / std::max<int64_t>(rows, 1);
        layer.weight = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(w.values.data(), rows, cols);
        if (convolution) {
            layer.convolution = convolutionOf(*geometry[l], f.path("convolutions") + " (layer " + std::to_string(l) + ")", rows, w.shape[2]);
            if (w.shape[1] != layer.convolution->inChannels)
                throw SpecError(where + ": " + name + " weight has " + std::to_string(w.shape[1]) + " input channels but its input has " +
                                std::to_string(layer.convolution->inChannels));
        }
        layer.bias = vectorOf(b.values);
        if (!acts[l].is_string())
            throw SpecError(f.path("activations") + "[" + std::to_string(l) + "]: expected a name");
        layer.activation = activationFromName(acts[l].get<std::string>(), f.path("activations"));
        layers.push_back(std::move(layer));
    }
    Eigen::VectorXd shift = f.has("input_shift") ? vectorOf(f.numbers("input_shift")) : Eigen::VectorXd();
    Eigen::VectorXd scale = f.has("input_scale") ? vectorOf(f.numbers("input_scale")) : Eigen::VectorXd();
    return MLPFunction(std::move(layers), shift, scale, where);
}

Bundle MLPFunction::toBundle() const {
    Bundle bundle;
    bundle.kind = "mlp";
    json acts = json::array(), convolutions = json::array();
    for (size_t l = 0; l < layers_.size(); ++l) {
        const Layer& layer = layers_[l];
        acts.push_back(activationName(layer.activation));
        BundleTensor w, b;
        w.shape = {layer.weight.rows(), layer.weight.cols()};
        if (const auto& conv = layer.convolution) {
            w.shape = {conv->outChannels, conv->inChannels, conv->kernel, conv->kernel};
            json g = geometryOf(*conv);
            g["layer"] = l;
            convolutions.push_back(g);
        }
        for (Eigen::Index r = 0; r < layer.weight.rows(); ++r)
            for (Eigen::Index c = 0; c < layer.weight.cols(); ++c)
                w.values.push_back(layer.weight(r, c));
        b.shape = {layer.bias.size()};
        b.values.assign(layer.bias.data(), layer.bias.data() + layer.bias.size());
        bundle.tensors["layer" + std::to_string(l) + ".weight"] = w;
        bundle.tensors["layer" + std::to_string(l) + ".bias"] = b;
    }
    bundle.config = {{"activations", acts},
                     {"input_shift", std::vector<double>(shift_.data(), shift_.data() + shift_.size())},
                     {"input_scale", std::vector<double>(scale_.data(), scale_.data() + scale_.size())}};
    if (!convolutions.empty())
        bundle.config["convolutions"] = convolutions;
    return bundle;
}

double MLPFunction::evaluate(const double* y, double* gradient) const {
    // Forward pass keeping each layer's activation derivative for the backward pass.
    thread_local std::vector<Eigen::VectorXd> derivs;
    derivs.resize(layers_.size());
    Eigen::VectorXd h = (Eigen::Map<const Eigen::VectorXd>(y, shift_.size()) - shift_).cwiseQuotient(scale_);
    for (size_t l = 0; l < layers_.size(); ++l) {
        const Layer& layer = layers_[l];
        Eigen::VectorXd z;
        if (layer.convolution) {
            z.resize(layer.convolution->outputSize());
            layer.convolution->forward(layer.weight, layer.bias, h.data(), z.data());
        } else {
            z = layer.weight * h + layer.bias;
        }
        derivs[l].resize(z.size());
        for (Eigen::Index i = 0; i < z.size(); ++i)
            z(i) = activate(layer.activation, z(i), derivs[l](i));
        h = std::move(z);
    }
    if (gradient) {
        Eigen::VectorXd g = derivs.back();
        for (size_t l = layers_.size(); l-- > 0;) {
            if (const auto& conv = layers_[l].convolution) {
                Eigen::VectorXd gIn(conv->inputSize());
                conv->backward(layers_[l].weight, g.data(), gIn.data());
                g = std::move(gIn);
            } else {
                g = layers_[l].weight.transpose() * g;
            }
            if (l > 0)
                g = g.cwiseProduct(derivs[l - 1]);
        }
        g = g.cwiseQuotient(scale_);
        for (Eigen::Index i = 0; i < g.size(); ++i)
            gradient[i] = g(i);
    }
    return h(0);
}

json MLPFunction::toJson() const {
    json layers = json::array();
    for (const Layer& layer : layers_) {
        json rows = json::array();
        for (Eigen::Index r = 0; r < layer.weight.rows(); ++r) {
            std::vector<double> row(layer.weight.cols());
            for (Eigen::Index c = 0; c < layer.weight.cols(); ++c)
                row[c] = layer.weight(r, c);
            rows.push_back(row);
        }
        layers.push_back({{"weight", rows},
                          {"bias", std::vector<double>(layer.bias.data(), layer.bias.data() + layer.bias.size())},
                          {"activation", activationName(layer.activation)}});
        if (const auto& conv = layer.convolution) {
            json g = geometryOf(*conv);
            g["kernel"] = conv->kernel;
            layers.back()["convolution"] = g;
        }
    }
    return {{"type", "mlp"},
            {"layers", layers},
            {"input_shift", std::vector<double>(shift_.data(), shift_.data() + shift_.size())},
            {"input_scale", std::vector<double>(scale_.data(), scale_.data() + scale_.size())}};
}

}  // namespace ada
