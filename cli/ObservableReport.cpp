#include "ObservableReport.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <ATen/ATen.h>

#include "ada/metrics/Wasserstein1D.h"
#include "ada/torch/TensorValues.h"

nlohmann::json observableComparison(const ada::AlignmentTarget& t, const at::Tensor& base, const at::Tensor& aligned) {
    nlohmann::json o = {{"name", t.name}, {"dimension", t.dimension()}, {"angle", t.angle}, {"observable", t.observable}};
    if (t.dimension() != 1)
        return o;
    const std::vector<double> b = ada::doubleValues(base), a = ada::doubleValues(aligned), e = ada::doubleValues(t.data);
    o["w1_base"] = ada::wasserstein1(b, e, t.angle);
    o["w1_aligned"] = ada::wasserstein1(a, e, t.angle);
    const double lo = t.angle ? -M_PI : std::min({*std::min_element(b.begin(), b.end()), *std::min_element(a.begin(), a.end()), *std::min_element(e.begin(), e.end())});
    const double hi = t.angle ? M_PI : std::max({*std::max_element(b.begin(), b.end()), *std::max_element(a.begin(), a.end()), *std::max_element(e.begin(), e.end())});
    const int bins = 60;
    std::vector<double> edges;
    for (int k = 0; k <= bins; ++k)
        edges.push_back(lo + (hi - lo) * k / bins);
    const auto histogram = [&](const std::vector<double>& v) {
        std::vector<double> p(bins, 0.0);
        for (double x : v)
            p[std::min(bins - 1, std::max(0, static_cast<int>((x - lo) / (hi - lo) * bins)))] += 1.0 / static_cast<double>(v.size());
        return p;
    };
    o["edges"] = edges;
    o["p_base"] = histogram(b);
    o["p_aligned"] = histogram(a);
    o["p_experiment"] = histogram(e);
    return o;
}
