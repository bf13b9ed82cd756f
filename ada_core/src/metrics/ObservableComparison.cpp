#include "ada/metrics/ObservableComparison.h"

#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "ada/io/JsonFields.h"
#include "ada/io/SpecError.h"
#include "ada/metrics/Histogram.h"
#include "ada/metrics/SampleComparison.h"

namespace ada {

using nlohmann::json;

ObservableComparison::ObservableComparison(std::vector<std::pair<std::string, std::unique_ptr<Observable>>> observables,
                                           std::vector<std::pair<std::string, std::string>> joint, ObservableComparisonOptions options)
    : observables_(std::move(observables)), joint_(std::move(joint)), options_(options) {
    std::map<std::string, const Observable*> byName;
    for (const auto& [name, o] : observables_)
        if (!byName.emplace(name, o.get()).second)
            throw SpecError("observable name \"" + name + "\" is used twice");
    for (const auto& [a, b] : joint_)
        for (const std::string& name : {a, b}) {
            auto it = byName.find(name);
            if (it == byName.end())
                throw SpecError("joint pair names an unknown observable \"" + name + "\"");
            if (it->second->dimension() != 1)
                throw SpecError("joint pair: observable \"" + name + "\" is not one-dimensional");
        }
}

ObservableComparison ObservableComparison::fromJson(const json& spec, const std::string& where) {
    JsonFields f(spec, where);
    const json& list = f.require("observables");
    if (!list.is_array() || list.empty())
        throw SpecError(f.path("observables") + ": expected a non-empty list of observables");
    std::vector<std::pair<std::string, std::unique_ptr<Observable>>> observables;
    for (size_t i = 0; i < list.size(); ++i) {
        const std::string at = f.path("observables") + "[" + std::to_string(i) + "]";
        JsonFields of(list[i], at);
        const std::string name = of.string("name", "o" + std::to_string(i));
        observables.emplace_back(name, makeObservable(list[i], at));
    }
    std::vector<std::pair<std::string, std::string>> joint;
    if (f.has("joint")) {
        for (const json& pair : f.require("joint")) {
            if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
                throw SpecError(f.path("joint") + ": expected pairs of observable names");
            joint.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
        }
    }
    ObservableComparisonOptions options;
    options.bins = f.integer("bins", options.bins);
    options.jointBins = f.integer("joint_bins", options.jointBins);
    if (options.bins <= 0 || options.jointBins <= 0)
        throw SpecError(where + ": bins must be positive");
    return ObservableComparison(std::move(observables), std::move(joint), options);
}

std::vector<std::vector<double>> ObservableComparison::evaluate(const std::vector<double>& frames, int numParticles) const {
    if (numParticles <= 0 || frames.size() % (3 * static_cast<size_t>(numParticles)) != 0)
        throw SpecError("ensemble size is not a multiple of 3 x " + std::to_string(numParticles));
    const size_t count = frames.size() / (3 * static_cast<size_t>(numParticles));
    std::vector<std::vector<double>> values;
    for (const auto& entry : observables_) {
        const Observable& o = *entry.second;
        o.checkAtoms(numParticles);
        std::vector<double> v(count * o.dimension());
        for (size_t b = 0; b < count; ++b)
            o.evaluate(frames.data() + b * 3 * numParticles, PeriodicBox(), v.data() + b * o.dimension(), nullptr);
        values.push_back(std::move(v));
    }
    return values;
}

namespace {

std::vector<double> component(const std::vector<double>& values, int d, int k) {
    std::vector<double> out(values.size() / d);
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = values[i * d + k];
    return out;
}

}  // namespace

json ObservableComparison::compare(const std::vector<double>& model, const std::vector<double>& reference, int numParticles) const {
    const auto mv = evaluate(model, numParticles), rv = evaluate(reference, numParticles);
    if (mv.empty() || mv[0].empty() || rv[0].empty())
        throw SpecError("both ensembles must hold at least one frame");
    json report = {{"components", json::array()}, {"joint", json::array()}};
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < observables_.size(); ++i) {
        const auto& [name, o] = observables_[i];
        index[name] = i;
        const int d = o->dimension();
        for (int k = 0; k < d; ++k) {
            const std::vector<double> a = component(mv[i], d, k), b = component(rv[i], d, k);
            const std::string componentName = d == 1 ? name : name + "[" + std::to_string(k) + "]";
            report["components"].push_back(compareSamples(componentName, o->type(), commonAxis(a, b, o->isAngle(), options_.bins), a, b));
        }
    }
    for (const auto& [first, second] : joint_) {
        const size_t i = index.at(first), j = index.at(second);
        auto axisOf = [&](size_t o) {
            return commonAxis(mv[o], rv[o], observables_[o].second->isAngle(), options_.jointBins);
        };
        const std::vector<HistogramAxis> axes = {axisOf(i), axisOf(j)};
        Histogram ha(axes), hb(axes);
        for (size_t n = 0; n < mv[i].size(); ++n)
            ha.add({mv[i][n], mv[j][n]});
        for (size_t n = 0; n < rv[i].size(); ++n)
            hb.add({rv[i][n], rv[j][n]});
        report["joint"].push_back({{"names", {first, second}}, {"jsd", jensenShannonDivergence(ha, hb)}, {"bins", options_.jointBins}});
    }
    return report;
}

}  // namespace ada
