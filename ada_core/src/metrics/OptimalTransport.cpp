#include "ada/metrics/OptimalTransport.h"

#include <cmath>
#include <numeric>

#include <lemon/network_simplex.h>
#include <lemon/smart_graph.h>

#include "ada/io/SpecError.h"

namespace ada {

namespace {

// Transport with integer supplies: every source i sends supply[i], every sink j receives demand[j].
struct TransportSolution {
    std::vector<std::vector<std::pair<int, long long>>> flows;  // per source: (sink, amount)
};

TransportSolution solveTransport(const Eigen::MatrixXd& cost, long long supply, long long demand) {
    const int n = static_cast<int>(cost.rows()), m = static_cast<int>(cost.cols());
    if (n == 0 || m == 0)
        throw SpecError("optimal transport: both sides must be non-empty");
    if (!cost.allFinite())
        throw SpecError("optimal transport: costs must be finite");
    const double largest = std::max(cost.cwiseAbs().maxCoeff(), 1e-300);
    const double scale = 1e12 / largest;
    lemon::SmartDigraph graph;
    std::vector<lemon::SmartDigraph::Node> sources(n), sinks(m);
    for (auto& node : sources)
        node = graph.addNode();
    for (auto& node : sinks)
        node = graph.addNode();
    lemon::SmartDigraph::ArcMap<long long> arcCost(graph);
    lemon::SmartDigraph::NodeMap<long long> nodeSupply(graph);
    std::vector<lemon::SmartDigraph::Arc> arcs;
    arcs.reserve(static_cast<size_t>(n) * m);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            auto arc = graph.addArc(sources[i], sinks[j]);
            arcCost[arc] = std::llround(cost(i, j) * scale);
            arcs.push_back(arc);
        }
    for (int i = 0; i < n; ++i)
        nodeSupply[sources[i]] = supply;
    for (int j = 0; j < m; ++j)
        nodeSupply[sinks[j]] = -demand;
    lemon::NetworkSimplex<lemon::SmartDigraph, long long, long long> simplex(graph);
    simplex.costMap(arcCost).supplyMap(nodeSupply);
    if (simplex.run() != lemon::NetworkSimplex<lemon::SmartDigraph, long long, long long>::OPTIMAL)
        throw SpecError("optimal transport: the network simplex found no optimal plan");
    TransportSolution solution;
    solution.flows.resize(n);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < m; ++j) {
            const long long f = simplex.flow(arcs[static_cast<size_t>(i) * m + j]);
            if (f > 0)
                solution.flows[i].emplace_back(j, f);
        }
    return solution;
}

}  // namespace

double optimalTransportCost(const Eigen::MatrixXd& cost) {
    const long long n = cost.rows(), m = cost.cols();
    // Supplies m per source and n per sink make uniform weights integral: total n*m.
    const TransportSolution plan = solveTransport(cost, m, n);
    double total = 0;
    for (int i = 0; i < n; ++i)
        for (const auto& [j, f] : plan.flows[i])
            total += cost(i, j) * static_cast<double>(f);
    return total / static_cast<double>(n * m);
}

std::vector<int> optimalAssignment(const Eigen::MatrixXd& cost) {
    if (cost.rows() != cost.cols())
        throw SpecError("assignment: the cost matrix must be square");
    const TransportSolution plan = solveTransport(cost, 1, 1);
    std::vector<int> permutation(cost.rows());
    for (int i = 0; i < cost.rows(); ++i)
        permutation[i] = plan.flows[i].front().first;
    return permutation;
}

}  // namespace ada
