#include "ada/models/GaussianMixtureField.h"

#include <cmath>

#include <ATen/ATen.h>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

namespace {

at::Tensor tensorFromJson(const nlohmann::json& value, const std::string& where) {
    try {
        const std::vector<std::vector<double>> rows = value.get<std::vector<std::vector<double>>>();
        if (rows.empty() || rows[0].empty())
            throw SpecError(where + ": expected a non-empty matrix");
        at::Tensor out = at::empty({static_cast<int64_t>(rows.size()), static_cast<int64_t>(rows[0].size())}, at::kDouble);
        for (size_t i = 0; i < rows.size(); ++i) {
            if (rows[i].size() != rows[0].size())
                throw SpecError(where + ": rows of different lengths");
            for (size_t j = 0; j < rows[i].size(); ++j)
                out[i][j] = rows[i][j];
        }
        return out;
    } catch (const nlohmann::json::exception&) {
        throw SpecError(where + ": expected a matrix of numbers, found " + value.dump());
    }
}

nlohmann::json jsonFromTensor(const at::Tensor& t) {
    const at::Tensor c = t.contiguous();
    if (c.dim() == 1)
        return std::vector<double>(c.data_ptr<double>(), c.data_ptr<double>() + c.numel());
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t i = 0; i < c.size(0); ++i)
        rows.push_back(jsonFromTensor(c[i].contiguous()));
    return rows;
}

}  // namespace

GaussianMixtureField::GaussianMixtureField(const at::Tensor& weights, const at::Tensor& means, const at::Tensor& variances)
    : weights_(weights.to(at::kDouble).contiguous()), means_(means.to(at::kDouble).contiguous()), variances_(variances.to(at::kDouble).contiguous()) {
    if (weights_.dim() != 1 || means_.dim() != 2 || !variances_.sizes().equals(means_.sizes()) || weights_.size(0) != means_.size(0) ||
        means_.size(0) < 1 || means_.size(1) < 1)
        throw SpecError("Gaussian mixture field: expected weights [K], means [K, D] and variances [K, D], found " + c10::str(weights_.sizes()) +
                        ", " + c10::str(means_.sizes()) + ", " + c10::str(variances_.sizes()));
    if (!at::isfinite(means_).all().item<bool>() || !(weights_ > 0).all().item<bool>() || !(variances_ > 0).all().item<bool>() ||
        !at::isfinite(weights_).all().item<bool>() || !at::isfinite(variances_).all().item<bool>())
        throw SpecError("Gaussian mixture field: weights and variances must be positive and finite, means finite");
    weights_ = weights_ / weights_.sum();
}

std::shared_ptr<GaussianMixtureField> GaussianMixtureField::fromJson(const nlohmann::json& config, const std::string& where) {
    const JsonFields f(config, where);
    const std::vector<double> weights = f.numbers("weights");
    const at::Tensor w = at::tensor(weights, at::kDouble);
    return std::make_shared<GaussianMixtureField>(w, tensorFromJson(f.require("means"), f.path("means")),
                                                  tensorFromJson(f.require("variances"), f.path("variances")));
}

nlohmann::json GaussianMixtureField::config() const {
    return {{"weights", jsonFromTensor(weights_)}, {"means", jsonFromTensor(means_)}, {"variances", jsonFromTensor(variances_)}};
}

at::Tensor GaussianMixtureField::forward(const at::Tensor& xIn, const at::Tensor& tIn) {
    const at::Tensor x = xIn.reshape({xIn.size(0), 1, -1});                                  // [B, 1, D]
    const at::Tensor t = batchTimes(tIn, xIn, "Gaussian mixture field").reshape({-1, 1, 1});  // [B, 1, 1]
    const at::Tensor mu = means_.to(x.options()).unsqueeze(0);                              // [1, K, D]
    const at::Tensor lambda = variances_.to(x.options()).unsqueeze(0);
    const at::Tensor s = t * t * lambda + (1 - t) * (1 - t);                                  // [B, K, D]
    const at::Tensor g = (t * lambda - (1 - t)) / s;
    const at::Tensor centred = x - t * mu;
    const at::Tensor vk = mu + g * centred;
    const at::Tensor logw = weights_.to(x.options()).log().unsqueeze(0) - 0.5 * (s.log() + centred.pow(2) / s).sum(2);  // [B, K]
    const at::Tensor w = at::softmax(logw, 1).unsqueeze(2);
    return (w * vk).sum(1).reshape(xIn.sizes());
}

at::Tensor GaussianMixtureField::sample(int64_t count, at::Generator& generator, at::Tensor* components) const {
    const at::Tensor k = at::multinomial(weights_, count, true, generator);
    if (components)
        *components = k;
    const at::Tensor z = at::randn({count, means_.size(1)}, generator, at::kDouble);
    return means_.index_select(0, k) + variances_.index_select(0, k).sqrt() * z;
}

at::Tensor GaussianMixtureField::logDensity(const at::Tensor& xIn) const {
    const at::Tensor x = xIn.to(at::kDouble).reshape({xIn.size(0), 1, -1});
    const at::Tensor diff = x - means_.unsqueeze(0);
    const at::Tensor logComponent = -0.5 * (variances_.unsqueeze(0).log() + diff.pow(2) / variances_.unsqueeze(0) + std::log(2 * M_PI)).sum(2);
    return at::logsumexp(logComponent + weights_.log().unsqueeze(0), 1);
}

}  // namespace ada
