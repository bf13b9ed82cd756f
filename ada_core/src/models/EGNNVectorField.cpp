#include "ada/models/EGNNVectorField.h"

#include <cmath>

#include <ATen/ATen.h>
#include <torch/nn/modules/normalization.h>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

namespace {

// One EGNN layer (see the header). The edge MLP's first linear map acts on [h_i, h_j, d²_ij, ρ(r_ij)]; it is
// applied as W_a h_i + W_b h_j + w d²_ij + W_ρ ρ(r_ij) + b so that the node terms cost O(N) rather than O(N²) products.
class EGNNLayerImpl : public torch::nn::Module {
public:
    EGNNLayerImpl(int64_t hidden, bool updatesNodes, bool layerNorm, int64_t radialBasis) : hidden_(hidden), radialBasis_(radialBasis) {
        edgeIn_ = register_module("edge_in", torch::nn::Linear(2 * hidden + 1 + radialBasis, hidden));
        edgeOut_ = register_module("edge_out", torch::nn::Linear(hidden, hidden));
        coordinateHidden_ = register_module("coordinate_hidden", torch::nn::Linear(hidden, hidden));
        coordinateOut_ = register_module("coordinate_out", torch::nn::Linear(hidden, 1));
        if (updatesNodes) {
            nodeIn_ = register_module("node_in", torch::nn::Linear(2 * hidden, hidden));
            nodeOut_ = register_module("node_out", torch::nn::Linear(hidden, hidden));
        }
        if (layerNorm) {
            const auto norm = [hidden] { return torch::nn::LayerNorm(torch::nn::LayerNormOptions({hidden})); };
            edgeInNorm_ = register_module("edge_in_norm", norm());
            edgeOutNorm_ = register_module("edge_out_norm", norm());
            coordinateNorm_ = register_module("coordinate_norm", norm());
            if (updatesNodes)
                nodeNorm_ = register_module("node_norm", norm());
        }
    }

    /** SiLU of the (optionally layer-normalised) pre-activation z. */
    static at::Tensor activate(const at::Tensor& z, torch::nn::LayerNorm& norm) { return at::silu(norm ? norm->forward(z) : z); }

    /** Updates x [B, N, S] and h [B, N, H]; offDiagonal [N, N, 1] is 1 − δ_ij; radialCutoff is r_c of the radial basis. */
    void forward(at::Tensor& x, at::Tensor& h, const at::Tensor& offDiagonal, double offset, double layerRange, double radialCutoff) {
        const int64_t n = x.size(1);
        const at::Tensor diff = x.unsqueeze(2) - x.unsqueeze(1);               // x_i − x_j  [B, N, N, S]
        const at::Tensor d2 = diff.pow(2).sum(-1, true);                        // [B, N, N, 1]
        // sqrt(d² + 1e-12): coinciding particles (the diagonal i = j, or a collision) keep finite derivatives.
        const at::Tensor distance = (d2 + 1e-12).sqrt();
        const at::Tensor& w = edgeIn_->weight;                                  // [H, 2H + 1 + K]
        const at::Tensor hi = at::linear(h, w.narrow(1, 0, hidden_), edgeIn_->bias);
        const at::Tensor hj = at::matmul(h, w.narrow(1, hidden_, hidden_).t());
        at::Tensor pre = hi.unsqueeze(2) + hj.unsqueeze(1) + d2 * w.select(1, 2 * hidden_);
        if (radialBasis_ > 0) {
            const at::Tensor rho = gaussianRadialBasis(distance, radialBasis_, radialCutoff);  // [B, N, N, K]
            pre = pre + at::matmul(rho, w.narrow(1, 2 * hidden_ + 1, radialBasis_).t());
        }
        const at::Tensor m = activate(edgeOut_->forward(activate(pre, edgeInNorm_)), edgeOutNorm_) * offDiagonal;  // [B, N, N, H]
        at::Tensor phiX = coordinateOut_->forward(activate(coordinateHidden_->forward(m), coordinateNorm_));  // [B, N, N, 1]
        if (layerRange > 0)
            phiX = layerRange * at::tanh(phiX);
        const double mean = 1.0 / static_cast<double>(n - 1);
        x = x + (diff / (distance + offset) * phiX).sum(2) * mean;
        if (nodeIn_)
            h = h + nodeOut_->forward(activate(nodeIn_->forward(at::cat({h, m.sum(2) * mean}, -1)), nodeNorm_));
    }

private:
    int64_t hidden_, radialBasis_;
    torch::nn::Linear edgeIn_{nullptr}, edgeOut_{nullptr}, coordinateHidden_{nullptr}, coordinateOut_{nullptr};
    torch::nn::Linear nodeIn_{nullptr}, nodeOut_{nullptr};
    torch::nn::LayerNorm edgeInNorm_{nullptr}, edgeOutNorm_{nullptr}, coordinateNorm_{nullptr}, nodeNorm_{nullptr};
};
TORCH_MODULE(EGNNLayer);

}  // namespace

at::Tensor gaussianRadialBasis(const at::Tensor& distance, int64_t count, double cutoff) {
    const double width = count > 1 ? cutoff / static_cast<double>(count - 1) : cutoff;
    const at::Tensor centres = count > 1 ? at::linspace(0.0, cutoff, count, distance.options()) : at::zeros({count}, distance.options());
    return at::exp(-((distance - centres) / width).pow(2));
}

nlohmann::json EGNNVectorFieldOptions::toJson() const {
    nlohmann::json j = {{"particles", particles_},           {"spatial_dimension", spatialDimension_}, {"hidden", hidden_},
            {"layers", layers_},                 {"time_embedding", timeEmbedding_},       {"max_frequency", maxFrequency_},
            {"distance_offset", distanceOffset_}};
    if (coordinateRange_ > 0)  // unbounded fields keep the configuration they had before the option existed
        j["coordinate_range"] = coordinateRange_;
    if (layerNorm_)  // likewise
        j["layer_norm"] = true;
    if (radialBasis_ != 0) {  // likewise (a negative count is kept to be named in the error)
        j["radial_basis"] = radialBasis_;
        j["radial_cutoff"] = radialCutoff_;
    }
    return j;
}

EGNNVectorFieldOptions EGNNVectorFieldOptions::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    const EGNNVectorFieldOptions defaults(2, 3);
    return EGNNVectorFieldOptions(f.integer("particles"), f.integer("spatial_dimension"))
        .hidden(f.integer("hidden", static_cast<int>(defaults.hidden())))
        .layers(f.integer("layers", static_cast<int>(defaults.layers())))
        .timeEmbedding(f.integer("time_embedding", static_cast<int>(defaults.timeEmbedding())))
        .maxFrequency(f.number("max_frequency", defaults.maxFrequency()))
        .distanceOffset(f.number("distance_offset", defaults.distanceOffset()))
        .coordinateRange(f.number("coordinate_range", defaults.coordinateRange()))
        .layerNorm(f.boolean("layer_norm", defaults.layerNorm()))
        .radialBasis(f.integer("radial_basis", static_cast<int>(defaults.radialBasis())))
        .radialCutoff(f.number("radial_cutoff", defaults.radialCutoff()));
}

EGNNVectorFieldImpl::EGNNVectorFieldImpl(const EGNNVectorFieldOptions& options) : options_(options) {
    if (options.particles() < 2 || (options.spatialDimension() != 2 && options.spatialDimension() != 3) || options.hidden() < 1 ||
        options.layers() < 1 || !(options.distanceOffset() > 0) || !(options.coordinateRange() >= 0) || options.radialBasis() < 0 ||
        !(options.radialCutoff() > 0) || !std::isfinite(options.radialCutoff()))
        throw SpecError("egnn_vector_field: expected particles >= 2, spatial_dimension 2 or 3, positive hidden, layers and "
                        "distance_offset, coordinate_range >= 0, radial_basis >= 0 and a finite radial_cutoff > 0, found " +
                        options.toJson().dump());
    timeEmbedding_ = register_module("time_embedding", SinusoidalTimeEmbedding(options.timeEmbedding(), options.maxFrequency()));
    nodeEmbedding_ = register_module("node_embedding", torch::nn::Linear(options.timeEmbedding(), options.hidden()));
    layers_ = register_module("layers", torch::nn::ModuleList());
    for (int64_t l = 0; l < options.layers(); ++l)
        layers_->push_back(EGNNLayer(options.hidden(), l + 1 < options.layers(), options.layerNorm(), options.radialBasis()));
}

at::Tensor EGNNVectorFieldImpl::forward(const at::Tensor& xIn, const at::Tensor& t) {
    const int64_t n = options_.particles(), s = options_.spatialDimension();
    const bool flat = xIn.dim() == 2 && xIn.size(1) == n * s;
    if (!flat && !(xIn.dim() == 3 && xIn.size(1) == n && xIn.size(2) == s))
        throw SpecError("egnn_vector_field: expected x of shape [B, " + std::to_string(n) + ", " + std::to_string(s) + "] or [B, " +
                        std::to_string(n * s) + "], found " + c10::str(xIn.sizes()));
    const at::Tensor x0 = flat ? xIn.reshape({-1, n, s}) : xIn;
    const int64_t batch = x0.size(0);
    const at::Tensor offDiagonal = (1.0 - at::eye(n, x0.options())).unsqueeze(-1);
    at::Tensor h = nodeEmbedding_->forward(timeEmbedding_->forward(batchTimes(t, x0, "egnn_vector_field")));
    h = h.unsqueeze(1).expand({batch, n, options_.hidden()});
    at::Tensor x = x0;
    for (const auto& layer : *layers_)
        layer->as<EGNNLayerImpl>()->forward(x, h, offDiagonal, options_.distanceOffset(),
                                            options_.coordinateRange() / static_cast<double>(options_.layers()), options_.radialCutoff());
    at::Tensor v = x - x0;
    v = v - v.mean(1, true);
    return flat ? v.reshape({batch, n * s}) : v;
}

}  // namespace ada
