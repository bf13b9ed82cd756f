#pragma once
// Compares two ensembles of configurations (e.g. generated vs held-out MD) through observables, as
// `ada evaluate` reports them: for every observable component, histograms of both ensembles on common
// bins, the Jensen-Shannon divergence (nats) and the 1-Wasserstein distance (circular for angles); for
// requested pairs of 1-D observables, the JSD of their joint 2-D histogram (e.g. (phi, psi)).
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "ada/observables/Observable.h"

namespace ada {

struct ObservableComparisonOptions {
    int bins = 60;
    int jointBins = 36;
};

class ObservableComparison {
public:
    /**
     * observables: named observables (names must be distinct); joint: pairs of names of 1-D observables
     * compared jointly. The ensembles are row-major [frames][numParticles][3] in nm.
     */
    ObservableComparison(std::vector<std::pair<std::string, std::unique_ptr<Observable>>> observables,
                         std::vector<std::pair<std::string, std::string>> joint, ObservableComparisonOptions options = {});
    /** Parse {"observables": [{"name": ..., <observable>}, ...], "joint": [["phi", "psi"]], "bins": 60}. */
    static ObservableComparison fromJson(const nlohmann::json& spec, const std::string& where);

    /** Evaluate every observable on an ensemble: values[observable][frame * d + k]. */
    std::vector<std::vector<double>> evaluate(const std::vector<double>& frames, int numParticles) const;
    /** The report: per component {name, jsd, w1, edges, p_model, p_reference} and per joint pair {names, jsd}. */
    nlohmann::json compare(const std::vector<double>& model, const std::vector<double>& reference, int numParticles) const;

private:
    std::vector<std::pair<std::string, std::unique_ptr<Observable>>> observables_;
    std::vector<std::pair<std::string, std::string>> joint_;
    ObservableComparisonOptions options_;
};

}  // namespace ada
