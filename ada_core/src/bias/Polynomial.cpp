#include "ada/bias/Polynomial.h"

#include <cmath>
#include <functional>

#include <nlohmann/json.hpp>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"

namespace ada {

Polynomial::Polynomial(std::vector<std::vector<int>> exponents, std::vector<double> coefficients, std::vector<double> inputShift,
                       std::vector<double> inputScale, const std::string& where)
    : exponents_(std::move(exponents)), coefficients_(std::move(coefficients)), shift_(std::move(inputShift)), scale_(std::move(inputScale)) {
    if (exponents_.empty())
        throw SpecError(where + ".exponents: a polynomial needs at least one term");
    if (coefficients_.size() != exponents_.size())
        throw SpecError(where + ": " + std::to_string(coefficients_.size()) + " coefficients for " + std::to_string(exponents_.size()) +
                        " exponents");
    const size_t d = exponents_.front().size();
    if (d == 0)
        throw SpecError(where + ".exponents[0]: a multi-index needs at least one entry (the input dimension)");
    for (size_t j = 0; j < exponents_.size(); ++j) {
        const std::string at = where + ".exponents[" + std::to_string(j) + "]";
        if (exponents_[j].size() != d)
            throw SpecError(at + ": has " + std::to_string(exponents_[j].size()) + " entries, expected " + std::to_string(d));
        for (int e : exponents_[j])
            if (e < 0)
                throw SpecError(at + ": exponents must be non-negative, found " + std::to_string(e));
        if (!std::isfinite(coefficients_[j]))
            throw SpecError(where + ".coefficients[" + std::to_string(j) + "]: must be finite");
    }
    if (shift_.empty())
        shift_.assign(d, 0.0);
    if (scale_.empty())
        scale_.assign(d, 1.0);
    if (shift_.size() != d || scale_.size() != d)
        throw SpecError(where + ": input_shift and input_scale must have " + std::to_string(d) + " entries (the input dimension)");
    for (size_t k = 0; k < d; ++k) {
        if (!std::isfinite(shift_[k]))
            throw SpecError(where + ".input_shift[" + std::to_string(k) + "]: must be finite");
        if (!(scale_[k] != 0.0) || !std::isfinite(scale_[k]))
            throw SpecError(where + ".input_scale[" + std::to_string(k) + "]: must be finite and non-zero");
    }
}

Polynomial Polynomial::fromJson(const nlohmann::json& spec, const std::string& where) {
    JsonFields f(spec, where);
    const nlohmann::json& list = f.require("exponents");
    if (!list.is_array())
        throw SpecError(f.path("exponents") + ": expected a list of multi-indices (lists of integers)");
    std::vector<std::vector<int>> exponents;
    for (size_t j = 0; j < list.size(); ++j) {
        const std::string at = f.path("exponents") + "[" + std::to_string(j) + "]";
        if (!list[j].is_array())
            throw SpecError(at + ": expected a list of non-negative integers");
        std::vector<int> index;
        for (const auto& e : list[j]) {
            if (!e.is_number_integer())
                throw SpecError(at + ": expected a list of non-negative integers, found " + e.dump());
            index.push_back(e.get<int>());
        }
        exponents.push_back(std::move(index));
    }
    return Polynomial(std::move(exponents), f.numbers("coefficients"), f.has("input_shift") ? f.numbers("input_shift") : std::vector<double>(),
                      f.has("input_scale") ? f.numbers("input_scale") : std::vector<double>(), where);
}

std::vector<std::vector<int>> Polynomial::monomials(int dimension, int order) {
    std::vector<std::vector<int>> result;
    std::vector<int> index(dimension, 0);
    // Multi-indices of total degree `degree`, first entry largest first.
    std::function<void(int, int)> fill = [&](int k, int remaining) {
        if (k == dimension - 1) {
            index[k] = remaining;
            result.push_back(index);
            return;
        }
        for (int e = remaining; e >= 0; --e) {
            index[k] = e;
            fill(k + 1, remaining - e);
        }
    };
    for (int degree = 1; degree <= order; ++degree)
        fill(0, degree);
    return result;
}

double Polynomial::evaluate(const double* y, double* gradient) const {
    const size_t d = shift_.size();
    thread_local std::vector<double> u;
    u.resize(d);
    for (size_t k = 0; k < d; ++k)
        u[k] = (y[k] - shift_[k]) / scale_[k];
    if (gradient)
        for (size_t k = 0; k < d; ++k)
            gradient[k] = 0.0;
    double value = 0.0;
    for (size_t j = 0; j < exponents_.size(); ++j) {
        const std::vector<int>& e = exponents_[j];
        double term = coefficients_[j];
        for (size_t k = 0; k < d; ++k)
            term *= std::pow(u[k], e[k]);
        value += term;
        if (!gradient)
            continue;
        for (size_t k = 0; k < d; ++k) {
            if (e[k] == 0)
                continue;
            double partial = coefficients_[j] * e[k] * std::pow(u[k], e[k] - 1);
            for (size_t l = 0; l < d; ++l)
                if (l != k)
                    partial *= std::pow(u[l], e[l]);
            gradient[k] += partial / scale_[k];
        }
    }
    return value;
}

nlohmann::json Polynomial::toJson() const {
    return {{"type", "polynomial"}, {"exponents", exponents_}, {"coefficients", coefficients_}, {"input_shift", shift_}, {"input_scale", scale_}};
}

}  // namespace ada
