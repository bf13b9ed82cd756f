#include "ada/metrics/SampleComparison.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "ada/io/SpecError.h"
#include "ada/metrics/Wasserstein1D.h"

namespace ada {

namespace {

void checkSample(const std::vector<double>& values, const std::string& what) {
    if (values.empty())
        throw SpecError("cannot compare " + what + ": it holds no values");
    for (double v : values)
        if (!std::isfinite(v))
            throw SpecError("cannot compare " + what + ": it holds a non-finite value");
}

HistogramAxis padded(double lo, double hi, int bins) {
    if (!(hi > lo))
        hi = lo + 1e-6;
    const double pad = 1e-9 * (hi - lo);
    return {lo - pad, hi + pad, bins, false};
}

// The q-quantile (0 <= q <= 1) of values, by the nearest rank.
double quantile(std::vector<double> values, double q) {
    const size_t k = std::min(values.size() - 1, static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5));
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
}

}  // namespace

HistogramAxis commonAxis(const std::vector<double>& a, const std::vector<double>& b, bool angle, int bins) {
    if (angle)
        return {-M_PI, M_PI, bins, true};
    checkSample(a, "the model's samples");
    checkSample(b, "the reference samples");
    const auto [aLo, aHi] = std::minmax_element(a.begin(), a.end());
    const auto [bLo, bHi] = std::minmax_element(b.begin(), b.end());
    return padded(std::min(*aLo, *bLo), std::max(*aHi, *bHi), bins);
}

HistogramAxis referenceAxis(const std::vector<double>& model, const std::vector<double>& reference, int bins, double tail) {
    checkSample(model, "the model's samples");
    checkSample(reference, "the reference samples");
    if (!(tail >= 0 && tail < 0.5))
        throw SpecError("referenceAxis: tail must be in [0, 0.5)");
    const auto [lo, hi] = std::minmax_element(reference.begin(), reference.end());
    return padded(std::min(*lo, quantile(model, tail)), std::max(*hi, quantile(model, 1 - tail)), bins);
}

nlohmann::json compareSamples(const std::string& name, const std::string& type, const HistogramAxis& axis,
                              const std::vector<double>& model, const std::vector<double>& reference) {
    checkSample(model, name + " of the model's samples");
    checkSample(reference, name + " of the reference samples");
    Histogram hm({axis}), hr({axis});
    hm.add(model);
    hr.add(reference);
    std::vector<double> edges;
    for (int e = 0; e <= axis.bins; ++e)
        edges.push_back(axis.lo + (axis.hi - axis.lo) * e / axis.bins);
    const double outside = axis.periodic ? 0.0
                                         : static_cast<double>(std::count_if(model.begin(), model.end(), [&](double v) {
                                               return v < axis.lo || v > axis.hi;
                                           })) / static_cast<double>(model.size());
    return {{"name", name},
            {"type", type},
            {"angle", axis.periodic},
            {"jsd", jensenShannonDivergence(hm, hr)},
            {"w1", wasserstein1(model, reference, axis.periodic)},
            {"edges", edges},
            {"p_model", hm.probabilities()},
            {"p_reference", hr.probabilities()},
            {"outside_model", outside}};
}

}  // namespace ada
